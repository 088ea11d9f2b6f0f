"""Robustness of the propositions over the parameters the paper does not fix.

A Latin hypercube (`scipy.stats.qmc.LatinHypercube`) samples multipliers of those
parameters within the ranges of `chainsim/evidence/ranges.toml`. At every point each
check of `chainsim.propositions` compares its two configurations, both with the point's
parameters, over the same replications (common random numbers): the paired difference
B - A with its 95% CI at that point. Per check the summary gives the share of points
where the sign agrees with the paper and where the CI excludes zero on the paper's side.
Where fewer than `TARGET` of the points agree, `discover` looks for the conditions of
failure (scenario discovery) with a classification tree over the sampled multipliers.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
from scipy.stats import qmc

from chainsim.evidence import specs
from chainsim.evidence.runner import MetricTask, run_tasks
from chainsim.experiments.stats import paired_difference
from chainsim.propositions import PROPOSITIONS, Proposition, Side, sides
from chainsim.scenario import Scenario

TARGET = 0.9  # issue 13: at least 90% of the points agree, for every check
DEFAULT_POINTS = 64
DEFAULT_REPLICATIONS = 5


class RangeError(ValueError):
    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Parameter:
    """A multiplier of scenario fields; `fields` use `*` for every buyer or cluster."""

    name: str
    fields: tuple[str, ...]
    low: float
    high: float
    cap: float | None = None

    def factor(self, u: float) -> float:
        """Log-uniform between low and high for u in [0, 1)."""
        return self.low * (self.high / self.low) ** u


def load_ranges(path: str | Path | None = None) -> list[Parameter]:
    source = (resources.files("chainsim.evidence").joinpath("ranges.toml") if path is None
              else Path(path))
    name = "chainsim/evidence/ranges.toml" if path is None else str(path)
    try:
        rows = tomllib.loads(source.read_text(encoding="utf-8")).get("parameters")
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise RangeError([f"{name}: cannot read: {exc}"]) from None
    if not isinstance(rows, list) or not rows:
        raise RangeError([f"{name}: parameters: a list of [[parameters]] is needed"])
    out, problems = [], []
    for i, row in enumerate(rows):
        where = f"{name}: parameters.{i}"
        try:
            p = Parameter(str(row["name"]), tuple(row["fields"]), float(row["low"]),
                          float(row["high"]), None if "cap" not in row else float(row["cap"]))
        except (KeyError, TypeError, ValueError) as exc:
            problems.append(f"{where}: needs name, fields, low and high ({exc})")
            continue
        if not 0 < p.low < p.high:
            problems.append(f"{where}: needs 0 < low < high")
        out.append(p)
    if problems:
        raise RangeError(problems)
    return out


def design(params: Sequence[Parameter], points: int, seed: int) -> np.ndarray:
    """A Latin hypercube of multipliers, points x parameters."""
    u = qmc.LatinHypercube(d=len(params), seed=seed).random(points)
    return np.array([[p.factor(x) for p, x in zip(params, row, strict=True)] for row in u])


def _targets(scenario: Scenario, field: str) -> list[tuple[str, float]]:
    """(dotted path by id, value in the scenario) for a field with `*` wildcards."""
    group, _, rest = field.partition(".")
    if group == "technology":
        return [(field, float(getattr(scenario.technology, rest)))]
    star, _, attr = rest.partition(".")
    items = {"buyers": scenario.buyers, "clusters": scenario.clusters}[group]
    if star != "*":
        items = [i for i in items if i.id == star]
    return [(f"{group}.{i.id}.{attr}", float(getattr(i, attr))) for i in items]


def point_overrides(scenario: Scenario, params: Sequence[Parameter],
                    factors: Sequence[float]) -> list[str]:
    """`--set` overrides scaling every field of a point's parameters in a scenario."""
    out = []
    for p, f in zip(params, factors, strict=True):
        for field in p.fields:
            for path, value in _targets(scenario, field):
                new = float(value * f if p.cap is None else min(p.cap, value * f))
                out.append(f"{path}={new!r}")
    return out


def side_metrics(props: Sequence[Proposition]) -> dict[str, set[str]]:
    """Per configuration, the metrics its checks read."""
    out: dict[str, set[str]] = {}
    for p in props:
        for c in p.checks:
            out.setdefault((c.a or p.a).name, set()).add(c.metric_a)
            out.setdefault((c.b or p.b).name, set()).add(c.metric_b)
    return out


@dataclass
class RobustnessRun:
    params: list[Parameter]
    factors: np.ndarray
    replications: int
    seed: int
    values: dict[tuple[int, str, str], np.ndarray]  # (point, config, metric) -> by rep
    runs: int = 0


def build_tasks(props: Sequence[Proposition], params: Sequence[Parameter],
                factors: np.ndarray, replications: int, seed: int,
                load: Any) -> tuple[list[MetricTask], dict[tuple[int, str], tuple[int, str]]]:
    """Every (point, configuration, replication) to run; configurations that come out
    identical (at a point, or at several) run once, under the point and name of the
    first, and `alias` maps each (point, name) to the (point, name) that ran."""
    wanted = side_metrics(props)
    chosen = {n: s for n, s in sides(tuple(props), doses=False).items() if n in wanted}
    base: dict[str, Scenario] = {s.file: load(s.file, []) for s in chosen.values()}
    tasks, alias = [], {}
    # A scenario runs once over the whole design: at one point several configurations can
    # be the same (a level equal to the file's), and a point's parameters may not touch a
    # configuration at all (then it is the same at every point).
    canon: dict[Scenario, tuple[int, str]] = {}
    runs: dict[tuple[int, str], tuple[Scenario, set[str]]] = {}
    for k, row in enumerate(factors):
        for name, side in chosen.items():
            extra = point_overrides(base[side.file], params, row)
            sc = load(side.file, [*extra, *side.overrides])
            first = alias[(k, name)] = canon.setdefault(sc, (k, name))
            runs.setdefault(first, (sc, set()))[1].update(wanted[name])
    for (k, name), (sc, metrics) in runs.items():
        head = tuple(sorted(m for m in metrics if specs.parse(m) is None))
        dated = tuple(sorted(m for m in metrics if specs.parse(m) is not None))
        tasks += [MetricTask(f"{k}:{name}", sc, seed, r, sc.simulation.horizon_years,
                             headline=head, specs=dated) for r in range(replications)]
    return tasks, alias


def run_robustness(props: Sequence[Proposition], params: Sequence[Parameter], points: int,
                   replications: int, seed: int, load: Any, design_seed: int = 0,
                   **execution: Any) -> RobustnessRun:
    factors = design(params, points, design_seed)
    tasks, alias = build_tasks(props, params, factors, replications, seed, load)
    results = run_tasks(tasks, description=f"{points} points x {replications} replications",
                        **execution)
    values: dict[tuple[int, str, str], np.ndarray] = {}
    for task, res in zip(tasks, results, strict=True):
        k, name = task.config.split(":", 1)
        for metric, v in res.items():
            arr = values.setdefault((int(k), name, metric), np.full(replications, np.nan))
            arr[task.replication] = v
    ran: dict[tuple[int, str], list[tuple[str, np.ndarray]]] = {}
    for (k, name, metric), arr in values.items():
        ran.setdefault((k, name), []).append((metric, arr))
    for (k, name), first in alias.items():
        if first != (k, name):
            for metric, arr in ran.get(first, []):
                values[(k, name, metric)] = arr
    return RobustnessRun(list(params), factors, replications, seed, values, len(tasks))


def point_checks(run: RobustnessRun, props: Sequence[Proposition]) -> list[dict[str, Any]]:
    """Every check at every point: the paired difference B - A and its 95% CI."""
    rows = []
    for k in range(len(run.factors)):
        for p in props:
            for i, c in enumerate(p.checks):
                a, b = c.a or p.a, c.b or p.b
                d = paired_difference(run.values[(k, a.name, c.metric_a)],
                                      run.values[(k, b.name, c.metric_b)])
                rows.append({"point": k, "proposition": p.number, "check": i,
                             "label": c.label, "sign": c.sign, **d,
                             **{f"x.{prm.name}": float(f)
                                for prm, f in zip(run.params, run.factors[k], strict=True)}})
    return rows


def agrees(row: dict[str, Any]) -> bool:
    mean = row.get("mean")
    return mean is not None and math.isfinite(mean) and mean * row["sign"] > 0


def excludes_zero(row: dict[str, Any]) -> bool:
    low, high = row.get("ci_low"), row.get("ci_high")
    if low is None or high is None:
        return False
    return low > 0 if row["sign"] > 0 else high < 0


def summarize(rows: Sequence[dict[str, Any]], target: float = TARGET) -> list[dict[str, Any]]:
    """Per check: the share of points where the sign agrees, where the CI excludes zero
    on the paper's side, and whether the target share is met."""
    out = []
    keys = list(dict.fromkeys((r["proposition"], r["check"]) for r in rows))
    for prop, i in keys:
        mine = [r for r in rows if (r["proposition"], r["check"]) == (prop, i)]
        agree = float(np.mean([agrees(r) for r in mine]))
        out.append({"proposition": prop, "check": i, "label": mine[0]["label"],
                    "sign": mine[0]["sign"], "points": len(mine), "sign_agrees": agree,
                    "ci_excludes_zero": float(np.mean([excludes_zero(r) for r in mine])),
                    "meets_target": agree >= target})
    return out


def discover(rows: Sequence[dict[str, Any]], check: tuple[int, int], params: Sequence[str],
             max_depth: int = 2) -> dict[str, Any]:
    """Conditions under which a check's sign fails: a shallow classification tree
    (scikit-learn, the optional `discovery` extra) over the log multipliers; each leaf
    where most points fail is a box of conditions."""
    mine = [r for r in rows if (r["proposition"], r["check"]) == check]
    y = np.array([not agrees(r) for r in mine])
    if not y.any() or y.all():
        return {"method": "none", "boxes": [], "note": "every point agrees" if not y.any()
                else "no point agrees"}
    try:
        from sklearn.tree import DecisionTreeClassifier
    except ImportError:
        return {"method": "none", "boxes": [], "note": "scenario discovery needs the "
                "optional extra: pip install 'chainsim[discovery]'"}
    x = np.log(np.array([[r[f"x.{p}"] for p in params] for r in mine]))
    tree = DecisionTreeClassifier(max_depth=max_depth, min_samples_leaf=max(2, len(y) // 10),
                                  random_state=0).fit(x, y)
    leaves = _leaves(tree.tree_, params)
    boxes = [{**leaf, "share_of_failures": round(leaf["failing"] / y.sum(), 3)}
             for leaf in leaves if leaf["failing"] > leaf["points"] / 2]
    out: dict[str, Any] = {"method": "classification tree (scikit-learn), depth "
                                     f"{max_depth}, on log multipliers", "boxes": boxes}
    if not boxes:  # failures scattered: say where they are most frequent all the same
        top = max(leaves, key=lambda leaf: (leaf["failing"] / leaf["points"], leaf["points"]))
        out["note"] = (f"no box where most points fail: the {int(y.sum())} failing points of "
                       f"{len(y)} are most frequent where {' and '.join(top['conditions'])}"
                       f" ({top['failing']} of {top['points']} points there)")
    return out


def _leaves(t: Any, params: Sequence[str]) -> list[dict[str, Any]]:
    """Every leaf of a fitted tree: its conditions, points and failing points."""
    leaves: list[dict[str, Any]] = []

    def walk(node: int, conds: list[str]) -> None:
        if t.children_left[node] == -1:
            counts = t.value[node][0] * t.n_node_samples[node]  # weighted class counts
            fail = float(counts[1]) if len(counts) > 1 else 0.0
            leaves.append({"conditions": conds or ["everywhere"],
                           "points": int(t.n_node_samples[node]), "failing": int(round(fail))})
            return
        name, cut = params[t.feature[node]], math.exp(t.threshold[node])
        walk(t.children_left[node], [*conds, f"{name} <= {cut:.3g}"])
        walk(t.children_right[node], [*conds, f"{name} > {cut:.3g}"])

    walk(0, [])
    return leaves


def default_props(numbers: Sequence[int] = ()) -> tuple[Proposition, ...]:
    return tuple(p for p in PROPOSITIONS if not numbers or p.number in numbers)


__all__ = ["Parameter", "RobustnessRun", "Side", "discover", "load_ranges", "point_checks",
           "run_robustness", "summarize"]
