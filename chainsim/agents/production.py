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

from typing import TYPE_CHECKING

from chainsim import technology as tech_fn
from chainsim.agents.orders import Order, SubOrder
from chainsim.technology import PROCESS, PRODUCT

if TYPE_CHECKING:
    from chainsim.engine.world import World


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

    # -- acceptance ------------------------------------------------------------------

    def receive(self, link, qty: float, price: float, lead_time: float) -> None:
        """A buyer places an order with a lead firm; the firm accepts, queues or refuses."""
        w, env, tech = self.w, self.env, self.tech
        now = env.now
        order = Order(self._next_id, link, qty, price, now, now + lead_time)
        self._next_id += 1
        book = w.book
        book.placed += 1
        i = link.firm
        if w.trace is not None:
            w.trace.append((now, "placed", order.id, self.firms.ids[i]))
        cluster = self.cluster_of[i]
        if not cluster.active:
            return self._refuse(order, "inactive")
        caps, busy = self.firms.caps, self.busy
        process = caps.item(i, PROCESS)
        spokes = self.spokes[i]
        k = min(self.per_order[i], len(spokes))
        out = self.outsourcing[i] if k else 0.0
        own = qty * (1.0 - out)
        start = max(now, busy[i])
        own_ready = start + own / tech_fn.speed(self.capacity[i], process)
        queued = start > now
        latest = own_ready
        chosen: list[int] = []
        finishes: list[float] = []
        if k:
            sub_qty = qty * out / k
            turn = self._turn[i]
            spoke_process = 0.0
            for j in range(k):
                s = spokes[(turn + j) % len(spokes)]
                p_s = caps.item(s, PROCESS)
                spoke_process += p_s
                s_start = busy[s]
                if s_start > now:
                    queued = True
                else:
                    s_start = now
                done = s_start + sub_qty / tech_fn.speed(self.capacity[s], p_s)
                chosen.append(s)
                finishes.append(done)
                if done > latest:
                    latest = done
            order.process = (1.0 - out) * process + out * spoke_process / k
        else:
            order.process = process
        arrival = latest + tech.assembly_days + cluster.transit_days
        if arrival > order.due + tech.late_tolerance_days:
            return self._refuse(order, "capacity")

        book.accepted += 1
        if queued:
            book.queued += 1
        if w.trace is not None:
            w.trace.append((now, "queued" if queued else "accepted", order.id,
                            self.firms.ids[i]))
        busy[i] = own_ready
        order.own_ready = own_ready
        wage = cluster.wage
        w.ledger.firm_to_world("production", i, own * tech_fn.unit_cost(wage, process, tech))
        if not k:
            self._assemble(order)
            return None
        self._turn[i] = (self._turn[i] + k) % len(spokes)
        order.pending = k
        margin = 1.0 + tech.supplier_margin
        for s, done in zip(chosen, finishes, strict=True):
            busy[s] = done
            s_cost = tech_fn.unit_cost(wage, caps.item(s, PROCESS), tech)
            w.ledger.firm_to_world("production", s, sub_qty * s_cost)
            book.sub_placed += 1
            if w.trace is not None:
                w.trace.append((now, "sub_placed", order.id, self.firms.ids[s]))
            env.timeout(done - now, SubOrder(order, s, sub_qty, s_cost * margin)
                        ).callbacks.append(self._sub_done)
        return None

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
        sub: SubOrder = event.value
        order = sub.order
        lead = order.link.firm
        w = self.w
        w.book.sub_done += 1
        if w.trace is not None:
            w.trace.append((self.env.now, "sub_done", order.id, self.firms.ids[sub.spoke]))
        value = sub.qty * sub.price
        w.ledger.firm_to_firm("spoke_payment", lead, sub.spoke, value)
        f = self.firms
        f.units_period[sub.spoke] += sub.qty
        f.units_year[sub.spoke] += sub.qty
        f.revenue_period[sub.spoke] += value
        f.revenue_year[sub.spoke] += value
        order.pending -= 1
        if order.pending == 0:
            self._assemble(order)

    def _assemble(self, order: Order) -> None:
        """All parts are in: assemble, inspect (rework what inspection catches), then ship."""
        now = self.env.now
        i = order.link.firm
        process = order.process
        prevented = self.w.effects[order.link.governance].failure_prevention
        rng = self.w.streams.get(self.firms.ids[i], "inspection")
        delay = max(order.own_ready - now, 0.0) + self.tech.assembly_days
        if rng.random() < tech_fn.defect_probability(process, self.tech) * (1.0 - prevented):
            if rng.random() < tech_fn.detection(process):
                delay += self.tech.assembly_days  # rework
                self.w.ledger.firm_to_world("rework", i, 0.1 * order.qty * order.price)
            else:
                order.defective = True
        self.env.timeout(float(delay), order).callbacks.append(self._ship)

    def _ship(self, event) -> None:
        order: Order = event.value
        w = self.w
        w.book.shipped += 1
        i = order.link.firm
        if w.trace is not None:
            w.trace.append((self.env.now, "shipped", order.id, self.firms.ids[i]))
        cluster = self.cluster_of[i]
        rng = w.streams.get(self.firms.ids[i], "transit")
        transit = cluster.transit_days * float(rng.lognormal(0.0, 0.15))
        w.ledger.firm_to_world("transport", i, order.qty * cluster.transport_cost)
        self.env.timeout(transit, order).callbacks.append(self._arrive)

    def _arrive(self, event) -> None:
        order: Order = event.value
        self.w.buyers[order.link.buyer].inspect(order)

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
