"""A lead firm's vote on the policy network's repositioning project, and whether the
votes carry it.

H&S 5: "Which is stronger, their allegiance to the local policy network or to their
customer(s) in the global chain? ... If local firms sell to few buyers to whom they are in
a relationship of quasi-hierarchy, their risk of supporting a project of repositioning is
particularly high." The firm weighs its expected gain from the project against what it
expects its buyers to withdraw. H&S 4.2 and footnote 31: the Sinos programme failed
"mainly because a small number of very influential export manufacturers did not support
them"; collective organisations "can rarely be effective without their support".
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
    # What `margin_weighed` reads (issue 12 item 3): where design is paid for, and the
    # margin the firm's buyers would withdraw.
    design_access: float = 0.0  # share of sales to chains that pay for design (chains.py)
    prospect: float = 0.0  # weight of markets the project could open (fairs, new buyers)
    premium: float = 0.0  # the design rung's premium over the firm's present rung
    withdrawal: float = 0.0  # encroachment.withdrawal_cost, summed over the firm's buyers


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


def margin_weighed(v: VoteView) -> Vote:
    """Back the project when the premium it earns where design is paid for, over the
    horizon, beats the margin the firm expects its buyers to withdraw plus its share of the
    cost. A firm locked into one buyer's chain under quasi-hierarchy gains little (that
    buyer pays for production, not design) and risks much (H&S 4.2: the influential
    exporters feared "to upset the relationship with their main foreign buyer"; H&S 5).
    Unlike `expected_loss`, the loss is a margin for as long as the sales take to
    replace, not the revenue of a whole horizon."""
    reach = min(1.0, v.design_access + v.prospect)
    gain = min(1.0, v.capability_gain) * v.premium * reach * v.annual_revenue * v.horizon_years
    loss = v.withdrawal + v.contribution
    return Vote(gain > loss, gain, loss)


RULES = {"expected_loss": expected_loss, "margin_weighed": margin_weighed}


@dataclass(frozen=True, slots=True)
class Outcome:
    """Whether the project goes ahead: support by output, and among the influential."""

    funded: bool
    support: float  # output-weighted share of the voters backing it
    influential_support: float  # share of their size backing it (nan: none named)
    influential: tuple[int, ...]  # positions of the influential exporters among the voters


def coalition(backs: list[bool], weights: list[float], sizes: list[float],
              threshold: float, influential_share: float | None = 0.25) -> Outcome:
    """Backers must hold `threshold` of the voters' weight AND, unless `influential_share`
    is None, half of the size of the most influential exporters: the largest voters,
    `influential_share` of them (at least one). H&S 4.2: the proposals "were,
    however, not put into practice, mainly because a small number of very influential
    export manufacturers did not support them"; footnote 31: collective organisations
    "can rarely be effective without their support". Ties in output go to the earlier
    voter, so the outcome does not depend on sorting."""
    total = sum(weights)
    if not backs or total <= 0.0:
        return Outcome(False, 0.0, float("nan"), ())
    support = sum(w for w, b in zip(weights, backs, strict=True) if b) / total
    funded = support >= threshold and any(backs)
    if influential_share is None:
        return Outcome(funded, support, float("nan"), ())
    k = max(1, round(influential_share * len(sizes)))
    top = tuple(sorted(sorted(range(len(sizes)), key=lambda j: (-sizes[j], j))[:k]))
    top_total = sum(sizes[j] for j in top)
    top_support = (sum(sizes[j] for j in top if backs[j]) / top_total if top_total > 0.0
                   else float(any(backs[j] for j in top)))
    return Outcome(funded and top_support >= 0.5, support, top_support, top)
