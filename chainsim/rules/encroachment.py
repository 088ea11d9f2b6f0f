"""A buyer's reaction when a supplier encroaches on its core competence.

H&S 2.2 and 4.2: buyers "discourage, if not obstruct, design, marketing and branding by
local producers" because "such upgrading encroaches on their buyers' core competence".
H&S 5: "Having made the investment it is in their interest to maintain the relationship
and the asymmetry", and "where producers have more symmetrical network or market-based
relationships with their buyers, those buyers are more likely to tolerate new
explorations". The reaction therefore follows the link's governance now, the buyer's
current stake in the supplier (rules/stake.py: it depreciates) and how lopsided the
relationship is. Who defines the product does not enter: it shaped the governance
(Table 4), and the governance carries its consequences.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from chainsim.rules.stake import stake_weight

# Severity by what the buyer sees: own designs shown, ODM reached, own brand.
SEVERITY = {"fair": 0.4, "odm": 0.7, "obm": 1.0}


@dataclass(slots=True)  # read-only by contract (rules/__init__.py)
class Reaction:
    """The buyer's reaction to encroachment and its probability."""

    probability: float
    action: str  # "none", "cut_share" or "end_link"
    share_cut: float

    def record(self) -> dict[str, float | str]:
        return {"probability": self.probability, "action": self.action, "share_cut": self.share_cut}


# How far a buyer can and will obstruct a supplier's move into design or branding, by the
# link's governance now (H&S Table 4): under quasi-hierarchy the buyer has a "high degree of
# control ... over supplier"; network partners are "more or less 'equals'" who jointly
# define the product; at arm's length the buyer has no tutelage to withdraw and can only
# buy less. H&S 5: "where producers have more symmetrical network or market-based
# relationships with their buyers, those buyers are more likely to tolerate new
# explorations". Choices of scale; the order is the paper's.
CONTROL = {"hierarchy": 1.0, "quasi_hierarchy": 1.0, "network": 0.3, "modular": 0.15,
           "market": 0.1}


@dataclass(slots=True)  # read-only by contract (rules/__init__.py)
class EncroachmentView:
    """What a buyer weighs when a supplier shows its own designs or brand."""

    governance: str  # the link's governance now
    sensitivity: float  # buyer attribute, 0-1
    stake: float  # the buyer's current, depreciated stake in this supplier (rules/stake.py)
    stake_scale: float  # stake at which it counts half
    dependence: float  # share of the supplier's sales that go to this buyer, 0-1
    reliance: float  # share of the buyer's purchases that come from this supplier, 0-1
    severity: float  # 0-1: exhibiting own designs < reaching ODM < own brand


def asymmetry(dependence: float, reliance: float) -> float:
    """How lopsided the relationship is, 0-1: the supplier depends on the buyer and the
    buyer does not depend on the supplier. A supplier selling all its output to a buyer
    that takes an eighth of its purchases from it scores 0.875; a supplier with many
    buyers, or one its buyer cannot do without, little (H&S 4.4, 5)."""
    d = min(1.0, max(0.0, dependence))
    r = min(1.0, max(0.0, reliance))
    return d * (1.0 - r)


def reaction_probability(v: EncroachmentView) -> float:
    """sensitivity x control(governance now) x stake weight x asymmetry x severity.

    Who defines the product does not enter: it shaped the governance (Table 4), and the
    governance, the stake it built and the dependence it left carry its consequences."""
    return float(v.sensitivity * CONTROL[v.governance] * stake_weight(v.stake, v.stake_scale)
                 * asymmetry(v.dependence, v.reliance) * v.severity)


def share_cut(probability: float) -> float:
    """The share a reacting buyer withdraws: the larger its reason to react, the more it
    withdraws; a certain reaction ends the link (cut 1). Continuous, so the expected
    withdrawal below has no jump where today's rule switches from halving to ending."""
    return min(1.0, max(0.0, 0.5 + probability))


def expected_withdrawal(probability: float, revenue: float) -> float:
    """Sales a firm expects a buyer to withdraw if it encroaches: the chance the buyer
    reacts x the share it would cut x what the firm sells it in a year."""
    return probability * share_cut(probability) * revenue


def dependence_stake(v: EncroachmentView, rng: np.random.Generator) -> Reaction:
    """React with `reaction_probability`; cut by `share_cut`, end at a cut of 1."""
    p = reaction_probability(v)
    if rng.random() >= p:
        return Reaction(p, "none", 0.0)
    cut = share_cut(p)
    return Reaction(p, "end_link" if cut >= 1.0 else "cut_share", cut)


# A choice: a firm sells freed capacity again in about a year when it has other buyers and
# marketing of its own; one that sold everything to the buyer it lost, and never learnt to
# market, needs up to five (H&S 4.2: the buyers were "responsible for product definition
# (and hence, market knowledge)"; 4.1: the "sunk costs of ... establishing marketing
# channels").
REPLACE_BASE_YEARS = 1.0
REPLACE_MAX_YEARS = 5.0


def years_to_replace(dependence: float, marketing: float) -> float:
    """Years until withdrawn sales are replaced: 1 / (other buyers' share + marketing),
    between REPLACE_BASE_YEARS and REPLACE_MAX_YEARS."""
    reach = max(0.0, 1.0 - dependence) + max(0.0, marketing)
    if reach <= 0.0:
        return REPLACE_MAX_YEARS
    return min(REPLACE_MAX_YEARS, max(REPLACE_BASE_YEARS, REPLACE_BASE_YEARS / reach))


def withdrawal_cost(probability: float, revenue: float, margin: float, dependence: float,
                    marketing: float) -> float:
    """What an expected withdrawal costs the firm: the margin on the sales withdrawn, for
    as long as it takes to sell them elsewhere. The weight of a buyer's reaction in the
    fair, investment and allegiance decisions, in place of a
    year's (or a horizon's) revenue."""
    return (expected_withdrawal(probability, revenue) * margin
            * years_to_replace(dependence, marketing))


RULES = {"dependence_stake": dependence_stake}
