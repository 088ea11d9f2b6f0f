"""Decision rules: small, named, swappable functions of a read-only view and a generator.

Rules import neither SimPy nor the agents. Each returns a decision carrying the numbers
behind it, which the agents write to the decision log. A scenario names the rule to use
for each decision in its `[rules]` table; `RULES` lists what is known.

Views and decisions are read-only by contract, not frozen dataclasses: the agents build
one for every governance review, reaction, fair and ladder decision (some 100,000 a run
with twenty buyers), and a frozen dataclass's `__init__` costs five times a plain one's
(0.86 against 0.15 microseconds for seven fields). tests/test_architecture.py checks that
no rule assigns to an attribute of what it is given.
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
