"""The specification risk of a product the buyer defines: how who defines the product
raises the buyer's risk of supplier failure, and so shapes the governance (Table 4).
"""

from __future__ import annotations

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
