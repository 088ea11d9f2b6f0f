"""Firms in several chains (H&S 2.2, 4.3, 4.4), as tiny simulations: a lead firm shares a
season's capacity among its chains, its committed buyer first, and what it learns making
its own collections for one chain is its own in every chain."""

from __future__ import annotations

import copy

import pytest

from chainsim.engine.simulation import simulate, start_processes
from chainsim.engine.world import build_world
from chainsim.rules import chains
from chainsim.scenario import parse_scenario
from tests.helpers import TINY, set_path

# -- the rules -------------------------------------------------------------------------------


def test_committed_chains_are_served_first_then_the_best_margin():
    a = chains.allocate(1000.0, (
        chains.ChainRequest("LatAm", 400.0, 2.0, False),
        chains.ChainRequest("US", 700.0, 1.0, True),
        chains.ChainRequest("EU", 300.0, 1.5, False)))
    assert a.served == (300.0, 700.0, 0.0)
    assert a.refused == {"US": 0.0, "LatAm": 100.0, "EU": 300.0} and a.binds


def test_unlimited_capacity_refuses_nothing_and_first_come_never_shares():
    requests = (chains.ChainRequest("a", 5.0, 1.0, False), chains.ChainRequest("b", 7.0, 0.5, True))
    assert not chains.allocate(1e12, requests).binds
    first = chains.first_come(1.0, requests)
    assert first.served == (5.0, 7.0) and not first.binds


def test_selling_own_designs_teaches_design_and_marketing():
    d, m = chains.own_design_learning(200_000.0, 200_000.0, 0.02, 0.2, 0.1)
    assert d == pytest.approx(0.25 * 0.02 * 0.6931471805599453 * 0.8)
    assert m > d > 0.0
    assert chains.own_design_learning(0.0, 200_000.0, 0.02, 0.2, 0.1) == (0.0, 0.0)


def test_chain_sets_are_labelled_in_a_stable_order():
    assert chains.chains_of(["US", "LatAm", "US"]) == "LatAm+US"
    assert chains.chains_of([]) == "none"


# -- a tiny world: a quasi-hierarchical buyer and a market buyer --------------------------------

def two_chains(**changes) -> dict:
    """A buyer that defines the product and holds its suppliers under quasi-hierarchy
    ("US"), and one that buys the suppliers' own collections at arm's length ("BR").
    Group `both` sells to both, group `tight` to the US buyer only. Governance is held
    as given (`fixed`): the claims here are about allocation and learning, not about
    which governance arises. No spillovers, no successful investment, no fairs, so design
    moves only by what the firms make."""
    raw = copy.deepcopy(TINY)
    raw["simulation"].update(horizon_years=6, seasons_per_year=2)
    raw["rules"] = {"governance": "fixed"}
    raw["technology"].update(investment_success=0.0, learning_volume=20_000.0)
    lead = {"role": "lead", "count": 3, "capacity": 400.0, "process": 0.5, "product": 0.5,
            "design": 0.2, "marketing": 0.1, "outsourcing": 0.0, "spokes_per_order": 0}
    raw["clusters"][0]["firms"] = [{"id": "both", **lead}, {"id": "tight", **lead}]
    buyer = {"demand": 60_000.0, "order_size": 2_000.0, "quality_requirement": 0.4,
             "process_requirement": 0.4, "encroachment_sensitivity": 0.0,
             "scouting": {"enabled": False}}
    raw["buyers"] = [
        {**buyer, "id": "home", "market": "BR", "product_definition": "supplier"},
        {**buyer, "id": "us", "market": "US", "product_definition": "buyer"},
    ]
    raw["links"] = [
        {"buyer": "home", "firms": ["both"], "governance": "market"},
        {"buyer": "us", "firms": ["both", "tight"], "governance": "quasi_hierarchy"},
    ]
    for dotted, value in changes.items():
        set_path(raw, dotted.split("__"), value)
    return raw


def design_gains(raw: dict) -> dict[str, float]:
    r = simulate(parse_scenario(raw, "two chains"))
    firms = r.tables["firms"]
    first = firms[firms["period"] == 0].set_index("firm")["design"]
    last = firms[firms["period"] == firms["period"].max()].set_index("firm")["design"]
    gain = last - first
    return {"both": float(gain.iloc[0:3].mean()), "tight": float(gain.iloc[3:6].mean())}


def test_making_its_own_collections_teaches_a_firm_design_for_every_chain():
    """The firms that also sell their own collections at home gain design; those making
    only the US buyer's models do not (H&S 4.3: firms "who favour the Latin American
    market, have developed their own design"). The capability is the firm's: the US buyer
    sees it on its link too."""
    on = design_gains(two_chains())
    assert on["both"] > on["tight"] + 0.01
    off = design_gains(two_chains(technology__own_design_learning=0.0))
    assert off["both"] == pytest.approx(off["tight"], abs=1e-9)


def squeezed(allocation: str):
    """One firm of each group, the `both` firm too small for both buyers in a season:
    the home buyer orders first, the committed US buyer after it."""
    raw = two_chains(rules__allocation=allocation)
    raw["simulation"].update(horizon_years=1, seasons_per_year=1)
    for group in raw["clusters"][0]["firms"]:
        group.update(count=1, capacity=200.0)  # 160 a day: 10 orders of 2,000 in time
    raw["buyers"][0]["demand"] = 12_000.0
    raw["buyers"][1]["demand"] = 32_000.0  # 16,000 to each supplier
    w = build_world(parse_scenario(raw, "squeezed"))
    w.journal.trace = []
    start_processes(w)
    w.env.run(until=1.0)
    refused = {(w.buyers[link.buyer].id, w.firms.ids[link.firm]): link.refused
               for link in w.links.all}
    reasons = [e.event for e in w.journal.trace if e.event.startswith("refused")]
    return refused, reasons, w


def test_the_committed_buyer_is_served_first_when_capacity_binds():
    """The firm can make 10 of the season's 14 orders (6 from home, 8 from the US): under
    `committed_first` the home buyer gets what is left after the US buyer's 8, and its
    other orders are refused for allocation; the US buyer is refused nothing (H&S 4.4:
    long-term relationships "with their high degree of transactional dependence")."""
    refused, reasons, w = squeezed("committed_first")
    assert refused == {("home", "both"): 4, ("us", "both"): 0, ("us", "tight"): 0}
    assert reasons == ["refused:allocation"] * 4
    decision = next(d for d in w.journal.decisions.rows if d["decision"] == "allocation")
    assert decision["units_US"] == 16_000.0 and decision["refused_US"] == 0.0
    assert decision["refused_BR"] == 12_000.0 - decision["units_BR"]


def test_first_come_serves_the_home_buyer_and_refuses_the_committed_one():
    """Switched off (`first_come`), the orders that came first are taken and the schedule
    refuses the US buyer's last ones for capacity: the difference disappears."""
    refused, reasons, _ = squeezed("first_come")
    assert refused == {("home", "both"): 0, ("us", "both"): 4, ("us", "tight"): 0}
    assert reasons == ["refused:capacity"] * 4


# -- reporting upgrading by chains ----------------------------------------------------------------

def test_upgrading_is_reported_by_the_chains_a_firm_sells_into():
    """Hand-made tables: firm 0 sells at home and to LatAm, firm 1 to the US, firm 2 sold
    to the US only before the last year (so "none"), firm 3 is a spoke (not reported)."""
    import pandas as pd

    from chainsim.results.metrics import upgrading_by_chains

    rows = []
    for period, time in ((0, 90.0), (4, 450.0), (8, 810.0)):
        for firm, lead, design, rung in ((0, True, 0.2 + 0.05 * period, 2 if period == 8 else 1),
                                         (1, True, 0.1, 1), (2, True, 0.1, 0),
                                         (3, False, 0.0, 0)):
            rows.append({"period": period, "time": time, "firm": firm, "cluster": 0,
                         "lead": lead, "process": 0.5, "product": 0.5, "design": design,
                         "marketing": 0.1, "rung": rung})
    firms = pd.DataFrame(rows)
    links = pd.DataFrame([
        {"period": 8, "buyer": 0, "firm": 0, "units": 10.0},
        {"period": 8, "buyer": 2, "firm": 0, "units": 5.0},
        {"period": 8, "buyer": 1, "firm": 1, "units": 5.0},
        {"period": 0, "buyer": 1, "firm": 2, "units": 5.0},
        {"period": 8, "buyer": 1, "firm": 2, "units": 0.0},
    ])
    out = upgrading_by_chains(firms, links, ["BR", "US", "LatAm"]).set_index("chains")
    assert list(out.index) == ["BR+LatAm", "US", "none"]
    assert out.loc["BR+LatAm", "firms"] == 1
    assert out.loc["BR+LatAm", "design_gain"] == pytest.approx(0.4)
    assert out.loc["BR+LatAm", "odm"] == 1.0 and out.loc["US", "full_package"] == 1.0
    assert out.loc["none", "assembly"] == 1.0 and out.loc["US", "design_gain"] == 0.0


def test_the_run_summary_has_a_line_per_chain_set():
    from chainsim.results.summary import summarize

    summary = summarize(simulate(parse_scenario(two_chains(simulation__horizon_years=1),
                                                "two chains")))
    sets = {row["chains"]: row["firms"] for row in summary["chains"]["home"]}
    assert sets == {"BR+US": 3, "US": 3}
