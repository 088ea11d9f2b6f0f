"""The paper's propositions (MODEL.md 7) as paired comparisons of configurations.

Each proposition names two configurations — a reference A and an alternative B, each a
scenario file plus `--set` overrides — and one or more checks: a metric of A, a metric of
B and the sign the paper expects of B - A. The configurations are replicated under common
random numbers with the public experiment API (`chainsim.experiments.runner`), and each
difference is reported with its 95% confidence interval. Nothing here touches the model:
where a proposition does not come out, the mechanism responsible is named in
`docs/propositions.md`, not tuned away.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from chainsim.experiments.runner import Configuration, Experiment
from chainsim.experiments.stats import holm_adjust, paired_difference

NO_LEARNING = (
    "technology.absorption=1e-12", "technology.learning_by_doing=0",
    "technology.investment_cost=1e12", "clusters.sinos.spillover=0",
    "clusters.sinos.institutions.technology_centre=0",
)
NO_LOCAL_INVESTMENT = (
    "technology.investment_cost=1e12", "clusters.sinos.institutions.technology_centre=0",
    "clusters.sinos.policy_network.enabled=false",
)


@dataclass(frozen=True)
class Side:
    """A configuration: a scenario file in the library and the overrides that change it."""

    file: str
    overrides: tuple[str, ...] = ()
    label: str = ""

    @property
    def name(self) -> str:
        return self.label or Path(self.file).stem


@dataclass(frozen=True)
class Check:
    metric_a: str
    metric_b: str
    sign: int  # the sign the paper expects of B - A: +1 or -1
    a: Side | None = None  # a check may compare its own pair of configurations
    b: Side | None = None


@dataclass(frozen=True)
class Proposition:
    number: int
    claim: str
    passage: str
    a: Side
    b: Side
    checks: tuple[Check, ...]


def check(metric: str, sign: int, metric_b: str | None = None, a: Side | None = None,
          b: Side | None = None) -> Check:
    return Check(metric, metric_b or metric, sign, a, b)


SINOS = Side("sinos_valley.toml")
MARKET = Side("sinos_market_buyers.toml")

PROPOSITIONS: tuple[Proposition, ...] = (
    Proposition(
        1, "Quasi-hierarchy gives faster process and product upgrading than market chains.",
        "H&S 4.2; Summary", MARKET, SINOS,
        (check("cluster.sinos.process_gain", +1), check("cluster.sinos.product_gain", +1))),
    Proposition(
        2, "Quasi-hierarchy gives less functional upgrading (design, marketing, fairs) than "
           "market chains.",
        "H&S 4.2-4.3", MARKET, SINOS,
        (check("cluster.sinos.design_gain", -1), check("cluster.sinos.marketing_gain", -1))),
    Proposition(
        3, "Governance moves from quasi-hierarchy toward market as supplier competence rises "
           "and diffuses.",
        "H&S 3 ('the need for global chain governance decreases as the delivery "
        "capabilities of local suppliers improve and diffuse')",
        SINOS, Side("sinos_valley.toml", NO_LEARNING, "sinos_no_learning"),
        (check("cluster.sinos.quasi_hierarchy_share", +1),)),
    Proposition(
        4, "Buyers facing low-cost entrants push prices down for incumbents, and some of the "
           "buyers' own investment builds up the entrant.",
        "H&S 4.2 (Chinese entry; 'some of Brazil's main US buyers helped to build up Chinese "
        "export capability')",
        Side("sinos_valley.toml", ("clusters.china.wage=1.5",), "sinos_costly_entrant"), SINOS,
        (check("cluster.sinos.price_decline", +1),
         # The entrant learns faster when its new buyers invest in it.
         check("cluster.china.process_gain", +1, a=Side(
             "sinos_valley.toml", ("governance.quasi_hierarchy.investment=0",),
             "sinos_buyers_do_not_invest")))),
    Proposition(
        5, "The fewer the buyers, the less lead firms back a repositioning project, and the "
           "less functional upgrading follows.",
        "H&S 5 ('the smaller the number of buyers the more limited the scope for local "
        "industrial policy aimed at repositioning')",
        Side("sinos_five_buyers.toml"), Side("sinos_one_buyer.toml"),
        (check("cluster.sinos.backing_share", -1), check("cluster.sinos.design_gain", -1))),
    Proposition(
        6, "In market chains upgrading needs local investment: without institutions or "
           "firms' own investment, market chains upgrade slowly.",
        "H&S Summary; 4.3 (Nordeste fruit: local governance substitutes for chain "
        "governance)",
        MARKET, Side("sinos_market_buyers.toml", NO_LOCAL_INVESTMENT, "market_no_local"),
        (check("cluster.sinos.process_gain", -1), check("cluster.sinos.design_gain", -1))),
    Proposition(
        7, "Network links loosen into market once the joint innovation diffuses.",
        "H&S 4.4 (fragility of network relations)",
        Side("taiwan_notebooks.toml"),
        Side("taiwan_notebooks.toml", ("clusters.taiwan.spillover=0",), "taiwan_no_diffusion"),
        (check("cluster.taiwan.network_share", +1),)),
    Proposition(
        8, "A cluster locked into one quasi-hierarchical buyer sends very few firms to the "
           "main trade fairs, compared with a collective cluster in market relations.",
        "H&S 4.2-4.3 (Duesseldorf, March 1997: 7 Brazilian and 575 Italian exhibitors of "
        "1,612)",
        SINOS, Side("italian_district.toml"),
        (check("cluster.sinos.fair_share", +1, "cluster.italy.fair_share"),)),
)


def configurations_needed() -> dict[str, Side]:
    """Every distinct configuration the propositions compare, by name."""
    seen: dict[str, Side] = {}
    for p in PROPOSITIONS:
        for side in (p.a, p.b, *(s for c in p.checks for s in (c.a, c.b) if s)):
            seen.setdefault(side.name, side)
    return seen


def configurations(library: Path, load: Any, seed: int | None = None,
                   horizon: float | None = None) -> list[Configuration]:
    """The distinct configurations the propositions need, loaded and validated once."""
    seen = configurations_needed()
    return [Configuration(name, load(str(library / side.file), list(side.overrides), seed,
                                     horizon), side.file, side.overrides)
            for name, side in seen.items()]


def evaluate(exp: Experiment) -> list[dict[str, Any]]:
    """Each proposition's checks: the paired difference B - A with its 95% CI, and a
    verdict: 'agrees' when the CI lies on the paper's side of zero, 'disagrees' when it
    lies on the other, 'inconclusive' otherwise. p-values are Holm-adjusted across all
    checks."""
    rows = []
    for p in PROPOSITIONS:
        for c in p.checks:
            side_a, side_b = c.a or p.a, c.b or p.b
            a = exp.samples(c.metric_a)[side_a.name]
            b = exp.samples(c.metric_b)[side_b.name]
            d = paired_difference(a, b, exp.confidence)
            rows.append({"proposition": p.number, "claim": p.claim, "passage": p.passage,
                         "a": side_a.name, "b": side_b.name, "metric_a": c.metric_a,
                         "metric_b": c.metric_b, "expected_sign": c.sign,
                         "mean_a": _mean(a), "mean_b": _mean(b), **d,
                         "verdict": verdict(d, c.sign)})
    adjusted = holm_adjust([r["p_value"] if r["p_value"] is not None else 1.0 for r in rows])
    for row, p in zip(rows, adjusted, strict=True):
        row["p_holm"] = p
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


def by_proposition(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Group check rows per proposition; a proposition agrees when all its checks do."""
    out = []
    for p in PROPOSITIONS:
        checks = [r for r in rows if r["proposition"] == p.number]
        verdicts = {r["verdict"] for r in checks}
        overall = ("agrees" if all(v.startswith("agrees") for v in verdicts)
                   else "disagrees" if verdicts == {"disagrees"}
                   else "partly" if any(v.startswith("agrees") for v in verdicts)
                   else "inconclusive" if "disagrees" not in verdicts else "disagrees")
        out.append({"proposition": p.number, "claim": p.claim, "passage": p.passage,
                    "a": p.a.name, "b": p.b.name, "verdict": overall,
                    "checks": [{k: v for k, v in r.items()
                                if k not in ("proposition", "claim", "passage")}
                               for r in checks]})
    return out


def _mean(values: Any) -> float | None:
    import numpy as np

    arr = np.asarray(values, dtype=float)
    arr = arr[np.isfinite(arr)]
    return float(arr.mean()) if arr.size else None
