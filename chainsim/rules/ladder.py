"""Functional ladders: the rungs a firm can climb, what each needs and pays, which of them
encroach on a buyer's core competence; and taking up a strategic rung as a decision.

H&S 1: functional upgrading is acquiring "new functions in the chain such as design or
marketing"; H&S 2.2: the garment escalator (assembly, full package, design, own brand) and
the "less strategic producer services that local firms can take over, such as
bar-coding, packaging, certification of quality and a range of logistic functions (Dolan
et al. 1999)"; footnote 25: in horticulture "logistics and bar coding, which used to be
carried out by the external buyers are now carried out by local firms"; H&S 3 on
half-channel markets: "clearly defined grades and standards"; H&S 4.2: local firms
"refrain from or are prevented from occupying the strategic functions of the chain which
tend to lie in product definition (design, branding, marketing) and chain co-ordination".
A firm may have the capability (design knowledge leaks in a cluster, H&S 4.1) and still
not use it against its main buyer.

A shoe ladder and a fresh-fruit ladder; a scenario names one (`technology.ladder`); the
rung names are chainsim/vocabulary.py's. Only a strategic rung alarms the buyers
(rules/encroachment.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from chainsim.vocabulary import LADDERS, STRATEGIC_FROM

# Capability columns of the firm table, and the brand stock as a fifth entry: an own brand
# is a firm-specific asset, not a capability that spills over (H&S 4.1, 4.4).
PROCESS, PRODUCT, DESIGN, MARKETING, BRAND = range(5)
# Brand stock an own-brand rung needs (a choice): above what exhibiting alone can keep up
# (two fairs a year at full regularity level the stock off at 0.06 / (0.06 + 0.1) = 0.375
# with 10% depreciation), so an own brand needs the firm's own marketing investment too
# (H&S 4.4: "investing in designers who travel to Europe").
BRAND_THRESHOLD = 0.5


@dataclass(frozen=True, slots=True)
class Rung:
    """One rung of a functional ladder: what it needs, what it pays, whether it is strategic."""

    name: str
    needs: tuple[tuple[int, float], ...]  # (capability index, threshold); BRAND: brand stock
    premium: float  # on the base price, when the buyer pays for this rung
    strategic: bool = False  # encroaches on the buyer's core competence
    certified: bool = False  # needs a standard certified (rules/requirements.py)
    brand: bool = False  # sells under the firm's own brand or label: paid by buyers of brands


def shoe(thresholds: tuple[float, float, float] = (0.5, 0.5, 0.5),
         premiums: tuple[float, ...] = (0.0, 0.05, 0.25, 0.5),
         brand_threshold: float = BRAND_THRESHOLD) -> tuple[Rung, ...]:
    """The shoe and garment escalator (H&S 2.2): full package needs process, own design
    (ODM) design, own brand (OBM) marketing and a brand stock; each needs the ones below."""
    full, odm, obm = thresholds
    return (
        Rung("assembly", (), premiums[0]),
        Rung("full_package", ((PROCESS, full),), premiums[1]),
        Rung("odm", ((PROCESS, full), (DESIGN, odm)), premiums[2], strategic=True),
        Rung("obm", ((PROCESS, full), (DESIGN, odm), (MARKETING, obm), (BRAND, brand_threshold)),
             premiums[3], strategic=True, brand=True),
    )


def fruit(brand_threshold: float = BRAND_THRESHOLD) -> tuple[Rung, ...]:
    """Fresh fruit (H&S 3 half-channel markets, 4.3 Damiani and Gomes, footnote 25): growers
    sell ungraded produce; grading and packing need consistent production; a cold chain
    needs more; certification needs the standard met and proven; own label and marketing
    channels need marketing and a label of the firm's own. Design plays no part. Thresholds
    and premiums are choices."""
    cold = ((PROCESS, 0.6),)
    certified = (*cold, (PRODUCT, 0.55))
    return (
        Rung("grower", (), 0.0),
        Rung("grading_packing", ((PROCESS, 0.4),), 0.04),
        Rung("cold_chain", cold, 0.08),
        Rung("certified", certified, 0.12, certified=True),
        Rung("own_label", (*certified, (MARKETING, 0.5), (BRAND, brand_threshold)), 0.3,
             strategic=True, certified=True, brand=True),
    )


SHOE = shoe()
FRUIT = fruit()

# What a buyer pays for, by the governance of the link now (H&S Table 4, 4.2-4.4): under
# quasi-hierarchy and hierarchy the buyer defines the product and buys production (every
# rung below the strategic ones); in a network or a modular link the supplier's design is
# part of the product (every rung below an own brand); at arm's length the buyer buys the
# supplier's product as it is, own brand included (on the share it resells under
# suppliers' brands, `Buyer.buys_brands`). On the shoe ladder: full package, ODM, OBM.
PAYS_FOR = {"hierarchy": "production", "quasi_hierarchy": "production", "network": "design",
            "modular": "design", "market": "all"}


@dataclass(frozen=True)
class Ladder:
    """A ladder with what the agents look up on it: premiums, the first strategic, design
    and brand rungs, and the highest rung each governance pays for."""

    name: str
    rungs: tuple[Rung, ...]
    # Whether the non-strategic services (logistics, packaging, certification; H&S 2.2,
    # footnote 25) come on top of the rungs and earn `technology.services_premium`: on the
    # shoe ladder; on the fruit ladder they are its rungs and paid as such.
    services: bool = True
    premiums: tuple[float, ...] = field(init=False)
    strategic_from: int = field(init=False)
    design_rung: int = field(init=False)  # first rung that needs design (len: none)
    brand_rung: int = field(init=False)  # first own-brand rung (len: none)
    cap: dict[str, int] = field(init=False)  # governance -> highest rung paid for

    def __post_init__(self) -> None:
        rungs = self.rungs
        if tuple(r.name for r in rungs) != LADDERS[self.name]:
            raise ValueError(f"the {self.name} ladder's rungs are not chainsim.vocabulary's")
        n = len(rungs)
        first = {
            "strategic": next((k for k, r in enumerate(rungs) if r.strategic), n),
            "design": next((k for k, r in enumerate(rungs)
                            if any(c == DESIGN for c, _ in r.needs)), n),
            "brand": next((k for k, r in enumerate(rungs) if r.brand), n),
        }
        if first["strategic"] != STRATEGIC_FROM[self.name]:
            raise ValueError(f"the {self.name} ladder's first strategic rung is not "
                             "chainsim.vocabulary's")
        tops = {"production": first["strategic"] - 1, "design": first["brand"] - 1, "all": n - 1}
        set_ = object.__setattr__
        set_(self, "premiums", tuple(r.premium for r in rungs))
        set_(self, "strategic_from", first["strategic"])
        set_(self, "design_rung", first["design"])
        set_(self, "brand_rung", first["brand"])
        set_(self, "cap", {g: tops[what] for g, what in PAYS_FOR.items()})

    def __len__(self) -> int:
        return len(self.rungs)

    def next_needing(self, rung: int, capability: int) -> int | None:
        """The first rung above `rung` that needs `capability` (None if there is none)."""
        return next((k for k in range(rung + 1, len(self.rungs))
                     if any(c == capability for c, _ in self.rungs[k].needs)), None)

    def threshold(self, rung: int, capability: int) -> float:
        """What rung `rung` needs of `capability` (0 if nothing)."""
        return max((t for c, t in self.rungs[rung].needs if c == capability), default=0.0)


def strategic_from(ladder: tuple[Rung, ...] | Ladder) -> int:
    """The first strategic rung: "functional upgrading" in the metrics counts firms at it
    or above (ODM/OBM on the shoe ladder, own label on the fruit ladder)."""
    rungs = ladder.rungs if isinstance(ladder, Ladder) else ladder
    return next(k for k, r in enumerate(rungs) if r.strategic)


def qualifies(rung: Rung, caps: tuple[float, ...], certified: bool) -> bool:
    """Whether a firm (capabilities and brand stock, five numbers) meets what a rung needs."""
    return all(caps[k] >= t for k, t in rung.needs) and (certified or not rung.certified)


def climb(ladder: tuple[Rung, ...], caps: tuple[float, ...], rung: int,
          certified: bool = False) -> int:
    """At most one rung up from `rung`, never down: the next rung if the firm meets all it
    needs and all the rungs below need (one firm; `climb_all` for columns)."""
    if rung + 1 < len(ladder) and all(
            qualifies(r, caps, certified) for r in ladder[: rung + 2]):
        return rung + 1
    return rung


def climb_all(rungs: tuple[Rung, ...], caps: np.ndarray, brand: np.ndarray,
              certified: np.ndarray, rung: np.ndarray) -> np.ndarray:
    """`climb` for many firms at once: `caps` (n, 4), `brand` and `certified` per firm."""
    ok = np.ones(len(rung), dtype=bool)
    count = np.zeros(len(rung), dtype=np.int8)
    for r in rungs[1:]:
        for k, t in r.needs:
            ok &= (brand if k == BRAND else caps[:, k]) >= t
        if r.certified:
            ok &= certified
        count += ok
    return np.maximum(rung, np.minimum(count, rung + 1)).astype(np.int8)


# Own brands need a market for them: a brand's buyers (small foreign buyers, the domestic
# high-quality market) take only so many brands (H&S 4.4: "Some of the leading knitwear
# exporters"; footnote 27: "Most Ludhiana producers operate in chains of market-based
# relationships"). A choice: room for `slots` brands per chain that buys them, the own-brand
# premium shared among the brands beyond.
def brand_room(brands: float, slots: float) -> float:
    """Share of the own-brand premium a new brand can expect, 0-1: 1 while there is room,
    then falling as the brand market fills (slots / (brands + 1))."""
    if slots <= 0:
        return 0.0
    return min(1.0, slots / (brands + 1))


@dataclass(slots=True)  # read-only by contract (rules/__init__.py)
class OccupyView:
    """A firm whose capabilities qualify it for the next, strategic, rung."""

    premium_gain: float  # the next rung's premium over the current one, where it is paid
    paid_share: float  # share of the firm's sales to buyers that pay for that rung
    prospect: float  # weight of new markets the rung opens (as rules/investment PROSPECT)
    annual_revenue: float
    withdrawal: float  # rules/encroachment.withdrawal_cost of the move, summed over buyers
    horizon_years: float


@dataclass(slots=True)  # read-only by contract (rules/__init__.py)
class OccupyDecision:
    """Whether the firm takes the rung, with the gain and the withdrawal it weighed."""

    occupy: bool
    gain: float
    loss: float

    def record(self) -> dict[str, float | bool]:
        return {"occupy": self.occupy, "gain": self.gain, "loss": self.loss}


def occupy_if_it_pays(v: OccupyView) -> OccupyDecision:
    """Take up own design or own brand only when the premium it earns, where it is paid,
    beats what the firm expects its buyers to withdraw. H&S 4.2: local firms "refrain
    from or are prevented from occupying the strategic functions of the chain"; a firm
    may have the capability (design knowledge leaks in a cluster, H&S 4.1) and still not
    use it against its main buyer."""
    reach = min(1.0, v.paid_share + v.prospect)
    gain = v.premium_gain * reach * v.annual_revenue * v.horizon_years
    return OccupyDecision(gain > v.withdrawal, gain, v.withdrawal)


def market_reach(marketing: Any, prospect: float = 0.15, full_at: float = 0.5) -> Any:
    """The weight a firm can put on markets it does not serve yet: `prospect` once its
    marketing reaches `full_at`, less before. H&S 4.2: the buyers were "responsible for
    product definition (and hence, market knowledge)"; a firm that never learnt to market
    cannot count on new buyers. Works on a number or a numpy column of firms."""
    if isinstance(marketing, np.ndarray):
        return prospect * np.minimum(1.0, np.maximum(0.0, marketing) / full_at)
    return prospect * min(1.0, max(0.0, marketing) / full_at)
