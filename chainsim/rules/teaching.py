"""What a buyer teaches a supplier, and how hard, under the link's current governance.

H&S 2.2: "local producers learn a great deal from global buyers about how to improve their
production processes, attain consistent and high quality, and increase the speed of
response"; 4.2: the buyers "helped producers in the choice of technology and organisation
of production" and, after the Chinese entry, "assisted them in making the switch to a new
way of producing". H&S 3: "if the gap has to be closed quickly, buyers will need to invest
in a few selected suppliers and help them to upgrade".

A buyer teaches what it needs from this supplier under the link's governance now: under
tight governance it brings production up to its requirements (which move, see
rules/requirements.py); in a network it also needs the supplier's complementary design
(Table 4, "combine complementary competences"); at arm's length it invests nothing. The
intensity is the governance's capability-investment share, and rises with the gap, so a
jump in requirements brings a burst of teaching (the buyer funds the switch). This
replaces the per-type `teaches` list as what decides the subject: it follows from the
governance now and the buyer's requirements, not from who defines the product.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from chainsim.rules.governance import COMPLEMENTARY_DESIGN

TARGET_MARGIN = 0.2  # as buyers.TEACH_TARGET_MARGIN: the buyer aims a little above its need
# A choice: each 0.1 of the largest gap adds 20% to the season's teaching budget, up to
# 2.5 times the budget: a buyer whose requirements just jumped spends more to close the gap
# "quickly" (H&S 3).
URGENCY_GAIN = 2.0
URGENCY_CAP = 2.5


@dataclass(frozen=True, slots=True)
class TeachingView:
    governance: str  # the link's governance now
    investment_share: float  # the governance's share of the buyer's capability budget
    budget: float  # the buyer's capability investment per tight link per year
    year_fraction: float
    process_requirement: float  # the buyer's current requirements (rules/requirements.py)
    quality_requirement: float
    process: float  # the supplier's capabilities
    product: float
    design: float
    absorption: float  # share of a gap closed per unit of money, as Technology.absorption


@dataclass(frozen=True, slots=True)
class TeachingPlan:
    money: float
    urgency: float
    gains: dict[str, float]  # capability -> rise this season

    def record(self) -> dict[str, float]:
        return {"money": self.money, "urgency": self.urgency,
                **{f"gain_{k}": g for k, g in self.gains.items()}}


def needs(v: TeachingView) -> dict[str, float]:
    """The gaps the buyer wants closed on this link, by capability (positive ones only)."""
    gaps = {"process": v.process_requirement + TARGET_MARGIN - v.process,
            "product": v.quality_requirement + TARGET_MARGIN - v.product}
    if v.governance == "network":  # joint definition needs the supplier's design (Table 4)
        gaps["design"] = COMPLEMENTARY_DESIGN + TARGET_MARGIN - v.design
    return {k: g for k, g in gaps.items() if g > 0.0}


def urgency(largest_gap: float) -> float:
    """1 with no gap, rising with the largest gap, capped at URGENCY_CAP."""
    return min(URGENCY_CAP, 1.0 + URGENCY_GAIN * max(0.0, largest_gap))


def by_governance(v: TeachingView) -> TeachingPlan:
    """Spend `budget x investment share x season x urgency` on closing the gaps; each
    closes `1 - exp(-absorption x money)` of itself (as the model does today)."""
    gaps = needs(v)
    if v.investment_share <= 0.0 or not gaps:
        return TeachingPlan(0.0, 1.0, {})
    u = urgency(max(gaps.values()))
    money = v.budget * v.investment_share * v.year_fraction * u
    closed = 1.0 - math.exp(-v.absorption * money)
    return TeachingPlan(money, u, {k: closed * g for k, g in gaps.items()})
