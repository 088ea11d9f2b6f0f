"""Functional ladders, own brands and certified standards in tiny simulations (issue 12
items 7 and 2.7; H&S 2.2, 3, 4.3, 4.4, 5). Each test runs the mechanism and its twin with
the mechanism switched off, so it fails when the mechanism does nothing."""

from __future__ import annotations

import copy

import numpy as np
import pytest

from chainsim.engine.simulation import collect, start_processes
from chainsim.engine.world import build_world
from chainsim.rules import ladder
from chainsim.scenario import parse_scenario
from chainsim.scenario.model import Technology
from chainsim.technology import DESIGN, MARKETING, PROCESS, ladder_of, rung_from_capabilities
from chainsim.vocabulary import LADDERS, STRATEGIC_FROM
from tests.helpers import TINY


def test_the_shoe_ladder_reproduces_todays_thresholds_and_premiums():
    """With no brand stock needed, the shoe ladder climbs exactly as the three thresholds
    did before (each rung needs the ones below; one rung per call) and pays the same."""
    tech = Technology(brand_threshold=0.0)
    assert ladder_of(tech).premiums == tech.rung_premium == (0.0, 0.05, 0.25, 0.5)
    assert [r.name for r in ladder_of(tech).rungs] == list(LADDERS["shoe"])
    rng = np.random.default_rng(3)
    caps = rng.uniform(0.3, 0.7, (500, 4))
    rung = rng.integers(0, 4, 500).astype(np.int8)
    full = caps[:, PROCESS] >= 0.5
    odm = full & (caps[:, DESIGN] >= 0.5)
    obm = odm & (caps[:, MARKETING] >= 0.5)
    before = np.maximum(rung, np.minimum(full.astype(np.int8) + odm + obm, rung + 1))
    assert (rung_from_capabilities(caps, rung, tech) == before).all()
    shoe = ladder_of(Technology())
    assert (shoe.strategic_from, shoe.design_rung, shoe.brand_rung) == (2, 2, 3)
    assert shoe.cap == {"hierarchy": 1, "quasi_hierarchy": 1, "network": 2, "modular": 2,
                        "market": 3}


def test_the_fruit_ladder_needs_no_design_and_a_certificate():
    fruit = ladder_of(Technology(ladder="fruit"))
    assert fruit.design_rung == len(fruit) and fruit.strategic_from == STRATEGIC_FROM["fruit"]
    top = (0.9, 0.9, 0.0, 0.9, 0.9)  # no design at all
    rung = 0
    for _ in range(6):
        rung = ladder.climb(fruit.rungs, top, rung)
    assert fruit.rungs[rung].name == "cold_chain"
    for _ in range(6):
        rung = ladder.climb(fruit.rungs, top, rung, certified=True)
    assert fruit.rungs[rung].name == "own_label"
    assert ladder.brand_room(0, 4) == 1.0 and ladder.brand_room(7, 4) == pytest.approx(0.5)


# --- own brands: a firm-specific stock (H&S 4.4) -------------------------------------------


def brand_world(threshold: float, seed: int) -> dict:
    """Large and small knitwear exporters alike in every capability, selling their own
    collections to importers that resell them under the makers' brands. Marketing spills
    over fast; the brand stock does not."""
    raw = copy.deepcopy(TINY)
    raw["simulation"].update(horizon_years=12, seed=seed, seasons_per_year=2)
    raw["technology"].update(brand_threshold=threshold, investment_cost=20_000.0)
    common = {"process": 0.6, "product": 0.6, "design": 0.6, "marketing": 0.3,
              "strategic_intent": 0.6, "outsourcing": 0.0, "spokes_per_order": 0}
    raw["clusters"][0].update(spillover=0.15, macro_volatility=0.0)
    raw["clusters"][0]["firms"] = [
        {"id": "large", "count": 4, "capacity": 400.0, "cash": 1e6, **common},
        {"id": "small", "count": 4, "capacity": 20.0, "cash": 1e6, **common}]
    raw["buyers"][0].update(demand=480_000.0, order_size=4_000.0, price=10.0,
                            product_definition="supplier", buys_brands=1.0,
                            encroachment_sensitivity=0.0, quality_requirement=0.4,
                            process_requirement=0.4)
    raw["links"] = [{"buyer": "buyer", "firms": ["large", "small"], "governance": "market"}]
    return raw


def obm_shares(threshold: float) -> tuple[float, float]:
    large, small = [], []
    for seed in (1, 2, 3):
        w = run(brand_world(threshold, seed))
        top = ladder_of(w.scenario.technology).brand_rung
        large.append(float((w.firms.rung[:4] >= top).mean()))
        small.append(float((w.firms.rung[4:8] >= top).mean()))
    return float(np.mean(large)), float(np.mean(small))


class Run:
    """A tiny run: its world (firm table, journal) and its result (decisions)."""

    def __init__(self, raw: dict, trace: bool = False):
        w = build_world(parse_scenario(raw, "ladder"))
        if trace:
            w.journal.trace = []
        start_processes(w)
        years = w.scenario.simulation.horizon_years
        w.env.run(until=years * 360.0)
        self.result = collect(w, w.scenario.simulation.seed, 0, years, 0.0)
        self.firms, self.journal, self.scenario = w.firms, w.journal, w.scenario


def run(raw: dict, trace: bool = False) -> Run:
    return Run(raw, trace)


def test_only_firms_that_build_a_brand_of_their_own_sell_under_it():
    """Marketing leaks to the small firms, a brand does not: with the brand stock the large
    firms, whose sales make a marketing investment pay, reach own brand and the small ones
    do not; without it (threshold 0) spilled-over marketing carries both alike."""
    large, small = obm_shares(0.4)
    assert large > small + 0.4
    large_off, small_off = obm_shares(0.0)
    assert large_off == small_off


# --- the fruit ladder and standards (H&S 3, 4.3, 5) -----------------------------------------


def fruit_world(ladder_name: str = "fruit", standard_year: float | None = None,
                facility: float = 0.6) -> dict:
    """Growers past grading and a cold chain, selling to a half-channel buyer at arm's
    length; a standard may be imposed at a date."""
    raw = copy.deepcopy(TINY)
    raw["simulation"].update(horizon_years=6, seasons_per_year=2)
    raw["technology"].update(ladder=ladder_name, investment_cost=5_000.0)
    raw["clusters"][0].update(macro_volatility=0.0)
    raw["clusters"][0]["institutions"] = {"testing_certification": facility}
    raw["clusters"][0]["firms"] = [
        {"id": "grower", "count": 3, "capacity": 100.0, "process": 0.65, "product": 0.62,
         "design": 0.3, "marketing": 0.2, "strategic_intent": 0.8, "cash": 1e6,
         "outsourcing": 0.0, "spokes_per_order": 0}]
    raw["buyers"][0].update(demand=60_000.0, order_size=2_000.0, product_definition="supplier",
                            buys_brands=1.0, encroachment_sensitivity=0.0)
    raw["links"] = [{"buyer": "buyer", "firms": ["grower"], "governance": "market"}]
    if standard_year is not None:
        raw["shocks"] = [{"year": 2000 + standard_year, "kind": "standard", "buyer": "buyer",
                          "name": "fruit-fly", "quality": 0.6}]
    return raw


def decisions(w, kind: str) -> list[dict]:
    return [d for d in w.result.decisions if d["decision"] == kind]


def test_fresh_fruit_invests_in_no_design_the_shoe_ladder_does():
    """On the fruit ladder no rung needs design, so design is worth nothing to a grower;
    the same firms on the shoe ladder invest in it."""
    def design_investments(name: str) -> int:
        raw = fruit_world(name)
        raw["buyers"][0]["buys_brands"] = 0.0  # an own label would not pay either
        w = run(raw)
        return sum(d["capability"] == "design" for d in decisions(w, "investment_start"))

    assert design_investments("fruit") == 0
    assert design_investments("shoe") > 0


def test_growers_reach_the_certified_rung_only_after_a_standard():
    certified = LADDERS["fruit"].index("certified")
    without = run(fruit_world())
    assert not without.firms.certified.any()
    assert without.firms.rung.max() < certified
    w = run(fruit_world(standard_year=2.0))
    assert w.firms.certified.all()
    moves = [d for d in decisions(w, "rung_change") if d["new"] == certified]
    assert moves and min(d["time"] for d in moves) >= 2.0 * 360.0
    assert all(d["time"] >= 2.0 * 360.0 for d in decisions(w, "certified"))


def test_a_full_testing_facility_halves_what_certifying_costs():
    """Every certification is a `paid` event from the firm to the world; a cluster's
    testing and certification facility at full strength halves it (H&S 5)."""
    def paid(facility: float) -> list[float]:
        w = run(fruit_world(standard_year=1.0, facility=facility), trace=True)
        return [e.numbers["amount"] for e in w.journal.trace
                if e.event == "paid" and e.agent == "certification"]

    alone, helped = paid(0.0), paid(1.0)
    cost = Technology().certification_cost
    assert alone == [cost] * 3
    assert helped == [0.5 * cost] * 3


# --- the scenario fields: one clear line per problem ------------------------------------------


def test_bad_standards_and_rungs_each_get_one_line():
    from chainsim.scenario import ScenarioError

    raw = fruit_world(standard_year=1.0)
    raw["clusters"][0]["firms"][0]["rung"] = "odm"  # a shoe rung on the fruit ladder
    raw["shocks"] += [
        {"year": 2001, "kind": "standard", "name": "both", "buyer": "buyer", "market": "EU",
         "quality": 0.5},
        {"year": 2001, "kind": "standard", "name": "nowhere", "market": "Mars", "quality": 0.5},
        {"year": 2001, "kind": "standard", "name": "empty", "buyer": "buyer"},
        {"year": 2001, "kind": "standard", "name": "fruit-fly", "buyer": "buyer",
         "process": 0.5},
        {"year": 2001, "kind": "volatility", "cluster": "home", "level": 0.1, "name": "x"},
    ]
    with pytest.raises(ScenarioError) as info:
        parse_scenario(raw, "s.toml")
    found = sorted(f"{p.path}: {p.message}" for p in info.value.problems)
    assert len(found) == 6, found
    text = "\n".join(found)
    for words in ("not a rung of the fruit ladder", "a buyer or a market, not both",
                  "no buyer sells in market 'Mars'", "needs a quality or a process floor",
                  "'fruit-fly' is imposed twice", "only a standard shock takes name"):
        assert words in text, (words, found)


def test_series_name_the_rungs_of_the_runs_own_ladder():
    """A fresh-fruit run's series have the fruit ladder's rung columns, filled (own label
    included, its top rung), and the shoe ladder's left empty; a shoe run the reverse."""
    from chainsim.engine.simulation import simulate
    from chainsim.experiments.series import run_series
    from tests.helpers import tiny

    fruit = run_series(simulate(tiny(technology__ladder="fruit")))["clusters"]
    names = ["grower", "grading_packing", "cold_chain", "certified", "own_label"]
    assert fruit[names].notna().all().all()
    assert abs(fruit[names].sum(axis=1) - 1.0).max() < 1e-9
    assert fruit[["assembly", "full_package", "odm", "obm"]].isna().all().all()
    shoe = run_series(simulate(tiny()))["clusters"]
    assert shoe[["assembly", "full_package", "odm", "obm"]].notna().all().all()
    assert shoe[names[1:]].isna().all().all()
