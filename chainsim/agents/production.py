"""The order flow inside a cluster, lean: callbacks on timeouts, counters instead of all_of.

MODEL.md 4, "Seasonal ordering": a lead firm accepts an order within its capacity (queueing
it behind earlier work, or refusing it with the reason recorded), splits it into sub-orders
for its spokes, waits for all of them, assembles, inspects and ships; the buyer inspects on
arrival. Each sub-order costs one SimPy event (its completion), the order two more
(assembly done, arrival), so an order with three sub-orders costs five events for four
order items. Production capacity is a schedule (`busy_until`), not a SimPy resource: work
is sequential per firm, and a queue of accepted orders is simply a later start.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

import numpy as np

from chainsim import technology as tech_fn
from chainsim.agents.orders import Order
from chainsim.randomness import lognormal_draws, uniform_draws
from chainsim.technology import PROCESS, PRODUCT

if TYPE_CHECKING:
    from chainsim.engine.world import World

TRANSIT_SIGMA = 0.15  # spread of transit times: lognormal, median the cluster's transit days


class Production:
    """Lead firms and their spokes turning orders into shipments."""

    def __init__(self, world: World):
        self.w = world
        self.env = world.env
        f = self.firms = world.firms
        self.tech = world.scenario.technology
        self.spokes = world.spokes
        self._turn = [0] * len(f)
        self._next_id = 0
        # Read on every order, so held as Python lists: a list read is several times faster
        # than a numpy scalar read, and event times stay plain floats in SimPy's queue.
        self.busy = f.busy_until
        self.capacity = f.capacity.tolist()
        self.outsourcing = f.outsourcing.tolist()
        self.per_order = f.spokes_per_order.tolist()
        self.cluster_of = [world.clusters[c] for c in f.cluster.tolist()]
        # Per firm, its inspection and transit draws, read one number at a time.
        self._inspection: list[Iterator[float] | None] = [None] * len(f)
        self._transit: list[Iterator[float] | None] = [None] * len(f)
        self._rotation: list[list[tuple[int, ...]] | None] = [None] * len(f)

    # -- acceptance ------------------------------------------------------------------

    def receive(self, link, qty: float, price: float, lead_time: float, n: int = 1) -> None:
        """A buyer places `n` like orders with a lead firm; it accepts, queues or refuses
        each in turn, exactly as if they came one by one.

        Everything an order's acceptance depends on but its own place in the queue (the
        firm's capabilities, its spokes' speeds and costs, the wage) is read once for the
        batch; the loop only schedules. A refused order changes no schedule, so once one is
        refused for capacity the rest of the batch is refused for the same reason.
        """
        w, env, tech = self.w, self.env, self.tech
        now = env.now
        book, trace, ledger = w.book, w.trace, w.ledger
        i = link.firm
        cluster = self.cluster_of[i]
        due = now + lead_time
        refusal = None if cluster.active else "inactive"
        if refusal is None:
            caps, busy = self.firms.caps, self.busy
            process = caps.item(i, PROCESS)
            spokes = self.spokes[i]
            n_spokes = len(spokes)
            k = min(self.per_order[i], n_spokes)
            out = self.outsourcing[i] if k else 0.0
            own = qty * (1.0 - out)
            own_days = own / tech_fn.speed(self.capacity[i], process)
            wage = cluster.wage
            own_cost = own * tech_fn.unit_cost(wage, process, tech)
            if k:
                sub_qty = qty * out / k
                margin = 1.0 + tech.supplier_margin
                # Per spoke position: process, days per sub-order, what the spoke spends
                # making it and what the lead pays for it. Only the positions this batch
                # can reach are filled (a lead with many spokes and one order asks k).
                spoke_process = [0.0] * n_spokes
                spoke_days, spend, pay = [0.0] * n_spokes, [0.0] * n_spokes, [0.0] * n_spokes
                first = self._turn[i]
                for step in range(min(n * k, n_spokes)):
                    j = (first + step) % n_spokes
                    s = spokes[j]
                    p = spoke_process[j] = caps.item(s, PROCESS)
                    spoke_days[j] = sub_qty / tech_fn.speed(self.capacity[s], p)
                    cost = tech_fn.unit_cost(wage, p, tech)
                    spend[j] = sub_qty * cost
                    pay[j] = sub_qty * (cost * margin)
                picks = self._picks(i, k)
                sub_done = self._sub_done
            assembly, transit = tech.assembly_days, cluster.transit_days
            deadline = due + tech.late_tolerance_days
        book.placed += n
        for _ in range(n):
            order = Order(self._next_id, link, qty, price, now, due)
            self._next_id += 1
            if trace is not None:
                trace.append((now, "placed", order.id, self.firms.ids[i]))
            if refusal is not None:
                self._refuse(order, refusal)
                continue
            start = busy[i]
            queued = start > now
            own_ready = (start if queued else now) + own_days
            latest = own_ready
            if k:
                turn = self._turn[i]
                chosen = picks[turn]
                spoke_sum = 0.0
                finishes = []
                for j in chosen:
                    spoke_sum += spoke_process[j]
                    s_start = busy[spokes[j]]
                    if s_start > now:
                        queued = True
                    else:
                        s_start = now
                    done = s_start + spoke_days[j]
                    finishes.append(done)
                    if done > latest:
                        latest = done
                order.process = (1.0 - out) * process + out * spoke_sum / k
            else:
                order.process = process
            if latest + assembly + transit > deadline:
                refusal = "capacity"
                self._refuse(order, refusal)
                continue

            book.accepted += 1
            if queued:
                book.queued += 1
            if trace is not None:
                trace.append((now, "queued" if queued else "accepted", order.id,
                              self.firms.ids[i]))
            busy[i] = own_ready
            order.own_ready = own_ready
            ledger.firm_to_world("production", i, own_cost)
            if not k:
                self._assemble(order)
                continue
            self._turn[i] = (turn + k) % n_spokes
            order.pending = k
            book.sub_placed += k
            for j, done in zip(chosen, finishes, strict=True):
                s = spokes[j]
                busy[s] = done
                ledger.firm_to_world("production", s, spend[j])
                if trace is not None:
                    trace.append((now, "sub_placed", order.id, self.firms.ids[s]))
                # The event's value is the sub-order: (order, spoke, quantity, payment).
                env.timeout(done - now, (order, s, sub_qty, pay[j])).callbacks.append(sub_done)

    def _picks(self, firm: int, k: int) -> list[tuple[int, ...]]:
        """For each turn of a lead firm's rotation, the positions of the k spokes it asks
        (cached; rebuilt should the firm's spokes or spokes per order ever change)."""
        picks = self._rotation[firm]
        n = len(self.spokes[firm])
        if picks is None or len(picks) != n or len(picks[0]) != k:
            picks = self._rotation[firm] = [tuple((t + j) % n for j in range(k))
                                            for t in range(n)]
        return picks

    def scale_capacity(self, firm: int, factor: float) -> None:
        """A shock to a firm's capacity: the firm table and the order flow's copy of it."""
        self.firms.capacity[firm] *= factor
        self.capacity[firm] = float(self.firms.capacity[firm])

    def _refuse(self, order: Order, reason: str) -> None:
        self.w.book.refused += 1
        self.w.book.refused_by_reason[reason] += 1
        if self.w.trace is not None:
            self.w.trace.append((self.env.now, f"refused:{reason}", order.id,
                                 self.firms.ids[order.link.firm]))
        link = order.link
        link.refused += 1
        self.w.recorder.cluster_flows["refused"][self.cluster_of[link.firm].index] += 1

    # -- sub-orders, assembly, shipping ----------------------------------------------

    def _sub_done(self, event) -> None:
        # A processed event's value, read from SimPy's slot (simpy is pinned below 5): the
        # `value` property re-checks on every read that the event was triggered.
        order, spoke, qty, value = event._value
        lead = order.link.firm
        w = self.w
        w.book.sub_done += 1
        if w.trace is not None:
            w.trace.append((self.env.now, "sub_done", order.id, self.firms.ids[spoke]))
        w.ledger.firm_to_firm("spoke_payment", lead, spoke, value)
        f = self.firms
        f.units_period[spoke] += qty
        f.units_year[spoke] += qty
        f.revenue_period[spoke] += value
        f.revenue_year[spoke] += value
        order.pending -= 1
        if order.pending == 0:
            self._assemble(order)

    def _assemble(self, order: Order) -> None:
        """All parts are in: assemble, inspect (rework what inspection catches), then ship."""
        now = self.env.now
        link = order.link
        i = link.firm
        process = order.process
        tech = self.tech
        prevented = self.w.effects[link.governance].failure_prevention
        draw = self._inspection[i] or self._draws(self._inspection, i, "inspection")
        delay = max(order.own_ready - now, 0.0) + tech.assembly_days
        if next(draw) < tech_fn.defect_probability(process, tech) * (1.0 - prevented):
            if next(draw) < tech_fn.detection(process):
                delay += tech.assembly_days  # rework
                self.w.ledger.firm_to_world("rework", i, 0.1 * order.qty * order.price)
            else:
                order.defective = True
        self.env.timeout(delay, order).callbacks.append(self._ship)

    def _ship(self, event) -> None:
        order: Order = event._value
        w = self.w
        w.book.shipped += 1
        i = order.link.firm
        if w.trace is not None:
            w.trace.append((self.env.now, "shipped", order.id, self.firms.ids[i]))
        cluster = self.cluster_of[i]
        draw = self._transit[i] or self._draws(self._transit, i, "transit", self._transit_draws)
        w.ledger.firm_to_world("transport", i, order.qty * cluster.transport_cost)
        self.env.timeout(cluster.transit_days * next(draw), order).callbacks.append(
            self._arrive)

    def _arrive(self, event) -> None:
        order: Order = event._value
        self.w.buyers[order.link.buyer].inspect(order)

    def _draws(self, cache: list, firm: int, purpose: str,
                draws: Callable[[np.random.Generator], Iterator[float]] = uniform_draws
                ) -> Iterator[float]:
        """The firm's stream for `purpose`, read one number at a time (created on first use)."""
        cache[firm] = draws(self.w.streams.get(self.firms.ids[firm], purpose))
        return cache[firm]

    @staticmethod
    def _transit_draws(rng: np.random.Generator) -> Iterator[float]:
        return lognormal_draws(rng, TRANSIT_SIGMA)

    # -- shared helpers ---------------------------------------------------------------

    def chain_process(self, firm: int) -> float:
        """Process capability of what a lead firm ships: its own share and its spokes'."""
        f = self.firms
        own = f.caps[firm, PROCESS]
        spokes = self.spokes[firm]
        if not spokes or f.spokes_per_order[firm] == 0:
            return float(own)
        share = f.outsourcing[firm]
        return float((1.0 - share) * own + share * f.caps[spokes, PROCESS].mean())

    def failure_probability(self, firm: int, requirement: float) -> float:
        """The model's chance an order from this firm fails the buyer's inspection."""
        f = self.firms
        p = self.chain_process(firm)
        return tech_fn.failure_probability(p, f.caps[firm, PRODUCT], requirement,
                                           tech_fn.detection(f.caps[firm, PROCESS]), self.tech)
