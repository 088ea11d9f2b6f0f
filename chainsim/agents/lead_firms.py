"""Lead firms: the life of an order in a cluster, read top to bottom.

H&S 4.1-4.2: export orders go to the lead firms of a hub-and-spoke cluster, who make part
themselves and subcontract the rest to their spoke suppliers; they organise "their own
local supply chains" and ship to the buyer, who inspects on arrival. Here a lead firm

1. accepts an order within its capacity, queueing it behind earlier work, or refuses it
   with the reason (`receive`, `_accept`);
2. subcontracts sub-orders to the next spokes of its rotation (`_subcontract`);
3. assembles once every part is in, its own and the spokes', taking delivery of the
   spokes' parts and paying for them together (`_assembled`);
4. inspects, reworking what inspection catches (`_assembled`);
5. ships; transit takes time, and the buyer inspects on arrival (`_send`, `_arrive`).

Lean by design: an order costs two SimPy events whatever its sub-orders (assembly done,
arrival), three when inspection sends it back for rework, so an order with three
sub-orders costs two events for four order items. Every part's finish is known when the
order is accepted (each firm's work is a schedule), and assembly waits for the last of
them, so the order's one event before shipping is at the end of its assembly: the spokes
are paid then, for every part (docs/model.md, the order path). Capacity is a schedule
(`busy`, the day each firm's queue of accepted work ends), not a SimPy resource: work is
sequential per firm and a queue is a later start.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

import numpy as np

from chainsim import technology as tech_fn
from chainsim.agents.allocation import INF, SeasonShares
from chainsim.agents.orders import Order
from chainsim.engine.due import Due
from chainsim.journal import WORLD, firm_account
from chainsim.randomness import Streams, lognormal_draws, uniform_draws
from chainsim.technology import PROCESS, PRODUCT

if TYPE_CHECKING:
    import simpy

    from chainsim.agents.firms import FirmTable
    from chainsim.agents.links import Link, Links
    from chainsim.agents.roles import Customer, Site
    from chainsim.journal import Journal
    from chainsim.scenario.model import GovernanceEffects, Technology

TRANSIT_SIGMA = 0.15  # spread of transit times: lognormal, median the cluster's transit days


class Batch:
    """What a batch of like orders on one link shares: everything acceptance depends on but
    an order's own place in the queue, read once (the firm's capabilities and costs, its
    spokes' speeds, costs and payments, the wage, the due date)."""

    __slots__ = ("firm", "cluster", "refusal", "process", "own", "own_days", "own_cost", "k",
                 "out", "spokes", "spoke_process", "spoke_days", "spend", "pay", "picks",
                 "sub_qty", "deadline", "due", "short", "now", "assembly", "transit",
                 "own_weight")


class LeadFirms:
    """Lead firms and their spokes turning buyers' orders into shipments."""

    def __init__(self, env: simpy.Environment, firms: FirmTable, spokes: list[list[int]],
                 clusters: list[Site], buyers: list[Customer],
                 effects: dict[str, GovernanceEffects], tech: Technology, streams: Streams,
                 journal: Journal, *, links: Links, allocation: tuple[str, Callable],
                 season_days: float):
        self.env = env
        self.firms = firms
        self.spokes = spokes
        self.buyers = buyers  # filled by the world once the buyers exist
        self.effects = effects
        self.tech = tech
        self.streams = streams
        self.journal = journal
        self.accounts = [firm_account(i) for i in range(len(firms))]
        self.cluster_of = [clusters[c] for c in firms.cluster_of]
        # Read on every order, so held as Python lists: a list read is several times faster
        # than a numpy scalar read, and event times stay plain floats in SimPy's queue.
        self.busy = firms.busy_until
        self.capacity = firms.capacity_of  # live: growth resizes it (FirmTable.resize)
        self.outsourcing = firms.outsourcing.tolist()
        self.per_order = firms.spokes_per_order.tolist()
        self.turn = [0] * len(firms)  # each lead firm's next spoke position
        self.orders_made = 0
        self._rotation: list[list[tuple[int, ...]] | None] = [None] * len(firms)
        # Per firm, its inspection and transit draws, read one number at a time.
        self._inspection: list[Iterator[float] | None] = [None] * len(firms)
        self._transit: list[Iterator[float] | None] = [None] * len(firms)
        # Each season a firm selling into several chains shares its capacity among them.
        # Bound once: the order path hands them to SimPy on every event (engine/due.py).
        self._on_assembled, self._on_ship = (self._assembled,), (self._ship,)
        self._on_arrive = (self._arrive,)
        self._prevention = {g: e.failure_prevention for g, e in effects.items()}
        self.shares = SeasonShares(self, links, buyers, allocation[1], allocation[0],
                                   season_days, journal)

    # -- 1. acceptance --------------------------------------------------------------------

    def receive(self, link: Link, qty: float, price: float, lead_time: float,
                n: int = 1) -> None:
        """A buyer places `n` like orders with a lead firm; it accepts, queues or refuses
        each in turn, exactly as if they came one by one. A refused order changes no
        schedule, so once one is refused for capacity the rest of the batch is too. Orders
        beyond the link's quota for the season, where the firm had to share its capacity
        among its chains (`SeasonShares`), are refused for "allocation"."""
        # Python floats from here on: a buyer's shares and prices are often numpy scalars,
        # whose arithmetic costs several times a float's (same IEEE results).
        qty, price, lead_time = float(qty), float(price), float(lead_time)
        journal, now = self.journal, self.env.now
        batch = self._batch(link, qty, lead_time, n)
        quota = self.shares.quota(link)
        fits = n if quota >= qty * n else min(n, int(quota / qty + 1e-9))
        for k in range(n):
            order = Order(self.orders_made, link, qty, price, now, batch.due)
            self.orders_made += 1
            journal.placed(order)
            if k == fits and batch.refusal is None:
                # Turned away for want of capacity too (the firm's own, demography).
                batch.refusal, batch.short = "allocation", ((batch.firm, batch.own),)
            if batch.refusal is None and not self._accept(order, batch):
                batch.refusal = "capacity"
            if batch.refusal is not None:
                journal.refused(order, batch.refusal, batch.cluster.index, batch.short)
        if quota != INF:
            link.quota = quota - fits * qty

    def _batch(self, link: Link, qty: float, lead_time: float, n: int) -> Batch:
        """Read a batch's constants once. Only the spoke positions the batch can reach are
        filled, so a lead firm with many spokes and one order computes k of them."""
        b = Batch()
        tech, i = self.tech, link.firm
        b.firm, b.cluster = i, self.cluster_of[i]
        b.now = self.env.now
        b.assembly, b.transit = tech.assembly_days, b.cluster.transit_days
        b.due = b.now + lead_time
        b.deadline = b.due + tech.late_tolerance_days
        b.refusal = None if b.cluster.active else "inactive"
        b.short = ()
        if b.refusal is not None:
            return b
        caps = self.firms.caps
        b.process = process = caps.item(i, PROCESS)
        b.spokes = spokes = self.spokes[i]
        n_spokes = len(spokes)
        b.k = k = min(self.per_order[i], n_spokes)
        b.out = out = self.outsourcing[i] if k else 0.0
        b.own = own = qty * (1.0 - out)
        b.own_days = own / tech_fn.speed(self.capacity[i], process)
        wage = b.cluster.wage
        b.own_cost = own * tech_fn.unit_cost(wage, process, tech)
        b.own_weight = (1.0 - out) * process
        if not k:
            return b
        b.sub_qty = sub_qty = qty * out / k
        margin = 1.0 + tech.supplier_margin
        b.spoke_process = [0.0] * n_spokes
        b.spoke_days, b.spend, b.pay = [0.0] * n_spokes, [0.0] * n_spokes, [0.0] * n_spokes
        first = self.turn[i]
        for step in range(min(n * k, n_spokes)):
            j = (first + step) % n_spokes
            p = b.spoke_process[j] = caps.item(spokes[j], PROCESS)
            b.spoke_days[j] = sub_qty / tech_fn.speed(self.capacity[spokes[j]], p)
            cost = tech_fn.unit_cost(wage, p, tech)
            b.spend[j] = sub_qty * cost
            b.pay[j] = sub_qty * (cost * margin)
        b.picks = self._picks(i, k)
        return b

    def _accept(self, order: Order, b: Batch) -> bool:
        """Accept the order if it can reach the buyer in time behind the work already
        queued at the firm and at the spokes it would ask; else leave it for refusal."""
        now, busy, i = b.now, self.busy, b.firm
        start = busy[i]
        queued = start > now
        own_ready = (start if queued else now) + b.own_days
        latest = own_ready
        finishes: list[float] = []
        if b.k:
            turn = self.turn[i]
            chosen = b.picks[turn]
            spokes, days, process = b.spokes, b.spoke_days, b.spoke_process
            spoke_sum = 0.0
            for j in chosen:
                spoke_sum += process[j]
                s_start = busy[spokes[j]]
                if s_start > now:
                    queued = True
                else:
                    s_start = now
                done = s_start + days[j]
                finishes.append(done)
                if done > latest:
                    latest = done
            order.process = b.own_weight + b.out * spoke_sum / b.k
        else:
            order.process = b.process
        if latest + b.assembly + b.transit > b.deadline:
            self._short(b, own_ready, finishes)
            return False
        self.journal.accepted(order, queued, b.own, b.own_cost)
        busy[i] = own_ready
        if b.k:
            self._subcontract(order, b, turn, chosen, finishes)
        # Assembly starts when the last part is in (`latest`: the firm's own or a spoke's).
        Due(self.env, latest - now + b.assembly, self._on_assembled, order)
        return True

    def _short(self, b: Batch, own_ready: float, finishes: list[float]) -> None:
        """The firms whose queues kept the order from reaching the buyer in time, each
        with the work it turned away: the lead firm's own part, a spoke's part, or both
        (H&S 4.2: the volumes buyers look for are what makes firms grow,
        rules/demography.py)."""
        limit = b.deadline - self.tech.assembly_days - b.cluster.transit_days
        short = [(b.firm, b.own)] if own_ready > limit else []
        if finishes:
            chosen = b.picks[self.turn[b.firm]]
            short += [(b.spokes[j], b.sub_qty) for j, done in zip(chosen, finishes, strict=True)
                      if done > limit]
        b.short = tuple(short)

    def _picks(self, firm: int, k: int) -> list[tuple[int, ...]]:
        """For each turn of a lead firm's rotation, the positions of the k spokes it asks
        (cached; rebuilt should the firm's spokes or spokes per order ever change)."""
        picks = self._rotation[firm]
        n = len(self.spokes[firm])
        if picks is None or len(picks) != n or len(picks[0]) != k:
            picks = self._rotation[firm] = [tuple((t + j) % n for j in range(k))
                                            for t in range(n)]
        return picks

    # -- 2. subcontracting to spokes ---------------------------------------------------------

    def _subcontract(self, order: Order, b: Batch, turn: int, chosen: tuple[int, ...],
                     finishes: list[float]) -> None:
        """Give the next k spokes of the rotation their parts (H&S 4.1: "many small firms
        providing products and services for a few large local lead firms"); each spoke
        pays for making its part now and is paid by the lead firm when the order is
        assembled (`_assembled`)."""
        busy, spokes, spend, pay = self.busy, b.spokes, b.spend, b.pay
        self.turn[b.firm] = (turn + b.k) % len(spokes)
        parts, costs = [], []
        for j, done in zip(chosen, finishes, strict=True):
            s = spokes[j]
            busy[s] = done
            parts.append((s, pay[j]))
            costs.append(spend[j])
        order.parts, order.part_qty = parts, b.sub_qty
        self.journal.parts_placed(order, costs)

    # -- 3-4. assembly and inspection -----------------------------------------------------------

    def _assembled(self, event: Due) -> None:
        """Every part is in and the order assembled: the lead firm has taken delivery of its
        spokes' parts and pays for them all, then inspects (rework what inspection
        catches: another round of assembly) and ships. Governance that prevents failures
        (a buyer's on-site inspection, H&S 4.2) averts a share of the defects before they
        happen. H&S 4.1: the lead firms organise "their own local supply chains"; a
        spoke's part is worth nothing to it but as part of the lead firm's order, so the
        order is the unit of delivery and payment (docs/model.md, the order path)."""
        order: Order = event.value
        i, tech = order.link.firm, self.tech
        if order.parts:
            self.journal.parts_done(order)
        prevented = self._prevention[order.link.governance]
        draw = self._inspection[i] or self._draws(self._inspection, i, "inspection")
        if next(draw) < tech_fn.defect_probability(order.process, tech) * (1.0 - prevented):
            if next(draw) < tech_fn.detection(order.process):
                self.journal.paid("rework", self.accounts[i], WORLD,
                                  0.1 * order.qty * order.price)
                Due(self.env, tech.assembly_days, self._on_ship, order)  # rework
                return
            order.defective = True
        self._send(order)

    # -- 5. shipping and arrival ------------------------------------------------------------------

    def _ship(self, event: Due) -> None:
        """A reworked order is reassembled: ship it."""
        self._send(event.value)

    def _send(self, order: Order) -> None:
        i = order.link.firm
        cluster = self.cluster_of[i]
        self.journal.shipped(order, order.qty * self.buyers[order.link.buyer].transport(cluster))
        draw = self._transit[i] or self._draws(self._transit, i, "transit", _transit_draws)
        Due(self.env, cluster.transit_days * next(draw), self._on_arrive, order)

    def _arrive(self, event: Due) -> None:
        order: Order = event.value
        self.buyers[order.link.buyer].inspect(order)

    def _draws(self, cache: list, firm: int, purpose: str,
               draws: Callable[[np.random.Generator], Iterator[float]] = uniform_draws
               ) -> Iterator[float]:
        """The firm's stream for `purpose`, read one number at a time (created on first use)."""
        cache[firm] = draws(self.streams.get(self.firms.ids[firm], purpose))
        return cache[firm]

    def season_capacity(self, firm: int, lead_time: float) -> float:
        """Units of orders placed now with this lead time that the firm could still
        accept: its own share fits its schedule until the orders must leave for assembly
        and transit, and the slowest of its spokes, which the rotation gives an equal part
        of every order, fits its own."""
        now, tech, busy = float(self.env.now), self.tech, self.busy
        end = (now + lead_time + tech.late_tolerance_days - tech.assembly_days
               - self.cluster_of[firm].transit_days)
        caps, spokes = self.firms.caps, self.spokes[firm]
        k = min(self.per_order[firm], len(spokes))
        out = self.outsourcing[firm] if k else 0.0
        own = max(0.0, end - max(float(busy[firm]), now)) * tech_fn.speed(
            self.capacity[firm], caps.item(firm, PROCESS))
        units = own / (1.0 - out) if out < 1.0 else INF
        if k and out > 0.0:
            slowest = min(max(0.0, end - max(float(busy[s]), now))
                          * tech_fn.speed(self.capacity[s], caps.item(s, PROCESS))
                          for s in spokes)
            units = min(units, len(spokes) * slowest / out)
        return units

    # -- a firm leaves -----------------------------------------------------------------------------

    def release(self, firm: int) -> int:
        """A firm exits (agents/demography.py). A spoke stops receiving sub-orders; a lead
        firm's spokes that no other lead firm in business uses go to those of its cluster
        that subcontract, the one with fewest spokes first (H&S 4.1: the spokes serve "a
        few large local lead firms"). Returns the lead firms left or the spokes moved."""
        f = self.firms
        leads = np.flatnonzero((f.cluster == f.cluster[firm]) & f.lead & f.alive
                               & (f.spokes_per_order > 0)).tolist()
        return self._drop_spoke(firm, leads) if not f.lead[firm] else self._deal(firm, leads)

    def _drop_spoke(self, spoke: int, leads: list[int]) -> int:
        spokes, left = self.spokes, [i for i in leads if spoke in self.spokes[i]]
        for i in left:
            spokes[i] = [s for s in spokes[i] if s != spoke]
            self.turn[i] = self.turn[i] % len(spokes[i]) if spokes[i] else 0
        return len(left)

    def _deal(self, lead: int, leads: list[int]) -> int:
        if not leads:
            return 0
        spokes = self.spokes
        served = {s for i in leads for s in spokes[i]}
        orphans = [s for s in spokes[lead] if s not in served and self.firms.alive[s]]
        for s in orphans:
            fewest = min(leads, key=lambda i: (len(spokes[i]), i))
            spokes[fewest] = [*spokes[fewest], s]
        return len(orphans)

    # -- what buyers see of a lead firm ---------------------------------------------------------

    def chain_process(self, firm: int) -> float:
        """Process capability of what a lead firm ships: its own share and its spokes'
        (their mean, summed in order on Python floats)."""
        caps = self.firms.caps
        own = caps.item(firm, PROCESS)
        spokes = self.spokes[firm]
        if not spokes or self.per_order[firm] == 0:
            return own
        share = self.outsourcing[firm]
        return (1.0 - share) * own + share * (sum([caps.item(s, PROCESS) for s in spokes])
                                              / len(spokes))

    def failure_probability(self, firm: int, requirement: tuple[float, float]) -> float:
        """The model's chance an order from this firm fails the buyer's inspection at the
        buyer's (quality, process) requirement: what it ships, and whether the firm's own
        organisation of production delivers at the speed and batch asked."""
        caps = self.firms.caps
        own = caps.item(firm, PROCESS)
        shipped = tech_fn.failure_probability(self.chain_process(firm), caps.item(firm, PRODUCT),
                                              requirement[0], tech_fn.detection(own), self.tech)
        late = tech_fn.process_shortfall_probability(own, requirement[1], self.tech)
        return 1.0 - (1.0 - shipped) * (1.0 - late)


def _transit_draws(rng: np.random.Generator) -> Iterator[float]:
    return lognormal_draws(rng, TRANSIT_SIGMA)
