"""One run, read for the report and the explorer: its per-period series, its headline
metrics, the chain as a network period by period, and its decision log.

A single run's `--out` (chainsim run FILE --out DIR) holds the run's own tables
(`records/links.parquet`, `records/firms.parquet`, ...; directly in DIR before
chainsim 0.1.0's output schemas were unified), `summary.json`, `scenario.json` and
`decisions.jsonl`; the explorer has the same in memory (`from_result`). Both become an
`Output` of kind "single" whose series are computed by the same functions the
replication workers use (`chainsim.experiments.series`), so a single run and a replicated
one are drawn by the same figures.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from chainsim.experiments.series import buyer_series, cluster_series, governance_series
from chainsim.report.data import Output, ReportError, _reason, config_of

RUN_TABLES = ("clusters", "buyers", "firms", "links", "fairs")
OPTIONAL_TABLES = ("projects", "votes")
TABLE_COLUMNS = {
    "clusters": ("period", "time", "cluster", "units", "value", "retail_value"),
    "buyers": ("period", "time", "buyer", "units", "value", "scouted_units"),
    "firms": ("period", "time", "firm", "cluster", "lead", "process", "rung", "units"),
    "links": ("period", "link", "buyer", "firm", "cluster", "governance", "active",
              "share", "price", "units"),
    "fairs": ("time", "fair", "cluster", "exhibitors", "total"),
}
CONFIG = "run"


@dataclass
class Structure:
    """Who is who in the chain: firm ids, lead or spoke, cluster, the spokes working for
    each lead, and the buyer agents (a buyer group's members)."""

    firm_ids: list[str]
    lead: np.ndarray
    cluster: np.ndarray
    spokes: list[list[int]]
    buyer_ids: list[str]
    cluster_ids: list[str]
    ladder: str = "shoe"  # the scenario's functional ladder: what its rung columns are


@dataclass
class RunData:
    """What only a single run has: its record tables and decision log."""

    tables: dict[str, pd.DataFrame]
    decisions: list[dict[str, Any]]
    structure: Structure
    start_year: float
    period_days: float
    scenario: Any = field(default=None, repr=False)  # the validated Scenario


def structure_of(scenario: Any, seed: int) -> Structure:
    """The firm and buyer layout the engine builds for this scenario (ids and the spoke
    map do not depend on random draws)."""
    from chainsim.agents.firms import expand_firms, spoke_map
    from chainsim.engine.world import expand_buyers
    from chainsim.randomness import Streams

    firms, groups = expand_firms(scenario, Streams(seed, 0))
    buyers = [m.id for b in scenario.buyers for m in expand_buyers(b)]
    return Structure(firm_ids=list(firms.ids), lead=np.asarray(firms.lead, bool),
                     cluster=np.asarray(firms.cluster, int),
                     spokes=spoke_map(scenario, firms, groups), buyer_ids=buyers,
                     cluster_ids=[c.id for c in scenario.clusters],
                     ladder=scenario.technology.ladder)


def series_of(tables: dict[str, pd.DataFrame], structure: Structure, start_year: float
              ) -> dict[str, pd.DataFrame]:
    """The run's per-period series tables, with the config and replication columns of
    an experiment's series (one configuration, replication 0)."""
    out = {
        "clusters": cluster_series(tables, structure.cluster_ids, start_year,
                                   structure.ladder),
        "buyers": buyer_series(tables, structure.buyer_ids, start_year),
        "governance": governance_series(tables, start_year),
    }
    for name, table in out.items():
        table.insert(0, "replication", 0)
        table.insert(0, "config", CONFIG)
        out[name] = table
    return out


def summary_frame(metrics: dict[str, float]) -> pd.DataFrame:
    """A run's headline metrics as the tidy summary table (n = 1, no interval)."""
    rows = [{"config": CONFIG, "metric": k, "mean": v, "ci_low": math.nan,
             "ci_high": math.nan, "n": 1} for k, v in metrics.items()]
    return pd.DataFrame(rows, columns=["config", "metric", "mean", "ci_low", "ci_high", "n"])


def make_output(path: Path, scenario_json: dict[str, Any], scenario: Any,
                tables: dict[str, pd.DataFrame], metrics: dict[str, float],
                decisions: list[dict[str, Any]], meta: dict[str, Any],
                series: bool = True) -> Output:
    """An `Output` of kind "single" from a run's tables (read from disk or in memory);
    `series=False` leaves the series for `add_series` (the network needs none)."""
    sim = scenario.simulation
    structure = structure_of(scenario, int(meta.get("seed", sim.seed)))
    config = config_of(CONFIG, scenario_json, source=str(meta.get("source", "")),
                       overrides=list(meta.get("overrides", [])))
    manifest = {"tool": "chainsim", "kind": "single", "replications": 1,
                "replication_indices": str(meta.get("replication", 0)), **meta}
    out = Output(path=path, manifest=manifest, kind="single", configs=[config])
    if series:
        out.series = series_of(tables, structure, float(sim.start_year))
    out.summary = summary_frame(metrics)
    out.run = RunData(tables=tables, decisions=decisions, structure=structure,
                      start_year=float(sim.start_year), period_days=float(sim.period_days),
                      scenario=scenario)
    return out


def add_series(out: Output) -> Output:
    """Compute a single run's series if `make_output` left them out."""
    if not out.series and out.run is not None:
        out.series = series_of(out.run.tables, out.run.structure, out.run.start_year)
    return out


def from_result(result: Any, source: str = "", overrides: list[str] | None = None,
                metrics: bool = True, series: bool = True) -> Output:
    """The explorer's view of a run it has just made (a `RunResult`); `metrics=False`
    leaves out the headline metrics (the explorer's rerun does not show them),
    `series=False` the series (`add_series` computes them later)."""
    from chainsim.results.summary import headline

    meta = {"seed": result.seed, "replication": result.replication,
            "horizon_years": result.horizon_years, "events": result.events,
            "wall_seconds": round(result.wall_seconds, 3), "source": source,
            "overrides": list(overrides or []),
            "versions": {"chainsim": result.version}}
    return make_output(Path("."), result.scenario.model_dump(mode="json"), result.scenario,
                       result.tables, headline(result) if metrics else {},
                       result.decisions, meta, series)


def load_single(root: Path) -> Output:
    """Read the `--out` of a single run; ReportError naming the file for anything
    missing, unreadable or not what its name says."""
    from chainsim.report.data import version_notes
    from chainsim.scenario import ScenarioError, parse_scenario

    scenario_json = _json(root / "scenario.json")
    summary = _json(root / "summary.json")
    try:
        scenario = parse_scenario(scenario_json, str(root / "scenario.json"))
    except ScenarioError as exc:
        raise ReportError(f"{root / 'scenario.json'}: not a chainsim scenario "
                          f"({exc.problems[0] if exc.problems else exc})") from None
    tables = {}
    records = root / "records" if (root / "records").is_dir() else root
    for name in (*RUN_TABLES, *OPTIONAL_TABLES):
        path = records / f"{name}.parquet"
        if not path.is_file():
            if name in OPTIONAL_TABLES:
                continue
            raise ReportError(f"{path}: missing (a single run's --out has "
                              f"records/{name}.parquet; run it again with --out)")
        tables[name] = _parquet(path, TABLE_COLUMNS.get(name, ()))
    metrics = flat_metrics(summary)
    meta = {k: summary.get(k) for k in ("seed", "replication", "horizon_years", "events",
                                        "wall_seconds")}
    meta["versions"] = {"chainsim": summary.get("version")}
    meta["seed"] = int(meta["seed"]) if isinstance(meta["seed"], int) \
        else scenario.simulation.seed
    out = make_output(root, scenario_json, scenario, tables, metrics,
                      _decisions(root / "decisions.jsonl"), meta)
    out.notes += version_notes(root / "summary.json", out.manifest)
    return out


def flat_metrics(summary: dict[str, Any]) -> dict[str, float]:
    """`cluster.<id>.<metric>` -> value from a single run's summary.json."""
    out: dict[str, float] = {}
    for group, key in (("cluster", "clusters"), ("buyer", "buyers")):
        agents = summary.get(key)
        for agent, values in (agents.items() if isinstance(agents, dict) else ()):
            for metric, value in (values.items() if isinstance(values, dict) else ()):
                out[f"{group}.{agent}.{metric}"] = _float(value)
    orders = summary.get("orders")
    for k, v in (orders.items() if isinstance(orders, dict) else ()):
        out[f"orders.{k}"] = _float(v)
    return out


def _float(value: Any) -> float:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) \
        else math.nan


def _json(path: Path) -> dict[str, Any]:
    if not path.is_file():
        raise ReportError(f"{path}: missing (a single run's --out has summary.json and "
                          "scenario.json)")
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise ReportError(f"{path}: unreadable ({_reason(exc)})") from None
    if not isinstance(data, dict):
        raise ReportError(f"{path}: not a JSON object")
    return data


def _parquet(path: Path, columns: tuple[str, ...]) -> pd.DataFrame:
    try:
        frame = pd.read_parquet(path)
    except Exception as exc:  # pyarrow raises its own types for a damaged file
        raise ReportError(f"{path}: unreadable ({_reason(exc)})") from None
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ReportError(f"{path}: not a chainsim table (no column {', '.join(missing)})")
    return frame


def _decisions(path: Path) -> list[dict[str, Any]]:
    """The decision log, if the run wrote one (an unreadable line is an error)."""
    if not path.is_file():
        return []
    out = []
    try:
        with path.open(encoding="utf-8") as fh:
            for number, line in enumerate(fh, 1):
                if line.strip():
                    row = json.loads(line)
                    if not isinstance(row, dict):
                        raise ValueError(f"line {number} is not an object")
                    out.append(row)
    except (OSError, ValueError) as exc:
        raise ReportError(f"{path}: unreadable ({_reason(exc)})") from None
    return out
