"""Reading an experiment's `--out DIR` for the report (layout: chainsim.experiments.outputs).

Everything the report shows is read here, before anything is written, so bad input is one
`ReportError` naming the path. Files an experiment writes are optional to the report: a
missing table becomes a note in the page (`Output.notes`), not an error; a directory that
is not a finished chainsim experiment, or a file that cannot be read, is an error.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from chainsim.experiments.stats import compare_configurations, mean_ci
from chainsim.output import OutputError

KINDS = ("run", "compare", "sweep", "propositions")
SERIES = ("clusters", "buyers", "governance")
SERIES_COLUMNS = ("config", "replication", "period", "year")
ID_COLUMNS = ("config", "replication", "seed", "events", "wall_seconds")


class ReportError(OutputError):
    """Input the report cannot use, or an output location it cannot write; the message
    names the path."""


@dataclass
class Config:
    """One configuration of the experiment, as the manifest records it."""

    name: str
    source: str
    overrides: list[str]
    params: dict[str, Any]
    scenario_name: str
    start_year: float
    horizon_years: float | None
    clusters: list[str]
    buyers: list[str]


@dataclass
class Output:
    """A finished experiment directory, read into memory."""

    path: Path
    manifest: dict[str, Any]
    kind: str
    configs: list[Config]
    summary: pd.DataFrame | None = None  # tidy: config, [param.*], metric, mean, ci_*, n
    comparison: pd.DataFrame | None = None  # compare: metric, config, baseline, mean, ...
    replications: pd.DataFrame | None = None
    series: dict[str, pd.DataFrame] = field(default_factory=dict)
    summary_json: dict[str, Any] | None = None
    notes: list[str] = field(default_factory=list)  # what is absent, said in the page

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.configs]

    @property
    def baseline(self) -> str:
        return self.configs[0].name

    @property
    def confidence(self) -> float:
        value = (self.summary_json or {}).get("confidence")
        return float(value) if isinstance(value, int | float) and 0 < value < 1 else 0.95

    def clusters(self) -> list[str]:
        """Every cluster id of every configuration, in first-seen order."""
        return list(dict.fromkeys(c for cfg in self.configs for c in cfg.clusters))

    def param_keys(self) -> list[str]:
        return list(dict.fromkeys(k for c in self.configs for k in c.params))


def load_output(path: str | Path) -> Output:
    """Read a finished experiment directory; ReportError (naming the path) if it is not
    one or a file in it cannot be read."""
    root = Path(path)
    if not root.exists():
        raise ReportError(f"{root}: no such directory")
    if not root.is_dir():
        raise ReportError(f"{root}: not a directory (give the --out DIR of chainsim run "
                          "--replications, compare, sweep or propositions)")
    manifest = _manifest(root)
    kind = manifest["kind"]
    configs = [_config(root, c) for c in manifest["configurations"]]
    out = Output(path=root, manifest=manifest, kind=kind, configs=configs)

    summary_json = root / "summary.json"
    if summary_json.is_file():
        try:
            data = json.loads(summary_json.read_text())
        except (OSError, ValueError) as exc:
            raise ReportError(f"{summary_json}: unreadable ({_reason(exc)})") from None
        out.summary_json = data if isinstance(data, dict) else None
    out.replications = _table(root / "replications.parquet", ("config", "replication"))
    out.summary = _table(root / "summary.parquet", ("config", "metric", "mean", "ci_low",
                                                    "ci_high", "n"))
    if out.summary is None:
        out.summary = _csv(root / "summary.csv", ("config", "metric", "mean", "ci_low",
                                                  "ci_high", "n"))
    if out.summary is None and out.replications is not None:
        out.summary = summary_from_replications(out)
        out.notes.append("summary.csv and summary.parquet are absent: the headline table "
                         "was computed from replications.parquet")
    elif out.summary is None:
        out.notes.append("summary.csv, summary.parquet and replications.parquet are "
                         "absent: no headline table")
    if kind == "compare":
        out.comparison = _csv(root / "comparison.csv", ("metric", "config", "baseline",
                                                        "mean", "ci_low", "ci_high", "n"))
        if out.comparison is None and out.replications is not None and len(configs) > 1:
            out.comparison = comparison_from_replications(out)
            out.notes.append("comparison.csv is absent: the paired differences were "
                             "computed from replications.parquet")
        elif out.comparison is None:
            out.notes.append("comparison.csv and replications.parquet are absent: no "
                             "paired-difference table")
    for name in SERIES:
        table = _table(root / "series" / f"{name}.parquet", SERIES_COLUMNS)
        if table is None:
            out.notes.append(f"series/{name}.parquet is absent: the figures drawn from it "
                             "are left out")
        else:
            out.series[name] = table
    return out


def _manifest(root: Path) -> dict[str, Any]:
    path = root / "manifest.json"
    if not path.is_file():
        if (root / "summary.json").is_file() and (root / "scenario.json").is_file():
            raise ReportError(f"{root}: the --out of a single run (no manifest.json); the "
                              "report needs replications: chainsim run FILE --replications "
                              "N --out DIR")
        raise ReportError(f"{root}: not a chainsim output directory (no manifest.json; give "
                          "the --out DIR of chainsim run --replications, compare, sweep or "
                          "propositions)")
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise ReportError(f"{path}: unreadable ({_reason(exc)})") from None
    if not isinstance(data, dict) or data.get("tool") != "chainsim":
        raise ReportError(f"{path}: not written by chainsim")
    kind = data.get("kind")
    if kind not in KINDS:
        raise ReportError(f"{path}: unknown experiment kind {kind!r} (expected one of "
                          f"{', '.join(KINDS)})")
    status = data.get("status")
    if status != "complete":
        raise ReportError(f"{root}: the experiment did not finish (manifest status "
                          f"{status!r}); complete it by running the same command with "
                          "--resume")
    configs = data.get("configurations")
    if (not isinstance(configs, list) or not configs
            or not all(isinstance(c, dict) and isinstance(c.get("name"), str)
                       for c in configs)):
        raise ReportError(f"{path}: no configurations recorded")
    return data


def _config(root: Path, c: dict[str, Any]) -> Config:
    scenario = c.get("scenario") if isinstance(c.get("scenario"), dict) else {}
    sim = scenario.get("simulation") if isinstance(scenario.get("simulation"), dict) else {}

    def ids(key: str) -> list[str]:
        items = scenario.get(key)
        return [str(i["id"]) for i in items if isinstance(i, dict) and "id" in i] \
            if isinstance(items, list) else []

    start = sim.get("start_year", 0.0)
    return Config(
        name=c["name"], source=str(c.get("source", "")),
        overrides=[str(o) for o in c.get("overrides") or []],
        params=dict(c.get("params") or {}),
        scenario_name=str(sim.get("name", c["name"])),
        start_year=float(start) if isinstance(start, int | float) else 0.0,
        horizon_years=c.get("horizon_years", sim.get("horizon_years")),
        clusters=ids("clusters"), buyers=ids("buyers"),
    )


def _reason(exc: BaseException) -> str:
    text = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
    return text.splitlines()[0][:200]


def _check(path: Path, frame: pd.DataFrame, columns: tuple[str, ...]) -> pd.DataFrame:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ReportError(f"{path}: not a chainsim table (no column "
                          f"{', '.join(missing)})")
    return frame


def _table(path: Path, columns: tuple[str, ...]) -> pd.DataFrame | None:
    if not path.exists():
        return None
    try:
        frame = pd.read_parquet(path)
    except Exception as exc:  # pyarrow raises its own types for a damaged file
        raise ReportError(f"{path}: unreadable ({_reason(exc)})") from None
    return _check(path, frame, columns)


def _csv(path: Path, columns: tuple[str, ...]) -> pd.DataFrame | None:
    if not path.exists():
        return None
    try:
        frame = pd.read_csv(path)
    except Exception as exc:
        raise ReportError(f"{path}: unreadable ({_reason(exc)})") from None
    return _check(path, frame, columns)


def metric_columns(replications: pd.DataFrame) -> list[str]:
    return [c for c in replications.columns
            if c not in ID_COLUMNS and not c.startswith("param.")]


def summary_from_replications(out: Output) -> pd.DataFrame:
    """The tidy summary table, from replications.parquet (when summary.csv is absent)."""
    reps = out.replications
    assert reps is not None
    rows = []
    for name in out.names:
        mine = reps[reps["config"] == name]
        for metric in metric_columns(reps):
            rows.append({"config": name, "metric": metric,
                         **mean_ci(mine[metric].to_numpy(float), out.confidence)})
    return pd.DataFrame(rows)


def comparison_from_replications(out: Output) -> pd.DataFrame:
    """Paired differences from the baseline, from replications.parquet."""
    reps = out.replications
    assert reps is not None
    rows = []
    for metric in metric_columns(reps):
        samples = {}
        for name in out.names:
            mine = reps[reps["config"] == name].sort_values("replication")
            samples[name] = mine[metric].to_numpy(float)
        if len({len(v) for v in samples.values()}) != 1:
            continue
        for row in compare_configurations(samples, out.baseline, out.confidence):
            rows.append({"metric": metric, **row})
    frame = pd.DataFrame(rows)
    return frame.replace({None: np.nan}) if not frame.empty else frame
