"""Hypothesis strategies for valid chainsim scenarios (issue 6, item 1).

`scenarios()` draws a raw scenario document (the dict a TOML file parses into) of random
size and shape: 1-5 clusters of 1-50 firms each (declared as groups with `count`, numbers
constant or drawn from any distribution), 1-10 buyer entries (some of them groups of alike
buyers, some met only at trade fairs), links of every governance type, every governance
rule (`hs2000`, `ghs2005`, and `fixed` for experiments), trade fairs and shocks of every
kind. Horizons are short (1-4 years) and order counts small, so one simulation takes well
under a second. Every document drawn here passes `chainsim.scenario.parse_scenario`;
`valid_scenarios()` returns the validated object.

`to_toml()` writes a raw document back as TOML for the CLI tests.
"""

from __future__ import annotations

import math
from typing import Any

from hypothesis import strategies as st

from chainsim.scenario import Scenario, parse_scenario
from chainsim.vocabulary import LADDERS

GOVERNANCE = ("market", "modular", "network", "quasi_hierarchy", "hierarchy")
GOVERNANCE_RULES = ("hs2000", "ghs2005", "fixed")
SHOCK_KINDS = ("entrant", "market_loss", "devaluation", "volatility", "codification",
               "standard")
START_YEAR = 2000

unit = st.floats(0.0, 1.0, allow_nan=False, allow_infinity=False)


def _round(x: float) -> float:
    """Short decimals keep shrunk examples readable and TOML round trips exact."""
    return float(f"{x:.4g}")


def floats(low: float, high: float) -> st.SearchStrategy[float]:
    return st.floats(low, high, allow_nan=False, allow_infinity=False).map(_round)


@st.composite
def distribution(draw: st.DrawFn, low: float, high: float) -> dict[str, Any]:
    """A `{dist = ...}` table whose draws mostly fall in [low, high]."""
    kind = draw(st.sampled_from(("uniform", "normal", "triangular", "lognormal")))
    a = draw(floats(low, high))
    b = draw(floats(low, high))
    lo, hi = min(a, b), max(a, b)
    if kind == "uniform":
        return {"dist": "uniform", "low": lo, "high": hi}
    if kind == "triangular":
        mode = _round(lo + draw(unit) * (hi - lo))
        mode = min(max(mode, lo), hi)
        return {"dist": "triangular", "low": lo, "mode": mode, "high": hi}
    if kind == "normal":
        out = {"dist": "normal", "mean": _round((lo + hi) / 2),
               "sd": _round(draw(unit) * (hi - lo + 0.01))}
    else:
        mid = max((lo + hi) / 2, 1e-3)
        out = {"dist": "lognormal", "mean": _round(math.log(mid)), "sd": draw(floats(0.0, 0.5))}
    if draw(st.booleans()):  # optional clipping bounds
        out["low"], out["high"] = lo, hi
    return out


def number(low: float, high: float) -> st.SearchStrategy[Any]:
    """A scenario number: a constant or a distribution over firms of a group."""
    return st.one_of(floats(low, high), distribution(low, high))


@st.composite
def firm_groups(draw: st.DrawFn, prefix: str) -> list[dict[str, Any]]:
    """1-50 firms in 1-4 groups; at least one lead group; spokes may name their leads."""
    total = draw(st.integers(1, 50))
    n_groups = draw(st.integers(1, min(4, total)))
    cuts = sorted(draw(st.lists(st.integers(1, total - 1), min_size=n_groups - 1,
                                max_size=n_groups - 1, unique=True))) if n_groups > 1 else []
    counts = [b - a for a, b in zip([0, *cuts], [*cuts, total], strict=True)]
    roles = ["lead"] + [draw(st.sampled_from(("lead", "spoke"))) for _ in counts[1:]]
    leads = [f"{prefix}g{k}" for k, role in enumerate(roles) if role == "lead"]
    groups = []
    for k, (count, role) in enumerate(zip(counts, roles, strict=True)):
        g: dict[str, Any] = {"id": f"{prefix}g{k}", "role": role, "count": count}
        g["capacity"] = draw(number(20.0, 3000.0))
        for cap in ("process", "product", "design", "marketing", "strategic_intent"):
            if draw(st.booleans()):
                g[cap] = draw(number(0.0, 1.0))
        if draw(st.booleans()):
            g["rung"] = draw(st.sampled_from(("assembly", "full_package", "odm", "obm")))
        g["cash"] = draw(number(-1e5, 1e6))
        if role == "lead":
            g["outsourcing"] = draw(floats(0.0, 1.0))
            g["spokes_per_order"] = draw(st.integers(0, 5))
        elif draw(st.booleans()):
            g["supplies"] = draw(st.lists(st.sampled_from(leads), min_size=1, max_size=2,
                                          unique=True))
        groups.append(g)
    return groups


@st.composite
def cluster(draw: st.DrawFn, c: int) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": f"c{c}",
        "form": draw(st.sampled_from(("collective", "hub_and_spoke"))),
        "wage": draw(floats(0.1, 3.0)),
        "transport_cost": draw(floats(0.0, 2.0)),
        "transit_days": draw(floats(0.0, 60.0)),
        "reputation": draw(floats(0.0, 1.0)),
        "spillover": draw(floats(0.0, 0.5)),
        "macro_volatility": draw(floats(0.0, 1.0)),
        "firms": draw(firm_groups(f"c{c}")),
    }
    if draw(st.booleans()):
        out["institutions"] = {
            "technology_centre": draw(floats(0.0, 1.0)),
            "business_association": draw(floats(0.0, 1.0)),
            "collective_stand": draw(st.booleans()),
            "testing_certification": draw(floats(0.0, 1.0)),
        }
    if draw(st.booleans()):
        out["policy_network"] = {
            "enabled": True,
            "proposal_interval_years": draw(floats(0.5, 3.0)),
            "propose_after_shock": draw(st.booleans()),
            "backing_threshold": draw(floats(0.0, 1.0)),
            "project_cost": draw(floats(0.0, 2e6)),
            "public_share": draw(floats(0.0, 1.0)),
            "duration_years": draw(floats(0.25, 3.0)),
        }
    return out


@st.composite
def buyer(draw: st.DrawFn, b: int, seasons: int) -> dict[str, Any]:
    demand = draw(floats(0.0, 200_000.0))
    # Between 1 and 8 orders a year per buyer, before the split over links.
    order_size = _round(max(demand, 1000.0) / draw(st.integers(1, 8)))
    out: dict[str, Any] = {
        "id": f"b{b}",
        "count": draw(st.sampled_from((1, 1, 1, 2, 3))),  # sometimes a group of alike buyers
        "arrival": "fair" if b > 0 and draw(st.integers(0, 3)) == 0 else "initial",
        "segment": draw(st.sampled_from(("low", "mid", "high"))),
        "price": draw(floats(1.0, 30.0)),
        "retail_price": draw(floats(1.0, 90.0)),
        "quality_requirement": draw(floats(0.0, 1.0)),
        "process_requirement": draw(floats(0.0, 1.0)),
        "demand": demand,
        "order_size": order_size,
        "lead_time_days": draw(floats(20.0, 250.0)),
        "product_definition": draw(st.sampled_from(("buyer", "joint", "supplier"))),
        "proprietary_technology": draw(st.booleans()),
        "loss_per_failed_order": draw(floats(0.0, 3e5)),
        "monitoring_cost": draw(floats(0.0, 1e5)),
        "capability_investment": draw(floats(0.0, 1e5)),
        "ownership_cost": draw(st.sampled_from((1e12, 5e4, 1e6))),
        "transaction_complexity": draw(floats(0.0, 1.0)),
        "codifiability": draw(floats(0.0, 1.0)),
        "encroachment_sensitivity": draw(floats(0.0, 1.0)),
        "review_interval_years": draw(floats(0.25, 2.0)),
        "scouting": {
            "enabled": draw(st.booleans()),
            "interval_years": draw(floats(0.25, 2.0)),
            "cost": draw(floats(0.0, 5e4)),
            "candidates": draw(st.integers(0, 8)),
            "noise": draw(floats(0.0, 0.5)),
            "threshold": draw(floats(0.0, 0.5)),
            "pilot_share": draw(floats(0.0, 0.3)),
        },
    }
    if out["arrival"] == "fair":  # a few slots, so that lists fill and suppliers change
        out["supplier_slots"] = draw(st.integers(1, 10))
        out["turnover"] = draw(floats(0.0, 1.0))
    if draw(st.booleans()):
        out["seasonality"] = [draw(floats(0.05, 1.0)) for _ in range(seasons)]
    return out


def _governance_effects() -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries({
        "monitoring": floats(0.0, 1.0), "investment": floats(0.0, 1.0),
        "failure_prevention": floats(0.0, 1.0), "share_flexibility": floats(0.0, 1.0),
    })


@st.composite
def scenarios(draw: st.DrawFn, max_clusters: int = 5, max_buyers: int = 10,
              max_years: float = 4.0) -> dict[str, Any]:
    """A raw, valid scenario document (see the module docstring)."""
    horizon = draw(floats(1.0, max_years))
    seasons = draw(st.integers(1, 4))
    doc: dict[str, Any] = {
        "simulation": {
            "name": "generated", "start_year": START_YEAR, "horizon_years": horizon,
            "seed": draw(st.integers(0, 2**32)), "seasons_per_year": seasons,
            "period_days": draw(st.sampled_from((30, 60, 90, 120))),
        },
        "rules": {"governance": draw(st.sampled_from(GOVERNANCE_RULES))},
    }
    tech: dict[str, Any] = {}
    for name, strat in (("base_defect_rate", floats(0.0, 0.5)),
                        ("learning_by_doing", floats(0.0, 0.2)),
                        ("investment_success", floats(0.0, 1.0)),
                        ("investment_days", floats(10.0, 400.0)),
                        ("credit_line", floats(0.0, 1e5)),
                        ("capex_per_unit", floats(0.0, 5_000.0)),
                        ("growth_step", floats(0.0, 1.0)),
                        ("shrink_step", floats(0.0, 0.9)),
                        ("grow_refused", floats(0.0, 1.0)),
                        ("exit_after_years", st.integers(0, 3)),
                        ("penalty_rate", floats(0.0, 1.0)),
                        ("assembly_days", floats(0.0, 10.0)),
                        ("absorption", floats(1e-6, 1e-3)),
                        ("rung_thresholds", st.tuples(unit, unit, unit).map(
                            lambda t: [_round(x) for x in t])),
                        ("ladder", st.sampled_from(("shoe", "fruit"))),
                        ("brand_threshold", floats(0.0, 1.0)),
                        ("brand_depreciation", floats(0.0, 0.5)),
                        ("certification_cost", floats(0.0, 1e5))):
        if draw(st.booleans()):
            tech[name] = draw(strat)
    if tech:
        doc["technology"] = tech
    if draw(st.integers(0, 3)) == 0:
        doc["governance"] = {name: draw(_governance_effects())
                             for name in draw(st.lists(st.sampled_from(GOVERNANCE),
                                                       min_size=1, max_size=5, unique=True))}

    n_clusters = draw(st.integers(1, max_clusters))
    clusters = [draw(cluster(c)) for c in range(n_clusters)]
    n_buyers = draw(st.integers(1, max_buyers))
    buyers = [draw(buyer(b, seasons)) for b in range(n_buyers)]
    doc["clusters"], doc["buyers"] = clusters, buyers

    # Dates inside the run (rounded to whole days or so, never past its end).
    year = st.floats(0.0, horizon).map(lambda y: START_YEAR + min(round(y, 2), horizon))
    # Entrant clusters open during the run; no initial link may reach them.
    entrants = set(draw(st.lists(st.integers(1, n_clusters - 1), unique=True, max_size=2))
                   ) if n_clusters > 1 else set()
    if n_clusters > 1 and draw(st.integers(0, 4)) == 0:
        late = draw(st.integers(1, n_clusters - 1))
        if late not in entrants:
            clusters[late]["active_from_year"] = draw(year)
    leads = [g["id"] for c, cl in enumerate(clusters) if c not in entrants
             for g in cl["firms"] if g["role"] == "lead"]
    links = []
    for b in buyers:
        # A buyer has one relationship with a firm: its link specs name disjoint groups.
        targets = draw(st.lists(st.sampled_from(leads), min_size=0 if b["arrival"] == "fair"
                                else 1, max_size=4, unique=True))
        cut = draw(st.integers(0, len(targets))) if len(targets) > 1 else len(targets)
        for part in (targets[:cut], targets[cut:]):
            if part:
                links.append({"buyer": b["id"], "firms": part,
                              "governance": draw(st.sampled_from(GOVERNANCE)),
                              "share": draw(floats(0.0, 1.0))})
    doc["links"] = links

    fairs = []
    for k in range(draw(st.integers(0, 2))):
        fair: dict[str, Any] = {
            "id": f"fair{k}",
            "months": draw(st.lists(st.integers(1, 12), min_size=1, max_size=3, unique=True)),
            "stand_cost": draw(floats(0.0, 6e4)),
            "collective_discount": draw(floats(0.0, 1.0)),
            "background_exhibitors": draw(st.integers(0, 2000)),
            "contact_rate": draw(floats(0.0, 5.0)),
            "marketing_gain": draw(floats(0.0, 0.3)),
            "repeat_memory": draw(st.integers(1, 6)),
        }
        if draw(st.booleans()):
            fair["from_year"] = draw(year)
        fairs.append(fair)
    doc["fairs"] = fairs

    shocks = [{"year": draw(year), "kind": "entrant", "cluster": f"c{c}"}
              for c in sorted(entrants)]
    for _ in range(draw(st.integers(0, 4))):
        kind = draw(st.sampled_from(SHOCK_KINDS[1:]))
        shock: dict[str, Any] = {"year": draw(year), "kind": kind}
        if kind in ("market_loss", "codification", "standard"):
            shock["buyer"] = draw(st.sampled_from([b["id"] for b in buyers]))
        if kind == "standard":  # a grade or phytosanitary standard (H&S 3, 4.3)
            shock.update(name=f"std{len(shocks)}", quality=draw(floats(0.0, 1.0)),
                         process=draw(floats(0.0, 1.0)))
            shocks.append(shock)
            continue
        else:
            shock["cluster"] = draw(st.sampled_from([c["id"] for c in clusters]))
        if kind == "devaluation":
            shock["factor"] = draw(floats(0.3, 2.0))
        if kind in ("volatility", "codification"):
            shock["level"] = draw(floats(0.0, 1.0))
        shocks.append(shock)
    doc["shocks"] = shocks
    if doc.get("technology", {}).get("ladder") == "fruit":  # the same rungs, by position
        for c in clusters:
            for g in c["firms"]:
                if "rung" in g:
                    g["rung"] = LADDERS["fruit"][LADDERS["shoe"].index(g["rung"])]
    return doc


def valid_scenarios(**kwargs: Any) -> st.SearchStrategy[Scenario]:
    """Validated scenario objects (`scenarios()` passed through `parse_scenario`)."""
    return scenarios(**kwargs).map(lambda raw: parse_scenario(raw, "<generated>"))


# -- TOML ---------------------------------------------------------------------------------


def toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, list | tuple):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{_key(k)} = {toml_value(v)}" for k, v in value.items()) + " }"
    raise TypeError(f"no TOML for {type(value).__name__}")


def _key(key: str) -> str:
    return key if key and all(ch.isalnum() or ch in "_-" for ch in key) else toml_value(key)


def to_toml(doc: dict[str, Any]) -> str:
    """A TOML document for a raw scenario: top-level tables, then arrays of tables."""
    lines: list[str] = []
    for name, value in doc.items():
        if isinstance(value, dict):
            lines.append(f"[{_key(name)}]")
            lines += [f"{_key(k)} = {toml_value(v)}" for k, v in value.items()]
            lines.append("")
        elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            for item in value:
                lines.append(f"[[{_key(name)}]]")
                lines += [f"{_key(k)} = {toml_value(v)}" for k, v in item.items()]
                lines.append("")
        else:
            lines.insert(0, f"{_key(name)} = {toml_value(value)}")
    return "\n".join(lines) + "\n"
