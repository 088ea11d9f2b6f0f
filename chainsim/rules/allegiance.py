"""A lead firm's vote on the policy network's repositioning project.

H&S 5: "Which is stronger, their allegiance to the local policy network or to their
customer(s) in the global chain? ... If local firms sell to few buyers to whom they are in
a relationship of quasi-hierarchy, their risk of supporting a project of repositioning is
particularly high." The firm weighs its expected gain from the project against the sales
it expects to lose to its main buyer's reaction, which grow with that buyer's share.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class VoteView:
    """What a lead firm weighs when the policy network asks for its backing."""

    annual_revenue: float
    main_buyer_share: float  # of the firm's sales
    reaction_probability: float  # main buyer's, should the firm move into design/marketing
    capability_gain: float  # design + marketing the project adds to the firm
    value_per_capability: float  # revenue share one unit of design/marketing capability adds
    contribution: float  # the firm's private share of the project's cost
    horizon_years: float


@dataclass(frozen=True, slots=True)
class Vote:
    """A lead firm's vote, with the expected gain and loss behind it."""

    back: bool
    expected_gain: float
    expected_loss: float

    def record(self) -> dict[str, float | bool]:
        return {
            "back": self.back,
            "expected_gain": self.expected_gain,
            "expected_loss": self.expected_loss,
        }


def expected_loss(v: VoteView) -> Vote:
    gain = v.capability_gain * v.value_per_capability * v.annual_revenue * v.horizon_years
    loss = v.main_buyer_share * v.annual_revenue * v.reaction_probability * v.horizon_years
    loss += v.contribution
    return Vote(gain > loss, gain, loss)


RULES = {"expected_loss": expected_loss}


# --- issue 12 item 3: the vote weighs margins, in the chains that pay for the gain ---------


@dataclass(frozen=True, slots=True)
class ChainVoteView:
    """A lead firm's view of the repositioning project (image, design, fair programme)."""

    annual_revenue: float
    design_access: float  # share of its sales to chains that pay for its design (rules/chains.py)
    prospect: float  # weight of markets it could reach with the project (as rules/investment)
    capability_gain: float  # design + marketing the project adds to the firm
    premium: float  # the design rung's premium (margin on the sales that pay for it)
    withdrawal: float  # rules/encroachment.withdrawal_cost, summed over the firm's buyers
    contribution: float
    horizon_years: float


def margin_weighed(v: ChainVoteView) -> Vote:
    """Back the project when the premium it earns where design is paid for, over the
    horizon, beats the margin the firm expects its buyers to withdraw plus its share of the
    cost. A firm locked into one buyer's chain under quasi-hierarchy gains little (that
    buyer pays for production, not design) and risks much (H&S 4.2: the influential
    exporters feared "to upset the relationship with their main foreign buyer"; H&S 5)."""
    reach = min(1.0, v.design_access + v.prospect)
    gain = min(1.0, v.capability_gain) * v.premium * reach * v.annual_revenue * v.horizon_years
    loss = v.withdrawal + v.contribution
    return Vote(gain > loss, gain, loss)


def coalition(backs: list[bool], outputs: list[float], threshold: float,
              influential_share: float = 0.25) -> tuple[bool, float, float]:
    """Whether the policy network's project goes ahead: backers must hold `threshold` of
    the lead firms' output AND include half of the output of the most influential exporters
    (the largest firms holding `influential_share` of the lead firms, at least one).

    H&S 4.2: the proposals "were, however, not put into practice, mainly because a small
    number of very influential export manufacturers did not support them"; footnote 31:
    collective organisations' success "can rarely be effective without their support".
    Returns (funded, output-weighted support, support among the influential)."""
    total = sum(outputs)
    if not outputs or total <= 0.0:
        return False, 0.0, 0.0
    support = sum(o for o, b in zip(outputs, backs, strict=True) if b) / total
    k = max(1, round(influential_share * len(outputs)))
    top = sorted(range(len(outputs)), key=lambda j: (-outputs[j], j))[:k]
    top_total = sum(outputs[j] for j in top)
    top_support = (sum(outputs[j] for j in top if backs[j]) / top_total
                   if top_total > 0.0 else 0.0)
    return support >= threshold and top_support >= 0.5, support, top_support
