"""Firms in several chains: what each chain pays for, how a firm shares its capacity among
them, and what selling its own designs in one chain teaches it for the others.

H&S 2.2: "different types of governance can co-exist within the same sector and firms may
be inserted into different chains simultaneously" (Knorringa, Tewari). H&S 4.3: "A number
of Sinos Valley firms, who favour the Latin American market, have developed their own
design, brands and marketing channels ... the most significant advance in functional
upgrading may come from firms exploring different value chains ... the chains most
conducive for learning to compete in global markets are sometimes the national chains"
(Tewari on Ludhiana's domestic market).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

# The highest rung whose premium a buyer pays on a link, by the link's governance now
# (issue 12 item 1; replaces PAID_RUNG keyed on who defines the product). Under
# quasi-hierarchy or hierarchy the buyer defines the product and buys production (full
# package, rung 1). In a network the product is defined jointly and the supplier's design
# is part of it (ODM, rung 2). At arm's length "the supplier defines it without reference
# to particular customers" (Table 4): the buyer buys the supplier's collection as it is,
# own design and own brand included (rung 3). Modular: the supplier designs to the buyer's
# specification (turn-key, Sturgeon in H&S 3): rung 2.
PAID_RUNG = {"hierarchy": 1, "quasi_hierarchy": 1, "network": 2, "modular": 2, "market": 3}


def paid_rung(governance: str, supplier_rung: int) -> int:
    """The rung a buyer pays for on this link: the supplier's, capped by the governance."""
    return min(supplier_rung, PAID_RUNG[governance])


@dataclass(frozen=True, slots=True)
class ChainRequest:
    """One chain's call on a firm's capacity for the coming season."""

    chain: str  # e.g. "US", "EU", "domestic"
    units: float  # what the chain's buyers want from the firm this season
    margin: float  # per unit, after the rung and quality premiums
    committed: bool  # a tight (quasi-hierarchical) link: the buyer's orders come first


@dataclass(frozen=True, slots=True)
class Allocation:
    units: dict[str, float]
    refused: dict[str, float]
    capacity: float

    def record(self) -> dict[str, float]:
        out = {f"units_{k}": v for k, v in self.units.items()}
        out.update({f"refused_{k}": v for k, v in self.refused.items()})
        out["capacity"] = self.capacity
        return out


def allocate(capacity: float, requests: tuple[ChainRequest, ...]) -> Allocation:
    """Share a season's capacity: committed (tight) chains first, in request order, then
    the others by margin per unit, best first. H&S 4.4: "long-term relationships may be
    more frequent in quasi-hierarchical chains with their high degree of transactional
    dependence": the main buyer's orders are served before the firm's own ventures."""
    order = sorted(range(len(requests)),
                   key=lambda k: (not requests[k].committed,
                                  0.0 if requests[k].committed else -requests[k].margin, k))
    left = capacity
    units: dict[str, float] = {}
    refused: dict[str, float] = {}
    for k in order:
        r = requests[k]
        take = min(left, r.units)
        left -= take
        units[r.chain] = units.get(r.chain, 0.0) + take
        refused[r.chain] = refused.get(r.chain, 0.0) + r.units - take
    return Allocation(units, refused, capacity)


# Choices: selling one's own collections teaches design and marketing at a quarter of the
# rate production learns by doing (learning_by_doing), on the same logarithmic scale.
OWN_DESIGN_LEARNING = 0.25


def own_design_learning(units_own_design: float, learning_volume: float,
                        learning_by_doing: float, design: float, marketing: float,
                        rate: float = OWN_DESIGN_LEARNING) -> tuple[float, float]:
    """Design and marketing learnt in a period from sales in chains that buy the firm's own
    designs (market-governed links, domestic and Latin American buyers): the firm's, so
    they carry over to every chain it sells into (a capability is the firm's, not the
    link's). Returns the rises of design and marketing."""
    doing = rate * learning_by_doing * math.log1p(max(0.0, units_own_design) / learning_volume)
    return doing * (1.0 - design), doing * (1.0 - marketing)


def chains_of(markets: list[str]) -> str:
    """A firm's chain set as one label for reporting upgrading by chains (issue 12 item 4):
    the sorted markets of its active links joined by '+', 'none' without links."""
    return "+".join(sorted(set(markets))) if markets else "none"


def paid_premium(governance: str, supplier_rung: int, premiums: tuple[float, ...],
                 buys_brands: float) -> float:
    """The rung premium a buyer pays on a link: up to the governance's cap, and for an own
    brand only on the share of its purchases it resells under suppliers' brands.

    A brand owner (Compaq, a US shoe retailer with its own labels) that buys at arm's
    length pays for the supplier's design but sells under its own name (H&S 4.4: the
    notebook makers "made a rapidly increasing contribution to the design", OEM -> ODM,
    "sometimes even" OBM, 4.5); independent retailers and importers met at fairs resell
    the supplier's brand (`Buyer.buys_brands`, a fact of the buyer's business, 0-1)."""
    rung = paid_rung(governance, supplier_rung)
    if rung < 3:
        return premiums[rung]
    share = min(1.0, max(0.0, buys_brands))
    return premiums[2] + share * (premiums[3] - premiums[2])
