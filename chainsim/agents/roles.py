"""What agents see of each other, as protocols: a buyer as its suppliers and their cluster
see it, and a cluster as buyers and lead firms see it. Agents depend on these roles, not on
each other's modules, so no agent module imports another in a circle."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    import numpy as np

    from chainsim.agents.links import Link
    from chainsim.agents.orders import Order
    from chainsim.scenario.model import Buyer


class Customer(Protocol):
    """A global buyer as its suppliers see it: it receives, inspects and reacts."""

    index: int
    id: str
    spec: Buyer
    active: bool
    links: list[Link]
    replacements: float  # fair buyers: suppliers it may still replace this year
    replacements_at: float  # ... as counted at this time

    def inspect(self, order: Order) -> None: ...

    def react(self, link: Link, severity: float, what: str,
              total: float | None = None) -> None: ...

    def reaction_probability(self, link: Link, severity: float,
                             total: float | None = None) -> float: ...

    def active_share(self) -> float: ...

    def requirement(self, link: Link | None) -> tuple[float, float]: ...

    def landed_cost(self, firm: int) -> float: ...

    def season_request(self, link: Link) -> tuple[float, int]: ...

    def unit_price(self, link: Link, room: float | None = None) -> float: ...

    def lead_time(self, link: Link) -> float: ...

    def transport(self, site: Site) -> float: ...


class Site(Protocol):
    """A cluster as buyers and its lead firms see it: where firms are and what it costs."""

    index: int
    id: str
    active: bool
    entrant: bool
    wage: float
    transport_cost: float
    transit_days: float
    reputation: float
    typical_design: float
    leads: np.ndarray
