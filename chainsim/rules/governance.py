"""Governance choice for a buyer-supplier link.

`hs2000`: Humphrey & Schmitz (2000) section 3 and Table 4. "The key determinant of the
governance form is ... the risks faced by the buyer": the buyer compares its expected loss
from supplier failure (probability from the competence gap and the link's record, times
the loss per failed order) with the cost of tight governance, and considers who defines
the product, complementary competences near the frontier (network), and ownership
(hierarchy).

`ghs2005`: Gereffi, Humphrey & Sturgeon (2005) Table 1: five types from complexity of
transactions, codifiability of information and supplier capability.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(slots=True)  # read-only by contract (rules/__init__.py)
class LinkView:
    """What the buyer knows when it (re)chooses the governance of one link."""

    product_definition: str  # "buyer", "joint" or "supplier"
    proprietary_technology: bool
    failure_probability: float  # estimated, per order, without tight governance
    orders_per_year: float
    loss_per_failed_order: float
    monitoring_cost: float  # per year, full tight governance
    capability_investment: float  # per year, full tight governance
    ownership_cost: float  # per year
    failure_prevention_qh: float  # share of failures tight governance averts
    failure_prevention_network: float
    supplier_competence: float  # min(process, product) of the supplier, 0-1
    supplier_design: float
    design_advantage: float  # supplier design minus the cluster's typical design level
    design_progress: float  # rise of the supplier's design capability since the last review
    transaction_complexity: float
    codifiability: float
    current: str


@dataclass(slots=True)  # read-only by contract (rules/__init__.py)
class GovernanceDecision:
    """The governance chosen for a link and the risk calculus behind it."""

    governance: str
    reason: str
    expected_loss: float
    governance_cost: float
    net_benefit: float

    def record(self) -> dict[str, float | str]:
        return {
            "governance": self.governance,
            "reason": self.reason,
            "expected_loss": self.expected_loss,
            "governance_cost": self.governance_cost,
            "net_benefit": self.net_benefit,
        }


FRONTIER_COMPETENCE = 0.75
COMPLEMENTARY_DESIGN = 0.5
DISTINCTIVE_DESIGN = 0.1
INNOVATING = 0.02


def hs2000(v: LinkView) -> GovernanceDecision:
    """Table 4 as a cost comparison; the cheapest adequate form wins.

    Network needs joint product definition with a supplier near the frontier whose design
    complements the buyer's, and something joint to work on: a design edge the rest of
    the cluster does not have yet, or design still advancing (an innovation under way).
    When the edge has diffused and the design stopped moving, the link loosens (H&S 4.4).
    """
    expected_loss = v.failure_probability * v.loss_per_failed_order * v.orders_per_year
    tight_cost = v.monitoring_cost + v.capability_investment
    qh_benefit = expected_loss * v.failure_prevention_qh - tight_cost

    if v.product_definition == "supplier":
        return GovernanceDecision("market", "supplier defines the product", expected_loss, 0.0, 0.0)
    if v.proprietary_technology:
        # Owning the supplier removes the failure loss at the ownership cost; it wins when
        # that beats both buying at arm's length and tight governance.
        owned_benefit = expected_loss - v.ownership_cost
        if owned_benefit > max(qh_benefit, 0.0):
            return GovernanceDecision(
                "hierarchy",
                "ownership cheaper than governance",
                expected_loss,
                v.ownership_cost,
                owned_benefit,
            )
    if (
        v.product_definition == "joint"
        and v.supplier_competence >= FRONTIER_COMPETENCE
        and v.supplier_design >= COMPLEMENTARY_DESIGN
        and (v.design_advantage >= DISTINCTIVE_DESIGN or v.design_progress >= INNOVATING)
    ):
        cost = 0.3 * tight_cost
        return GovernanceDecision(
            "network",
            "joint definition, complementary competence",
            expected_loss,
            cost,
            expected_loss * 0.4 - cost,
        )
    if qh_benefit > 0.0:
        return GovernanceDecision(
            "quasi_hierarchy",
            "expected loss exceeds governance cost",
            expected_loss,
            tight_cost,
            qh_benefit,
        )
    return GovernanceDecision(
        "market", "risk below the cost of governance", expected_loss, 0.0, -qh_benefit
    )


CAPABLE = 0.6


def ghs2005(v: LinkView) -> GovernanceDecision:
    """Five types from complexity, codifiability and supplier capability (GHS 2005)."""
    expected_loss = v.failure_probability * v.loss_per_failed_order * v.orders_per_year
    complex_ = v.transaction_complexity >= 0.5
    codified = v.codifiability >= 0.5
    capable = v.supplier_competence >= CAPABLE
    if not complex_:
        kind, reason = "market", "low complexity"
    elif codified and capable:
        kind, reason = "modular", "complex but codified, capable supplier"
    elif capable:
        kind, reason = "network", "complex tacit exchange with a capable supplier"
    elif codified:
        kind, reason = "quasi_hierarchy", "codified but supplier lacks capability (captive)"
    else:
        kind, reason = "hierarchy", "tacit and supplier lacks capability"
    return GovernanceDecision(kind, reason, expected_loss, 0.0, 0.0)


def fixed(v: LinkView) -> GovernanceDecision:
    """Keep every link as the scenario set it: for experiments that hold governance fixed
    to see what each type does (the chain-configuration comparison), never for a claim
    about which type arises."""
    expected_loss = v.failure_probability * v.loss_per_failed_order * v.orders_per_year
    return GovernanceDecision(v.current, "held fixed by the scenario", expected_loss, 0.0, 0.0)


RULES = {"hs2000": hs2000, "ghs2005": ghs2005, "fixed": fixed}


# --- a change of governance must be worth its disruption ------------------------------------

# A choice: a buyer changes a link's governance only when the net benefit of the change
# exceeds a tenth of the yearly cost of tight governance. H&S 3: buyers "invest in a few
# selected suppliers and ... seek to tie them to their chain"; without it a link reviewed
# yearly flips between market and quasi-hierarchy near the threshold, and each market year
# pays the supplier for designs its tight buyer would never buy.
HYSTERESIS = 0.1


def with_hysteresis(decision: GovernanceDecision, current: str, tight_cost: float,
                    margin: float = HYSTERESIS) -> GovernanceDecision:
    """Keep the current governance between quasi-hierarchy and market unless the rule's
    net benefit clears `margin x tight_cost`; other changes (network, hierarchy, a
    supplier that now defines the product) pass as decided."""
    pair = {decision.governance, current}
    if pair == {"quasi_hierarchy", "market"} and abs(decision.net_benefit) < margin * tight_cost:
        return GovernanceDecision(current, "kept: change not worth its disruption",
                                  decision.expected_loss, decision.governance_cost,
                                  decision.net_benefit)
    return decision
