"""Cluster structure that changes: firms grow with their orders and exit when they keep
failing or losing money.

H&S 4.2: "The external buyers looked for much larger volumes of standardised products,
which led to the growth of large firms. By the late 1980s, a significant number of firms
were large by shoe industry standards, employing more than 500 people." H&S 4.1: "the
emergence of large firms within the cluster. The 'cluster of equals' is transformed into a
hierarchical cluster". H&S 2.2 (Gibbon): "the upgrading of producers integrated into the
chains is accompanied by the exclusion of others".

The rules work on a column of firms at once: every field of a view may be a number or a
numpy array with one value per firm, and the decision holds arrays of the same shape. The
thresholds are the scenario's (`technology.grow_above` and the rest; docs/model.md).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

Numbers = float | np.ndarray


@dataclass(frozen=True, slots=True)
class GrowthView:
    """A firm's year of orders against its capacity, what it can pay, and the scenario's
    thresholds."""

    capacity: Numbers  # units a day at zero process capability
    units_made: Numbers  # units the firm itself put into production over the year
    units_refused: Numbers  # units it turned away for want of capacity
    working_days: Numbers  # a year of production days
    speed: Numbers  # units a day per unit of capacity (0.6 + 0.4 x process)
    cash_available: Numbers  # cash plus the credit line
    capex_per_unit: Numbers  # cost of one unit of daily capacity
    grow_above: Numbers = 0.85
    grow_refused: Numbers = 0.1  # share of the work wanted that was refused
    shrink_below: Numbers = 0.4
    growth: Numbers = 0.15  # share of capacity added in a year of growth
    shrink: Numbers = 0.1  # share shed in an idle year


@dataclass(frozen=True, slots=True)
class GrowthDecision:
    """The firms' capacity after the year's growth or shrinkage, the change, its cost."""

    capacity: np.ndarray
    change: np.ndarray
    cost: np.ndarray
    utilisation: np.ndarray

    def record(self, k: int | None = None) -> dict[str, float]:
        """The numbers behind the decision (of firm k, for a column)."""
        pick = (lambda a: float(np.asarray(a).ravel()[k])) if k is not None else float
        return {"capacity": pick(self.capacity), "change": pick(self.change),
                "cost": pick(self.cost), "utilisation": pick(self.utilisation)}


def refused_share(v: GrowthView) -> np.ndarray:
    """The share of the work buyers wanted from the firm that it turned away."""
    made = np.asarray(v.units_made, dtype=float)
    wanted = made + v.units_refused
    return np.divide(wanted - made, wanted, out=np.zeros(np.broadcast(made, wanted).shape),
                     where=wanted > 0.0)


def utilisation(v: GrowthView) -> np.ndarray:
    """Orders wanted (made and refused) over what the capacity can make in a year."""
    possible = np.asarray(v.capacity * v.speed * v.working_days, dtype=float)
    wanted = np.asarray(v.units_made + v.units_refused, dtype=float)
    return np.divide(wanted, possible, out=np.zeros(np.broadcast(wanted, possible).shape),
                     where=possible > 0.0)


def grow_with_orders(v: GrowthView) -> GrowthDecision:
    """Add capacity when orders press on it and the firm can pay for the machines and the
    hands; shed it when it stands idle (H&S 4.2).

    Orders press on capacity when the year's work wanted exceeds `grow_above` of what it
    can make in a year, or when the firm turned away more than `grow_refused` of that
    work: buyers order a season's collection at once, so a firm busy through each season
    and idle between them can be short of capacity at a yearly utilisation well below
    one."""
    u = utilisation(v)
    capacity = np.asarray(v.capacity, dtype=float) + 0.0 * u
    add = v.growth * capacity
    cost = add * v.capex_per_unit
    pressed = (u > v.grow_above) | (refused_share(v) > v.grow_refused)
    grows = pressed & (np.asarray(v.cash_available) >= cost) & (add > 0.0)
    shrinks = (u < v.shrink_below) & (capacity > 0.0)
    change = np.where(grows, add, np.where(shrinks, -v.shrink * capacity, 0.0))
    return GrowthDecision(capacity + change, change, np.where(grows, cost, 0.0), u)


@dataclass(frozen=True, slots=True)
class ExitView:
    """A firm's record of losses and failures at a year end."""

    cash: Numbers
    credit_line: Numbers
    years_below_credit: Numbers  # year-ends in a row with cash below -credit_line, this one too
    orders_year: Numbers  # its orders inspected over the last year
    failures_year: Numbers  # ... and failed
    has_links: Numbers  # an active buyer link left
    years_failing: Numbers  # years in a row failing more than `failure_rate`, this one too
    exit_years: Numbers = 2  # 0: firms never exit
    failure_rate: Numbers = 0.3


@dataclass(frozen=True, slots=True)
class ExitDecision:
    """Whether each firm leaves the cluster, and why ("losses", "failures" or "")."""

    exit: np.ndarray
    reason: np.ndarray

    def record(self, k: int | None = None) -> dict[str, bool | str]:
        pick = (lambda a: np.asarray(a).ravel()[k]) if k is not None else (lambda a: a[()])
        return {"exit": bool(pick(self.exit)), "reason": str(pick(self.reason))}


def failure_rate(v: ExitView) -> np.ndarray:
    orders = np.asarray(v.orders_year, dtype=float)
    failures = np.asarray(v.failures_year, dtype=float)
    return np.divide(failures, orders, out=np.zeros(np.broadcast(failures, orders).shape),
                     where=orders > 0.0)


def in_a_row(years: Numbers, condition: Numbers) -> np.ndarray:
    """A count of years in a row: one more where the condition holds, else back to zero."""
    return np.where(condition, np.asarray(years) + 1, 0)


def exit_when_failing(v: ExitView) -> ExitDecision:
    """Exit after `exit_years` year-ends of losses beyond the credit line, or of failing
    so often that the buyers left (no active link): Gibbon's exclusion (H&S 2.2)."""
    on = np.asarray(v.exit_years) > 0
    losses = on & (np.asarray(v.years_below_credit) >= v.exit_years)
    failures = on & ~losses & (np.asarray(v.years_failing) >= v.exit_years) & ~np.asarray(
        v.has_links, dtype=bool)
    reason = np.where(losses, "losses", np.where(failures, "failures", ""))
    return ExitDecision(losses | failures, reason)
