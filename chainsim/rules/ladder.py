"""Taking up a strategic function of the chain (own design, own brand) is a firm's decision.

H&S 1: functional upgrading is acquiring "new functions in the chain such as design or
marketing"; H&S 4.2: local firms "refrain from or are prevented from occupying the
strategic functions of the chain which tend to lie in product definition (design,
branding, marketing) and chain co-ordination". A firm may have the capability (design
knowledge leaks in a cluster, H&S 4.1) and still not use it against its main buyer.
"""

from __future__ import annotations

from dataclasses import dataclass


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


def market_reach(marketing: float, prospect: float = 0.15, full_at: float = 0.5) -> float:
    """The weight a firm can put on markets it does not serve yet: `prospect` once its
    marketing reaches `full_at`, less before. H&S 4.2: the buyers were "responsible for
    product definition (and hence, market knowledge)"; a firm that never learnt to market
    cannot count on new buyers."""
    return prospect * min(1.0, max(0.0, marketing) / full_at)
