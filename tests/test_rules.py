"""Decision rules on their own: each result follows from the rule's inputs."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from chainsim.rules import RULES
from chainsim.rules.allegiance import VoteView, expected_loss
from chainsim.rules.encroachment import EncroachmentView, dependence_stake, reaction_probability
from chainsim.rules.fairs import Exposure, FairView, expected_contacts, weighed_withdrawal
from chainsim.rules.governance import LinkView, ghs2005, hs2000
from chainsim.rules.investment import InvestmentView, expected_return
from chainsim.rules.sourcing import Candidate, offer_price, scout

LINK = LinkView(
    product_definition="buyer", proprietary_technology=False, failure_probability=0.1,
    orders_per_year=50, loss_per_failed_order=100_000, monitoring_cost=40_000,
    capability_investment=60_000, ownership_cost=1e12, failure_prevention_qh=0.6,
    failure_prevention_network=0.4, supplier_competence=0.4, supplier_design=0.1,
    design_advantage=0.0, design_progress=0.0, transaction_complexity=0.7, codifiability=0.4,
    current="market")


def link(**changes):
    return dataclasses.replace(LINK, **changes)


class TestHS2000:
    def test_expected_loss_above_governance_cost_gives_quasi_hierarchy(self):
        # loss 0.1 x 100k x 50 = 500k; prevented 60% = 300k > 100k cost
        decision = hs2000(link())
        assert decision.governance == "quasi_hierarchy"
        assert decision.expected_loss == pytest.approx(500_000)
        assert decision.governance_cost == pytest.approx(100_000)

    def test_expected_loss_below_governance_cost_gives_market(self):
        # 0.01 x 100k x 50 = 50k; prevented 30k < 100k
        assert hs2000(link(failure_probability=0.01)).governance == "market"

    def test_the_switch_point_is_where_prevented_loss_equals_cost(self):
        cost = LINK.monitoring_cost + LINK.capability_investment
        p_star = cost / (0.6 * LINK.loss_per_failed_order * LINK.orders_per_year)
        assert hs2000(link(failure_probability=p_star * 0.99)).governance == "market"
        assert hs2000(link(failure_probability=p_star * 1.01)).governance == "quasi_hierarchy"

    def test_supplier_defined_products_need_no_governance(self):
        assert hs2000(link(product_definition="supplier")).governance == "market"

    def test_joint_definition_with_competent_distinctive_supplier_gives_network(self):
        v = link(product_definition="joint", supplier_competence=0.8, supplier_design=0.6,
                 design_advantage=0.2)
        assert hs2000(v).governance == "network"
        # once the supplier's design edge has diffused, the network has no reason to be
        assert hs2000(dataclasses.replace(v, design_advantage=0.0)).governance != "network"
        # ... unless a joint innovation is still under way
        assert hs2000(dataclasses.replace(v, design_advantage=0.0,
                                          design_progress=0.05)).governance == "network"

    def test_ownership_cheaper_than_governance_gives_hierarchy(self):
        v = link(proprietary_technology=True, ownership_cost=50_000)
        assert hs2000(v).governance == "hierarchy"
        assert hs2000(link(ownership_cost=50_000)).governance != "hierarchy"


class TestGHS2005:
    @pytest.mark.parametrize("complexity,codified,capable,expected", [
        (0.2, 0.8, 0.8, "market"),
        (0.8, 0.8, 0.8, "modular"),
        (0.8, 0.2, 0.8, "network"),
        (0.8, 0.8, 0.2, "quasi_hierarchy"),
        (0.8, 0.2, 0.2, "hierarchy"),
    ])
    def test_table_1(self, complexity, codified, capable, expected):
        v = link(transaction_complexity=complexity, codifiability=codified,
                 supplier_competence=capable)
        assert ghs2005(v).governance == expected

    def test_captive_moves_to_relational_as_competence_rises(self):
        v = link(transaction_complexity=0.8, codifiability=0.8, supplier_competence=0.3)
        assert ghs2005(v).governance == "quasi_hierarchy"
        assert ghs2005(dataclasses.replace(v, supplier_competence=0.7)).governance == "modular"


class TestSourcing:
    def test_free_perfect_scouting_finds_the_cheapest_source(self):
        rng = np.random.default_rng(0)
        costs = rng.uniform(3, 9, 40)
        cands = [Candidate(i, float(c), 0.1) for i, c in enumerate(costs)]
        decision = scout(cands, 10.0, noise=0.0, threshold=0.1, rng=rng)
        assert decision.firm == int(np.argmin(costs))
        assert decision.adopt

    def test_noisy_scouting_can_miss_the_cheapest(self):
        costs = [5.0, 5.05, 5.1, 5.15]
        cands = [Candidate(i, c, 0.1) for i, c in enumerate(costs)]
        picks = {scout(cands, 10.0, 0.5, 0.1, np.random.default_rng(s)).firm for s in range(50)}
        assert len(picks) > 1

    def test_no_adoption_without_a_clear_cost_advantage(self):
        cands = [Candidate(0, 9.5, 0.1)]
        assert not scout(cands, 10.0, 0.0, 0.1, np.random.default_rng(0)).adopt

    def test_price_offer_follows_the_alternative_plus_reliability_premium(self):
        offer = offer_price(10.0, alternative_cost=6.0, incumbent_failure=0.02,
                            alternative_failure=0.12, loss_per_unit=5.0, reliability_weight=1.0)
        assert offer.price == pytest.approx(6.0 + 0.1 * 5.0)
        # never above the current price
        assert offer_price(10.0, 12.0, 0.0, 0.0, 5.0, 1.0).price == 10.0


class TestEncroachment:
    view = EncroachmentView("quasi_hierarchy", 0.9, stake=200_000, stake_scale=50_000,
                            dependence=1.0, reliance=0.0, severity=1.0)

    def test_reaction_grows_with_the_buyers_current_stake(self):
        low = dataclasses.replace(self.view, stake=0.0)
        assert reaction_probability(low) == 0.0
        assert reaction_probability(self.view) == pytest.approx(0.9 * 200 / 250)

    def test_buyers_at_arms_length_tolerate_explorations(self):
        """H&S 5: more symmetrical, market-based relations: buyers tolerate more."""
        market = dataclasses.replace(self.view, governance="market")
        assert reaction_probability(market) < 0.2 * reaction_probability(self.view)

    def test_a_supplier_with_other_buyers_is_less_exposed(self):
        spread = dataclasses.replace(self.view, dependence=0.3)
        assert reaction_probability(spread) == pytest.approx(0.3 * reaction_probability(self.view))

    def test_a_certain_reaction_ends_the_link(self):
        sure = dataclasses.replace(self.view, sensitivity=1.0, stake=1e12)
        actions = {dependence_stake(sure, np.random.default_rng(s)).action for s in range(30)}
        assert actions == {"end_link"}


class TestAllegiance:
    base = VoteView(annual_revenue=10e6, main_buyer_share=0.1, reaction_probability=0.5,
                    capability_gain=0.3, value_per_capability=0.25, contribution=50_000,
                    horizon_years=5)

    def test_vote_flips_as_the_main_buyers_share_rises(self):
        assert expected_loss(self.base).back
        assert not expected_loss(dataclasses.replace(self.base, main_buyer_share=0.9)).back
        # the flip point: gain = share x revenue x p x years + contribution
        gain = 0.3 * 0.25 * 10e6 * 5
        flip = (gain - 50_000) / (10e6 * 0.5 * 5)
        assert expected_loss(dataclasses.replace(self.base, main_buyer_share=flip - 0.01)).back
        assert not expected_loss(dataclasses.replace(self.base,
                                                     main_buyer_share=flip + 0.01)).back

    def test_a_tolerant_buyer_does_not_deter(self):
        v = dataclasses.replace(self.base, main_buyer_share=0.95, reaction_probability=0.0)
        assert expected_loss(v).back


class TestInvestment:
    view = InvestmentView(
        capabilities=(0.3, 0.3, 0.1, 0.05), annual_revenue=5e6, annual_units=500_000,
        labour_cost_per_unit=4.0, quality_premium=0.5, shortfall_cost=0.0, design_access=0.0,
        brand_access=0.0,
        prospect=0.15, rung_gain_design=0.2, rung_gain_brand=0.25, distance_design=0.4,
        distance_brand=0.45, reaction_probability=0.0, main_buyer_share=0.9,
        strategic_intent=0.5, spillover=0.05, volatility=0.2, cost=40_000, step=0.1,
        success_probability=0.7, horizon_years=5, cash_available=1e6)

    def test_invests_where_the_net_return_is_best(self):
        decision = expected_return(self.view)
        assert decision.kind is not None
        assert decision.values[["process", "product", "design", "marketing"].index(
            decision.kind)] == max(decision.values)

    def test_fear_of_the_main_buyer_removes_design_and_marketing(self):
        keen = dataclasses.replace(self.view, annual_units=1_000, quality_premium=0.0,
                                   design_access=1.0)
        assert expected_return(keen).kind == "design"
        afraid = dataclasses.replace(keen, reaction_probability=0.6)
        assert expected_return(afraid).kind is None

    def test_a_demanding_buyer_pulls_product_investment(self):
        calm = dataclasses.replace(self.view, quality_premium=0.0, annual_units=1_000,
                                   prospect=0.0)
        assert expected_return(calm).kind is None
        pulled = dataclasses.replace(calm, shortfall_cost=2e6)
        assert expected_return(pulled).kind == "product"

    def test_no_cash_no_investment(self):
        assert expected_return(dataclasses.replace(self.view, cash_available=0.0)).kind is None

    def test_macro_volatility_lowers_every_return(self):
        calm = expected_return(dataclasses.replace(self.view, volatility=0.0)).values
        wild = expected_return(dataclasses.replace(self.view, volatility=0.8)).values
        assert all(w < c for w, c in zip(wild, calm, strict=True))


class TestFairEntry:
    view = FairView(design=0.6, marketing=0.5, recent_exhibitions=3, memory=4, contact_rate=2.0,
                    value_per_contact=100_000, stand_cost=30_000, cash_available=1e6,
                    annual_revenue=1e6)

    def test_exhibits_when_contacts_are_worth_the_stand(self):
        assert weighed_withdrawal(self.view).exhibit
        assert expected_contacts(self.view).exhibit

    def test_a_jealous_main_buyer_keeps_the_firm_away(self):
        v = dataclasses.replace(self.view, exposures=(Exposure(0.5, 4.5e6), Exposure(0.0, 5e5)),
                                annual_revenue=5e6)
        assert not weighed_withdrawal(v).exhibit
        assert not expected_contacts(v).exhibit

    def test_collective_stand_makes_small_firms_exhibit(self):
        small = dataclasses.replace(self.view, value_per_contact=20_000, stand_cost=40_000)
        assert not weighed_withdrawal(small).exhibit
        assert weighed_withdrawal(dataclasses.replace(small, stand_cost=16_000)).exhibit


def test_every_rule_is_registered_by_name():
    assert set(RULES) == {"governance", "sourcing", "investment", "fair_entry", "encroachment",
                          "allegiance", "allocation"}
    assert {"committed_first", "first_come"} <= set(RULES["allocation"])
    assert {"hs2000", "ghs2005"} <= set(RULES["governance"])
