"""The journal: one channel for what happens in the chain, told once, in the paper's words.

Agents tell the journal that an order was placed, accepted, queued or refused, that a
sub-order was placed with a spoke and done, that an order was shipped, delivered or failed
inspection, that money was paid and that someone decided something. Nothing else records.
The sinks aggregate what they are told: the order book counts orders by stage, the ledger
moves money between accounts, the period flows and the firms' and links' sales sums tally
the running period, the decision log and event tables keep the decisions with their
numbers, and the trace (off unless a test or a tool turns it on) keeps every entry.
Results read the sinks; the calendar closes a period (`close_period`, `close_year`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NamedTuple

from chainsim.journal.book import OrderBook
from chainsim.journal.ledger import BUYERS, FIRMS, OUTSIDE, WORLD, Account, Ledger
from chainsim.journal.tallies import DecisionLog, EventTables, PeriodFlows

if TYPE_CHECKING:
    import simpy

    from chainsim.agents.firms import FirmTable
    from chainsim.agents.links import Link
    from chainsim.agents.orders import Order


class Entry(NamedTuple):
    """One traced entry: when, what, which order (-1 for none), who, and the numbers."""

    time: float
    event: str
    order: int
    agent: str
    numbers: dict[str, Any] | None = None


class Journal:
    """What happened, told to the sinks that aggregate it."""

    def __init__(self, env: simpy.Environment, firms: FirmTable, buyer_ids: list[str],
                 n_clusters: int):
        self.env = env
        self.firms = firms
        self.buyer_ids = buyer_ids
        self.book = OrderBook()
        self.ledger = Ledger(firms.cash, len(buyer_ids))
        self._books, self._totals = self.ledger.books, self.ledger.totals
        # The order path's payments move money between these directly (see `paid`).
        self._cash, self._buyer_cash = self._books[FIRMS], self._books[BUYERS]
        self._world = self._books[OUTSIDE]
        self.flows = PeriodFlows(n_clusters, len(buyer_ids))
        # ... and add to these sums (lists the firm table and the flows change in place).
        self._owed, self._made = firms.owed, firms.made_year
        self._units = (firms.units_period, firms.units_year)
        self._revenue = (firms.revenue_period, firms.revenue_year)
        cflows, bflows = self.flows.cluster, self.flows.buyer
        self._cluster_sold = tuple(cflows[k] for k in ("units", "value", "delivered",
                                                        "retail_value"))
        self._buyer_bought = tuple(bflows[k] for k in ("units", "value", "delivered"))
        self.decisions = DecisionLog()
        self.tables = EventTables()
        self.trace: list[Entry] | None = None  # a list to keep every entry

    def _note(self, event: str, order: int, agent: str, numbers: dict | None = None) -> None:
        assert self.trace is not None
        self.trace.append(Entry(self.env.now, event, order, agent, numbers))

    # -- orders at a lead firm -------------------------------------------------------------

    def placed(self, order: Order) -> None:
        self.book.placed += 1
        order.link.placed += 1
        if self.trace is not None:
            self._note("placed", order.id, self.firms.ids[order.link.firm])

    def refused(self, order: Order, reason: str, cluster: int,
                short: tuple[tuple[int, float], ...] = ()) -> None:
        """Refused; for want of capacity, `short` holds each firm whose queue was too long
        (the lead firm, its spokes) with the work it turned away."""
        for firm, units in short:
            self.firms.refused_year[firm] += units
        book = self.book
        book.refused += 1
        book.refused_by_reason[reason] += 1
        order.link.refused += 1
        self.flows.cluster["refused"][cluster] += 1
        if self.trace is not None:
            self._note(f"refused:{reason}", order.id, self.firms.ids[order.link.firm])

    def accepted(self, order: Order, queued: bool, units: float = 0.0,
                 cost: float = 0.0) -> None:
        """Accepted, the lead firm making `units` itself and paying `cost` to make them now
        (a `paid` of kind production); the buyer now owes it the order's value, until
        inspection pays it or books a failure."""
        i = order.link.firm
        self._made[i] += units
        self._owed[i] += order.qty * order.price
        book = self.book
        book.accepted += 1
        if queued:
            book.queued += 1
        if self.trace is not None:
            self._note("queued" if queued else "accepted", order.id, self.firms.ids[i])
            self._paid_note("production", (FIRMS, i), WORLD, cost)
        self._cash[i] -= cost
        self._world[0] += cost
        self._totals["production"] += cost

    def sub_placed(self, order: Order, spoke: int, units: float = 0.0,
                   payment: float = 0.0, cost: float = 0.0) -> None:
        """A spoke makes `units` of the order, paying `cost` to make them now (a `paid` of
        kind production); the lead firm will owe it `payment`."""
        if self.trace is not None:
            self._paid_note("production", (FIRMS, spoke), WORLD, cost)
        self._cash[spoke] -= cost
        self._world[0] += cost
        self._totals["production"] += cost
        self._made[spoke] += units
        self._owed[spoke] += payment
        self.book.sub_placed += 1
        if self.trace is not None:
            self._note("sub_placed", order.id, self.firms.ids[spoke])

    def parts_placed(self, order: Order, costs: list[float]) -> None:
        """The order's sub-orders placed with its spokes (`order.parts`, each spoke with
        the payment it will be owed, `order.part_qty` units each), each spoke paying its
        `costs` entry to make its part now: a `sub_placed` for each, recorded as
        `sub_placed` records them (inlined: it runs for every sub-order)."""
        parts, qty = order.parts, order.part_qty
        assert parts is not None
        if self.trace is not None:
            for (spoke, payment), cost in zip(parts, costs, strict=True):
                self.sub_placed(order, spoke, qty, payment, cost)
            return
        cash, world, made, owed = self._cash, self._world, self._made, self._owed
        totals = self._totals
        for (spoke, payment), cost in zip(parts, costs, strict=True):
            cash[spoke] -= cost
            world[0] += cost
            totals["production"] += cost
            made[spoke] += qty
            owed[spoke] += payment
        self.book.sub_placed += len(parts)

    def sub_done(self, order: Order, spoke: int, qty: float, payment: float) -> None:
        """A spoke delivered its part to the lead firm and is paid `payment` for it (a
        `paid` of kind spoke_payment)."""
        cash, lead = self._cash, order.link.firm
        if self.trace is not None:
            self._paid_note("spoke_payment", (FIRMS, lead), (FIRMS, spoke), payment)
        cash[lead] -= payment
        cash[spoke] += payment
        self._totals["spoke_payment"] += payment
        self.book.sub_done += 1
        self._owed[spoke] -= payment
        self._sold(spoke, qty, payment)
        if self.trace is not None:
            self._note("sub_done", order.id, self.firms.ids[spoke])

    def parts_done(self, order: Order) -> None:
        """The lead firm took delivery of every part of the order (`order.parts`, each
        spoke with its payment, `order.part_qty` units each) as it assembled it: a
        `sub_done` for each, in the order the parts were placed, recorded as `sub_done`
        records them (inlined: it runs for every sub-order)."""
        parts, qty = order.parts, order.part_qty
        assert parts is not None
        if self.trace is not None:
            for spoke, payment in parts:
                self.sub_done(order, spoke, qty, payment)
            return
        cash, lead, owed, totals = self._cash, order.link.firm, self._owed, self._totals
        units_period, units_year = self._units
        revenue_period, revenue_year = self._revenue
        for spoke, payment in parts:
            cash[lead] -= payment
            cash[spoke] += payment
            totals["spoke_payment"] += payment
            owed[spoke] -= payment
            units_period[spoke] += qty
            units_year[spoke] += qty
            revenue_period[spoke] += payment
            revenue_year[spoke] += payment
        self.book.sub_done += len(parts)

    def shipped(self, order: Order, transport: float = 0.0) -> None:
        """Shipped; the lead firm pays `transport` (a `paid` of kind transport)."""
        self.book.shipped += 1
        i = order.link.firm
        if self.trace is not None:
            self._note("shipped", order.id, self.firms.ids[i])
            self._paid_note("transport", (FIRMS, i), WORLD, transport)
        self._cash[i] -= transport
        self._world[0] += transport
        self._totals["transport"] += transport

    # -- inspection on arrival --------------------------------------------------------------

    def failed(self, order: Order, cluster: int, lateness: float, shortfall: float,
               loss: float = 0.0, penalty: float = 0.0) -> None:
        """The shipment failed inspection: the buyer books its `loss` (paid to the world,
        kind failure_loss) and charges the supplier a `penalty` (kind penalty)."""
        book = self.book
        if lateness > 0:
            book.late += 1
        book.failed += 1
        f = self.firms
        f.inspected_year[order.link.firm] += 1
        f.failed_year[order.link.firm] += 1
        f.owed[order.link.firm] -= order.qty * order.price
        buyer = order.link.buyer
        self.flows.cluster["failed"][cluster] += 1
        self.flows.buyer["failed"][buyer] += 1
        if self.trace is not None:
            self._note("failed", order.id, self.buyer_ids[buyer],
                       {"lateness": lateness, "shortfall": shortfall,
                        "defective": order.defective})
            self._paid_note("failure_loss", (BUYERS, buyer), WORLD, loss)
        buyer_cash, totals = self._buyer_cash, self._totals
        buyer_cash[buyer] -= loss
        self._world[0] += loss
        totals["failure_loss"] += loss
        if self.trace is not None:
            self._paid_note("penalty", (FIRMS, order.link.firm), (BUYERS, buyer), penalty)
        self._cash[order.link.firm] -= penalty
        buyer_cash[buyer] += penalty
        totals["penalty"] += penalty

    def delivered(self, order: Order, cluster: int, lateness: float, value: float,
                  retail: float) -> None:
        """The buyer accepted the shipment: it sells it on (`retail`, paid by the world,
        kind retail_sales) and pays the firm `value` (kind buyer_payment); what the firm,
        the link, its cluster and the buyer sold and bought this period and year."""
        link = order.link
        i, b, qty = link.firm, link.buyer, order.qty
        buyer_cash, totals = self._buyer_cash, self._totals
        if self.trace is not None:
            self._paid_note("retail_sales", WORLD, (BUYERS, b), retail)
        self._world[0] -= retail
        buyer_cash[b] += retail
        totals["retail_sales"] += retail
        if self.trace is not None:
            self._paid_note("buyer_payment", (BUYERS, b), (FIRMS, i), value)
        buyer_cash[b] -= value
        self._cash[i] += value
        totals["buyer_payment"] += value
        book = self.book
        if lateness > 0:
            book.late += 1
        book.delivered += 1
        self._sold(i, qty, value)
        f = self.firms
        f.inspected_year[i] += 1
        self._owed[i] -= value
        link.units_period += qty
        link.value_period += value
        link.revenue_year += value
        if link.own_collection:
            f.own_design_units_period[i] += qty
        units, sold, delivered, retail_value = self._cluster_sold
        units[cluster] += qty
        sold[cluster] += value
        delivered[cluster] += 1
        retail_value[cluster] += retail
        units, bought, delivered = self._buyer_bought
        units[b] += qty
        bought[b] += value
        delivered[b] += 1
        if link.origin == "scouting":
            self.flows.cluster["scouted_units"][cluster] += qty
            self.flows.buyer["scouted_units"][b] += qty
        if self.trace is not None:
            self._note("delivered", order.id, self.buyer_ids[b],
                       {"lateness": lateness, "value": value})

    # -- money and decisions ------------------------------------------------------------------

    def _sold(self, firm: int, qty: float, value: float) -> None:
        """A firm's units and revenue of the period and the year (a spoke's part paid, a
        lead firm's delivery accepted)."""
        units_period, units_year = self._units
        units_period[firm] += qty
        units_year[firm] += qty
        revenue_period, revenue_year = self._revenue
        revenue_period[firm] += value
        revenue_year[firm] += value

    def paid(self, kind: str, payer: Account, payee: Account, amount: float) -> None:
        """Money moved from payer to payee (`Ledger.transfer`, inlined: it runs several
        times per order). The order path's own payments (production, spoke payments,
        transport, the buyer's payment, loss and penalty) are made by the order methods
        above, each traced as the same `paid` entry and moving the same sums in the same
        order, one call fewer per payment."""
        books, amount = self._books, float(amount)  # a numpy scalar would stay in the cash
        if self.trace is not None:
            self._paid_note(kind, payer, payee, amount)
        books[payer[0]][payer[1]] -= amount
        books[payee[0]][payee[1]] += amount
        self._totals[kind] += amount

    def _paid_note(self, kind: str, payer: Account, payee: Account, amount: float) -> None:
        self._note("paid", -1, kind, {"payer": payer, "payee": payee, "amount": amount,
                                      "payer_cash": float(self._books[payer[0]][payer[1]])})

    def cooperated(self, cluster: int, bilateral: float = 0.0, multilateral: float = 0.0
                   ) -> None:
        """Capability passed on to a cluster's firms: by a buyer or a lead firm to its own
        suppliers (bilateral, vertical co-operation) or by collective action of the cluster
        (multilateral: a funded project, the technology centre). H&S 2.1."""
        flows = self.flows.cluster
        flows["bilateral"][cluster] += bilateral
        flows["multilateral"][cluster] += multilateral
        if self.trace is not None:
            self._note("cooperated", -1, str(cluster),
                       {"bilateral": bilateral, "multilateral": multilateral})

    def decided(self, kind: str, agent: str, rule: str, made: Any = None, /,
                **numbers: Any) -> None:
        """A decision of `kind` by `agent` under `rule`, with the numbers behind it and,
        after them, those of the rule's decision `made` (its `record()`). A run that keeps
        no rows and no trace (an evidence replication) only counts it: `record()` is then
        never called, since a 20-buyer run makes some 70,000 decisions."""
        log = self.decisions
        if not log.keep_rows and self.trace is None:
            log.counts[kind] += 1
            return
        if made is not None:
            numbers = {**numbers, **made.record()}
        log.add(self.env.now, kind, agent, rule, **numbers)
        if self.trace is not None:
            self._note("decided", -1, agent, {"kind": kind, "rule": rule, **numbers})

    def voted(self, cluster: int, firm: int, rule: str, share: float, reaction: float,
              vote: Any) -> None:
        """A lead firm's vote on a repositioning project (H&S 5): the rule's decision, with
        the main buyer's share of the firm's sales and its chance of reacting."""
        self.decided("vote", self.firms.ids[firm], rule, vote, main_buyer_share=share,
                     reaction_probability=reaction)
        self.tables.votes.append((self.env.now, cluster, firm, vote.back, share,
                                  vote.expected_gain, vote.expected_loss))

    def project_put(self, cluster: int, cluster_id: str, rule: str, support: float,
                    threshold: float, funded: bool, backers: int, voters: int,
                    influential_support: float = float("nan"),
                    influential: list[str] | None = None) -> None:
        """A project put to the vote: the support by output, and among the influential
        exporters (nan and none when the scenario names none)."""
        self.decided("project", cluster_id, rule, support=support, threshold=threshold,
                     funded=funded, backers=backers, influential_support=influential_support,
                     influential=influential or [])
        self.tables.projects.append((self.env.now, cluster, support, funded, backers, voters))

    def exhibited(self, fair: str, firm: int, cluster: int, rule: str, decision: Any) -> None:
        """A lead firm took a stand at a fair: the rule's decision, with the stand's cost,
        the contacts' expected worth and the withdrawal it expects (H&S 4.2-4.3)."""
        self.decided("fair_entry", self.firms.ids[firm], rule, decision, fair=fair)
        self.tables.exhibitions.append((self.env.now, fair, firm, cluster, decision.cost,
                                        decision.expected_gain, decision.expected_loss))

    def fair_held(self, fair: str, exhibitors: list[int], total: int) -> None:
        """A fair closed: its exhibitors per cluster (index) and in all."""
        for cluster, n in enumerate(exhibitors):
            self.tables.fairs.append({"time": self.env.now, "fair": fair, "cluster": cluster,
                                      "exhibitors": n, "total": total})

    # -- the calendar closes periods -------------------------------------------------------------

    def close_period(self, links: list[Link]) -> None:
        """Period sums start again (the recorder has read them)."""
        self.flows.reset()
        self.firms.new_period()
        for link in links:
            link.units_period = 0.0
            link.value_period = 0.0

    def close_year(self, links: list[Link]) -> None:
        """The running year's sales become last year's; year sums start again."""
        self.firms.new_year()
        for link in links:
            link.revenue_last = link.revenue_year
            link.revenue_year = 0.0
