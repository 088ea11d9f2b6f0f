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

# The functional ladders (H&S 2.2, 4.5). Shoes and garments: assembly, full package (OEM),
# own design, own brand. Fresh fruit (H&S 3 half-channel markets, 4.3, footnote 25): the
# grower, grading and packing, a cold chain, certified to a standard, own label. A scenario
# names its ladder (`technology.ladder`); what each rung needs and pays is in
# chainsim/rules/ladder.py.
ShoeRung = Literal["assembly", "full_package", "odm", "obm"]
FruitRung = Literal["grower", "grading_packing", "cold_chain", "certified", "own_label"]
Rung = Literal[ShoeRung, FruitRung]
LadderName = Literal["shoe", "fruit"]
LADDERS: dict[str, tuple[str, ...]] = {"shoe": get_args(ShoeRung), "fruit": get_args(FruitRung)}
# The first strategic rung of each ladder (own design; own label): "functional upgrading"
# in the metrics counts the firms at it or above (H&S 4.2: "the strategic functions of the
# chain which tend to lie in product definition (design, branding, marketing)").
STRATEGIC_FROM: dict[str, int] = {"shoe": 2, "fruit": 4}
RUNGS: tuple[str, ...] = LADDERS["shoe"]  # the shoe ladder, the default
RUNG_INDEX = {name: i for i, name in enumerate(RUNGS)}


def rung_names(ladder: str = "shoe") -> tuple[str, ...]:
    """The rung names of a ladder, bottom first."""
    return LADDERS[ladder]

YEAR_DAYS = 360.0  # the clock's year; seasons, periods and fair months are fractions of it


def member_ids(group: str, count: int) -> list[str]:
    """The ids of a group's members: the group's own id for one member, else `group-01`,
    `group-02`, ... padded to the width of the count."""
    if count == 1:
        return [group]
    width = len(str(count))
    return [f"{group}-{k + 1:0{width}d}" for k in range(count)]


def chain_name(market: str) -> str:
    """A chain is named by its buyers' market ("US", "EU", "BR"); buyers without one form
    the chain "unnamed"."""
    return market or "unnamed"


def chains_of(markets) -> str:
    """A firm's chain set as one label, for reporting upgrading by chains: the sorted
    markets it sells into joined by '+', 'none' without any."""
    names = sorted(set(markets))
    return "+".join(names) if names else "none"

# Why a lead firm turns an order away (the journal's `refused` events): no capacity in
# time, the season's capacity allotted to other chains, or the cluster not (yet) active.
REFUSAL_REASONS: tuple[str, ...] = ("allocation", "capacity", "inactive")
