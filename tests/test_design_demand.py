"""What pays for a firm's own design (H&S 4.3, 4.4), as rules and tiny simulations: a buyer
of standard goods to its own specification pays for no supplier design, whatever the
governance (`Buyer.buys_designs`), and new markets count in a design investment only
through marketing channels of the firm's own, not through marketing knowledge that leaked
in from neighbours."""

from __future__ import annotations

import copy

import numpy as np
import pytest

from chainsim.engine.simulation import simulate, start_processes
from chainsim.engine.world import build_world
from chainsim.rules import chains
from chainsim.scenario import parse_scenario
from tests.helpers import TINY, set_path

PREMIUMS = (0.0, 0.05, 0.25, 0.5)


def test_a_buyer_of_standard_goods_pays_no_design_premium_at_arms_length():
    assert chains.paid_premium("market", 2, PREMIUMS, 0.0) == 0.25
    assert chains.paid_premium("market", 2, PREMIUMS, 0.0, buys_designs=0.0) == 0.05
    assert chains.paid_premium("market", 2, PREMIUMS, 0.0, buys_designs=0.4) == pytest.approx(
        0.05 + 0.4 * 0.2)
    # An own brand on top of a design it does not pay for: the brand premium goes too.
    assert chains.paid_premium("market", 3, PREMIUMS, 1.0, buys_designs=0.0) == 0.05
    # Below the design rung nothing changes.
    assert chains.paid_premium("market", 1, PREMIUMS, 1.0, buys_designs=0.0) == 0.05


def standard_goods(**changes) -> dict:
    """Three lead firms that could design (process above full package, design short of
    ODM) sell at arm's length to one buyer; investments succeed, nothing leaks."""
    raw = copy.deepcopy(TINY)
    raw["simulation"].update(horizon_years=6, seasons_per_year=2)
    raw["rules"] = {"governance": "fixed"}
    raw["technology"].update(investment_success=1.0)
    raw["clusters"][0]["firms"] = [
        {"id": "lead", "role": "lead", "count": 3, "capacity": 400.0, "process": 0.9,
         "product": 0.9, "design": 0.3, "marketing": 0.0, "outsourcing": 0.0,
         "spokes_per_order": 0, "cash": 1e6}]
    raw["buyers"] = [{"id": "buyer", "demand": 300_000.0, "order_size": 5_000.0,
                      "quality_requirement": 0.4, "process_requirement": 0.4,
                      "encroachment_sensitivity": 0.0, "scouting": {"enabled": False}}]
    raw["links"] = [{"buyer": "buyer", "firms": ["lead"], "governance": "market"}]
    for dotted, value in changes.items():
        set_path(raw, dotted.split("__"), value)
    return raw


def design_investments(raw: dict) -> int:
    r = simulate(parse_scenario(raw, "standard goods"))
    return sum(1 for d in r.decisions
               if d["decision"] == "investment_start" and d["capability"] == "design")


def test_firms_selling_standard_goods_do_not_invest_in_design():
    """The Soviet trade organisations bought "low-quality, mass produced products" (H&S
    4.3): a market that pays nothing for a supplier's design gives no reason to learn it."""
    paid = design_investments(standard_goods())
    unpaid = design_investments(standard_goods(buyers__0__buys_designs=0.0))
    assert paid >= 3 and unpaid == 0


def test_leaked_marketing_knowledge_opens_no_new_markets_for_design():
    """New markets count in a design investment only through channels of the firm's own
    (H&S 4.4: "designers who travel to Europe and have first hand knowledge of the final
    market"): of three firms with the same marketing knowledge, two of which got it from
    neighbours (no brand of their own), only the one with its own channels sees a
    prospect."""
    w = build_world(parse_scenario(standard_goods(clusters__0__firms__0__marketing=0.9), "x"))
    cluster = w.clusters[0]
    w.firms.brand[cluster.members[1:]] = 0.0  # their marketing leaked in
    view = cluster.investment_columns(np.arange(len(cluster.members)))
    assert view.prospect[0] > 0.0
    assert list(view.prospect[1:]) == [0.0, 0.0]


def test_a_firm_starts_with_the_marketing_channels_it_brings():
    w = build_world(parse_scenario(standard_goods(clusters__0__firms__0__marketing=0.7), "x"))
    assert list(w.firms.brand) == pytest.approx(list(w.firms.caps[:, 3]))


def test_only_own_channels_make_an_unpaid_design_rung_worth_taking_up():
    """Taking up own design (ODM) where no buyer pays for it is worth only the new markets
    the firm can reach, through channels of its own (`ClusterAgent._occupies`)."""
    raw = standard_goods(buyers__0__buys_designs=0.0, buyers__0__encroachment_sensitivity=0.5,
                         clusters__0__firms__0__marketing=0.9, clusters__0__firms__0__design=0.6)
    w = build_world(parse_scenario(raw, "x"))
    start_processes(w)
    w.env.run(until=360.0)
    cluster, members = w.clusters[0], w.clusters[0].members.tolist()
    w.firms.brand[members[1:]] = 0.0  # their marketing leaked in
    taken = [cluster._occupies(i, 2) for i in members]
    assert taken == [True, False, False]
