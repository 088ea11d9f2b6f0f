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
    orders: float = 0.0  # inspected on arrival, recent ones weighted most (see `inspected`)
    failures: float = 0.0
    placed: int = 0  # orders placed since the last review
    refused: int = 0  # ... and refused by the supplier
    revenue_year: float = 0.0  # what the buyer paid the firm in the running year
    revenue_last: float = 0.0  # ... and in the last full year
    units_period: float = 0.0
    value_period: float = 0.0
    origin: str = "initial"  # "initial", "scouting" or "fair"
    met_at: str = ""  # the fair where the buyer met the firm, for links made at fairs
    design_seen: float = 1.0  # the supplier's design at the buyer's last review

    def inspected(self, failed: bool, prevented: float, memory: float = 0.97) -> None:
        """Add an inspection to the performance record; older ones fade by `memory` each.

        A failure seen while governance averts a share `prevented` of them stands for
        1 / (1 - prevented) failures of the supplier left to itself, so the record estimates
        the supplier's own failure rate whatever the governance it was observed under.
        """
        self.orders = memory * self.orders + 1.0
        self.failures = memory * self.failures + (1.0 / (1.0 - prevented) if failed else 0.0)

    def failure_record(self, prior: float, weight: float = 10.0) -> float:
        """The buyer's estimate of the failure probability: prior blended with history."""
        return (self.failures + weight * prior) / (self.orders + weight)
