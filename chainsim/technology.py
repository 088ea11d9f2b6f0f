"""How capabilities turn into cost, speed, defects and unit value (H&S 1: process upgrading
"transforming inputs into outputs more efficiently"; product upgrading "increased unit
values"). Pure functions of numbers, shared by the agents and the views they hand to rules.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from chainsim.rules.ladder import Ladder, climb_all, fruit, shoe
from chainsim.scenario.model import Technology
from chainsim.vocabulary import YEAR_DAYS

PROCESS, PRODUCT, DESIGN, MARKETING = range(4)
CAPABILITIES = ("process", "product", "design", "marketing")
YEAR = YEAR_DAYS  # days; seasons and fair months are fractions of it


def labour_cost(wage: float, process: float, tech: Technology) -> float:
    """Labour cost per unit: process capability halves it at the frontier."""
    return wage * tech.labour_per_unit * (1.0 - 0.5 * process)


def unit_cost(wage: float, process: float, tech: Technology) -> float:
    """Cost per unit: labour plus materials.

    Every producer is paid for materials here; the full-package rung earns a premium for
    organising the sourcing of inputs rather than for the inputs themselves.
    """
    return labour_cost(wage, process, tech) + tech.materials_per_unit


def speed(capacity: float, process: float) -> float:
    """Units per day: better processes are faster (shorter lead times)."""
    return capacity * (0.6 + 0.4 * process)


def defect_probability(process: float, tech: Technology) -> float:
    return tech.base_defect_rate * (1.0 - process)


def shortfall_probability(product: float, requirement: float, tech: Technology) -> float:
    """Chance an order fails inspection because the product falls short of the buyer's need."""
    return min(1.0, tech.quality_sensitivity * max(0.0, requirement - product))


def shortfall_probabilities(product: float, requirements: np.ndarray,
                            tech: Technology) -> np.ndarray:
    """`shortfall_probability` of one product capability against many requirements, with
    the same arithmetic element by element."""
    return np.minimum(1.0, tech.quality_sensitivity * np.maximum(0.0, requirements - product))


def process_shortfall_probability(process: float, requirement: float,
                                  tech: Technology) -> float:
    """Chance an order fails because the supplier's process falls short of the buyer's
    process requirement: delivered late, in the wrong batch or not at the speed asked
    (H&S 3: "response time and reliability of delivery"; 4.2: "reducing batch size and
    increasing speed")."""
    return min(1.0, tech.process_sensitivity * max(0.0, requirement - process))


def failure_probability(
    process: float, product: float, requirement: float, detection: float, tech: Technology
) -> float:
    """Chance a shipped order fails the buyer's inspection on defects that escape the lead
    firm's inspection or a product short of the quality required."""
    escaped = defect_probability(process, tech) * (1.0 - detection)
    return 1.0 - (1.0 - escaped) * (1.0 - shortfall_probability(product, requirement, tech))


def detection(process: float) -> float:
    """Share of defects the lead firm's own inspection catches."""
    return 0.3 + 0.6 * process


def unit_value(base_price: float, product: float, requirement: float, premium: float,
               tech: Technology) -> float:
    """Price per unit: agreed price, rung premium, and a premium for quality above need."""
    above = max(0.0, product - requirement)
    return base_price * (1.0 + premium) * (1.0 + tech.quality_premium * above)


@lru_cache(maxsize=64)
def ladder_of(tech: Technology) -> Ladder:
    """The scenario's functional ladder (`technology.ladder`): the shoe escalator with the
    scenario's `rung_thresholds` and `rung_premium`, or the fresh-fruit ladder; both with
    the scenario's `brand_threshold` on the own-brand rung (rules/ladder.py)."""
    if tech.ladder == "fruit":
        return Ladder("fruit", fruit(tech.brand_threshold), services=False)
    return Ladder("shoe", shoe(tech.rung_thresholds, tech.rung_premium, tech.brand_threshold))


def rung_from_capabilities(caps: np.ndarray, rung: np.ndarray, tech: Technology,
                           brand: np.ndarray | None = None,
                           certified: np.ndarray | None = None) -> np.ndarray:
    """The highest rung each firm qualifies for, moving up at most one rung per call.

    On the shoe ladder full package needs process capability, own design (ODM) design, own
    brand (OBM) marketing and a brand stock (H&S 2.2: assembly -> full package -> design ->
    own brand); each rung needs the ones below it. Without `brand` or `certified` a firm
    has no brand stock and no certificate."""
    n = len(rung)
    return climb_all(ladder_of(tech).rungs, caps,
                     np.zeros(n) if brand is None else brand,
                     np.zeros(n, dtype=bool) if certified is None else certified, rung)
