"""What a buyer teaches a supplier, and how hard, under the link's current governance.

H&S 2.2: "local producers learn a great deal from global buyers about how to improve their
production processes, attain consistent and high quality, and increase the speed of
response"; H&S 4.2: the buyers "helped producers in the choice of technology and
organisation of production" and, after the Chinese entry, "assisted them in making the
switch to a new way of producing". H&S 3: "if the gap has to be closed quickly, buyers will
need to invest in a few selected suppliers and help them to upgrade".

A buyer teaches what it needs from this supplier under the link's governance now: where the
governance invests (quasi-hierarchy, hierarchy, network) it brings production up to the
buyer's current requirements, which move (agents/buyers.py, `_drift` and the competition
jump); in a network it also needs the supplier's complementary design (Table 4, "combine
complementary competences"); at arm's length it invests nothing. The money is the
governance's share of the buyer's capability budget; each season closes a share of each
gap, so a jump in requirements (a larger gap) brings larger gains: the buyer funds the
switch. What is taught follows from the governance now and the buyer's requirements,
never from a per-type list or from who defines the product.

A choice, measured: a budget that also grows with the gap (an urgency of up to 2.5x) made
suppliers meet requirements sooner, the risk rule loosen governance sooner and the main
buyer's suppliers move into design (Sinos Valley, seeds 1, 3, 7: quasi-hierarchy in
1991-98 0.64 against 0.68 of export links, 17% of the main buyer's suppliers at own
design in 1998 against 0%), so the budget stays the governance's.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

TARGET_MARGIN = 0.2  # the buyer aims a little above what it needs
DESIGN_TARGET = 0.8  # the design a network buyer works toward in a partner (Table 4)


@dataclass(slots=True)  # read-only by contract (rules/__init__.py)
class TeachingView:
    """What the buyer knows when it decides a season's teaching on one link."""

    governance: str  # the link's governance now
    investment_share: float  # the governance's share of the buyer's capability budget
    budget: float  # the buyer's capability investment per tight link per year
    year_fraction: float
    quality_requirement: float  # the buyer's current requirements on this link
    process_requirement: float
    process: float  # the supplier's capabilities
    product: float
    design: float
    absorption: float  # share of a gap closed per unit of money, as Technology.absorption


@dataclass(slots=True)  # read-only by contract (rules/__init__.py)
class TeachingPlan:
    """A season's teaching: the money and the rise of each capability."""

    money: float
    gains: dict[str, float]


def needs(v: TeachingView) -> dict[str, float]:
    """The gaps the buyer wants closed on this link, by capability (positive ones only)."""
    gaps = {"process": v.process_requirement + TARGET_MARGIN - v.process,
            "product": v.quality_requirement + TARGET_MARGIN - v.product}
    if v.governance == "network":  # joint definition needs the supplier's design (Table 4)
        gaps["design"] = DESIGN_TARGET - v.design
    return {k: g for k, g in gaps.items() if g > 0.0}


def by_governance(v: TeachingView) -> TeachingPlan:
    """Spend `budget x investment share x season` on closing the gaps; each gap closes
    `1 - exp(-absorption x money)` of itself."""
    gaps = needs(v) if v.investment_share > 0.0 else {}
    if not gaps:
        return TeachingPlan(0.0, {})
    money = v.budget * v.investment_share * v.year_fraction
    closed = 1.0 - math.exp(-v.absorption * money)
    return TeachingPlan(money, {k: closed * g for k, g in gaps.items()})
