"""Reading an experiment's `--out DIR` for the report (layout: chainsim.experiments.outputs).

Everything the report shows is read here, before anything is written, so bad input is one
`ReportError` naming the path. Files an experiment writes are optional to the report: a
missing table becomes a note in the page (`Output.notes`), not an error; a directory that
is not a finished chainsim experiment, a file that cannot be read, a table that is not the
one its name says, or a manifest that does not describe its tables, is an error. The
`--out` of a single run (no manifest) is read by `chainsim.report.single`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from chainsim import __version__
from chainsim.experiments.stats import compare_configurations, mean_ci
from chainsim.output import OutputError

KINDS = ("run", "compare", "sweep", "propositions")
SERIES = ("clusters", "buyers", "governance")
SERIES_COLUMNS = ("config", "replication", "period", "year")
# what tells the three series tables apart (a file of another table is refused)
SERIES_OWN = {"clusters": ("cluster", "price_index", "process"),
              "buyers": ("buyer", "mean_price"),
              "governance": ("market", "links")}
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
    scenario: dict[str, Any] = field(default_factory=dict)  # as resolved and run
    names: dict[str, str] = field(default_factory=dict)  # agent id -> name
    entry_years: dict[str, float] = field(default_factory=dict)  # cluster -> first year


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
    run: Any = None  # a single run: chainsim.report.single.RunData (network, decisions)

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

    def agent_names(self) -> dict[str, str]:
        """Cluster and buyer id -> the name its scenario gives (the id where none)."""
        out: dict[str, str] = {}
        for c in self.configs:
            for key, value in c.names.items():
                out.setdefault(key, value)
        return out


def load_output(path: str | Path) -> Output:
    """Read a finished experiment directory, or the `--out` of a single run; ReportError
    (naming the path) if it is neither or a file in it cannot be read."""
    root = Path(path)
    if not root.exists():
        raise ReportError(f"{root}: no such directory")
    if not root.is_dir():
        raise ReportError(f"{root}: not a directory (give the --out DIR of chainsim run, "
                          "compare, sweep or propositions)")
    if not (root / "manifest.json").is_file() and (root / "scenario.json").is_file():
        from chainsim.report.single import load_single

        return load_single(root)
    manifest = _manifest(root)
    configs = [_config(c) for c in manifest["configurations"]]
    out = Output(path=root, manifest=manifest, kind=manifest["kind"], configs=configs)
    out.notes += version_notes(root / "manifest.json", manifest)
    summary_json = root / "summary.json"
    if summary_json.is_file():
        try:
            data = json.loads(summary_json.read_text())
        except (OSError, ValueError) as exc:
            raise ReportError(f"{summary_json}: unreadable ({_reason(exc)})") from None
        out.summary_json = data if isinstance(data, dict) else None
    _tables(root, out)
    for name in SERIES:
        table = _table(root / "series" / f"{name}.parquet",
                       (*SERIES_COLUMNS, *SERIES_OWN[name]))
        if table is None:
            out.notes.append(f"series/{name}.parquet is absent: the figures drawn from it "
                             "are left out")
        else:
            out.series[name] = table
    check_names(root, out)
    return out


def _tables(root: Path, out: Output) -> None:
    """Summary, comparison and replications; a missing one is computed or noted."""
    out.replications = _table(root / "replications.parquet", ("config", "replication"))
    columns = ("config", "metric", "mean", "ci_low", "ci_high", "n")
    out.summary = _table(root / "summary.parquet", columns)
    if out.summary is None:
        out.summary = _csv(root / "summary.csv", columns)
    if out.summary is None and out.replications is not None:
        out.summary = summary_from_replications(out)
        out.notes.append("summary.csv and summary.parquet are absent: the headline table "
                         "was computed from replications.parquet")
    elif out.summary is None:
        out.notes.append("summary.csv, summary.parquet and replications.parquet are "
                         "absent: no headline table")
    if out.kind != "compare":
        return
    out.comparison = _csv(root / "comparison.csv", ("metric", "config", "baseline",
                                                    "mean", "ci_low", "ci_high", "n"))
    if out.comparison is None and out.replications is not None and len(out.configs) > 1:
        out.comparison = comparison_from_replications(out)
        out.notes.append("comparison.csv is absent: the paired differences were "
                         "computed from replications.parquet")
    elif out.comparison is None:
        out.notes.append("comparison.csv and replications.parquet are absent: no "
                         "paired-difference table")


def check_names(root: Path, out: Output) -> None:
    """Every table's configurations are the manifest's: a table from another experiment
    copied in (or a manifest edited) would otherwise be drawn under the wrong names."""
    known = set(out.names)
    tables = {"replications.parquet": out.replications, "summary": out.summary,
              "comparison.csv": out.comparison,
              **{f"series/{k}.parquet": v for k, v in out.series.items()}}
    for name, table in tables.items():
        if table is None or table.empty or "config" not in table:
            continue
        found = [str(c) for c in dict.fromkeys(table["config"])]
        strange = [c for c in found if c not in known]
        if strange or not known & set(found):
            where = root / name if name != "summary" else root / "summary.csv"
            raise ReportError(
                f"{where}: configuration {(strange or found)[0]!r} is not in manifest.json "
                f"(which lists {', '.join(sorted(known))}): the table and the manifest come "
                "from different experiments")


def version_notes(path: Path, manifest: dict[str, Any]) -> list[str]:
    """A manifest written by another chainsim version: said in the page; a newer one than
    this chainsim is refused, since its layout may hold what this report cannot read."""
    versions = manifest.get("versions")
    written = versions.get("chainsim") if isinstance(versions, dict) else None
    if written is None:
        return [f"{path.name} does not say which chainsim version wrote it"]
    if str(written) == __version__:
        return []
    if _version(str(written)) > _version(__version__):
        raise ReportError(f"{path}: written by chainsim {written}, newer than this chainsim "
                          f"{__version__}; report it with that version")
    return [f"written by chainsim {written}; this report is chainsim {__version__}"]


def _version(text: str) -> tuple[int, ...]:
    parts = []
    for piece in text.split("."):
        digits = "".join(ch for ch in piece if ch.isdigit()) if piece[:1].isdigit() else ""
        if not digits:
            break
        parts.append(int(digits))
    return tuple(parts)


def _manifest(root: Path) -> dict[str, Any]:
    path = root / "manifest.json"
    if not path.is_file():
        raise ReportError(f"{root}: not a chainsim output directory (no manifest.json or "
                          "scenario.json; give the --out DIR of chainsim run, compare, sweep "
                          "or propositions)")
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
    check_fields(path, data)
    return data


def check_fields(path: Path, data: dict[str, Any]) -> None:
    """The manifest's objects and lists are what chainsim writes (an edited or foreign
    manifest is refused here, not met as a traceback later)."""
    configs = data.get("configurations")
    if (not isinstance(configs, list) or not configs
            or not all(isinstance(c, dict) and isinstance(c.get("name"), str)
                       for c in configs)):
        raise ReportError(f"{path}: no configurations recorded")
    for key in ("execution", "design", "versions"):
        if data.get(key) is not None and not isinstance(data[key], dict):
            raise ReportError(f"{path}: {key}: not an object ({type(data[key]).__name__})")
    for i, c in enumerate(configs):
        check_config(path, i, c)
    if len({c["name"] for c in configs}) != len(configs):
        raise ReportError(f"{path}: configurations: a name is used twice")


def check_config(path: Path, i: int, c: dict[str, Any]) -> None:
    for key, kinds in (("params", dict), ("overrides", list), ("scenario", dict)):
        if c.get(key) is not None and not isinstance(c[key], kinds):
            raise ReportError(f"{path}: configurations.{i}.{key}: not "
                              f"{'an object' if kinds is dict else 'a list'} "
                              f"({type(c[key]).__name__})")


def _config(c: dict[str, Any]) -> Config:
    scenario = c.get("scenario") if isinstance(c.get("scenario"), dict) else {}
    return config_of(c["name"], scenario, source=str(c.get("source", "")),
                     overrides=[str(o) for o in c.get("overrides") or []],
                     params=dict(c.get("params") or {}),
                     horizon=c.get("horizon_years"))


def config_of(name: str, scenario: dict[str, Any], source: str = "",
              overrides: list[str] | None = None, params: dict[str, Any] | None = None,
              horizon: Any = None) -> Config:
    """A configuration from its resolved scenario (as JSON), tolerant of odd fields."""
    sim = scenario.get("simulation") if isinstance(scenario.get("simulation"), dict) else {}

    def items(key: str) -> list[dict[str, Any]]:
        found = scenario.get(key)
        return [i for i in found if isinstance(i, dict) and "id" in i] \
            if isinstance(found, list) else []

    start = sim.get("start_year", 0.0)
    start = float(start) if isinstance(start, int | float) else 0.0
    names = {str(i["id"]): str(i.get("name") or i["id"])
             for i in (*items("clusters"), *items("buyers"))}
    if horizon is None:
        horizon = sim.get("horizon_years")
    return Config(
        name=name, source=source, overrides=list(overrides or []), params=dict(params or {}),
        scenario_name=str(sim.get("name", name)), start_year=start,
        horizon_years=horizon if isinstance(horizon, int | float) else None,
        clusters=[str(i["id"]) for i in items("clusters")],
        buyers=[str(i["id"]) for i in items("buyers")],
        scenario=scenario, names=names, entry_years=entry_years(scenario))


def entry_years(scenario: dict[str, Any]) -> dict[str, float]:
    """Cluster id -> the year it enters the chain: `active_from_year`, else the year of
    its entrant shock (H&S 4.2: the Chinese producers from 1991)."""
    clusters = scenario.get("clusters") if isinstance(scenario.get("clusters"), list) else []
    entry = {str(c["id"]): float(c["active_from_year"]) for c in clusters
             if isinstance(c, dict) and "id" in c
             and isinstance(c.get("active_from_year"), int | float)}
    shocks = scenario.get("shocks") if isinstance(scenario.get("shocks"), list) else []
    for shock in shocks:
        if (isinstance(shock, dict) and shock.get("kind") == "entrant"
                and isinstance(shock.get("year"), int | float)):
            entry.setdefault(str(shock.get("cluster")), float(shock["year"]))
    return entry


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
