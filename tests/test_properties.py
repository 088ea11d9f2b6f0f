"""Properties over generated scenarios: the model's invariants.

Each property runs scenarios drawn by `tests.strategies.scenarios` (1-5 clusters, 1-50 firms
each, 1-10 buyers, every governance type, both governance rules, shocks and fairs).

What cash may do: a firm's cash may go negative. Production costs (wages, materials) are
paid when an order is accepted, transport and rework when they happen, and the buyer pays
on arrival, so a firm carries its working capital as debt in between; penalties for
failed orders can also push it below zero. Only discretionary spending (knowledge-changing
investment, fair stands) is limited, to `cash + technology.credit_line` at the moment of
deciding. Cash must stay finite and be exactly what the firm started with plus everything
it received less everything it paid. Buyers start at zero cash and their balance is their
net position with the world (docs/scenario-format.md, "What may go negative").
"""

from __future__ import annotations

import copy
import math
from collections import defaultdict
from typing import Any

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from chainsim.agents.firms import expand_firms
from chainsim.agents.links import GOVERNANCE_TYPES
from chainsim.engine import simulation as sim
from chainsim.engine.simulation import collect, simulate, start_processes
from chainsim.engine.world import World, build_world
from chainsim.experiments.executors import open_executor, run_batched
from chainsim.randomness import Streams
from chainsim.results.summary import summarize
from chainsim.scenario import parse_scenario
from chainsim.technology import YEAR, ladder_of
from tests.strategies import scenarios

STEP_DAYS = 15.0
FIRMS, BUYERS, OUTSIDE = range(3)  # the books of the ledger's accounts


# -- helpers ------------------------------------------------------------------------------


def money_scale(w: World) -> float:
    """The magnitude of the money in play: flows and stocks both bound the rounding error."""
    led = w.journal.ledger
    return max(1.0, sum(abs(v) for v in led.totals.values()) + float(np.abs(led.firm_cash).sum())
               + float(np.abs(led.buyer_cash).sum()) + abs(led.world))


def money_balanced(w: World) -> bool:
    return abs(w.journal.ledger.imbalance()) <= 1e-9 * money_scale(w)


DISCRETIONARY = ("investment", "fair")  # spending limited to cash + credit_line

# What may follow each stage of an order's life in the journal.
NEXT = {None: {"placed"}, "placed": {"accepted", "queued", "refused"},
        "accepted": {"sub_placed", "shipped"}, "queued": {"sub_placed", "shipped"},
        "sub_placed": {"sub_placed", "sub_done"}, "sub_done": {"sub_done", "shipped"},
        "shipped": {"delivered", "failed"}, "refused": set(), "delivered": set(),
        "failed": set()}


class OrderAudit:
    """Follows every order through the journal's trace, on its own: each order's entries
    must follow its life (placed; accepted, queued or refused; its sub-orders placed and
    done; shipped; delivered or failed) and the orders at each stage, counted here, must be
    what the order book says. A firm that exited is placed no order and no sub-order."""

    def __init__(self, trace: list) -> None:
        self.trace, self.seen = trace, 0
        self.exited: set[str] = set()
        self.stage: dict[int, str] = {}
        self.parts: dict[int, int] = {}
        self.problems: list[str] = []

    def read(self) -> None:
        for entry in self.trace[self.seen:]:
            if entry.event == "decided" and entry.numbers["kind"] == "exit":
                self.exited.add(entry.agent)
            if entry.event in ("placed", "sub_placed") and entry.agent in self.exited:
                self.problems.append(f"order {entry.order} {entry.event} with {entry.agent}, "
                                     "which exited")
            if entry.order >= 0:
                self._step(entry.order, entry.event.split(":")[0])
        self.seen = len(self.trace)

    def _step(self, order: int, event: str) -> None:
        last = self.stage.get(order)
        if event not in NEXT[last]:
            self.problems.append(f"order {order}: {event} after {last}")
        if event == "sub_placed":
            self.parts[order] = self.parts.get(order, 0) + 1
        elif event == "sub_done":
            self.parts[order] -= 1
        elif event == "shipped" and self.parts.get(order, 0):
            self.problems.append(f"order {order} shipped with parts outstanding")
        self.stage[order] = event

    def counts(self) -> tuple[int, int, int]:
        """Sub-orders being made, orders in production, orders in transit."""
        stages = list(self.stage.values())
        making = sum(s in ("accepted", "queued", "sub_placed", "sub_done") for s in stages)
        return sum(self.parts.values()), making, stages.count("shipped")


def start_audit(w: World) -> OrderAudit:
    """Turn the journal's trace on and follow the orders in it."""
    w.journal.trace = []
    return OrderAudit(w.journal.trace)


def payments(w: World) -> list[tuple[str, tuple[int, int], tuple[int, int], float, float]]:
    """Every payment the journal was told of: kind, payer, payee, amount, payer's cash."""
    return [(e.agent, e.numbers["payer"], e.numbers["payee"], e.numbers["amount"],
             e.numbers["payer_cash"]) for e in w.journal.trace if e.event == "paid"]


def state_problems(w: World, audit: OrderAudit) -> list[str]:
    """Everything that must hold at any instant of a run."""
    f, book = w.firms, w.journal.book
    out = list(book.conserved())
    counters = book.as_dict()
    out += [f"counter {k} = {v}" for k, v in counters.items() if v < 0]
    audit.read()
    out += audit.problems
    subs, making, transit = audit.counts()
    if (subs, making, transit) != (book.sub_in_production, book.in_production, book.in_transit):
        out.append(f"the journal shows {subs} sub-orders, {making} orders in production, "
                   f"{transit} in transit; the book says {book.sub_in_production}, "
                   f"{book.in_production}, {book.in_transit}")
    if book.sub_done > book.sub_placed or book.delivered + book.failed > book.shipped:
        out.append("a later stage counts more orders than the one before it")
    for name in ("capacity", "capacity_of"):
        arr = np.asarray(getattr(f, name), dtype=float)
        if not (np.isfinite(arr).all() and (arr > 0).all()):
            out.append(f"firm {name} not positive and finite")
    if not np.array_equal(np.asarray(f.capacity_of), f.capacity):
        out.append("the order path reads a capacity other than the firm table's")
    for name in ("made_year", "refused_year", "inspected_year", "failed_year"):
        if min(getattr(f, name), default=0.0) < 0.0:
            out.append(f"firm {name} negative")
    if (f.years_below_credit < 0).any() or (f.years_failing < 0).any():
        out.append("a negative count of years")
    for link in w.links.all:
        if link.active and not f.alive[link.firm]:
            out.append(f"link {link.id} active with a firm that exited")
    for name in ("busy_until", "units_period", "units_year", "revenue_period",
                 "revenue_year", "revenue_last"):
        arr = np.asarray(getattr(f, name), dtype=float)
        if not np.isfinite(arr).all() or (arr < 0).any():
            out.append(f"firm {name} negative or not finite")
    caps, rung = np.asarray(f.caps, dtype=float), np.asarray(f.rung)
    if not np.isfinite(caps).all() or caps.min() < 0.0 or caps.max() > 1.0:
        out.append("a capability outside [0, 1]")
    if rung.min() < 0 or rung.max() >= len(ladder_of(w.scenario.technology)):
        out.append("a rung outside the ladder")
    brand = np.asarray(f.brand, dtype=float)
    if not np.isfinite(brand).all() or brand.min() < 0.0 or brand.max() > 1.0:
        out.append("a brand stock outside [0, 1]")
    if (f.certified & ~f.lead).any():
        out.append("a spoke certified a standard (only exporters certify)")
    if not np.isfinite(np.asarray(f.cash, dtype=float)).all():
        out.append("firm cash not finite")
    if not money_balanced(w):
        out.append(f"money imbalance {w.journal.ledger.imbalance():.3g} of "
                   f"{money_scale(w):.3g}")
    out += [f"ledger total {k} = {v}" for k, v in w.journal.ledger.totals.items()
            if not (math.isfinite(v) and v >= 0.0)]
    for link in w.links.all:
        if link.governance not in GOVERNANCE_TYPES:
            out.append(f"link {link.id} governance {link.governance!r}")
        if not 0.0 <= link.share <= 1.0 + 1e-9:
            out.append(f"link {link.id} share {link.share}")
        if not (math.isfinite(link.price) and link.price > 0.0):
            out.append(f"link {link.id} price {link.price}")
        if link.sunk < 0.0 or link.orders < 0.0 or link.failures < 0.0:
            out.append(f"link {link.id} has a negative record")
        if link.units_period < 0.0 or link.value_period < 0.0:
            out.append(f"link {link.id} negative flow")
        if link.price_memory < 0.0:  # nan until the firm has seen a year's price
            out.append(f"link {link.id} remembers a negative price")
    for cluster in w.clusters:
        if not (math.isfinite(cluster.wage) and cluster.wage > 0.0):
            out.append(f"cluster {cluster.id} wage {cluster.wage}")
        if not 0.0 <= cluster.reputation <= 1.0:
            out.append(f"cluster {cluster.id} reputation {cluster.reputation}")
        memory = cluster.memory  # the crisis response's state (rules/crisis.py)
        if not ((memory.pressure >= 0.0) & (memory.pressure <= 1.0)).all():
            out.append(f"cluster {cluster.id} pressure outside [0, 1]")
        if not (np.isfinite(memory.cost_gap).all() and (memory.cost_gap >= 0.0).all()):
            out.append(f"cluster {cluster.id} cost gap negative or not finite")
        if not ((memory.share[np.isfinite(memory.share)] >= 0.0).all()):
            out.append(f"cluster {cluster.id} remembers a negative share of orders")
    for buyer in w.buyers:
        if not buyer.demand_factor >= 0.0:
            out.append(f"buyer {buyer.id} demand factor {buyer.demand_factor}")
    return out


def run_checked(raw: dict[str, Any], step: float = STEP_DAYS):
    """Run a scenario in steps, checking the state after every step; return the world, the
    result and the audited transfers."""
    scenario = parse_scenario(raw, "<generated>")
    w = build_world(scenario)
    start_cash = np.array(w.firms.cash, dtype=float)
    audit = start_audit(w)
    start_processes(w)
    end = scenario.simulation.horizon_years * YEAR
    problems = state_problems(w, audit)
    assert not problems, problems
    t = 0.0
    while t < end:
        t = min(t + step, end)
        w.env.run(until=t)
        problems = state_problems(w, audit)
        assert not problems, f"at day {t:g}: {problems}"
    result = collect(w, scenario.simulation.seed, 0, scenario.simulation.horizon_years, 0.0,
                     keep_world=True)
    return w, result, start_cash


def audit_money(w: World, start_cash: np.ndarray) -> None:
    """Every payment in the journal goes the right way, and every account is exactly its
    history of payments."""
    f = w.firms
    net = (np.zeros(len(f)), np.zeros(len(w.buyers)), np.zeros(1))
    by_kind: dict[str, float] = defaultdict(float)
    leads_paid = np.zeros(len(f))
    credit = w.scenario.technology.credit_line
    for kind, payer, payee, amount, cash_before in payments(w):
        assert math.isfinite(amount) and amount >= 0.0, (kind, payer, payee, amount)
        by_kind[kind] += amount
        net[payer[0]][payer[1]] -= amount
        net[payee[0]][payee[1]] += amount
        if kind in DISCRETIONARY:
            assert payer[0] == FIRMS and payee[0] == OUTSIDE, (kind, payer, payee)
            assert cash_before + credit >= amount - 1e-9 * max(1.0, amount), (
                f"{kind} of {amount:.6g} with cash {cash_before:.6g} + credit {credit:.6g}")
        if kind == "spoke_payment":
            assert payer[0] == payee[0] == FIRMS, (kind, payer, payee)
            # A spoke that exited has left its lead firms' lists, not its orders in flight.
            assert f.lead[payer[1]] and (payee[1] in w.spokes[payer[1]]
                                         or not f.alive[payee[1]]), (payer, payee)
        elif payer[0] == payee[0] == FIRMS:
            raise AssertionError(f"{kind}: a firm paid a firm")
        if kind == "buyer_payment":
            assert payer[0] == BUYERS and payee[0] == FIRMS and f.lead[payee[1]], (payer, payee)
            leads_paid[payee[1]] += amount
        if kind == "penalty":
            assert payer[0] == FIRMS and f.lead[payer[1]] and payee[0] == BUYERS, (payer, payee)
    scale = money_scale(w)
    ledger = w.journal.ledger
    np.testing.assert_allclose(np.asarray(f.cash, dtype=float), start_cash + net[FIRMS],
                               rtol=0, atol=1e-9 * scale)
    np.testing.assert_allclose(ledger.buyer_cash, net[BUYERS], rtol=0, atol=1e-9 * scale)
    for kind, total in ledger.totals.items():
        assert math.isclose(total, by_kind[kind], rel_tol=1e-9, abs_tol=1e-6), kind

    # What buyers paid is what lead firms received, and what the records say was sold; what
    # lead firms paid spokes is what spokes earned.
    paid = ledger.totals.get("buyer_payment", 0.0)
    spokes = ledger.totals.get("spoke_payment", 0.0)
    rec, flows = w.recorder, w.journal.flows
    sold = sum(r["value"].sum() for r in rec.cluster_rows) + sum(flows.cluster["value"])
    bought = sum(r["value"].sum() for r in rec.buyer_rows) + sum(flows.buyer["value"])
    revenue = np.sum(rec.firm_revenue, axis=0, dtype=float) if rec.firm_revenue else 0.0
    revenue = revenue + np.asarray(f.revenue_period, dtype=float)
    lead = np.asarray(f.lead, dtype=bool)
    tol = 1e-6 * max(1.0, paid + spokes)
    assert math.isclose(paid, float(leads_paid.sum()), abs_tol=tol)
    assert math.isclose(paid, sold, abs_tol=tol) and math.isclose(paid, bought, abs_tol=tol)
    assert math.isclose(paid, float(revenue[lead].sum()), rel_tol=1e-4, abs_tol=1.0)
    assert math.isclose(spokes, float(revenue[~lead].sum()), rel_tol=1e-4, abs_tol=1.0)


def audit_tables(result) -> None:
    links, firms = result.tables["links"], result.tables["firms"]
    if not links.empty:
        assert links["governance"].isin(GOVERNANCE_TYPES).all()
        assert links.groupby(["period", "link"]).size().max() == 1
        # One relationship between a buyer and a firm, hence one governance type for it.
        assert links.groupby(["period", "buyer", "firm"]).size().max() == 1
        assert ((links["share"] >= 0) & (links["share"] <= 1 + 1e-9)).all()
    if not firms.empty:
        steps = firms.sort_values(["firm", "period"]).groupby("firm")["rung"].diff().dropna()
        assert steps.isin([0, 1]).all(), steps.value_counts()
        for cap in ("process", "product", "design", "marketing"):
            assert firms[cap].between(0.0, 1.0).all(), cap
    for row in result.decisions:
        if row["decision"] == "rung_change":
            assert row["new"] == row["old"] + 1, row
    # The per-firm exhibition record adds up to the per-fair count of exhibitors.
    shown = result.tables["exhibitions"].groupby(["time", "fair", "cluster"]).size()
    for row in result.tables["fairs"].itertuples():
        assert shown.get((row.time, row.fair, row.cluster), 0) == row.exhibitors, row


def comparable(summary: dict[str, Any]) -> dict[str, Any]:
    out = dict(summary)
    out.pop("wall_seconds", None)
    return out


def summary_of(task: tuple[Any, int]) -> dict[str, Any]:
    """Module level, so a process pool can pickle it: one run's summary, minus wall time."""
    scenario, seed = task
    return comparable(summarize(simulate(scenario, seed=seed)))


# -- the properties -----------------------------------------------------------------------


@given(scenarios())
def test_invariants_hold_at_every_stage(raw):
    """Orders and money conserved, nothing negative, capabilities bounded, at every step;
    at the end, every account reconciles, one governance type per link per period, and
    firms climb the function ladder one rung at a time."""
    w, result, start_cash = run_checked(raw)
    audit_money(w, start_cash)
    audit_tables(result)
    assert result.orders["in_production"] == w.journal.book.in_production


@given(scenarios(max_clusters=3, max_buyers=5, max_years=3.0))
def test_same_seed_same_results(raw):
    scenario = parse_scenario(raw, "<generated>")
    first, second = simulate(scenario), simulate(scenario)
    assert comparable(summarize(first)) == comparable(summarize(second))
    for name, table in first.tables.items():
        pd.testing.assert_frame_equal(table, second.tables[name], check_exact=True)
    assert repr(first.decisions) == repr(second.decisions)  # NaN-aware


@given(st.lists(st.tuples(st.text(min_size=1, max_size=12), st.sampled_from(
    ("inspection", "transit", "scouting", "investment", "draw", "fair_contacts"))),
    min_size=1, max_size=8, unique=True), st.integers(0, 2**63 - 1), st.integers(0, 99))
def test_streams_are_keyed_by_agent_and_purpose(keys, seed, replication):
    """A stream's draws depend on its key alone: not on which streams exist or were used
    before it, nor on the order in which they were created (common random numbers)."""
    alone = {k: Streams(seed, replication).get(*k).random(5).tolist() for k in keys}
    crowded = Streams(seed, replication)
    for k in reversed(keys):
        crowded.get(k[0] + "-other", k[1]).random(3)  # another agent, same purpose
        crowded.get(k[0], k[1] + "-new")  # a new mechanism for the same agent
    for k in reversed(keys):
        assert crowded.get(*k).random(5).tolist() == alone[k]


def _passive_additions(raw: dict[str, Any]) -> dict[str, Any]:
    """The same scenario plus a buyer with no links and no scouting, a cluster (with a firm
    group) that never opens before the end of the run, and a trade fair nobody can afford."""
    more = copy.deepcopy(raw)
    end = more["simulation"]["start_year"] + more["simulation"]["horizon_years"]
    more["buyers"].append({"id": "zz-buyer", "demand": 1000.0, "scouting": {"enabled": False}})
    more["clusters"].append({"id": "zz-cluster", "active_from_year": end + 1.0, "firms": [
        {"id": "zz-group", "count": 7, "capacity": {"dist": "uniform", "low": 10, "high": 20},
         "process": {"dist": "uniform", "low": 0.0, "high": 1.0}}]})
    more["fairs"] = [*more.get("fairs", []), {"id": "zz-fair", "stand_cost": 1e15}]
    return more


@given(scenarios(max_clusters=3, max_buyers=5, max_years=3.0))
def test_adding_agents_changes_no_one_elses_draws(raw):
    """Common random numbers: every firm group draws its firms from its own stream, so an
    extra group or buyer leaves each other group's initial numbers as they were; and agents
    that never interact (a buyer with no suppliers, a cluster that never opens) leave the
    whole run of the others unchanged."""
    more = _passive_additions(raw)
    base_s, more_s = parse_scenario(raw, "base"), parse_scenario(more, "more")
    seed = base_s.simulation.seed
    (base_f, base_g), (more_f, more_g) = (expand_firms(s, Streams(seed)) for s in (base_s, more_s))
    for group, rows in base_g.items():
        other = more_g[group]
        for name in ("capacity", "caps", "intent", "cash", "rung"):
            np.testing.assert_array_equal(np.asarray(getattr(base_f, name))[rows],
                                          np.asarray(getattr(more_f, name))[other],
                                          err_msg=name)

    a, b = simulate(base_s), simulate(more_s)
    n = len(base_f)
    firms_b = b.tables["firms"]
    pd.testing.assert_frame_equal(a.tables["firms"],
                                  firms_b[firms_b["firm"] < n].reset_index(drop=True))
    pd.testing.assert_frame_equal(a.tables["links"], b.tables["links"])
    fairs_b = b.tables["fairs"]
    fairs_b = fairs_b[(fairs_b["fair"] != "zz-fair") & (fairs_b["cluster"] < len(raw["clusters"]))]
    assert a.tables["fairs"].to_dict("records") == fairs_b.to_dict("records")
    assert a.orders == b.orders
    assert a.money == b.money
    assert repr(a.decisions) == repr(b.decisions)


@settings(max_examples=3)
@given(st.lists(scenarios(max_clusters=2, max_buyers=3, max_years=2.0), min_size=2,
                max_size=4))
def test_serial_and_parallel_runs_agree(raws):
    tasks = [(parse_scenario(raw, "<generated>"), seed) for raw in raws for seed in (1, 2)]
    serial = [summary_of(task) for task in tasks]
    with open_executor("process", workers=2) as pool:
        parallel = run_batched(summary_of, tasks, pool, batch_size=1)
    assert parallel == serial


# -- regressions: bugs these properties found (fixed in 9f79113) --------------------------


def test_engine_money_check_scales_with_cash():
    """Large cash stocks and tiny flows: rounding in the stocks is no imbalance."""
    raw = {"simulation": {"horizon_years": 4, "start_year": 2000},
           "clusters": [{"id": "home", "firms": [
               {"id": "rich", "count": 28, "capacity": 20.0, "cash": 538800.0}]}],
           "buyers": [{"id": "idle", "demand": 0.0,
                       "scouting": {"cost": 0.1094, "candidates": 0}}]}
    scenario = parse_scenario(raw)
    w = build_world(scenario)
    start_processes(w)
    w.env.run(until=4 * YEAR)
    assert money_balanced(w)
    sim.check_invariants(w)  # raised InvariantError when scaled by the flows alone


def test_distinct_agents_draw_distinct_streams():
    """These two names collided under 32-bit stream keys and shared every stream."""
    # Two firms of one group of 130,000 spokes (ids as expand_firms names them).
    a, b = "spoke-093355", "spoke-124630"
    streams = Streams(1)
    assert streams.get(a, "transit").random(3).tolist() != \
        streams.get(b, "transit").random(3).tolist()


def test_no_orders_without_demand():
    """A buyer with no demand placed zero-quantity orders, which could fail and cost it."""
    raw = {"simulation": {"horizon_years": 2, "start_year": 2000},
           "clusters": [{"id": "home", "firms": [{"id": "lead"}]}],
           "buyers": [{"id": "idle", "demand": 0.0, "scouting": {"enabled": False}}],
           "links": [{"buyer": "idle", "firms": ["lead"]}]}
    result = simulate(parse_scenario(raw))
    assert result.orders["placed"] == 0
    assert result.money.get("failure_loss", 0.0) == 0.0
