"""Firms that grow with their orders and leave when they keep failing or losing money.

At each year end (engine/calendar.py) the firms of open clusters still in business weigh
the year: one whose orders pressed on its capacity, and that can pay, adds capacity (the
capex paid to the world); one that stood idle sheds some (H&S 4.2: "The external buyers
looked for much larger volumes of standardised products, which led to the growth of
large firms"). A firm that lost money below its credit line, or failed so many orders that
its buyers left, year-end after year-end, exits (H&S 2.2, Gibbon: integration "accompanied
by the exclusion of others"): its links end, it no longer exports, exhibits, votes,
learns or invests, and its spokes go on working for the other lead firms. The rules are
in rules/demography.py; this module reads the firm table into their views and carries
out what they decide, telling the journal.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from chainsim import technology as tech_fn
from chainsim.journal import WORLD, firm_account
from chainsim.rules.demography import (
    ExitView,
    GrowthView,
    exit_when_failing,
    grow_with_orders,
    in_a_row,
)
from chainsim.technology import PROCESS, YEAR

if TYPE_CHECKING:
    from chainsim.agents.clusters import ClusterAgent
    from chainsim.agents.firms import FirmTable
    from chainsim.agents.lead_firms import LeadFirms
    from chainsim.agents.links import Links
    from chainsim.journal import Journal
    from chainsim.scenario.model import Technology


class Demography:
    """The year-end growth, shrinkage and exit of the firms of every open cluster."""

    def __init__(self, firms: FirmTable, links: Links, lead_firms: LeadFirms,
                 clusters: list[ClusterAgent], tech: Technology, journal: Journal):
        self.firms, self.links, self.lead_firms = firms, links, lead_firms
        self.clusters, self.tech, self.journal = clusters, tech, journal
        self.worth_last = self.worth()  # at the last year end

    def worth(self) -> np.ndarray:
        """Each firm's cash and what it is owed for orders made and not yet paid: the
        money it has sunk in work in progress is not a loss (buyers pay on arrival)."""
        f = self.firms
        return (np.fromiter(f.cash, dtype=np.float64, count=len(f))
                + np.fromiter(f.owed, dtype=np.float64, count=len(f)))

    def year_end(self) -> None:
        """Grow or shrink, then leave, on the year just ended (before its sums reset)."""
        f = self.firms
        open_ = np.array([c.active for c in self.clusters], dtype=bool)[f.cluster]
        rows = np.flatnonzero(open_ & f.alive)
        if len(rows):
            self.grow(rows, self.worth()[rows])
            self.leave(rows)
        self.worth_last = self.worth()

    # -- growth --------------------------------------------------------------------------

    def grow(self, rows: np.ndarray, worth: np.ndarray) -> None:
        """Each firm's utilisation decides its capacity for the coming year. It pays for
        new capacity out of what it is worth, its cash and what buyers owe it for orders
        made, plus the credit line: lenders finance machines against the order book, and
        a season's orders, placed as the year turns, have just drawn its cash down."""
        f, tech = self.firms, self.tech
        made = np.fromiter(f.made_year, dtype=np.float64, count=len(f))[rows]
        refused = np.fromiter(f.refused_year, dtype=np.float64, count=len(f))[rows]
        decision = grow_with_orders(GrowthView(
            capacity=f.capacity[rows], units_made=made, units_refused=refused,
            working_days=YEAR, speed=tech_fn.speed(1.0, f.caps[rows, PROCESS]),
            cash_available=worth + tech.credit_line, capex_per_unit=f.capex[rows],
            grow_above=tech.grow_above, grow_refused=tech.grow_refused,
            shrink_below=tech.shrink_below,
            growth=tech.growth_step, shrink=tech.shrink_step))
        changed = np.flatnonzero(decision.change != 0.0)
        for k in changed.tolist():
            i = int(rows[k])
            if decision.cost[k] > 0.0:
                self.journal.paid("capex", firm_account(i), WORLD, float(decision.cost[k]))
            self.journal.decided("capacity", f.ids[i], "grow_with_orders",
                                 units_made=float(made[k]), units_refused=float(refused[k]),
                                 **decision.record(k))
        f.resize(rows[changed], decision.capacity[changed])

    # -- exit ----------------------------------------------------------------------------

    def leave(self, rows: np.ndarray) -> None:
        """Count the year-ends of losses and of failing; the firms the rule lets go exit.

        A loss year ends with the firm's worth (cash and what it is owed) below the credit
        line and lower than a year before: negative cash alone is the working capital of
        orders on their way, and a firm that is gaining is not losing money."""
        f, tech = self.firms, self.tech
        worth = self.worth()[rows]
        below = (worth < -tech.credit_line) & (worth < self.worth_last[rows])
        f.years_below_credit[rows] = in_a_row(f.years_below_credit[rows], below)
        inspected = np.asarray(f.inspected_year, dtype=float)[rows]
        failed = np.asarray(f.failed_year, dtype=float)[rows]
        rate = np.divide(failed, inspected, out=np.zeros(len(rows)), where=inspected > 0.0)
        f.years_failing[rows] = in_a_row(f.years_failing[rows], rate > tech.exit_failure_rate)
        linked = np.zeros(len(f), dtype=bool)
        for link in self.links.all:
            if link.active:
                linked[link.firm] = True
        decision = exit_when_failing(ExitView(
            cash=worth, credit_line=tech.credit_line,
            years_below_credit=f.years_below_credit[rows], orders_year=inspected,
            failures_year=failed, has_links=linked[rows],
            years_failing=f.years_failing[rows], exit_years=tech.exit_after_years,
            failure_rate=tech.exit_failure_rate))
        for k in np.flatnonzero(decision.exit).tolist():
            self.exit(int(rows[k]), str(decision.reason[k]), float(rate[k]))

    def exit(self, i: int, reason: str, failure_rate: float) -> None:
        """The firm leaves: its links end, its cash is settled with the world (paid out to
        its owners, or its debt written off), its spokes serve the other lead firms."""
        f, journal = self.firms, self.journal
        f.alive[i] = False
        ended = 0
        for link in self.links.of_firm[i]:
            if link.active:
                link.active, link.share = False, 0.0
                ended += 1
        cash = float(f.cash[i])
        if cash > 0.0:
            journal.paid("exit", firm_account(i), WORLD, cash)
        elif cash < 0.0:
            journal.paid("exit", WORLD, firm_account(i), -cash)
        moved = self.lead_firms.release(i)
        journal.decided("exit", f.ids[i], "exit_when_failing", reason=reason, cash=cash,
                        years_below_credit=int(f.years_below_credit[i]),
                        years_failing=int(f.years_failing[i]), failure_rate=failure_rate,
                        links_ended=ended, spokes_moved=moved)
