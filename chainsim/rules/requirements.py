"""Requirements: the specification risk of a product the buyer defines, how who defines
the product raises the buyer's risk of supplier failure and so shapes the governance
(Table 4); standards imposed from a date, and certifying them.
"""

from __future__ import annotations

from dataclasses import dataclass

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


# --- standards and certification -----------------------------------------------------------


def standard_floors(quality: float, process: float, standard_quality: float,
                    standard_process: float) -> tuple[float, float]:
    """A standard is imposed (scenario shock `kind = "standard"`): the requirements rise to
    at least the standard's levels and never fall (H&S 3: "clearly defined grades and
    standards ... governments also define and verify phytosanitary standards"; 4.3: "as
    markets for fresh fruit develop and become more sophisticated, entry requirements
    increase")."""
    return max(quality, standard_quality), max(process, standard_process)


@dataclass(frozen=True, slots=True)
class CertificationView:
    """A firm's capabilities against a standard, and the cluster's facility."""

    product: float
    process: float
    standard_quality: float
    standard_process: float
    facility: float  # cluster's testing and certification facility, 0-1 (H&S 5)
    cost: float  # of certifying once, for a firm on its own
    cash_available: float


@dataclass(frozen=True, slots=True)
class Certification:
    """Whether the firm certifies, at what cost, and what it still lacks."""

    certified: bool
    cost: float
    gap: float  # capability still missing to the standard

    def record(self) -> dict[str, float | bool]:
        return {"certified": self.certified, "cost": self.cost, "gap": self.gap}


def certify(v: CertificationView) -> Certification:
    """A firm that meets a standard can prove it: certification costs less where the
    cluster has a testing and certification facility (H&S 5: local policy "strengthening
    training, testing and certification facilities"), half at full strength."""
    gap = max(0.0, v.standard_quality - v.product, v.standard_process - v.process)
    cost = v.cost * (1.0 - 0.5 * v.facility)
    ok = gap <= 0.0 and v.cash_available >= cost
    return Certification(ok, cost if ok else 0.0, gap)
