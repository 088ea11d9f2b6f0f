"""Decision rules: small, named, swappable functions of a read-only view and a generator.

Rules import neither SimPy nor the agents. Each returns a decision carrying the numbers
behind it, which the agents write to the decision log. A scenario names the rule to use
for each decision in its `[rules]` table; `RULES` lists what is known.
"""

from chainsim.rules import (
    allegiance,
    chains,
    encroachment,
    fairs,
    governance,
    investment,
    sourcing,
)

RULES: dict[str, dict[str, object]] = {
    "governance": governance.RULES,
    "sourcing": sourcing.RULES,
    "investment": investment.RULES,
    "fair_entry": fairs.RULES,
    "encroachment": encroachment.RULES,
    "allegiance": allegiance.RULES,
    "allocation": chains.RULES,
}

__all__ = ["RULES"]
