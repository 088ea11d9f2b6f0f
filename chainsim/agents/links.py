"""A buyer-supplier link: governance, order share, price and the buyer's stake (MODEL.md 3)."""

from __future__ import annotations

from dataclasses import dataclass

GOVERNANCE_TYPES = ("market", "modular", "network", "quasi_hierarchy", "hierarchy")
GOVERNANCE_CODE = {name: i for i, name in enumerate(GOVERNANCE_TYPES)}


@dataclass(slots=True, eq=False)
class Link:
    id: int
    buyer: int
    firm: int
    governance: str
    share: float
    price: float
    since: float
    active: bool = True
    sunk: float = 0.0  # the buyer's cumulative investment in this supplier
    orders: int = 0  # inspected on arrival, since the link began
    placed: int = 0  # orders placed since the last review
    refused: int = 0  # ... and refused by the supplier
    failures: int = 0
    revenue_year: float = 0.0  # what the buyer paid the firm in the running year
    revenue_last: float = 0.0  # ... and in the last full year
    units_period: float = 0.0
    value_period: float = 0.0
    origin: str = "initial"  # "initial", "scouting" or "fair"

    def failure_record(self, prior: float, weight: float = 4.0) -> float:
        """The buyer's estimate of the failure probability: prior blended with history."""
        return (self.failures + weight * prior) / (self.orders + weight)
