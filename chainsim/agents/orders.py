"""A buyer's order to a lead firm: the object that flows down the chain and back."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from chainsim.agents.links import Link


@dataclass(slots=True)
class Order:
    """A buyer's order to a lead firm."""

    id: int
    link: Link
    qty: float
    price: float  # per unit, agreed when placed
    placed_at: float
    due: float
    parts: list[tuple[int, float]] | None = None  # (spoke, payment) of each sub-order
    part_qty: float = 0.0  # units of each sub-order
    process: float = 0.0  # process capability of the firms that made it, output-weighted
    defective: bool = False
