"""Buyer sourcing: scouting for cheaper sources and the price offered to incumbents.

H&S section 3: "Global buyers are constantly scouting for lower-cost production sites";
section 4.2: some of Brazil's main US buyers built up Chinese export capability and the
Brazilian producers "were faced with sharply declining prices". The landed cost of the
best alternative source sets the price a buyer offers its incumbents.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True, slots=True)
class Candidate:
    """A firm a scouting buyer looked at: its landed cost and failure chance."""

    firm: int
    landed_cost: float  # unit cost with margin, plus transport to the buyer's market
    failure_probability: float


@dataclass(frozen=True, slots=True)
class ScoutingDecision:
    """The source a scouting round found, and whether the buyer adopts it."""

    firm: int | None
    observed_cost: float
    true_cost: float
    reference_price: float
    examined: int
    adopt: bool

    def record(self) -> dict[str, float | int | bool | None]:
        return {
            "firm": self.firm,
            "observed_cost": self.observed_cost,
            "true_cost": self.true_cost,
            "reference_price": self.reference_price,
            "examined": self.examined,
            "adopt": self.adopt,
        }


@dataclass(slots=True)  # read-only by contract (rules/__init__.py)
class PriceOffer:
    """The price a buyer offers an incumbent, and the numbers behind it."""

    price: float
    alternative_cost: float
    reliability_premium: float

    def record(self) -> dict[str, float]:
        return {
            "price": self.price,
            "alternative_cost": self.alternative_cost,
            "reliability_premium": self.reliability_premium,
        }


def scout(
    candidates: list[Candidate],
    reference_price: float,
    noise: float,
    threshold: float,
    rng: np.random.Generator,
) -> ScoutingDecision:
    """Observe each candidate's landed cost with noise; adopt the cheapest if clearly cheaper.

    With zero noise the buyer finds the true cheapest source (perfect scouting).
    """
    if not candidates:
        return ScoutingDecision(None, float("nan"), float("nan"), reference_price, 0, False)
    costs = np.array([c.landed_cost for c in candidates])
    observed = costs * np.exp(rng.normal(0.0, noise, len(costs))) if noise > 0 else costs
    best = int(np.argmin(observed))
    adopt = bool(observed[best] < reference_price * (1.0 - threshold))
    return ScoutingDecision(
        candidates[best].firm, float(observed[best]), float(costs[best]), reference_price,
        len(candidates), adopt,
    )


def offer_price(
    current_price: float,
    alternative_cost: float,
    incumbent_failure: float,
    alternative_failure: float,
    loss_per_unit: float,
    reliability_weight: float,
) -> PriceOffer:
    """The incumbent keeps a premium worth the failures it spares the buyer, no more."""
    premium = reliability_weight * max(0.0, alternative_failure - incumbent_failure)
    premium *= loss_per_unit
    ceiling = alternative_cost + premium
    return PriceOffer(min(current_price, ceiling), alternative_cost, premium)


@dataclass(frozen=True, slots=True)
class SourcingRule:
    """The pair of decisions a sourcing rule makes."""

    scout: Callable[..., ScoutingDecision]
    offer_price: Callable[..., PriceOffer]


RULES = {"landed_cost": SourcingRule(scout=scout, offer_price=offer_price)}
