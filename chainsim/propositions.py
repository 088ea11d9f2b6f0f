"""The paper's propositions as paired comparisons of configurations that differ only in a
cause the paper names.

Each proposition compares configurations built from a shipped scenario with `--set`
overrides of one cause: the buyers' risk (loss per failed order, H&S 3 and Table 4), the
number of buyers (H&S 5), the entrant's wage as a multiple of the Chinese wage (H&S 4.2),
the spillover and learning rates (H&S 3: capabilities "improve and diffuse"), local
institutions and firms' investment (H&S Summary, 4.3). None sets a governance type, a
governance rule or who defines the product: governance must come out of the buyers' risk
calculus. Propositions 3, 4, 5 and 7 are dose-responses over several levels of the cause.
Proposition 8 contrasts the two cases of H&S 4.3 at the same fair (March 1997).

Each check is the paired difference B - A under common random numbers; its CI and p-value
are Bonferroni-corrected over all the checks, and the verdict reads the corrected CI, so
verdict, interval and p always agree. Nothing here touches the model: where a proposition
does not come out, docs/propositions.md names the mechanism, it is not tuned away.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from chainsim.evidence import specs
from chainsim.experiments import units
from chainsim.experiments.runner import Configuration, Experiment
from chainsim.experiments.stats import mean_ci, paired_difference
from chainsim.vocabulary import GOVERNANCE_TYPES, RUNGS

CORRECTION = "Bonferroni over all checks: CIs at 1 - 0.05/m, p-values times m (capped at 1)"

# A tenth of each export buyer's loss per failed order in sinos_valley.toml (400,000,
# 250,000 and 150,000): the risk rule then picks market (H&S 3: "Risks to buyer are low,
# either because requirements are easy to meet ..."). Keep in step with the file.
LOW_RISK = ("buyers.us-main.loss_per_failed_order=40000",
            "buyers.us-other.loss_per_failed_order=25000",
            "buyers.eu-importers.loss_per_failed_order=22500")
NO_LOCAL = ("technology.investment_cost=1e12", "clusters.sinos.institutions.technology_centre=0",
            "clusters.sinos.policy_network.enabled=false")
CHINA_WAGE = 0.25  # sinos_valley.toml's Chinese wage (Sinos: 1.0)


@dataclass(frozen=True)
class Side:
    """A configuration: a scenario file in the library and the overrides of one cause."""

    file: str
    overrides: tuple[str, ...] = ()
    label: str = ""

    @property
    def name(self) -> str:
        return self.label or Path(self.file).stem


@dataclass(frozen=True)
class Check:
    label: str
    metric_a: str
    metric_b: str
    sign: int  # the sign the paper expects of B - A: +1 or -1
    a: Side | None = None  # a check may compare its own pair of configurations
    b: Side | None = None
    role: str = "outcome"  # "outcome": what the paper claims; "mechanism": how it comes


@dataclass(frozen=True)
class Dose:
    """Levels of the cause, and the outcomes reported at each (a dose-response)."""

    cause: str
    levels: tuple[tuple[str, Side], ...]
    outcomes: tuple[tuple[str, str], ...]  # (label, metric)


@dataclass(frozen=True)
class Proposition:
    number: int
    claim: str
    passage: str
    cause: str
    a: Side
    b: Side
    checks: tuple[Check, ...]
    dose: Dose | None = None


def check(label: str, metric: str, sign: int, metric_b: str | None = None,
          a: Side | None = None, b: Side | None = None, role: str = "outcome") -> Check:
    return Check(label, metric, metric_b or metric, sign, a, b, role)


def sinos(label: str, *overrides: str) -> Side:
    return Side("sinos_valley.toml", tuple(overrides), label)


SINOS = Side("sinos_valley.toml")
SINOS_LOW_RISK = sinos("sinos_low_risk", *LOW_RISK)
QH_1975_95 = "mean:sinos.quasi_hierarchy@1975-1995"
# P3 reads the export chains only: the Sinos firms' links with the US and European buyers
# (H&S 4.3: "the quasi-hierarchical chains, which lead from the Sinos Valley to the USA and
# Europe"). Its domestic and Latin American links are market whatever the spillover, so
# counting them would only dilute the share.
EXPORT = "US+EU"
QH_1985_99 = f"mean:sinos.quasi_hierarchy[{EXPORT}]@1985-1999"
PRICE_FALL = "change:sinos.price_index@1990-1998"
SPILLOVER = tuple((f"spillover {v:g}", sinos(f"sinos_spillover_{v:g}",
                                             f"clusters.sinos.spillover={v}"))
                  for v in (0.0, 0.05, 0.15))
# The learning check compares the file's rate of learning by doing with three times it,
# not with none: at 0 -> 0.02 the effect (-0.006 of the QH share) was below the noise of
# five replications at 14% of the robustness points, and a rate of 0 is a knock-out, not a
# dose. 0.02 -> 0.06 doubles the step and keeps both sides at rates a cluster could have.
LEARNING = tuple((f"learning {v:g}", sinos(f"sinos_learning_{v:g}",
                                  f"technology.learning_by_doing={v}"))
                 for v in (0.0, 0.02, 0.06))
# The entrant's wage as a true multiple of the Chinese wage: x4 is Sinos's own wage, x6 and
# x8 one and a half and two times it. Below x6 every export buyer takes on a Chinese
# source in 1991: its landed cost (wage, process, transport and margin) stays more than
# the scouting threshold (15%) below the price the buyer pays in Sinos, so the buyers
# teach it to their requirements whatever its wage (about 1.0M of investment from x1 to
# x4, 4 replications). Only from about x6 does the entrant stop being worth building up
# for some buyers (0.76M at x6, 0.02M at x8), so P4's A is x6: the buyers' investment and
# the entrant's build-up answer its cost only there (H&S 4.2: the buyers "helped to build
# up Chinese export capability" because it was cheap).
WAGE = tuple((f"x{k}", sinos(f"china_wage_x{k}", f"clusters.china.wage={CHINA_WAGE * k:g}"))
             for k in (1, 2, 3, 4, 6, 8))
COSTLY_ENTRANT = WAGE[4][1]  # x6: 1.5 times Sinos's wage
BUYERS = tuple((f"{n} buyers", Side("sinos_one_buyer.toml", (f"buyers.us-main.count={n}",),
                             f"sinos_{n}_buyers")) for n in (1, 2, 3, 5, 10, 20))
TAIWAN = tuple((f"{v:g}", Side("taiwan_notebooks.toml", (f"clusters.taiwan.spillover={v}",),
                               f"taiwan_spillover_{v:g}")) for v in (0.0, 0.1, 0.2))
# Italy to the period holding the March 1997 fair (a run stops before its last day's
# snapshot, so 7.5 years, not 7.25).
ITALY_1997 = Side("italian_district.toml", ("simulation.horizon_years=7.5",), "italy_1997")
QH_OVER_TIME = tuple((f"{y}-{y % 100 + 4:02d}",
                      f"mean:sinos.quasi_hierarchy[{EXPORT}]@{y}-{y + 4}")
                     for y in range(1970, 2000, 5))

PROPOSITIONS: tuple[Proposition, ...] = (
    Proposition(
        1, "Quasi-hierarchy gives faster process and product upgrading than market chains.",
        "H&S 4.2; Summary", "the export buyers' loss per failed order (a tenth in A)",
        SINOS_LOW_RISK, SINOS,
        (check("QH share of links 1975-95", QH_1975_95, +1, role="mechanism"),
         check("process gain", "cluster.sinos.process_gain", +1),
         check("product gain", "cluster.sinos.product_gain", +1))),
    Proposition(
        2, "Quasi-hierarchy gives less functional upgrading (design, marketing, fairs) than "
           "market chains.",
        "H&S 4.2-4.3", "the export buyers' loss per failed order (a tenth in A)",
        SINOS_LOW_RISK, SINOS,
        (check("design gain", "cluster.sinos.design_gain", -1),
         check("marketing gain", "cluster.sinos.marketing_gain", -1),
         check("fair share, March 1997", "fair:sinos@1997-03", -1))),
    Proposition(
        3, "Governance moves from quasi-hierarchy toward market as supplier competence rises "
           "and diffuses.",
        "H&S 3 ('the need for global chain governance decreases as the delivery "
        "capabilities of local suppliers improve and diffuse')",
        "the spillover rate (0 in A, the file's 0.05 in B; 0.15 in the dose table) and the "
        "rate of learning by doing (the file's 0.02, three times it; 0 in the dose table)",
        SPILLOVER[0][1], SINOS,
        (check("QH share of export links 1985-99, spillover 0 -> 0.05", QH_1985_99, -1),
         check("QH share of export links 1985-99, learning 0.02 -> 0.06", QH_1985_99, -1,
               a=SINOS, b=LEARNING[2][1])),
        Dose("QH share of Sinos links with US and European buyers by period",
             SPILLOVER + LEARNING, QH_OVER_TIME)),
    Proposition(
        4, "Buyers facing low-cost entrants push prices down for incumbents, the more so the "
           "cheaper the entrant, and their investment builds the entrant up.",
        "H&S 4.2 (Chinese entry; 'some of Brazil's main US buyers helped to build up Chinese "
        "export capability')",
        "the entrant's wage as a multiple of the Chinese wage 0.25 (x6 in A: 1.5 times "
        "Sinos's own wage; x1 in B; x2, x3, x4 = Sinos's wage and x8 in the dose table)",
        COSTLY_ENTRANT, WAGE[0][1],
        (check("Sinos price fall 1990 -> 1998", PRICE_FALL, +1),
         check("buyers' investment in China", "cluster.china.buyer_investment", +1),
         check("China's process gain", "cluster.china.process_gain", +1)),
        Dose("entrant wage / Chinese wage", WAGE,
             (("price fall 1990-98", PRICE_FALL),
              ("invested in China", "cluster.china.buyer_investment"),
              ("China units", "cluster.china.units")))),
    Proposition(
        5, "The fewer the buyers, the less lead firms back a repositioning project, and the "
           "less functional upgrading follows.",
        "H&S 5 ('the smaller the number of buyers the more limited the scope for local "
        "industrial policy aimed at repositioning')",
        "the number of export buyers sharing the same demand (20 in A, 1 in B)",
        BUYERS[-1][1], BUYERS[0][1],
        (check("backing share", "cluster.sinos.backing_share", -1),
         check("projects funded", "cluster.sinos.projects_funded", -1),
         check("design gain", "cluster.sinos.design_gain", -1)),
        Dose("export buyers", BUYERS, (("backing", "cluster.sinos.backing_share"),
                                       ("funded", "cluster.sinos.projects_funded"),
                                       ("design gain", "cluster.sinos.design_gain")))),
    Proposition(
        6, "In market chains upgrading needs local investment: without institutions or "
           "firms' own investment, market chains upgrade slowly.",
        "H&S Summary; 4.3 (Nordeste fruit: local governance substitutes for chain "
        "governance)",
        "local institutions (technology centre, policy network) and firms' own investment, "
        "in the low-risk Sinos whose buyers choose market",
        SINOS_LOW_RISK, sinos("sinos_low_risk_no_local", *LOW_RISK, *NO_LOCAL),
        (check("process gain", "cluster.sinos.process_gain", -1),
         check("design gain", "cluster.sinos.design_gain", -1))),
    Proposition(
        7, "Network links loosen into market once the joint innovation diffuses.",
        "H&S 4.4 (fragility of network relations)",
        "the Taiwanese cluster's spillover rate (0 in A, 0.1 as in the file in B)",
        TAIWAN[0][1], TAIWAN[1][1],
        (check("network share at the end", "cluster.taiwan.network_share", -1),),
        Dose("spillover", TAIWAN, (("network share, end", "cluster.taiwan.network_share"),
                                   ("1990-95", "mean:taiwan.network@1990-1995")))),
    Proposition(
        8, "A cluster locked into quasi-hierarchical buyers sends very few firms to the main "
           "trade fairs, compared with a district in market relations.",
        "H&S 4.2-4.3 (Duesseldorf, March 1997: 7 Brazilian and 575 Italian exhibitors of "
        "1,612)",
        "the two cases at the same fair, March 1997 (Sinos from 1970, Italy from 1990)",
        SINOS, ITALY_1997,
        (check("fair share, March 1997", "fair:sinos@1997-03", +1, "fair:italy@1997-03"),
         check("exhibitors per lead firm, March 1997", "exhibiting:sinos@1997-03", +1,
               "exhibiting:italy@1997-03"))),
)


def sides(props: tuple[Proposition, ...] = PROPOSITIONS, doses: bool = True
          ) -> dict[str, Side]:
    """Every distinct configuration the propositions compare, by name (with the levels
    of the dose-responses unless `doses` is false)."""
    seen: dict[str, Side] = {}
    for p in props:
        for c in p.checks:
            for side in (c.a or p.a, c.b or p.b):
                seen.setdefault(side.name, side)
        if doses and p.dose is not None:
            for _, side in p.dose.levels:
                seen.setdefault(side.name, side)
    return seen


def chosen(numbers: tuple[int, ...] | list[int] = ()) -> tuple[Proposition, ...]:
    """The propositions with these numbers (all when none is given)."""
    return tuple(p for p in PROPOSITIONS if not numbers or p.number in numbers)


def configurations_needed(props: tuple[Proposition, ...] = PROPOSITIONS) -> dict[str, Side]:
    return sides(props)


def configurations(library: Path, load: Any, seed: int | None = None,
                   horizon: float | None = None,
                   props: tuple[Proposition, ...] = PROPOSITIONS) -> list[Configuration]:
    """The distinct configurations the propositions need, loaded and validated once."""
    return [Configuration(name, load(str(library / side.file), list(side.overrides), seed,
                                     horizon), side.file, side.overrides)
            for name, side in sides(props).items()]


def distinct(configs: list[Configuration]) -> tuple[list[Configuration], dict[str, str]]:
    """The configurations to run, each scenario once (a level equal to the file's value is
    the file itself: Sinos is also `china_wage_x1`, `sinos_spillover_0.05` and
    `sinos_learning_0.02`), and each name -> the name of the one that runs."""
    first: dict[Any, str] = {}
    alias = {c.name: first.setdefault(c.scenario, c.name) for c in configs}
    return [c for c in configs if alias[c.name] == c.name], alias


Samples = Callable[[str, str], np.ndarray]  # (configuration name, metric) -> by replication


def experiment_samples(exp: Experiment, alias: dict[str, str] | None = None) -> Samples:
    """Per configuration and metric spec, the values by replication of an experiment:
    headline metrics from its metrics table, dated figures from its cluster series (a
    configuration that did not run reads the one it is the same as, `alias`)."""
    reps = range(exp.replications)
    metrics = {name: rows.set_index("replication").reindex(reps)
               for name, rows in exp.metrics.groupby("config", sort=False)}
    series = exp.series["clusters"]
    runs = {key: rows for key, rows in series.groupby(["config", "replication"], sort=False)}
    empty = series.iloc[0:0]
    mixes = exp.series["markets"] if "markets" in exp.series else None
    by_market = ({} if mixes is None or mixes.empty else
                 {key: rows for key, rows in mixes.groupby(["config", "replication"],
                                                          sort=False)})
    scenarios = {c.name: c.scenario for c in exp.configurations}
    cache: dict[tuple[str, str], np.ndarray] = {}

    def get(config: str, metric: str) -> np.ndarray:
        config = (alias or {}).get(config, config)
        key = (config, metric)
        if key not in cache:
            if specs.parse(metric) is None:
                table = metrics[config]
                cache[key] = (table[metric].to_numpy(float) if metric in table
                              else np.full(len(reps), np.nan))
            else:
                cache[key] = np.array([
                    specs.value(metric, {}, runs.get((config, r), empty), scenarios[config],
                                by_market.get((config, r)))
                    for r in reps])
        return cache[key]

    return get


def evaluate(exp: Experiment) -> list[dict[str, Any]]:
    return evaluate_samples(experiment_samples(exp), exp.confidence)


def evaluate_samples(get: Samples, confidence: float = 0.95,
                     props: tuple[Proposition, ...] = PROPOSITIONS) -> list[dict[str, Any]]:
    """Each check: the paired difference B - A with its Bonferroni-corrected CI and
    p-value, and a verdict read from that CI: 'agrees' when it lies on the paper's side of
    zero, 'disagrees' when on the other, 'inconclusive' otherwise."""
    m = sum(len(p.checks) for p in props)
    rows = []
    for p in props:
        for c in p.checks:
            side_a, side_b = c.a or p.a, c.b or p.b
            a, b = get(side_a.name, c.metric_a), get(side_b.name, c.metric_b)
            d = paired_difference(a, b, confidence, n_comparisons=m,
                                  bounds=difference_range(c.metric_a, c.metric_b))
            p_adj = None if d["p_value"] is None else min(1.0, m * d["p_value"])
            rows.append({"proposition": p.number, "claim": p.claim, "passage": p.passage,
                         "label": c.label, "role": c.role, "a": side_a.name, "b": side_b.name,
                         "metric_a": c.metric_a, "metric_b": c.metric_b,
                         "expected_sign": c.sign, "mean_a": _mean(a), "mean_b": _mean(b),
                         **d, "p_adjusted": p_adj, "comparisons": m,
                         "verdict": verdict(d, c.sign)})
    return rows


def verdict(d: dict[str, Any], sign: int) -> str:
    low, high = d.get("ci_low"), d.get("ci_high")
    if low is None or high is None:
        mean = d.get("mean")
        if mean is None or mean == 0:
            return "inconclusive"
        return "agrees (n too small for a CI)" if mean * sign > 0 else "disagrees"
    if sign > 0:
        return "agrees" if low > 0 else "disagrees" if high < 0 else "inconclusive"
    return "agrees" if high < 0 else "disagrees" if low > 0 else "inconclusive"


def overall(verdicts: set[str]) -> str:
    """A proposition agrees when all its outcome checks do."""
    if not verdicts:
        return "inconclusive"
    if all(v.startswith("agrees") for v in verdicts):
        return "agrees"
    if verdicts == {"disagrees"}:
        return "disagrees"
    if any(v.startswith("agrees") for v in verdicts):
        return "partly"
    return "inconclusive" if "disagrees" not in verdicts else "disagrees"


def value_range(metric: str) -> tuple[float, float]:
    """The range a check's metric can take: a headline metric's (experiments/units.py),
    a share for a fair share or a mean of a share column of the cluster series."""
    if metric.startswith("fair:"):
        return 0.0, 1.0
    if metric.startswith("mean:"):
        column = metric.split(":", 1)[1].split("@", 1)[0].split("[", 1)[0].rsplit(".", 1)[-1]
        shares = {*GOVERNANCE_TYPES, *RUNGS, "fair_share", "main_buyer_share", "retail_share"}
        return (0.0, 1.0) if column in shares else units.bounds(column)
    return units.bounds(metric)


def difference_range(metric_a: str, metric_b: str) -> tuple[float, float]:
    """The range of B - A, so a difference of shares stays in [-1, 1]."""
    (low_a, high_a), (low_b, high_b) = value_range(metric_a), value_range(metric_b)
    return low_b - high_a, high_b - low_a


def dose_table(p: Proposition, get: Samples, confidence: float = 0.95
               ) -> list[dict[str, Any]]:
    """Mean and CI of each outcome at each level of the cause."""
    if p.dose is None:
        return []
    return [{"level": label, "config": side.name,
             **{label: mean_ci(get(side.name, o), confidence, bounds=value_range(o))
                for label, o in p.dose.outcomes}}
            for label, side in p.dose.levels]


def by_proposition(rows: list[dict[str, Any]], get: Samples | None = None,
                   confidence: float = 0.95, props: tuple[Proposition, ...] = PROPOSITIONS
                   ) -> list[dict[str, Any]]:
    """Group check rows per proposition, with the dose-response table when `get` is
    given."""
    out = []
    for p in props:
        checks = [r for r in rows if r["proposition"] == p.number]
        outcomes = {r["verdict"] for r in checks if r["role"] == "outcome"}
        entry = {"proposition": p.number, "claim": p.claim, "passage": p.passage,
                 "cause": p.cause, "a": p.a.name, "b": p.b.name,
                 "verdict": overall(outcomes),
                 "checks": [{k: v for k, v in r.items()
                             if k not in ("proposition", "claim", "passage")}
                            for r in checks]}
        if get is not None and p.dose is not None:
            entry["dose"] = {"cause": p.dose.cause,
                             "outcomes": {label: o for label, o in p.dose.outcomes},
                             "levels": dose_table(p, get, confidence)}
        out.append(entry)
    return out


def _mean(values: Any) -> float | None:
    arr = np.asarray(values, dtype=float)
    arr = arr[np.isfinite(arr)]
    return float(arr.mean()) if arr.size else None
