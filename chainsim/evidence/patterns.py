"""The cases' stylised facts as checks (pattern-oriented modelling, Grimm et al. 2005).

Each pattern is a row of `chainsim/evidence/patterns.toml`, shipped with the package:
the passage of Humphrey & Schmitz (2000) it rests on, a metric of
`chainsim.evidence.metrics` with its arguments, the date or period, and a tolerance band.
`run_patterns` replicates each case (common seed and replication indices, each case to
the last year its patterns need) and `check` says pass or fail per pattern from the mean
over the replications, with its CI. A failing pattern is reported like any other.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from chainsim.evidence.metrics import METRICS
from chainsim.evidence.runner import MetricTask, Term, run_tasks
from chainsim.experiments.stats import mean_ci
from chainsim.scenario import Scenario
from chainsim.technology import YEAR

FIELDS = {"id", "case", "claim", "passage", "metric", "args", "period", "low", "high",
          "tolerance", "versus"}
REQUIRED = ("id", "case", "claim", "passage", "metric", "args", "period", "tolerance")
YEAR_KEYS = ("years", "before", "after", "year", "year_from", "year_to")


class PatternError(ValueError):
    """A pattern file with problems: one line per problem, naming file and field."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Case:
    """A term on one case: which scenario and which metric of its run."""

    case: str
    term: Term

    def last_year(self) -> float:
        """The last calendar year the term reads (a fair month counts as its month)."""
        args = _args(self.term)
        years = [float(np.max(args[k])) for k in YEAR_KEYS if k in args]
        end = max(years) + 1 if years else math.inf
        if "month" in args:
            end = float(args["year"]) + float(args["month"]) / 12
        return end


# Pattern metrics whose value is a share (chainsim/evidence/metrics.py).
SHARE_METRICS = frozenset({"buyer_output_share", "buyer_share_of_largest", "failure_share",
                           "fair_share", "governance_share", "rung_share"})


@dataclass(frozen=True)
class Pattern:
    id: str
    claim: str
    passage: str
    period: str
    tolerance: str
    main: Case
    versus: Case | None = None
    low: float | None = None
    high: float | None = None

    @property
    def case(self) -> str:
        return self.main.case

    def cases(self) -> tuple[Case, ...]:
        return (self.main,) if self.versus is None else (self.main, self.versus)

    def bounds(self) -> tuple[float, float]:
        """The range the pattern's value can take: a share lies in [0, 1], a difference of
        shares in [-1, 1]; other metrics are unbounded. CIs are kept inside it."""
        if self.main.term.metric not in SHARE_METRICS:
            return -math.inf, math.inf
        return (0.0, 1.0) if self.versus is None else (-1.0, 1.0)

    def band(self) -> str:
        low = "-inf" if self.low is None else f"{self.low:g}"
        high = "inf" if self.high is None else f"{self.high:g}"
        return f"({low}, {high})"


def _args(term: Term) -> dict[str, Any]:
    import json

    return json.loads(term.args)


def default_file() -> Any:
    return resources.files("chainsim.evidence").joinpath("patterns.toml")


def load_patterns(path: str | Path | None = None) -> list[Pattern]:
    """The patterns of a data file (default: the shipped one), validated."""
    source = default_file() if path is None else Path(path)
    name = "chainsim/evidence/patterns.toml" if path is None else str(path)
    try:
        data = tomllib.loads(source.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise PatternError([f"{name}: cannot read: {exc}"]) from None
    except tomllib.TOMLDecodeError as exc:
        raise PatternError([f"{name}: not valid TOML: {exc}"]) from None
    rows = data.get("patterns")
    if not isinstance(rows, list) or not rows:
        raise PatternError([f"{name}: patterns: a list of [[patterns]] tables is needed"])
    problems: list[str] = []
    out = [p for i, row in enumerate(rows) if (p := _pattern(row, f"{name}: patterns.{i}",
                                                               problems))]
    ids = [p.id for p in out]
    problems += [f"{name}: patterns: id {d!r} is used twice" for d in
                 sorted({i for i in ids if ids.count(i) > 1})]
    if problems:
        raise PatternError(problems)
    return out


def _term(row: dict[str, Any], where: str, problems: list[str]) -> Case | None:
    metric, args, case = row.get("metric"), row.get("args"), row.get("case")
    ok = True
    if metric not in METRICS:
        problems.append(f"{where}.metric: {metric!r} is not a pattern metric; known: "
                        f"{', '.join(sorted(METRICS))}")
        ok = False
    if not isinstance(args, dict):
        problems.append(f"{where}.args: a table of arguments is needed")
        ok = False
    if not isinstance(case, str) or not case:
        problems.append(f"{where}.case: a scenario name is needed")
        ok = False
    return Case(case, Term.of(metric, args)) if ok else None


def _bound(row: dict[str, Any], key: str, where: str, problems: list[str]) -> float | None:
    value = row.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        problems.append(f"{where}.{key}: a number is needed, got {value!r}")
        return None
    return float(value)


def _band(row: dict[str, Any], where: str, problems: list[str]
          ) -> tuple[float | None, float | None]:
    low, high = (_bound(row, k, where, problems) for k in ("low", "high"))
    if low is None and high is None:
        problems.append(f"{where}: a tolerance needs low, high or both")
    elif low is not None and high is not None and low >= high:
        problems.append(f"{where}: low {low:g} is not below high {high:g}")
    return low, high


def _pattern(row: Any, where: str, problems: list[str]) -> Pattern | None:
    if not isinstance(row, dict):
        problems.append(f"{where}: a table is needed")
        return None
    before = len(problems)
    problems += [f"{where}.{k}: unknown field; known: {', '.join(sorted(FIELDS))}"
                 for k in sorted(set(row) - FIELDS)]
    problems += [f"{where}.{k}: missing" for k in REQUIRED if k not in row]
    main = _term(row, where, problems)
    versus = None
    if "versus" in row:
        v = row["versus"]
        versus = _term(v, f"{where}.versus", problems) if isinstance(v, dict) else None
        if not isinstance(v, dict):
            problems.append(f"{where}.versus: a table (case, metric, args) is needed")
    low, high = _band(row, where, problems)
    if len(problems) > before or main is None:
        return None
    return Pattern(id=str(row["id"]), claim=str(row["claim"]), passage=str(row["passage"]),
                   period=str(row["period"]), tolerance=str(row["tolerance"]), main=main,
                   versus=versus, low=low, high=high)


def select(patterns: Sequence[Pattern], cases: Sequence[str] | None) -> list[Pattern]:
    """The patterns of the named cases (all when none is named), in file order."""
    if not cases:
        return list(patterns)
    wanted = set(cases)
    return [p for p in patterns if p.case in wanted]


def horizons(patterns: Sequence[Pattern], scenarios: dict[str, Scenario]) -> dict[str, float]:
    """Per case, the years to simulate: to the end of the last year its patterns read,
    never beyond the file's horizon (a shorter run is the same run cut short)."""
    out = {}
    for name, sc in scenarios.items():
        ends = [c.last_year() for p in patterns for c in p.cases() if c.case == name]
        need = max(ends) - sc.simulation.start_year if ends else sc.simulation.horizon_years
        # One period more: a run stops before the snapshot due on its last day.
        step = sc.simulation.period_days / YEAR
        out[name] = min(sc.simulation.horizon_years, math.ceil(need / step) * step + step)
    return out


def _named(args: dict[str, Any]) -> tuple[list[str], list[str]]:
    """The cluster and buyer ids a term's arguments name."""
    clusters = [args["cluster"]] if isinstance(args.get("cluster"), str) else []
    buyers = list(args.get("buyers", [])) + ([args["buyer"]] if "buyer" in args else [])
    sellers = args.get("sellers")
    if isinstance(sellers, dict):
        buyers += list(sellers.get("buyers", []))
    return clusters, buyers


def check_ids(patterns: Sequence[Pattern], scenarios: dict[str, Scenario]) -> None:
    """Every cluster and buyer a pattern names exists in its case, before anything runs:
    one line per problem, naming the pattern."""
    problems = []
    for p in patterns:
        for c in p.cases():
            sc = scenarios.get(c.case)
            if sc is None:
                continue
            clusters, buyers = _named(_args(c.term))
            known_c = [k.id for k in sc.clusters]
            known_b = [b.id for b in sc.buyers]
            problems += [f"pattern {p.id}: no cluster {k!r} in {c.case}; clusters: "
                         f"{', '.join(known_c)}" for k in clusters if k not in known_c]
            problems += [f"pattern {p.id}: no buyer {b!r} in {c.case}; buyers: "
                         f"{', '.join(known_b)}" for b in buyers if b not in known_b]
    if problems:
        raise PatternError(problems)


@dataclass
class PatternRun:
    """Per case and term, the values over replications 0..N-1."""

    replications: int
    seed: int | None
    values: dict[tuple[str, str], np.ndarray] = field(default_factory=dict)
    events: int = 0
    horizons: dict[str, float] = field(default_factory=dict)
    seeds: dict[str, int] = field(default_factory=dict)  # the seed each case ran with


def run_patterns(patterns: Sequence[Pattern], scenarios: dict[str, Scenario],
                 replications: int, seed: int | None = None, **execution: Any
                 ) -> PatternRun:
    """Replicate every case the patterns need and evaluate their terms.

    `scenarios` maps case names to loaded scenarios; `execution` goes to
    `chainsim.evidence.runner.run_tasks` (executor_kind, workers, show_progress).
    """
    check_ids(patterns, scenarios)
    span = horizons(patterns, scenarios)
    tasks, seeds = [], {}
    for name, sc in scenarios.items():
        terms = tuple(dict.fromkeys(c.term for p in patterns for c in p.cases()
                                    if c.case == name))
        if not terms:
            continue
        run_seed = seeds[name] = sc.simulation.seed if seed is None else seed
        tasks += [MetricTask(name, sc, run_seed, r, span[name], terms=terms)
                  for r in range(replications)]
    results = run_tasks(tasks, description=f"{len(tasks)} replications", **execution)
    run = PatternRun(replications, seed, horizons=span, seeds=seeds)
    for task, res in zip(tasks, results, strict=True):
        run.events += int(res.get("_cpu_events", 0))
        for term in task.terms:
            arr = run.values.setdefault((task.config, term.key), np.full(replications, np.nan))
            arr[task.replication] = res[term.key]
    return run


def values_of(pattern: Pattern, run: PatternRun) -> np.ndarray:
    """The pattern's value in each replication: its term, less the versus term."""
    main = run.values[(pattern.main.case, pattern.main.term.key)]
    if pattern.versus is None:
        return main
    return main - run.values[(pattern.versus.case, pattern.versus.term.key)]


def check(pattern: Pattern, values: Sequence[float], confidence: float = 0.95
          ) -> dict[str, Any]:
    """Pass when the mean over replications lies strictly inside the band; fail
    otherwise, and when no replication gives a value."""
    ci = mean_ci(values, confidence, bounds=pattern.bounds())
    mean = ci["mean"]
    inside = (mean is not None and math.isfinite(mean)
              and (pattern.low is None or mean > pattern.low)
              and (pattern.high is None or mean < pattern.high))
    verdict = "pass" if inside else "fail" if mean is not None else "fail (no data)"
    return {"id": pattern.id, "case": pattern.case, "claim": pattern.claim,
            "passage": pattern.passage, "period": pattern.period,
            "tolerance": pattern.tolerance, "low": pattern.low, "high": pattern.high,
            "band": pattern.band(), **ci, "verdict": verdict}


def check_all(patterns: Sequence[Pattern], run: PatternRun,
              confidence: float = 0.95) -> list[dict[str, Any]]:
    return [check(p, values_of(p, run), confidence) for p in patterns]


def summary(rows: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Counts of passing and failing patterns, overall and per case."""
    per_case: dict[str, dict[str, int]] = {}
    for r in rows:
        c = per_case.setdefault(r["case"], {"pass": 0, "fail": 0})
        c["pass" if r["verdict"] == "pass" else "fail"] += 1
    passed = sum(c["pass"] for c in per_case.values())
    return {"patterns": len(rows), "pass": passed, "fail": len(rows) - passed,
            "cases": per_case}


def needed_cases(patterns: Sequence[Pattern]) -> list[str]:
    """Every case a set of patterns reads, main cases first."""
    return list(dict.fromkeys([p.case for p in patterns]
                              + [c.case for p in patterns for c in p.cases()]))


Loader = Callable[[str], Scenario]
