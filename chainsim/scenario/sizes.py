"""Sizes a run could not hold or finish, refused before anything is built.

Each limit comes from `chainsim.limits`, and its message states it. Sizes multiply: a
count within its own limit may still, times the years or the recording periods, make
more records than memory holds, so the checks here are on the products (firms x periods,
links x periods, fair holdings x clusters, contacts over the run) as well as on each
factor.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

from chainsim.limits import (
    MAX_BUYERS,
    MAX_CONTACT_RATE,
    MAX_DECISIONS,
    MAX_FAIR_CONTACTS,
    MAX_FAIR_RECORDS,
    MAX_FAIRS,
    MAX_FIRM_PERIODS,
    MAX_LINK_PERIODS,
    MAX_LINKS,
    MAX_MAGNITUDE,
    MAX_ORDERS,
    MAX_SCOUTING_NOISE,
    MAX_TOTAL_FIRMS,
    MIN_INTERVAL_DAYS,
)
from chainsim.scenario.checks import Finding, Index
from chainsim.scenario.model import Scenario
from chainsim.vocabulary import YEAR_DAYS


def horizon_problem(horizon_years: float, period_days: int) -> str | None:
    """Why a run of this many years cannot be recorded, or None: the first row of every
    panel is written when the first recording period ends, so a run must be longer than
    one period. For callers that set a horizon outside the scenario file."""
    if horizon_years * YEAR_DAYS > period_days:
        return None
    return (f"{horizon_years:g} years ({horizon_years * YEAR_DAYS:g} days) is not longer "
            f"than one recording period (simulation.period_days = {period_days}); a run "
            "records nothing before its first period ends: simulate longer or shorten "
            "period_days")


def periods(s: Scenario) -> int:
    """Recording periods over the horizon."""
    return math.ceil(s.simulation.horizon_years * YEAR_DAYS / s.simulation.period_days)


def check_sizes(s: Scenario, ix: Index) -> Iterator[Finding]:
    """Every size limit: firms, buyers, links, orders, intervals, decisions, fairs."""
    problem = horizon_problem(s.simulation.horizon_years, s.simulation.period_days)
    if problem is not None:
        yield ("simulation", "horizon_years"), problem
    yield from _firms(s, ix)
    n_buyers = sum(b.count for b in s.buyers)
    if n_buyers > MAX_BUYERS:
        yield ("buyers",), f"{n_buyers:,} buyers exceed the limit of {MAX_BUYERS:,}"
    yield from _links(s, ix)
    yield from _orders(s, ix)
    short = list(_intervals(s, ix))
    yield from short
    if not short:
        yield from _decisions(s, ix)
    yield from _fairs(s, ix)
    yield from _money(s, ix)
    yield from _buyer_transport(s, ix)


def _firms(s: Scenario, ix: Index) -> Iterator[Finding]:
    n, t = ix.total_firms, periods(s)
    if n > MAX_TOTAL_FIRMS:
        yield ("clusters",), f"{n:,} firms exceed the limit of {MAX_TOTAL_FIRMS:,}"
    elif n * t > MAX_FIRM_PERIODS:
        yield ("clusters",), (f"{n:,} firms over {t:,} periods make {n * t:,} firm records, "
                              f"above the limit of {MAX_FIRM_PERIODS:,}; use fewer firms, a "
                              "shorter horizon or a longer simulation.period_days")


def _links(s: Scenario, ix: Index) -> Iterator[Finding]:
    """Declared links, and link records: every link, also one made at a fair, gets a row
    per period it is active."""
    n, t = sum(ix.links_of.values()), periods(s)
    met = _fair_links(s) + _scouted_links(s)
    made = f", with up to {met:,.0f} made at fairs and by scouting," if met else ""
    if n > MAX_LINKS:
        yield ("links",), f"{n:,} buyer-firm links exceed the limit of {MAX_LINKS:,}"
    elif (n + met) * t > MAX_LINK_PERIODS:
        yield ("links",), (f"{n:,} links{made} over {t:,} periods make {(n + met) * t:,.0f} "
                           f"link records, above the limit of {MAX_LINK_PERIODS:,}; shorten "
                           "the horizon or lengthen simulation.period_days")


def _scouted_links(s: Scenario) -> float:
    """Links scouting can add, at most: one adoption per search of each buyer."""
    horizon = s.simulation.horizon_years
    return sum(b.count * horizon / b.scouting.interval_years for b in s.buyers
               if b.scouting.enabled and b.scouting.candidates > 0)


def _orders(s: Scenario, ix: Index) -> Iterator[Finding]:
    sim = s.simulation
    orders = sum((b.demand / b.order_size + ix.links_of[b.id] * sim.seasons_per_year)
                 * sim.horizon_years for b in s.buyers)
    if orders > MAX_ORDERS:
        yield ("buyers",), (f"about {orders:,.0f} orders over the horizon exceed the limit of "
                            f"{MAX_ORDERS:,}; raise order_size, link fewer firms or shorten "
                            "the horizon")


def _interval_message(years: float) -> str:
    return (f"{years:g} years is shorter than the limit of {MIN_INTERVAL_DAYS:g} day "
            f"({MIN_INTERVAL_DAYS / YEAR_DAYS:.4g} years)")


def _intervals(s: Scenario, ix: Index) -> Iterator[Finding]:
    """Reviews, searches and proposals at least a day apart; scouting noise bounded."""
    for cluster in s.clusters:
        years = cluster.policy_network.proposal_interval_years
        if cluster.policy_network.enabled and years * YEAR_DAYS < MIN_INTERVAL_DAYS:
            yield (ix.at(cluster, "policy_network", "proposal_interval_years"),
                   _interval_message(years))
    for buyer in s.buyers:
        if buyer.review_interval_years * YEAR_DAYS < MIN_INTERVAL_DAYS:
            yield (ix.at(buyer, "review_interval_years"),
                   _interval_message(buyer.review_interval_years))
        scouting = buyer.scouting
        if not scouting.enabled:
            continue
        if scouting.interval_years * YEAR_DAYS < MIN_INTERVAL_DAYS:
            yield (ix.at(buyer, "scouting", "interval_years"),
                   _interval_message(scouting.interval_years))
        if scouting.noise > MAX_SCOUTING_NOISE:
            yield ix.at(buyer, "scouting", "noise"), (
                f"{scouting.noise:g} exceeds the limit of {MAX_SCOUTING_NOISE:g} (standard "
                "deviation of the log error)")


def _leads(s: Scenario) -> int:
    return sum(f.count for c in s.clusters for f in c.firms if f.role == "lead")


def _holdings(s: Scenario) -> float:
    """Fairs held over the horizon, every month of every fair."""
    return sum(len(fair.months) for fair in s.fairs) * s.simulation.horizon_years


def _decisions(s: Scenario, ix: Index) -> Iterator[Finding]:
    """A generous estimate of the decisions a run logs (about 1 kB each): investments (at
    most one start and result a year), reviews, searches, votes, fair entries."""
    horizon = s.simulation.horizon_years
    total = ix.total_firms * horizon + _holdings(s) * _leads(s)
    for buyer in s.buyers:
        total += ix.links_of[buyer.id] * horizon / buyer.review_interval_years
        if buyer.scouting.enabled:
            total += ((buyer.count + ix.links_of[buyer.id]) * horizon
                      / buyer.scouting.interval_years)
    for cluster in s.clusters:
        if cluster.policy_network.enabled:
            leads = sum(f.count for f in cluster.firms if f.role == "lead")
            total += (leads + 1) * horizon / cluster.policy_network.proposal_interval_years
    if total > MAX_DECISIONS:
        yield ("simulation", "horizon_years"), (
            f"about {total:,.0f} decisions would be logged, above the limit of "
            f"{MAX_DECISIONS:,}; shorten the horizon, review and scout less often, hold "
            "fewer fairs, or use fewer firms and links")


def _contacts(s: Scenario) -> float:
    """Contact draws over the horizon, at most: every lead firm at every holding of every
    fair, at full attractiveness; none when no buyer arrives at fairs."""
    if not any(b.arrival == "fair" for b in s.buyers):
        return 0.0
    rates = sum(f.contact_rate * len(f.months) for f in s.fairs)
    return rates * s.simulation.horizon_years * _leads(s)


def _fair_links(s: Scenario) -> float:
    """Links made at fairs that hold a record in a period, at most: one per contact, one
    per fair buyer and lead firm, and three times a fair buyer's supplier slots (those
    active, and as many again lapsed and replaced within the period)."""
    fair = [b for b in s.buyers if b.arrival == "fair"]
    pairs = sum(b.count for b in fair) * _leads(s)
    slots = 3 * sum(b.count * b.supplier_slots for b in fair)
    return min(float(pairs), _contacts(s), float(slots))


def _fairs(s: Scenario, ix: Index) -> Iterator[Finding]:
    """Fair records (one per cluster per holding) and contact draws stay within what a
    run can hold and finish."""
    records = _holdings(s) * len(s.clusters)
    if len(s.fairs) > MAX_FAIRS:
        yield ("fairs",), f"{len(s.fairs):,} fairs exceed the limit of {MAX_FAIRS:,}"
    elif records > MAX_FAIR_RECORDS:
        yield ("fairs",), (f"{len(s.fairs):,} fairs held {_holdings(s):,.0f} times over the "
                           f"horizon, in {len(s.clusters):,} clusters, make {records:,.0f} fair "
                           f"records, above the limit of {MAX_FAIR_RECORDS:,}; hold fewer "
                           "fairs or shorten the horizon")
    for fair in s.fairs:
        if fair.contact_rate > MAX_CONTACT_RATE:
            yield ix.at(fair, "contact_rate"), (
                f"{fair.contact_rate:g} contacts per exhibition exceed the limit of "
                f"{MAX_CONTACT_RATE:,} (the most buyers a scenario may have)")
    contacts = _contacts(s)
    if contacts > MAX_FAIR_CONTACTS:
        yield ("fairs",), (f"up to {contacts:,.0f} fair contacts over the horizon "
                           f"({_leads(s):,} lead firms exhibiting at every fair), above the "
                           f"limit of {MAX_FAIR_CONTACTS:,}; lower contact_rate, hold fewer "
                           "fairs or shorten the horizon")


def _peak_factor(s: Scenario, cluster: str) -> float:
    """The highest the devaluations of a cluster raise its wage, as a factor (at least 1)."""
    factor = peak = 1.0
    for shock in sorted(s.shocks, key=lambda sh: sh.year):
        if shock.kind == "devaluation" and shock.cluster == cluster and shock.factor:
            factor *= shock.factor
            peak = max(peak, factor)
    return peak


def _buyer_transport(s: Scenario, ix: Index) -> Iterator[Finding]:
    """A buyer's own transport cost enters the landed cost from every cluster: that cost
    too stays within the magnitude limit."""
    tech = s.technology
    wages = [c.wage * _peak_factor(s, c.id) for c in s.clusters]
    wage = max((w for w in wages if w <= MAX_MAGNITUDE), default=0.0)
    for buyer in s.buyers:
        if buyer.transport_cost is None:
            continue
        cost = ((wage * tech.labour_per_unit + tech.materials_per_unit
                 + buyer.transport_cost) * (1.0 + tech.supplier_margin))
        if cost > MAX_MAGNITUDE:
            yield ix.at(buyer, "transport_cost"), (
                f"a unit shipped to this buyer may cost {cost:.3g} ((wage x labour_per_unit "
                "+ materials_per_unit + transport_cost) x (1 + supplier_margin), at the "
                f"highest wage), above the limit of {MAX_MAGNITUDE:g}")


def _money(s: Scenario, ix: Index) -> Iterator[Finding]:
    """Money per unit stays within the magnitude limit, though every factor of it does
    on its own: otherwise a year's flows (times up to 10^15 units) overflow the panels."""
    tech = s.technology
    top_premium = max(tech.rung_premium) + tech.services_premium
    for cluster in s.clusters:
        wage = cluster.wage * _peak_factor(s, cluster.id)
        if wage > MAX_MAGNITUDE:
            continue  # the shocks checker refuses the devaluations themselves
        cost = ((wage * tech.labour_per_unit + tech.materials_per_unit
                 + cluster.transport_cost) * (1.0 + tech.supplier_margin))
        if cost > MAX_MAGNITUDE:
            yield ix.at(cluster), (
                f"a unit may cost {cost:.3g} here ((wage x labour_per_unit + "
                "materials_per_unit + transport_cost) x (1 + supplier_margin), the landed "
                f"cost at the highest wage after devaluations), above the limit of "
                f"{MAX_MAGNITUDE:g}")
    for buyer in s.buyers:
        value = buyer.price * (1.0 + top_premium) * (1.0 + tech.quality_premium)
        if value > MAX_MAGNITUDE:
            yield ix.at(buyer, "price"), (
                f"with the technology's premiums a unit may be priced at {value:.3g} (price x "
                "(1 + the top rung_premium + services_premium) x (1 + quality_premium)), "
                f"above the limit of {MAX_MAGNITUDE:g}")
