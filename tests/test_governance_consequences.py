"""What a buyer does with a supplier follows the governance its own risk calculus chose
(H&S 3, Table 4; 4.2-4.3; 5), in tiny simulations. Labels stay the same throughout: the
twins differ only in the buyer's risk (its loss per failed order), never in who defines
the product or in a governance type."""

from __future__ import annotations

import copy

import numpy as np
import pytest

from chainsim.engine.simulation import simulate
from chainsim.scenario import parse_scenario
from tests.helpers import TINY, set_path


def suppliers(loss: float, seed: int, **changes) -> dict:
    """Six lead firms that nearly design on their own, selling to one buyer that defines
    the product; the links start at arm's length and the buyer's rule decides."""
    raw = copy.deepcopy(TINY)
    raw["simulation"].update(horizon_years=12, seed=seed, seasons_per_year=2)
    raw["technology"].update(quality_sensitivity=2.0, base_defect_rate=0.2)
    raw["clusters"][0]["spillover"] = 0.0
    raw["clusters"][0]["firms"] = [{
        "id": "lead", "count": 6, "capacity": 100.0, "process": 0.5, "product": 0.45,
        "design": 0.42, "marketing": 0.1, "cash": 200_000.0, "strategic_intent": 0.8}]
    raw["buyers"][0].update(
        demand=60_000.0, order_size=2_000.0, loss_per_failed_order=loss,
        quality_requirement=0.6, process_requirement=0.6, product_definition="buyer",
        encroachment_sensitivity=0.9, monitoring_cost=20_000.0,
        capability_investment=40_000.0)
    raw["links"] = [{"buyer": "buyer", "firms": ["lead"], "governance": "market"}]
    for dotted, value in changes.items():
        set_path(raw, dotted.split("__"), value)
    return raw


def outcome(raw: dict) -> dict[str, float]:
    r = simulate(parse_scenario(raw, "twin"))
    firms, links = r.tables["firms"], r.tables["links"]
    first, last = firms[firms["period"] == 0], firms[firms["period"] == firms["period"].max()]
    return {"odm": float((last["rung"] >= 2).mean()),
            "design_gain": float(last["design"].mean() - first["design"].mean()),
            "qh": float((links["governance"] == "quasi_hierarchy").mean()),
            "declined": sum(d["decision"] == "strategic_rung_declined" for d in r.decisions),
            "stake": float(links.groupby("link")["sunk"].last().sum())}


def test_design_follows_the_governance_the_buyers_risk_chooses():
    """A buyer that stands to lose much from a failed order keeps its suppliers under
    quasi-hierarchy and, as their main buyer, stands to withdraw if they move into design,
    so they decline the move; the same buyer facing a small loss buys at arm's length, pays
    for their designs and tolerates them (H&S 4.2-4.3, 5)."""
    tight = [outcome(suppliers(400_000.0, seed)) for seed in (1, 2, 3)]
    loose = [outcome(suppliers(20_000.0, seed)) for seed in (1, 2, 3)]

    def mean(runs, key):
        return float(np.mean([r[key] for r in runs]))

    assert mean(tight, "qh") > 0.8 and mean(loose, "qh") < 0.1
    assert mean(loose, "odm") > mean(tight, "odm") + 0.3
    assert mean(loose, "design_gain") > mean(tight, "design_gain") + 0.1


def test_firms_able_to_design_decline_it_under_a_buyer_that_would_withdraw():
    """Capability is not the rung: firms that can design take up the function only where
    it pays more than their buyers would withdraw (H&S 4.2: local firms "refrain from or
    are prevented from occupying the strategic functions of the chain")."""
    able = {"clusters__0__firms__0__design": 0.56, "clusters__0__firms__0__process": 0.49}
    tight = outcome(suppliers(400_000.0, 1, **able))
    loose = outcome(suppliers(20_000.0, 1, **able))
    assert tight["declined"] > 0 and loose["declined"] == 0
    assert loose["odm"] > tight["odm"]


def test_a_buyers_stake_fades_unless_it_keeps_investing():
    """Under quasi-hierarchy the buyer invests every season; what it taught diffuses, so
    its stake levels off below what it spent (H&S 4.1, 4.4); without depreciation the
    stake is every dollar ever spent."""
    def stakes(rate: float) -> tuple[float, float]:
        raw = suppliers(400_000.0, 1, rules={"governance": "fixed"},
                        links__0__governance="quasi_hierarchy")
        raw["technology"]["stake_depreciation"] = rate
        from chainsim.engine.simulation import start_processes
        from chainsim.engine.world import build_world
        w = build_world(parse_scenario(raw, "stake"))
        start_processes(w)
        w.env.run(until=12 * 360)
        link = w.links.all[0]
        return link.stake, link.sunk

    stake, sunk = stakes(0.2)
    assert 0.0 < stake < 0.6 * sunk
    stake, sunk = stakes(0.0)
    assert stake == sunk > 0.0


def entrant_world(jump: bool) -> dict:
    """A buyer sourcing from a capable incumbent finds a cheap entrant in year 3."""
    raw = suppliers(400_000.0, 4, simulation__horizon_years=6)
    raw["buyers"][0]["scouting"] = {"enabled": True, "interval_years": 1.0, "candidates": 3,
                                    "cost": 0.0, "noise": 0.0, "threshold": 0.0}
    raw["buyers"][0]["competition_jump"] = jump
    raw["clusters"].append({"id": "entrant", "wage": 0.2, "firms": [
        {"id": "cheap", "count": 3, "capacity": 100.0, "process": 0.4, "product": 0.4}]})
    raw["shocks"] = [{"year": 2003, "kind": "entrant", "cluster": "entrant"}]
    return raw


def test_competition_raises_what_the_buyer_asks_of_its_incumbents():
    """Once the buyer sources from the entrant, the lines it keeps with its incumbents ask
    for more than the best of them now delivers (H&S 4.2, "a new way of producing"); the
    entrant is held to the product's standard grade."""
    r = simulate(parse_scenario(entrant_world(True), "entrant"))
    added = [d for d in r.decisions if d["decision"] == "supplier_added"]
    jumps = [d for d in r.decisions if d["decision"] == "requirements"]
    assert added and len(jumps) == 1
    assert jumps[0]["time"] == added[0]["time"]
    assert jumps[0]["quality"] > jumps[0]["old_quality"]
    # ... and faster, smaller batches: lead time and order size fall by a quarter.
    assert jumps[0]["pace"] == pytest.approx(0.75 * jumps[0]["old_pace"])
    off = simulate(parse_scenario(entrant_world(False), "entrant"))
    assert not [d for d in off.decisions if d["decision"] == "requirements"]
