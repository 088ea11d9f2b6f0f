"""Trade fairs without the knife-edge (issue 12 item 5; H&S 4.2-4.3): the loss a firm
weighs before exhibiting is what its buyers would be expected to withdraw, and fair buyers
keep a few suppliers and replace some each year, so they do not saturate."""

from __future__ import annotations

import dataclasses
import math

import pandas as pd
import pytest

from chainsim.engine.simulation import simulate
from chainsim.evidence.metrics import RunTables, exhibitions_per_year
from chainsim.results import metrics
from chainsim.rules import fairs
from chainsim.rules.encroachment import years_to_replace
from chainsim.scenario import ScenarioError, parse_scenario

# --- the rules ----------------------------------------------------------------------------

VIEW = fairs.FairView(design=0.5, marketing=0.5, recent_exhibitions=3, memory=4,
                      contact_rate=2.0, value_per_contact=20_000.0, stand_cost=10_000.0,
                      cash_available=1e6, margin=0.1, years_to_replace=1.6,
                      annual_revenue=6_000_000.0)


def test_a_small_chance_of_reaction_no_longer_counts_a_years_sales():
    """6M of sales to a buyer that reacts with chance 0.01: the old rule weighs 60k and
    stays away; the withdrawal it can expect is 0.01 x 0.51 x 6M x 10% x 1.6 years."""
    v = dataclasses.replace(VIEW, exposures=(fairs.Exposure(0.01, 6_000_000.0),))
    old, new = fairs.expected_contacts(v), fairs.weighed_withdrawal(v)
    assert old.expected_loss == pytest.approx(60_000.0)
    assert not old.exhibit
    assert new.expected_loss == pytest.approx(0.01 * 0.51 * 6e6 * 0.1 * 1.6)
    assert new.exhibit


def test_a_firm_tied_to_a_jealous_buyer_still_stays_away():
    years = years_to_replace(1.0, 0.05)
    v = dataclasses.replace(VIEW, exposures=(fairs.Exposure(0.27, 10_000_000.0),),
                            years_to_replace=years, annual_revenue=10_000_000.0)
    decision = fairs.weighed_withdrawal(v)
    assert decision.expected_loss > 500_000.0
    assert not decision.exhibit


def test_the_withdrawal_sums_over_the_firms_buyers():
    one = fairs.fair_withdrawal((fairs.Exposure(0.1, 1e6),), 0.1, 1.0)
    two = fairs.fair_withdrawal((fairs.Exposure(0.1, 1e6), fairs.Exposure(0.0, 5e6)), 0.1, 1.0)
    assert one == pytest.approx(two) == pytest.approx(0.1 * 0.6 * 1e6 * 0.1)


def test_a_full_buyer_stays_open_by_its_turnover():
    assert fairs.openness(0, 8, 0.3) == 1.0
    assert fairs.openness(4, 8, 0.3) == pytest.approx((4 + 0.3 * 4) / 8)
    assert fairs.openness(8, 8, 0.3) == fairs.openness(500, 8, 0.3) == pytest.approx(0.3)
    assert fairs.openness(8, 8, 0.0) == 0.0
    worth = [fairs.contact_worth(80_000.0, 12.0, n, 0.15, 3.0, 8, 0.3) for n in (8, 50, 500)]
    assert worth[0] == worth[1] == worth[2] > 0.0


def test_replacements_accrue_with_time_up_to_a_years():
    assert fairs.replacement_allowance(0.0, 0.5, 8, 0.3) == pytest.approx(1.2)
    assert fairs.replacement_allowance(2.0, 3.0, 8, 0.3) == pytest.approx(2.4)
    assert fairs.replacement_allowance(0.0, 5.0, 2, 0.1) == pytest.approx(1.0)
    assert fairs.replacement_allowance(0.0, 1.0, 8, 0.0) == 0.0


# --- tiny simulations ------------------------------------------------------------------------

def world(firms: dict, buyers: list[dict], links: list[dict], fair: dict, years: int,
          **rules: str):
    return parse_scenario({
        "simulation": {"name": "fairs", "start_year": 2000, "horizon_years": years, "seed": 5,
                       "seasons_per_year": 1, "period_days": 90},
        "technology": {"base_defect_rate": 0.0, "assembly_days": 5.0,
                       "quality_sensitivity": 0.0, "investment_cost": 1e12},
        "rules": rules,
        "clusters": [{"id": "home", "wage": 1.0, "transit_days": 10.0, "spillover": 0.0,
                      "firms": [{"id": "lead", "role": "lead", "process": 0.5, "product": 0.5,
                                 "design": 0.5, "marketing": 0.5, "cash": 1e6,
                                 "outsourcing": 0.0, "spokes_per_order": 0, **firms}]}],
        "buyers": buyers, "links": links,
        "fairs": [{"id": "gds", "months": [3, 9], "background_exhibitors": 100,
                   "contact_rate": 2.0, **fair}],
    }, "test")


FAIR_BUYER = {"id": "fair-buyer", "arrival": "fair", "product_definition": "supplier",
              "demand": 80_000.0, "order_size": 10_000.0, "price": 12.0,
              "quality_requirement": 0.4, "encroachment_sensitivity": 0.0,
              "scouting": {"enabled": False}}


def tied(**rules: str):
    """Ten lead firms selling 6M a year each to a quasi-hierarchical buyer that invests in
    them (a stake) and is barely sensitive to encroachment; a fair from the second year,
    once they have a year's sales to lose."""
    buyer = {"id": "qh", "demand": 6_000_000.0, "order_size": 100_000.0, "price": 10.0,
             "quality_requirement": 0.4, "process_requirement": 0.4,
             "capability_investment": 60_000.0, "encroachment_sensitivity": 0.05,
             "review_interval_years": 100, "scouting": {"enabled": False}}
    return simulate(world({"count": 10, "capacity": 3_000.0}, [buyer, FAIR_BUYER],
                          [{"buyer": "qh", "firms": ["lead"], "governance": "quasi_hierarchy"}],
                          {"stand_cost": 10_000.0, "from_year": 2001}, 4, **rules))


def test_firms_tied_to_a_tolerant_buyer_exhibit_where_the_knife_edge_kept_them_away():
    """H&S 4.2-4.3: the loss weighed is the expected withdrawal, not a year's sales."""
    weighed, knife = tied(), tied(fair_entry="expected_contacts")
    shown = weighed.tables["exhibitions"]
    assert len(shown) > 0 and (shown["expected_loss"] > 0).all()
    assert shown["firm"].nunique() > 1
    assert knife.tables["exhibitions"].empty
    per_firm = metrics.exhibitions_per_firm(shown, weighed.tables["firms"], 0)
    assert len(per_firm) == 10 and per_firm.sum() == len(shown)


def crowded(turnover: float):
    """Eighty lead firms and two fair buyers of eight slots each, for ten years."""
    buyer = {**FAIR_BUYER, "count": 2, "demand": 160_000.0, "turnover": turnover}
    return simulate(world({"count": 80, "capacity": 400.0}, [buyer], [],
                          {"stand_cost": 9_000.0}, 10))


def test_fair_buyers_that_change_suppliers_keep_firms_exhibiting():
    """H&S 4.3: firms "need to exhibit regularly ... and show their new collections"; a
    buyer replaces some suppliers each year, so its list never closes to newcomers."""
    def exhibitors(result):
        return result.tables["fairs"]["exhibitors"].to_numpy()

    open_, closed = exhibitors(crowded(0.3)), exhibitors(crowded(0.0))
    assert open_[1] > 0 and open_[-1] >= 0.5 * open_[1]
    # without turnover the full lists close; firms come back only when links lapse
    assert closed[1:].mean() < 0.5 * open_[1:].mean()
    open_ = crowded(0.3)
    links = open_.tables["links"]
    last = links[links["period"] == links["period"].max()]
    assert last.loc[last["active"]].groupby("buyer").size().max() <= 8
    assert any(d["decision"] == "supplier_replaced" for d in open_.decisions)


def test_a_bad_slot_count_or_turnover_is_named_by_its_path():
    with pytest.raises(ScenarioError) as err:
        world({}, [{**FAIR_BUYER, "id": "b", "supplier_slots": 0, "turnover": 1.5}], [], {}, 1)
    lines = str(err.value).splitlines()
    assert lines == ["test: buyers.b.supplier_slots: input should be greater than or equal "
                     "to 1 (got 0)",
                     "test: buyers.b.turnover: input should be less than or equal to 1 "
                     "(got 1.5)"]


def test_a_firm_keeps_showing_its_collections_to_the_buyers_it_met_at_the_fair():
    """H&S 4.3: "the investment is not a one-off, they need to exhibit regularly (twice a
    year) and show their new collections". One fair buyer, met at the first fair: new
    contacts are then worth nothing, but the buyer's next orders are."""
    buyer = {**FAIR_BUYER, "demand": 40_000.0}
    result = simulate(world({"capacity": 400.0}, [buyer], [],
                            {"stand_cost": 5_000.0, "contact_rate": 10.0}, 4))
    held = result.tables["fairs"]
    assert len(held) == 8 and (held["exhibitors"] == 1).all()
    assert not [d for d in result.decisions if d["decision"] == "link_lapsed"]


def choosy(years: int = 6):
    """Ten weaker and ten stronger collections (product 0.45 and 0.8, both above the
    buyer's 0.4), the weaker listed first, and one fair buyer of two slots that meets
    them all at every fair."""
    sc = world({"count": 10, "capacity": 400.0, "product": 0.45},
               [{**FAIR_BUYER, "supplier_slots": 2, "turnover": 0.5}], [],
               {"stand_cost": 1_000.0, "contact_rate": 40.0}, years)
    group = sc.clusters[0].firms[0]
    strong = group.model_copy(update={"id": "strong", "product": 0.8})
    cluster = sc.clusters[0].model_copy(update={"firms": (group, strong)})
    return simulate(sc.model_copy(update={"clusters": (cluster,)}))


def test_a_fair_buyer_takes_on_the_best_collections_it_saw_not_the_first_shown():
    """H&S 4.3 (after Tewari 1999): the exporters that found customers in Europe, East
    Asia and the US "had developed capabilities to produce for these markets". A buyer
    with room for a few newcomers chooses among all the collections it met at a fair, so
    the room goes to the stronger firms although the weaker are listed first."""
    result = choosy()
    taken = [d["firm"] for d in result.decisions if d["decision"] == "fair_contact"]
    assert len(taken) >= 4
    assert all(firm.startswith("strong") for firm in taken)
    shown = result.tables["exhibitions"]
    assert shown["firm"].lt(10).any()  # the weaker firms exhibited too, and met the buyer


# --- reporting ------------------------------------------------------------------------------

FAIRS_HELD = pd.DataFrame({"time": [60.0, 60.0, 240.0, 240.0], "fair": ["gds"] * 4,
                           "cluster": [0, 1, 0, 1], "exhibitors": [7, 575, 5, 500],
                           "total": [1612, 1612, 1505, 1505]})
SHOWN = pd.DataFrame({"time": [60.0, 60.0, 240.0], "fair": ["gds"] * 3, "firm": [0, 1, 0],
                      "cluster": [0, 0, 0], "cost": [1.0] * 3, "expected_gain": [2.0] * 3,
                      "expected_loss": [0.0] * 3})


def test_the_share_at_one_fair_reads_that_fair_alone():
    assert metrics.exhibitors_at(FAIRS_HELD, 0, 60.0) == pytest.approx(7 / 1612)
    assert metrics.exhibitors_at(FAIRS_HELD, 1, 240.0, "gds") == pytest.approx(500 / 1505)
    assert math.isnan(metrics.exhibitors_at(FAIRS_HELD, 0, 100.0))
    assert math.isnan(metrics.exhibitors_at(FAIRS_HELD, 0, 60.0, "other"))


def test_exhibitions_are_counted_per_firm_and_per_year():
    firms = pd.DataFrame({"firm": [0, 1, 2, 3], "cluster": [0, 0, 0, 1],
                          "lead": [True, True, True, True]})
    assert metrics.exhibitions_per_firm(SHOWN, firms, 0).to_dict() == {0: 2, 1: 1, 2: 0}
    rt = RunTables({"exhibitions": SHOWN}, ("home", "away"), (), 2000.0, 90.0)
    assert exhibitions_per_year(rt, "home", (2000, 2000)) == pytest.approx(1.5)
    assert math.isnan(exhibitions_per_year(rt, "away", (2000, 2000)))
