"""Rules for issue 12 ("Governance that governs"), on their own and in small loops of rules.

Each test shows what a mechanism does by comparing it with the mechanism switched off (or
with today's rule), so that it fails if the mechanism stops working.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

from chainsim.rules import (
    allegiance,
    chains,
    crisis,
    demography,
    fairs,
    ladder,
    requirements,
    stake,
    teaching,
)
from chainsim.rules import encroachment as enc
from chainsim.rules.governance import LinkView, hs2000
from chainsim.rules.investment import InvestmentView, expected_return

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
        assert abs(k - stake.steady_stake(60_000.0)) < 30_000.0

    def test_negative_inputs_are_refused(self):
        with pytest.raises(ValueError):
            stake.depreciate(-1.0, 0.0, 1.0)

    def test_stake_weight_is_half_at_the_scale(self):
        assert stake.stake_weight(50_000.0, 50_000.0) == pytest.approx(0.5)
        assert stake.stake_weight(0.0, 50_000.0) == 0.0


# --- the reaction to encroachment ---------------------------------------------------------

REACT = enc.GovernedEncroachmentView(
    governance="quasi_hierarchy", sensitivity=0.9, stake=300_000.0, stake_scale=50_000.0,
    dependence=1.0, reliance=0.125, severity=1.0)


def react(**changes):
    return dataclasses.replace(REACT, **changes)


class TestGovernedReaction:
    def test_market_relations_tolerate_explorations(self):
        # H&S 5: same buyer, same stake, same dependence; only the governance differs
        qh = enc.governed_reaction_probability(react())
        market = enc.governed_reaction_probability(react(governance="market"))
        network = enc.governed_reaction_probability(react(governance="network"))
        assert market < network < qh
        assert market == pytest.approx(0.1 * qh)

    def test_a_supplier_with_many_buyers_is_tolerated(self):
        dependent = enc.governed_reaction_probability(react())
        diversified = enc.governed_reaction_probability(react(dependence=0.3))
        assert diversified == pytest.approx(0.3 * dependent)

    def test_a_buyer_that_relies_on_the_supplier_reacts_less(self):
        assert enc.asymmetry(1.0, 0.125) == pytest.approx(0.875)
        assert enc.governed_reaction_probability(react(reliance=1.0)) == 0.0

    def test_no_stake_no_reaction(self):
        assert enc.governed_reaction_probability(react(stake=0.0)) == 0.0

    def test_the_view_has_no_product_definition(self):
        names = {f.name for f in dataclasses.fields(enc.GovernedEncroachmentView)}
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
        p = enc.governed_reaction_probability(v)
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
        p = enc.governed_reaction_probability(react(governance=governance, stake=k))
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


# --- teaching by current governance ---------------------------------------------------------

TEACH = teaching.TeachingView(
    governance="quasi_hierarchy", investment_share=1.0, budget=60_000.0, year_fraction=0.5,
    process_requirement=0.55, quality_requirement=0.55, process=0.4, product=0.5, design=0.1,
    absorption=3e-6)


class TestTeaching:
    def test_tight_governance_teaches_production_not_design(self):
        plan = teaching.by_governance(TEACH)
        assert set(plan.gains) == {"process", "product"}
        assert plan.gains["process"] > plan.gains["product"] > 0.0

    def test_at_arms_length_the_buyer_teaches_nothing(self):
        plan = teaching.by_governance(dataclasses.replace(TEACH, governance="market",
                                                          investment_share=0.0))
        assert plan.money == 0.0 and plan.gains == {}

    def test_a_network_partner_also_needs_the_suppliers_design(self):
        plan = teaching.by_governance(dataclasses.replace(TEACH, governance="network",
                                                          investment_share=0.3))
        assert "design" in plan.gains

    def test_a_jump_in_requirements_brings_a_burst_of_teaching(self):
        before = teaching.by_governance(dataclasses.replace(TEACH, process=0.7, product=0.7))
        jumped = requirements.competition(requirements.Requirements(
            0.55, 0.55, 120.0, 20_000.0, 120.0, 20_000.0)).requirements
        after = teaching.by_governance(dataclasses.replace(
            TEACH, process=0.7, product=0.7, process_requirement=jumped.process,
            quality_requirement=jumped.quality))
        assert after.money > 1.2 * before.money
        assert after.gains["process"] > 4.0 * before.gains["process"]
        assert after.urgency <= teaching.URGENCY_CAP


# --- requirements that move ---------------------------------------------------------------

REQ = requirements.Requirements(0.55, 0.55, 120.0, 20_000.0, 120.0, 20_000.0)


class TestRequirements:
    def test_requirements_rise_toward_the_ceiling_and_never_pass_it(self):
        r = REQ
        for _ in range(100):
            r = requirements.drift(r, 1.0).requirements
        assert REQ.quality < r.quality <= requirements.CEILING
        assert r.lead_time_days == pytest.approx(60.0)  # the floor, half the scenario's
        assert r.order_size == pytest.approx(8_000.0)

    def test_drift_compounds_the_same_however_time_is_cut(self):
        one = requirements.drift(REQ, 1.0).requirements
        two = requirements.drift(requirements.drift(REQ, 0.5).requirements, 0.5).requirements
        assert one.quality == pytest.approx(two.quality)

    def test_competition_raises_speed_and_cuts_batches(self):
        change = requirements.competition(REQ)
        r = change.requirements
        assert change.process_rise == pytest.approx(0.15)
        assert r.lead_time_days == pytest.approx(90.0) and r.order_size == pytest.approx(15_000.0)

    def test_a_standard_sets_a_floor_and_never_lowers_a_requirement(self):
        r = requirements.standard(REQ, "usda", quality=0.7).requirements
        assert r.quality == 0.7 and r.process == REQ.process
        assert requirements.standard(REQ, "low", quality=0.3).requirements.quality == 0.55

    def test_the_jump_reopens_the_gap_and_the_governance_rule_tightens_again(self):
        # a supplier that has caught up: at arm's length before competition arrives ...
        link = LinkView(
            product_definition="buyer", proprietary_technology=False,
            failure_probability=0.0, orders_per_year=50, loss_per_failed_order=400_000,
            monitoring_cost=40_000, capability_investment=60_000, ownership_cost=1e12,
            failure_prevention_qh=0.6, failure_prevention_network=0.4,
            supplier_competence=0.7, supplier_design=0.1, design_advantage=0.0,
            design_progress=0.0, transaction_complexity=0.7, codifiability=0.4,
            current="market")
        process = 0.65  # meets the requirement (0.55) before the jump, not after (0.70)

        def decide(r: requirements.Requirements) -> str:
            p = requirements.process_shortfall_probability(process, r.process)
            return hs2000(dataclasses.replace(link, failure_probability=p)).governance

        assert decide(REQ) == "market"
        assert decide(requirements.competition(REQ).requirements) == "quasi_hierarchy"

    def test_certification_needs_the_standard_met_and_a_facility_halves_its_cost(self):
        v = requirements.CertificationView(0.6, 0.6, 0.55, 0.5, 0.0, 20_000.0, 1e6)
        assert requirements.certify(v).certified
        assert requirements.certify(dataclasses.replace(v, facility=1.0)).cost == 10_000.0
        short = requirements.certify(dataclasses.replace(v, product=0.5))
        assert not short.certified and short.gap == pytest.approx(0.05)


# --- the crisis response ------------------------------------------------------------------

PRESSURE = crisis.PressureView(
    price_now=8.0, price_before=10.0, share_now=1.0, share_before=1.0,
    annual_revenue=10_000_000.0, margin=0.1, unit_cost=7.5, price_floor=6.5,
    labour_saving_per_step=0.2, strategic_intent=0.4)


class TestCrisis:
    def test_pressure_is_the_larger_of_price_fall_and_order_loss(self):
        assert crisis.pressure(PRESSURE) == pytest.approx(1.0)  # a 20% fall is full pressure
        half = dataclasses.replace(PRESSURE, price_now=9.0)
        assert crisis.pressure(half) == pytest.approx(0.5)
        lost = dataclasses.replace(half, share_now=0.67)
        assert crisis.pressure(lost) == pytest.approx(1.0)
        calm = dataclasses.replace(PRESSURE, price_now=10.0)
        assert crisis.pressure(calm) == 0.0

    def test_the_imperative_raises_intent_and_values_the_defence_of_sales(self):
        r = crisis.upgrading_imperative(PRESSURE)
        assert r.intent == pytest.approx(0.7)
        assert r.steps_needed == pytest.approx(5.0)
        assert r.defence_value == pytest.approx(0.5 * 10_000_000.0 * 0.1 / 5.0)
        assert crisis.upgrading_imperative(
            dataclasses.replace(PRESSURE, price_now=10.0)).defence_value == 0.0

    def test_under_pressure_the_investment_rule_invests_where_it_did_not(self):
        # A firm whose labour savings alone do not pay for a process step invests once the
        # step also defends its sales (rules/investment.py, gross value + defence value).
        base = InvestmentView(
            capabilities=(0.6, 0.6, 0.1, 0.05), annual_revenue=10_000_000.0,
            annual_units=1_000.0, labour_cost_per_unit=4.0, quality_premium=0.0,
            shortfall_cost=0.0, design_access=0.0, brand_access=0.0, prospect=0.0,
            rung_gain_design=0.2, rung_gain_brand=0.25, distance_design=0.4,
            distance_brand=0.45, reaction_probability=0.0, main_buyer_share=1.0,
            strategic_intent=0.4, spillover=0.05, volatility=0.4, cost=90_000.0, step=0.1,
            success_probability=0.7, horizon_years=5.0, cash_available=1e6)
        assert expected_return(base).kind is None
        # cost 7.0 against the entrant's 6.5: two and a half steps close the gap
        r = crisis.upgrading_imperative(dataclasses.replace(PRESSURE, unit_cost=7.0))
        # what the agent would hand the rule: the defence value as units' worth of labour
        extra_units = r.defence_value / (0.5 * base.labour_cost_per_unit * base.step)
        pressed = dataclasses.replace(base, annual_units=base.annual_units + extra_units,
                                      strategic_intent=r.intent)
        assert expected_return(pressed).kind == "process"


# --- fairs without the knife-edge --------------------------------------------------------

FAIR = fairs.FairView(
    design=0.3, marketing=0.2, recent_exhibitions=1, memory=4, contact_rate=2.0,
    value_per_contact=200_000.0, stand_cost=40_000.0, reaction_probability=0.01,
    main_buyer_share=0.6, annual_revenue=10_000_000.0, cash_available=1e6)


class TestFairs:
    def test_todays_rule_is_a_knife_edge_the_withdrawal_rule_is_not(self):
        calm = dataclasses.replace(FAIR, reaction_probability=0.0)
        assert fairs.expected_contacts(calm).exhibit
        # a 1% chance of a reaction weighs a year's revenue: the firm stays away
        assert not fairs.expected_contacts(FAIR).exhibit
        v = fairs.WithdrawalFairView(
            FAIR.design, FAIR.marketing, FAIR.recent_exhibitions, FAIR.memory,
            FAIR.contact_rate, FAIR.value_per_contact, FAIR.stand_cost,
            (fairs.Exposure(0.01, 6_000_000.0),), margin=0.1, cash_available=1e6)
        decision = fairs.weighed_withdrawal(v)
        assert decision.exhibit
        assert decision.expected_loss == pytest.approx(0.01 * 0.51 * 6_000_000.0 * 0.1)

    def test_a_jealous_tight_buyer_still_keeps_a_locked_in_firm_away(self):
        p = enc.governed_reaction_probability(react(severity=0.4))
        v = fairs.WithdrawalFairView(
            0.1, 0.05, 0, 4, 2.0, 200_000.0, 40_000.0,
            (fairs.Exposure(p, 10_000_000.0),), margin=0.1, cash_available=1e6)
        assert not fairs.weighed_withdrawal(v).exhibit

    def test_fair_buyers_stay_open_to_new_suppliers(self):
        assert fairs.openness(0) == 1.0
        full = fairs.openness(50)
        assert full == pytest.approx(fairs.TURNOVER)
        worth = [fairs.contact_worth(100_000.0, 20.0, n, 0.15, 3.0) for n in range(0, 200, 10)]
        assert min(worth) > 0.25 * max(worth)
        # today's worth falls as 1 / (1 + suppliers): at 190 suppliers, 0.5% of a new buyer's
        assert 1 / 191 < 0.02


# --- firms in several chains ----------------------------------------------------------------


class TestChains:
    def test_what_a_buyer_pays_for_follows_the_links_governance(self):
        assert chains.paid_rung("quasi_hierarchy", 3) == 1
        assert chains.paid_rung("network", 3) == 2
        assert chains.paid_rung("market", 3) == 3
        assert chains.paid_rung("market", 1) == 1

    def test_committed_chains_are_served_first_then_the_best_margin(self):
        a = chains.allocate(1000.0, (
            chains.ChainRequest("latam", 400.0, 2.0, False),
            chains.ChainRequest("us", 700.0, 1.0, True),
            chains.ChainRequest("eu", 300.0, 1.5, False)))
        assert a.units == {"us": 700.0, "latam": 300.0, "eu": 0.0}
        assert a.refused == {"us": 0.0, "latam": 100.0, "eu": 300.0}

    def test_unlimited_capacity_refuses_nothing(self):
        a = chains.allocate(1e12, (chains.ChainRequest("a", 5.0, 1.0, False),
                                   chains.ChainRequest("b", 7.0, 0.5, True)))
        assert sum(a.refused.values()) == 0.0

    def test_selling_own_designs_teaches_design_and_marketing(self):
        d, m = chains.own_design_learning(200_000.0, 200_000.0, 0.02, 0.2, 0.1)
        assert d == pytest.approx(0.25 * 0.02 * math.log(2.0) * 0.8)
        assert m > d > 0.0
        assert chains.own_design_learning(0.0, 200_000.0, 0.02, 0.2, 0.1) == (0.0, 0.0)

    def test_chain_sets_are_labelled_in_a_stable_order(self):
        assert chains.chains_of(["US", "LatAm", "US"]) == "LatAm+US"
        assert chains.chains_of([]) == "none"


# --- the vote on the collective programme -------------------------------------------------


class TestChainVote:
    def test_the_locked_in_exporter_votes_no_the_diversified_one_yes(self):
        revenue = 10_000_000.0
        locked_p = enc.governed_reaction_probability(react())
        locked = allegiance.ChainVoteView(
            revenue, design_access=0.0, prospect=0.15, capability_gain=0.3, premium=0.25,
            withdrawal=enc.withdrawal_cost(locked_p, revenue, 0.1, 1.0, 0.05),
            contribution=40_000.0, horizon_years=5.0)
        assert not allegiance.margin_weighed(locked).back
        free_p = enc.governed_reaction_probability(react(governance="market", stake=0.0))
        free = dataclasses.replace(
            locked, design_access=0.6,
            withdrawal=enc.withdrawal_cost(free_p, revenue, 0.1, 0.4, 0.3))
        assert allegiance.margin_weighed(free).back


# --- ladders ---------------------------------------------------------------------------------


class TestLadders:
    def test_the_shoe_ladder_matches_todays_thresholds_and_premiums(self):
        assert [r.premium for r in ladder.SHOE] == [0.0, 0.05, 0.25, 0.5]
        assert ladder.strategic_from(ladder.SHOE) == 2

    def test_one_rung_at_a_time(self):
        top = (1.0, 1.0, 1.0, 1.0)
        assert ladder.climb(ladder.SHOE, top, 0) == 1
        assert ladder.climb(ladder.SHOE, top, 3) == 3

    def test_fruit_needs_no_design_but_certification_for_its_upper_rungs(self):
        caps = (0.7, 0.6, 0.0, 0.6)
        rung = 0
        for _ in range(5):
            rung = ladder.climb(ladder.FRUIT, caps, rung)
        assert ladder.FRUIT[rung].name == "cold_chain"
        for _ in range(5):
            rung = ladder.climb(ladder.FRUIT, caps, rung, certified=True)
        assert ladder.FRUIT[rung].name == "own_label"
        assert ladder.strategic_from(ladder.FRUIT) == 4

    def test_room_for_brands_fills(self):
        assert ladder.brand_room(0, 4) == 1.0
        assert ladder.brand_room(7, 4) == pytest.approx(0.5)
        assert ladder.brand_room(3, 0) == 0.0


# --- growth and exit -----------------------------------------------------------------------

GROW = demography.GrowthView(capacity=1000.0, units_year=300_000.0, refused_units_year=20_000.0,
                             working_days=360.0, speed=0.9, cash_available=1e7,
                             capex_per_unit=2_000.0)


class TestDemography:
    def test_firms_grow_with_their_orders_when_they_can_pay(self):
        d = demography.grow_with_orders(GROW)
        assert d.utilisation == pytest.approx(320_000.0 / 324_000.0)
        assert d.capacity == pytest.approx(1150.0) and d.cost == pytest.approx(300_000.0)
        broke = demography.grow_with_orders(dataclasses.replace(GROW, cash_available=0.0))
        assert broke.change == 0.0

    def test_idle_firms_shed_capacity(self):
        d = demography.grow_with_orders(dataclasses.replace(GROW, units_year=50_000.0,
                                                            refused_units_year=0.0))
        assert d.change == pytest.approx(-100.0)

    def test_exit_after_two_years_of_losses_or_of_failing_without_buyers(self):
        v = demography.ExitView(cash=-5e5, credit_line=1e5, years_below_credit=2,
                                orders_year=10, failures_year=1, has_links=True,
                                years_failing=0)
        assert demography.exit_when_failing(v).reason == "losses"
        v = dataclasses.replace(v, years_below_credit=1, years_failing=2, has_links=False)
        assert demography.exit_when_failing(v).reason == "failures"
        assert not demography.exit_when_failing(dataclasses.replace(v, has_links=True)).exit


# --- additions: coalition, specification risk, best-practice jump --------------------------


class TestCoalition:
    def test_the_influential_exporters_can_block_a_majority(self):
        # eight large firms against, sixteen smaller ones for: a majority of output backs
        # the project, but not the influential exporters (H&S 4.2)
        outputs = [3.0] * 8 + [1.8] * 16
        backs = [False] * 8 + [True] * 16
        funded, support, top = allegiance.coalition(backs, outputs, 0.5)
        assert support > 0.5 and top == 0.0 and not funded
        funded, _, _ = allegiance.coalition(backs, outputs, 0.5, influential_share=0.0)
        assert not funded  # at least one influential firm is always asked
        assert allegiance.coalition([True] * 24, outputs, 0.5)[0]

    def test_nobody_no_project(self):
        assert allegiance.coalition([], [], 0.5) == (False, 0.0, 0.0)


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


class TestBestPracticeJump:
    def test_the_jump_reopens_a_gap_the_suppliers_had_closed(self):
        r = requirements.Requirements(0.62, 0.62, 120.0, 20_000.0, 120.0, 20_000.0)
        plain = requirements.competition(r).requirements
        assert plain.quality < 0.9  # suppliers at 0.92 still meet it
        jumped = requirements.best_practice_jump(r, 0.92, 0.9).requirements
        assert jumped.quality == pytest.approx(0.95) and jumped.process == pytest.approx(0.93)
        assert requirements.best_practice_jump(r, 0.99, 0.99).requirements.quality == 1.0


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
        p = enc.governed_reaction_probability(react(severity=0.7))
        locked = ladder.OccupyView(premium_gain=0.2, paid_share=0.0, prospect=0.15,
                                   annual_revenue=revenue,
                                   withdrawal=enc.withdrawal_cost(p, revenue, 0.1, 1.0, 0.05),
                                   horizon_years=1.0)
        assert not ladder.occupy_if_it_pays(locked).occupy
        free_p = enc.governed_reaction_probability(react(governance="market", severity=0.7))
        free = dataclasses.replace(
            locked, paid_share=0.6, withdrawal=enc.withdrawal_cost(free_p, revenue, 0.1, 0.6, 0.2))
        assert ladder.occupy_if_it_pays(free).occupy


class TestVerticalAndReach:
    def test_lead_firms_help_their_spokes_only_under_pressure(self):
        assert crisis.vertical_cooperation(0.0, 0.9, 0.5, 1.0) == 0.0
        assert crisis.vertical_cooperation(1.0, 0.9, 0.5, 1.0) == pytest.approx(0.08)
        assert crisis.vertical_cooperation(1.0, 0.4, 0.5, 1.0) == 0.0

    def test_no_marketing_no_prospect(self):
        assert ladder.market_reach(0.0) == 0.0
        assert ladder.market_reach(0.25) == pytest.approx(0.075)
        assert ladder.market_reach(0.9) == pytest.approx(0.15)


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
