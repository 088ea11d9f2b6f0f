"""A buyer's reaction when a supplier encroaches on its core competence.

H&S 2.2 and 4.2: buyers "discourage, if not obstruct, design, marketing and branding by
local producers" because "such upgrading encroaches on their buyers' core competence";
H&S 5: "Having made the investment it is in their interest to maintain the relationship
and the asymmetry." The reaction therefore grows with what the buyer has at stake in the
supplier (its sunk investment) and with how much of the product it defines itself; a
buyer that lets suppliers define the product has no competence to defend.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

DEFINITION_STAKE = {"buyer": 1.0, "joint": 0.3, "supplier": 0.0}
# Severity by what the buyer sees: own designs shown, ODM reached, own brand.
SEVERITY = {"fair": 0.4, "odm": 0.7, "obm": 1.0}


@dataclass(frozen=True, slots=True)
class EncroachmentView:
    """What a buyer weighs when its supplier moves into design or branding."""

    product_definition: str
    sensitivity: float  # buyer attribute, 0-1
    sunk_investment: float  # what the buyer has put into this supplier
    stake_scale: float  # sunk investment at which the stake counts half
    severity: float  # 0-1: exhibiting own designs < reaching ODM < own brand


@dataclass(frozen=True, slots=True)
class Reaction:
    """The buyer's reaction to encroachment and its probability."""

    probability: float
    action: str  # "none", "cut_share" or "end_link"
    share_cut: float

    def record(self) -> dict[str, float | str]:
        return {"probability": self.probability, "action": self.action, "share_cut": self.share_cut}


def reaction_probability(v: EncroachmentView) -> float:
    stake = v.sunk_investment / (v.sunk_investment + v.stake_scale)
    return float(v.sensitivity * DEFINITION_STAKE[v.product_definition] * stake * v.severity)


def sunk_stake(v: EncroachmentView, rng: np.random.Generator) -> Reaction:
    """React with the probability above; a strong stake ends the link, a weaker one cuts."""
    p = reaction_probability(v)
    if rng.random() >= p:
        return Reaction(p, "none", 0.0)
    if p > 0.5:
        return Reaction(p, "end_link", 1.0)
    return Reaction(p, "cut_share", 0.5)


RULES = {"sunk_stake": sunk_stake}
