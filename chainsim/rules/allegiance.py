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
