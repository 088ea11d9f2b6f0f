"""The order book: cumulative counts of orders by stage, a sink of the journal.

Flows are cumulative counters; stocks (in production, in transit) are derived from them,
so conservation is a statement about counters: placed = accepted + refused, accepted =
in production + shipped, shipped = in transit + delivered + failed.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from chainsim.vocabulary import REFUSAL_REASONS

STAGES = ("placed", "accepted", "queued", "refused", "shipped", "delivered", "failed", "late",
          "sub_placed", "sub_done")


@dataclass
class OrderBook:
    """Cumulative counts of orders by stage; refusals also by reason."""

    placed: int = 0
    accepted: int = 0
    queued: int = 0
    refused: int = 0
    shipped: int = 0
    delivered: int = 0
    failed: int = 0
    late: int = 0
    sub_placed: int = 0
    sub_done: int = 0
    refused_by_reason: Counter[str] = field(default_factory=Counter)

    @property
    def in_production(self) -> int:
        return self.accepted - self.shipped

    @property
    def in_transit(self) -> int:
        return self.shipped - self.delivered - self.failed

    @property
    def sub_in_production(self) -> int:
        return self.sub_placed - self.sub_done

    def as_dict(self) -> dict[str, int]:
        out = {stage: getattr(self, stage) for stage in STAGES}
        out["in_production"] = self.in_production
        out["in_transit"] = self.in_transit
        # Every reason, counted or not, so that every run's record has the same fields.
        reasons = sorted({*REFUSAL_REASONS, *self.refused_by_reason})
        out.update({f"refused_{k}": self.refused_by_reason[k] for k in reasons})
        return out

    def conserved(self) -> list[str]:
        """Broken conservation identities, as readable strings (empty when all hold)."""
        broken = []
        if self.placed != self.accepted + self.refused:
            broken.append(f"placed {self.placed} != accepted {self.accepted} + refused "
                          f"{self.refused}")
        if sum(self.refused_by_reason.values()) != self.refused:
            broken.append("refusals by reason do not add up")
        for name in ("in_production", "in_transit", "sub_in_production"):
            if getattr(self, name) < 0:
                broken.append(f"{name} is negative")
        if self.queued > self.accepted or self.late > self.delivered + self.failed:
            broken.append("queued or late exceed their parent stage")
        return broken
