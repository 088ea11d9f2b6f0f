"""The words the model is written in, defined once: governance types, the functional ladder,
the days of a year and how members of a group are named.

Engine-free (no SimPy, numpy or pandas), so the scenario model, the agents and the metrics
all import it.
"""

from __future__ import annotations

from typing import Literal, get_args

# H&S Table 1 (market, network, quasi-hierarchy, hierarchy) and GHS 2005's modular type.
GovernanceName = Literal["market", "modular", "network", "quasi_hierarchy", "hierarchy"]
GOVERNANCE_TYPES: tuple[str, ...] = get_args(GovernanceName)

# The functional ladder (H&S 2.2, 4.5): assembly, full package (OEM), own design, own brand.
Rung = Literal["assembly", "full_package", "odm", "obm"]
RUNGS: tuple[str, ...] = get_args(Rung)
RUNG_INDEX = {name: i for i, name in enumerate(RUNGS)}

YEAR_DAYS = 360.0  # the clock's year; seasons, periods and fair months are fractions of it


def member_ids(group: str, count: int) -> list[str]:
    """The ids of a group's members: the group's own id for one member, else `group-01`,
    `group-02`, ... padded to the width of the count."""
    if count == 1:
        return [group]
    width = len(str(count))
    return [f"{group}-{k + 1:0{width}d}" for k in range(count)]
