"""The buyer's current stake in a supplier: what its investment there is still worth.

H&S 5: "Having made the investment it is in their interest to maintain the relationship
and the asymmetry." What a buyer defends is the investment that still pays, not every
dollar it ever spent: what it taught diffuses to the supplier's neighbours and to other
buyers (H&S 4.1, "new ideas leak out and percolate"; 4.4, "the new delivery practices
diffused rapidly") and the products it was spent on go out of fashion. The stake therefore
depreciates at a yearly rate and grows only with new investment; a link whose governance
has loosened to market, where the buyer no longer invests, sees its stake fade away.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

# A choice: a fifth of the stake's worth goes each year (half-life about 3.5 years), about
# the life of a shoe buyer's models and of the production practices it taught before they
# are general in the cluster.
DEPRECIATION = 0.2


@dataclass(slots=True)  # read-only by contract (rules/__init__.py)
class StakeUpdate:
    """The stake after an interval, with what it lost and what was added."""

    stake: float  # after depreciation and the new investment
    depreciated: float  # worth lost over the interval
    invested: float

    def record(self) -> dict[str, float]:
        return {"stake": self.stake, "depreciated": self.depreciated,
                "invested": self.invested}


def depreciate(stake: float, invested: float, years: float,
               rate: float = DEPRECIATION) -> StakeUpdate:
    """The stake after `years`: the old stake decays continuously at `rate` a year, the
    new investment (made at the end of the interval) is added whole.

    Continuous decay makes the result independent of how the interval is cut: two half
    years give the same stake as one year with no investment in between."""
    if stake < 0.0 or invested < 0.0 or years < 0.0 or rate < 0.0:
        raise ValueError("stake, investment, years and rate must not be negative")
    kept = stake * math.exp(-rate * years)
    return StakeUpdate(kept + invested, stake - kept, invested)


def stake_weight(stake: float, scale: float) -> float:
    """How much the stake counts in a reaction, 0-1: half at `scale` (Technology.stake_scale)."""
    if scale <= 0.0:
        raise ValueError("scale must be positive")
    return stake / (stake + scale) if stake > 0.0 else 0.0
