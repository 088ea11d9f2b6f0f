"""Cluster structure that changes: firms grow with their orders and exit when they keep
failing or losing money.

H&S 4.2: "The external buyers looked for much larger volumes of standardised products,
which led to the growth of large firms. By the late 1980s, a significant number of firms
were large by shoe industry standards, employing more than 500 people." H&S 4.1: "the
emergence of large firms within the cluster. The 'cluster of equals' is transformed into a
hierarchical cluster". H&S 2.2 (Gibbon): "the upgrading of producers integrated into the
chains is accompanied by the exclusion of others".
"""

from __future__ import annotations

from dataclasses import dataclass

# Choices: a firm whose orders fill more than 85% of its capacity over a year, and that can
# pay for it, adds 15% capacity at `capex_per_unit` per unit of daily capacity; one below
# 40% for a year sheds 10%. A firm exits after two years of losses below its credit line,
# or of failing more than 30% of its orders with no order left.
GROW_ABOVE = 0.85
SHRINK_BELOW = 0.4
GROWTH = 0.15
SHRINK = 0.1
EXIT_YEARS = 2
EXIT_FAILURE_RATE = 0.3


@dataclass(frozen=True, slots=True)
class GrowthView:
    capacity: float  # units a day
    units_year: float  # delivered over the last year
    refused_units_year: float  # refused for want of capacity
    working_days: float  # a year of production days (360)
    speed: float  # units a day per unit of capacity (technology.speed / capacity)
    cash_available: float
    capex_per_unit: float  # cost of one unit of daily capacity


@dataclass(frozen=True, slots=True)
class GrowthDecision:
    capacity: float
    change: float
    cost: float
    utilisation: float

    def record(self) -> dict[str, float]:
        return {"capacity": self.capacity, "change": self.change, "cost": self.cost,
                "utilisation": self.utilisation}


def utilisation(v: GrowthView) -> float:
    """Orders wanted (made and refused) over what the capacity can make in a year."""
    possible = v.capacity * v.speed * v.working_days
    return (v.units_year + v.refused_units_year) / possible if possible > 0.0 else 0.0


def grow_with_orders(v: GrowthView) -> GrowthDecision:
    """Add capacity when orders press on it and the firm can pay; shed it when idle."""
    u = utilisation(v)
    if u > GROW_ABOVE:
        add = GROWTH * v.capacity
        cost = add * v.capex_per_unit
        if v.cash_available >= cost:
            return GrowthDecision(v.capacity + add, add, cost, u)
    elif u < SHRINK_BELOW and v.capacity > 0.0:
        cut = SHRINK * v.capacity
        return GrowthDecision(v.capacity - cut, -cut, 0.0, u)
    return GrowthDecision(v.capacity, 0.0, 0.0, u)


@dataclass(frozen=True, slots=True)
class ExitView:
    cash: float
    credit_line: float
    years_below_credit: int  # consecutive year-ends with cash below -credit_line, this one included
    orders_year: int  # orders inspected over the last year
    failures_year: int
    has_links: bool
    years_failing: int  # consecutive years with a failure rate above EXIT_FAILURE_RATE


@dataclass(frozen=True, slots=True)
class ExitDecision:
    exit: bool
    reason: str

    def record(self) -> dict[str, bool | str]:
        return {"exit": self.exit, "reason": self.reason}


def failure_rate(v: ExitView) -> float:
    return v.failures_year / v.orders_year if v.orders_year else 0.0


def exit_when_failing(v: ExitView) -> ExitDecision:
    """Exit after EXIT_YEARS of losses beyond the credit line, or of failing so often that
    the buyers left (no active link)."""
    if v.years_below_credit >= EXIT_YEARS:
        return ExitDecision(True, "losses")
    if v.years_failing >= EXIT_YEARS and not v.has_links:
        return ExitDecision(True, "failures")
    return ExitDecision(False, "")
