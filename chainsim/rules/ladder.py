"""Functional ladders: the rungs a firm can climb, what each needs and pays, and which of
them encroach on a buyer's core competence.

H&S 1: functional upgrading is acquiring "new functions in the chain such as design or
marketing"; H&S 2.2: the garment escalator (assembly, full package, design, own brand) and
the "less strategic producer services that local firms can take over, such as
bar-coding, packaging, certification of quality and a range of logistic functions (Dolan
et al. 1999)"; H&S 4.2: local firms "refrain from or are prevented from occupying the
strategic functions of the chain which tend to lie in product definition (design,
branding, marketing) and chain co-ordination"; footnote 25: in horticulture "logistics and
bar coding, which used to be carried out by the external buyers are now carried out by
local firms".

A shoe ladder and a fresh-fruit ladder; a scenario names one (`technology.ladder`). Only a
strategic rung alarms the buyers (rules/encroachment.py).
"""

from __future__ import annotations

from dataclasses import dataclass

PROCESS, PRODUCT, DESIGN, MARKETING = range(4)


@dataclass(frozen=True, slots=True)
class Rung:
    name: str
    needs: tuple[tuple[int, float], ...]  # (capability index, threshold)
    premium: float  # on the base price, when the buyer pays for this rung
    strategic: bool  # encroaches on the buyer's core competence
    certified: bool = False  # needs a standard certified (rules/requirements.py)


SHOE = (
    Rung("assembly", (), 0.0, False),
    Rung("full_package", ((PROCESS, 0.5),), 0.05, False),
    Rung("odm", ((PROCESS, 0.5), (DESIGN, 0.5)), 0.25, True),
    Rung("obm", ((PROCESS, 0.5), (DESIGN, 0.5), (MARKETING, 0.5)), 0.5, True),
)

# Fresh fruit (H&S 3 half-channel markets, 4.3 Damiani and Gomes, footnote 25): growers sell
# ungraded produce; grading and packing need consistent production; a cold chain needs
# more; certification needs the standard met and proven; own label and marketing channels
# need marketing capability. Design plays no part. Thresholds and premiums are choices.
FRUIT = (
    Rung("grower", (), 0.0, False),
    Rung("grading_packing", ((PROCESS, 0.4),), 0.04, False),
    Rung("cold_chain", ((PROCESS, 0.6),), 0.08, False),
    Rung("certified", ((PROCESS, 0.6), (PRODUCT, 0.55)), 0.12, False, certified=True),
    Rung("own_label", ((PROCESS, 0.6), (PRODUCT, 0.55), (MARKETING, 0.5)), 0.3, True,
         certified=True),
)

LADDERS = {"shoe": SHOE, "fruit": FRUIT}


def qualifies(rung: Rung, caps: tuple[float, float, float, float], certified: bool) -> bool:
    return all(caps[k] >= t for k, t in rung.needs) and (certified or not rung.certified)


def climb(ladder: tuple[Rung, ...], caps: tuple[float, float, float, float], rung: int,
          certified: bool = False) -> int:
    """At most one rung up from `rung`, never down: the next rung if the firm meets all it
    needs (each rung needs the ones below it, as the shoe ladder does today)."""
    if rung + 1 < len(ladder) and all(
            qualifies(r, caps, certified) for r in ladder[: rung + 2]):
        return rung + 1
    return rung


def strategic_from(ladder: tuple[Rung, ...]) -> int:
    """The first strategic rung: "functional upgrading" in the metrics counts firms at it
    or above (ODM/OBM on the shoe ladder, own label on the fruit ladder)."""
    return next(k for k, r in enumerate(ladder) if r.strategic)


# Own brands need a market for them: a brand's buyers (small foreign buyers, the domestic
# high-quality market) take only so many brands (H&S 4.4: "Some of the leading knitwear
# exporters"; footnote 27: "Most Ludhiana producers operate in chains of market-based
# relationships"). A choice: room for `slots` brands per chain that buys them; each brand
# beyond halves the value of another.
def brand_room(brands: int, slots: int) -> float:
    """Share of the own-brand premium a new brand can expect, 0-1: 1 while there is room,
    then falling as the brand market fills (slots / (brands + 1))."""
    if slots <= 0:
        return 0.0
    return min(1.0, slots / (brands + 1))


# --- occupying a strategic function is a decision ---------------------------------------


@dataclass(frozen=True, slots=True)
class OccupyView:
    """A firm whose capabilities qualify it for the next, strategic, rung."""

    premium_gain: float  # the next rung's premium over the current one, where it is paid
    paid_share: float  # share of the firm's sales to buyers that pay for that rung
    prospect: float  # weight of new markets the rung opens (as rules/investment PROSPECT)
    annual_revenue: float
    withdrawal: float  # rules/encroachment.withdrawal_cost of the move, summed over buyers
    horizon_years: float


@dataclass(frozen=True, slots=True)
class OccupyDecision:
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


def market_reach(marketing: float, prospect: float = 0.15, full_at: float = 0.5) -> float:
    """The weight a firm can put on markets it does not serve yet: `prospect` once its
    marketing reaches `full_at`, less before. H&S 4.2: the buyers were "responsible for
    product definition (and hence, market knowledge)"; a firm that never learnt to market
    cannot count on new buyers (replaces the flat PROSPECT of agents/clusters.py)."""
    return prospect * min(1.0, max(0.0, marketing) / full_at)
