"""The rules that make consequences follow the governance buyers choose: the depreciating
stake, the reaction by governance and dependence, the premium by governance, occupying a
strategic rung, the specification risk and hysteresis; on their own and in small loops.

Each test shows what a mechanism does by comparing it with the mechanism switched off (or
with today's rule), so that it fails if the mechanism stops working.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

from chainsim.rules import chains, ladder, requirements, stake
from chainsim.rules import encroachment as enc
from chainsim.rules.governance import LinkView, hs2000

# --- the depreciating stake --------------------------------------------------------------


class TestStake:
    def test_the_stake_fades_without_new_investment(self):
        after = stake.depreciate(100_000.0, 0.0, 5.0)
        assert after.stake == pytest.approx(100_000.0 * math.exp(-0.2 * 5.0))
        assert after.depreciated == pytest.approx(100_000.0 - after.stake)

    def test_depreciation_does_not_depend_on_how_time_is_cut(self):
        one = stake.depreciate(80_000.0, 0.0, 1.0).stake
        two = stake.depreciate(stake.depreciate(80_000.0, 0.0, 0.5).stake, 0.0, 0.5).stake
        assert one == pytest.approx(two)

    def test_a_steady_investment_levels_off_instead_of_growing_without_bound(self):
        k, summed = 0.0, 0.0
        for _ in range(60):  # 30 years of seasons at 30,000 a season
            k = stake.depreciate(k, 30_000.0, 0.5).stake
            summed += 30_000.0
        assert k < 0.2 * summed
        # within one season's instalment of the continuous-time level
        assert abs(k - 60_000.0 / stake.DEPRECIATION) < 30_000.0  # investment / rate

    def test_negative_inputs_are_refused(self):
        with pytest.raises(ValueError):
            stake.depreciate(-1.0, 0.0, 1.0)

    def test_stake_weight_is_half_at_the_scale(self):
        assert stake.stake_weight(50_000.0, 50_000.0) == pytest.approx(0.5)
        assert stake.stake_weight(0.0, 50_000.0) == 0.0


# --- the reaction to encroachment ---------------------------------------------------------

REACT = enc.EncroachmentView(
    governance="quasi_hierarchy", sensitivity=0.9, stake=300_000.0, stake_scale=50_000.0,
    dependence=1.0, reliance=0.125, severity=1.0)


def react(**changes):
    return dataclasses.replace(REACT, **changes)


class TestGovernedReaction:
    def test_market_relations_tolerate_explorations(self):
        # H&S 5: same buyer, same stake, same dependence; only the governance differs
        qh = enc.reaction_probability(react())
        market = enc.reaction_probability(react(governance="market"))
        network = enc.reaction_probability(react(governance="network"))
        assert market < network < qh
        assert market == pytest.approx(0.1 * qh)

    def test_a_supplier_with_many_buyers_is_tolerated(self):
        dependent = enc.reaction_probability(react())
        diversified = enc.reaction_probability(react(dependence=0.3))
        assert diversified == pytest.approx(0.3 * dependent)

    def test_a_buyer_that_relies_on_the_supplier_reacts_less(self):
        assert enc.asymmetry(1.0, 0.125) == pytest.approx(0.875)
        assert enc.reaction_probability(react(reliance=1.0)) == 0.0

    def test_no_stake_no_reaction(self):
        assert enc.reaction_probability(react(stake=0.0)) == 0.0

    def test_the_view_has_no_product_definition(self):
        names = {f.name for f in dataclasses.fields(enc.EncroachmentView)}
        assert "product_definition" not in names

    def test_the_cut_is_continuous_and_a_certain_reaction_ends_the_link(self):
        cuts = [enc.share_cut(p) for p in np.linspace(0.0, 1.0, 101)]
        assert all(b >= a for a, b in zip(cuts, cuts[1:], strict=False))
        assert max(b - a for a, b in zip(cuts, cuts[1:], strict=False)) < 0.02
        rng = np.random.default_rng(1)
        reaction = enc.dependence_stake(react(sensitivity=1.0, stake=1e12, reliance=0.0), rng)
        assert reaction.action == "end_link"

    def test_reactions_happen_at_the_stated_rate(self):
        v = react()
        p = enc.reaction_probability(v)
        rng = np.random.default_rng(7)
        hits = sum(enc.dependence_stake(v, rng).action != "none" for _ in range(4000))
        assert hits / 4000 == pytest.approx(p, abs=0.03)

    def test_withdrawal_costs_margins_for_the_years_it_takes_to_replace_them(self):
        # a locked-in firm with no marketing needs the longest to sell elsewhere
        assert enc.years_to_replace(1.0, 0.0) == enc.REPLACE_MAX_YEARS
        assert enc.years_to_replace(0.3, 0.4) == enc.REPLACE_BASE_YEARS
        cost = enc.withdrawal_cost(0.2, 1_000_000.0, 0.1, 0.3, 0.4)
        assert cost == pytest.approx(0.2 * 0.7 * 1_000_000.0 * 0.1 * 1.0)


class TestReactionFollowsCurrentGovernance:
    """A tiny loop of rules: one link over 30 years, tight until year 15 and then at
    arm's length (the twin of H&S 4.3), against a twin that stays quasi-hierarchical."""

    @staticmethod
    def run(loosens_at: int | None, depreciating: bool) -> tuple[float, float]:
        k = 0.0
        governance = "quasi_hierarchy"
        for season in range(60):
            if loosens_at is not None and season == 2 * loosens_at:
                governance = "market"
            invest = 30_000.0 if governance == "quasi_hierarchy" else 0.0
            k = stake.depreciate(k, invest, 0.5).stake if depreciating else k + invest
        p = enc.reaction_probability(react(governance=governance, stake=k))
        return k, p

    def test_the_loosened_link_tolerates_own_designs(self):
        _, p_qh = self.run(None, True)
        k_market, p_market = self.run(15, True)
        assert p_market < 0.05 * p_qh
        assert k_market < stake.depreciate(300_000.0, 0.0, 14.5).stake + 1.0

    def test_with_a_stake_that_only_grows_the_old_investment_still_counts(self):
        k_sum, _ = self.run(15, False)
        k_dep, _ = self.run(15, True)
        assert k_sum == pytest.approx(30 * 30_000.0)
        assert stake.stake_weight(k_sum, 50_000.0) > 0.9
        assert stake.stake_weight(k_dep, 50_000.0) < 0.25


# --- requirements that move ---------------------------------------------------------------



class TestSpecificationRisk:
    def test_risk_follows_who_defines_the_product_and_tight_governance_averts_it(self):
        buyer = requirements.specification_risk("buyer", 0.4, 0.1)
        assert buyer == pytest.approx(0.04 * 0.6 * 0.95)
        assert requirements.specification_risk("joint", 0.4, 0.1) == pytest.approx(buyer / 2)
        assert requirements.specification_risk("supplier", 0.4, 0.1) == 0.0
        alone = requirements.failure_with_specification(0.004, buyer, 0.0)
        governed = requirements.failure_with_specification(0.004, buyer, 0.6)
        assert alone > governed > 0.004

    def test_the_risk_keeps_a_high_loss_buyer_in_quasi_hierarchy_not_a_low_loss_one(self):
        # Table 4 as a determinant: same supplier, same buyer-defined product, only the loss
        # per failed order differs (the twin of issue 12 item 1)
        p = requirements.failure_with_specification(
            0.004, requirements.specification_risk("buyer", 0.4, 0.1), 0.0)
        view = LinkView(
            product_definition="buyer", proprietary_technology=False, failure_probability=p,
            orders_per_year=25, loss_per_failed_order=400_000, monitoring_cost=40_000,
            capability_investment=60_000, ownership_cost=1e12, failure_prevention_qh=0.6,
            failure_prevention_network=0.4, supplier_competence=0.9, supplier_design=0.1,
            design_advantage=0.0, design_progress=0.0, transaction_complexity=0.7,
            codifiability=0.4, current="quasi_hierarchy")
        assert hs2000(view).governance == "quasi_hierarchy"
        low = dataclasses.replace(view, loss_per_failed_order=100_000)
        assert hs2000(low).governance == "market"
        # without the specification risk the high-loss buyer would let go as well
        assert hs2000(dataclasses.replace(view, failure_probability=0.004)).governance == "market"


class TestPaidPremium:
    def test_a_brand_owner_at_arms_length_pays_for_design_not_for_the_brand(self):
        premiums = (0.0, 0.05, 0.25, 0.5)
        assert chains.paid_premium("market", 3, premiums, 0.0) == 0.25
        assert chains.paid_premium("market", 3, premiums, 1.0) == 0.5
        assert chains.paid_premium("market", 3, premiums, 0.4) == pytest.approx(0.35)
        assert chains.paid_premium("quasi_hierarchy", 3, premiums, 1.0) == 0.05
        assert chains.paid_premium("network", 1, premiums, 1.0) == 0.05


class TestOccupy:
    def test_a_capable_firm_locked_into_a_tight_buyer_refrains(self):
        revenue = 10_000_000.0
        p = enc.reaction_probability(react(severity=0.7))
        locked = ladder.OccupyView(premium_gain=0.2, paid_share=0.0, prospect=0.15,
                                   annual_revenue=revenue,
                                   withdrawal=enc.withdrawal_cost(p, revenue, 0.1, 1.0, 0.05),
                                   horizon_years=1.0)
        assert not ladder.occupy_if_it_pays(locked).occupy
        free_p = enc.reaction_probability(react(governance="market", severity=0.7))
        free = dataclasses.replace(
            locked, paid_share=0.6, withdrawal=enc.withdrawal_cost(free_p, revenue, 0.1, 0.6, 0.2))
        assert ladder.occupy_if_it_pays(free).occupy


class TestHysteresis:
    def test_a_link_near_the_threshold_keeps_its_governance(self):
        from chainsim.rules.governance import GovernanceDecision, with_hysteresis

        near = GovernanceDecision("market", "risk below the cost of governance", 160_000.0,
                                  0.0, 4_000.0)
        kept = with_hysteresis(near, "quasi_hierarchy", 100_000.0)
        assert kept.governance == "quasi_hierarchy"
        far = dataclasses.replace(near, net_benefit=40_000.0)
        assert with_hysteresis(far, "quasi_hierarchy", 100_000.0).governance == "market"
        net = dataclasses.replace(near, governance="network")
        assert with_hysteresis(net, "quasi_hierarchy", 100_000.0).governance == "network"
