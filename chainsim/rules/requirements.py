"""Buyers' requirements that move: they rise over time, jump with competition and with new
standards; and the failures a requirement not met causes.

H&S 3: "The increasing importance of non-price competition based on such factors as
quality, response time and reliability of delivery, together with increasing concerns
about safety and standards, means that buyers ... have become more vulnerable to
shortcomings in the performance of their suppliers." H&S 4.2: after the Chinese entry "the
upgrading imperative was clear ... raising quality, reducing batch size and increasing
speed"; H&S 4.3: "as markets for fresh fruit develop and become more sophisticated, entry
requirements increase"; H&S 3 on half-channel markets: "clearly defined grades and
standards ... governments also define and verify phytosanitary standards".

A requirement that rises reopens the competence differential, so the governance rule
(rules/governance.py) sees a larger failure risk and may tighten the link again, and the
buyer teaches the switch (rules/teaching.py).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

# Choices (see the design note for issue 12): requirements creep toward a ceiling at 2% of
# the remaining distance a year; lead times and batch sizes shrink 1% a year to a floor.
DRIFT = 0.02
CEILING = 0.9
SHRINK = 0.01
LEAD_TIME_FLOOR = 0.5  # of the scenario's lead time
BATCH_FLOOR = 0.4  # of the scenario's order size
# When competition arrives (a buyer adopts a source from a new cluster, or an entrant
# undercuts its incumbents), the buyer competes on what the entrant cannot yet offer:
# process requirement (speed, flexibility) +0.15, quality +0.05, lead time and batch size
# down by a quarter (H&S 4.2: "raising quality, reducing batch size and increasing speed").
COMPETITION_JUMP = {"process": 0.15, "quality": 0.05, "lead_time": 0.25, "batch": 0.25}
PROCESS_SENSITIVITY = 1.0  # failures per unit of process capability missing (a choice)


@dataclass(frozen=True, slots=True)
class Requirements:
    """A buyer's requirements now; `base_*` are the scenario's, for the floors."""

    quality: float
    process: float
    lead_time_days: float
    order_size: float
    base_lead_time_days: float
    base_order_size: float


@dataclass(frozen=True, slots=True)
class RequirementChange:
    requirements: Requirements
    reason: str  # "drift", "competition", "standard:<name>" or "none"
    quality_rise: float
    process_rise: float

    def record(self) -> dict[str, float | str]:
        r = self.requirements
        return {"reason": self.reason, "quality": r.quality, "process": r.process,
                "lead_time_days": r.lead_time_days, "order_size": r.order_size,
                "quality_rise": self.quality_rise, "process_rise": self.process_rise}


def _change(old: Requirements, new: Requirements, reason: str) -> RequirementChange:
    return RequirementChange(new, reason, new.quality - old.quality, new.process - old.process)


def drift(r: Requirements, years: float, rate: float = DRIFT, ceiling: float = CEILING,
          shrink: float = SHRINK) -> RequirementChange:
    """Non-price competition tightens every year: quality and process requirements close
    `rate` of their distance to `ceiling` a year; lead time and batch size shrink."""
    keep = (1.0 - rate) ** years
    quality = r.quality if r.quality >= ceiling else ceiling - (ceiling - r.quality) * keep
    process = r.process if r.process >= ceiling else ceiling - (ceiling - r.process) * keep
    factor = (1.0 - shrink) ** years
    new = replace(
        r, quality=quality, process=process,
        lead_time_days=max(LEAD_TIME_FLOOR * r.base_lead_time_days, r.lead_time_days * factor),
        order_size=max(BATCH_FLOOR * r.base_order_size, r.order_size * factor))
    return _change(r, new, "drift")


def competition(r: Requirements, jump: dict[str, float] | None = None) -> RequirementChange:
    """Competition arrives: the buyer asks for what the entrant cannot yet offer."""
    j = COMPETITION_JUMP if jump is None else jump
    new = replace(
        r, quality=min(1.0, r.quality + j["quality"]),
        process=min(1.0, r.process + j["process"]),
        lead_time_days=max(LEAD_TIME_FLOOR * r.base_lead_time_days,
                           r.lead_time_days * (1.0 - j["lead_time"])),
        order_size=max(BATCH_FLOOR * r.base_order_size, r.order_size * (1.0 - j["batch"])))
    return _change(r, new, "competition")


def standard(r: Requirements, name: str, quality: float = 0.0,
             process: float = 0.0) -> RequirementChange:
    """A standard is imposed (scenario shock `kind = "standard"`): the requirements rise
    to at least the standard's levels (a grade, a phytosanitary rule, ISO 9000)."""
    new = replace(r, quality=max(r.quality, quality), process=max(r.process, process))
    return _change(r, new, f"standard:{name}")


def process_shortfall_probability(process: float, requirement: float,
                                  sensitivity: float = PROCESS_SENSITIVITY) -> float:
    """Chance an order fails because production falls short of the buyer's speed and
    flexibility requirement (a late or wrong-sized delivery): zero when the requirement is
    met, as `technology.shortfall_probability` does for quality."""
    return min(1.0, sensitivity * max(0.0, requirement - process))


@dataclass(frozen=True, slots=True)
class CertificationView:
    product: float
    process: float
    standard_quality: float
    standard_process: float
    facility: float  # cluster's testing and certification facility, 0-1 (H&S 5)
    cost: float  # of certifying once, for a firm on its own
    cash_available: float


@dataclass(frozen=True, slots=True)
class Certification:
    certified: bool
    cost: float
    gap: float  # capability still missing to the standard

    def record(self) -> dict[str, float | bool]:
        return {"certified": self.certified, "cost": self.cost, "gap": self.gap}


def certify(v: CertificationView) -> Certification:
    """A firm that meets a standard can prove it: certification costs less where the
    cluster has a testing and certification facility (H&S 5: local policy "strengthening
    training, testing and certification facilities"), half at full strength. A certified
    firm's failure record starts clean with buyers that require the standard."""
    gap = max(0.0, v.standard_quality - v.product, v.standard_process - v.process)
    cost = v.cost * (1.0 - 0.5 * v.facility)
    ok = gap <= 0.0 and v.cash_available >= cost
    return Certification(ok, cost if ok else 0.0, gap)


# --- the specification risk of a product the buyer defines ---------------------------------

# Table 4 and H&S 3: "Where the buyer is involved in product definition, then the buyer has
# to inform the supplier of what is required." Each season's new models are a new
# specification; a supplier left to itself misreads some of them. A choice: 4% of orders
# at codifiability 0 when the buyer defines the product, half that when it is defined
# jointly, none when the supplier defines it; a supplier with design capability reads a
# specification better (up to half the risk). Tight governance averts its share of these
# failures like any other (on-site monitoring, H&S 4.2), so who defines the product moves
# the governance choice; what happens then follows the governance.
NOVELTY = 0.04
DEFINITION_WEIGHT = {"buyer": 1.0, "joint": 0.5, "supplier": 0.0}


def specification_risk(product_definition: str, codifiability: float, design: float,
                       novelty: float = NOVELTY) -> float:
    """Chance per order that a supplier left to itself misses a buyer-defined spec."""
    return (novelty * DEFINITION_WEIGHT[product_definition] * (1.0 - codifiability)
            * (1.0 - 0.5 * design))


def failure_with_specification(failure: float, spec_risk: float, prevention: float) -> float:
    """A supplier's failure probability with the specification risk added, the risk
    reduced by the governance's failure prevention (0 when estimating it left alone)."""
    return 1.0 - (1.0 - failure) * (1.0 - spec_risk * (1.0 - prevention))


def best_practice_jump(r: Requirements, best_quality: float, best_process: float,
                       lead: float = 0.03) -> RequirementChange:
    """Competition arrives and the buyer asks for "a new way of producing" (H&S 4.2): on
    the lines it keeps with its incumbents it requires `lead` beyond the best of its
    current suppliers (capped at 1); lines it moves to the entrant keep the requirements
    they had. A jump on top of the current requirements alone does not bite where the
    suppliers have long passed them (see the design note for issue 12)."""
    new = replace(r, quality=min(1.0, max(r.quality, best_quality + lead)),
                  process=min(1.0, max(r.process, best_process + lead)))
    return _change(r, new, "competition:best_practice")
