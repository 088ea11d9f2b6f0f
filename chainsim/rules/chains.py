"""Chains: what a chain pays a supplier for, how a firm shares its capacity among the
chains it sells into, and what making its own collections in one chain teaches it for the
others.

What a buyer pays for: the rungs of the functional ladder whose premium it pays, by the
governance of the link now (H&S Table 4, 4.2-4.4). Several chains: H&S 2.2, "different
types of governance can co-exist within the same sector and firms may be inserted into
different chains simultaneously" (Knorringa, Tewari); 4.3, "the most significant advance in
functional upgrading may come from firms exploring different value chains ... the chains
most conducive for learning to compete in global markets are sometimes the national
chains".
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from chainsim.rules.ladder import Ladder, shoe

# The words (chainsim/vocabulary.py), also here beside the rules that use them.
from chainsim.vocabulary import chain_name as chain_name
from chainsim.vocabulary import chains_of as chains_of

# The highest rung whose premium a buyer pays on a link, by the link's governance now
# Under quasi-hierarchy or hierarchy the buyer defines the product and buys production (full
# package, rung 1). In a network the product is defined jointly and the supplier's design
# is part of it (ODM, rung 2). At arm's length "the supplier defines it without reference
# to particular customers" (Table 4): the buyer buys the supplier's collection as it is,
# own design and own brand included (rung 3). Modular: the supplier designs to the buyer's
# specification (turn-key, Sturgeon in H&S 3): rung 2.
PAID_RUNG = {"hierarchy": 1, "quasi_hierarchy": 1, "network": 2, "modular": 2, "market": 3}


def paid_rung(governance: str, supplier_rung: int) -> int:
    """The rung a buyer pays for on this link: the supplier's, capped by the governance."""
    return min(supplier_rung, PAID_RUNG[governance])


def paid_premium(governance: str, supplier_rung: int, premiums: tuple[float, ...] | Ladder,
                 buys_brands: float, room: float = 1.0, buys_designs: float = 1.0) -> float:
    """The rung premium a buyer pays on a link: up to the highest rung the governance pays
    for (`Ladder.cap`), and for an own brand only on the share of its purchases it resells
    under suppliers' brands, times the room its brand market leaves (`room`, 0-1: the
    premium shared among the brands it already buys, rules/ladder.brand_room).

    A brand owner (Compaq, a US shoe retailer with its own labels) that buys at arm's
    length pays for the supplier's design but sells under its own name (H&S 4.4: the
    notebook makers "made a rapidly increasing contribution to the design", OEM -> ODM,
    "sometimes even" OBM, 4.5); independent retailers and importers met at fairs resell
    the supplier's brand (`Buyer.buys_brands`, a fact of the buyer's business, 0-1).

    A buyer of standard goods to its own specification pays for no supplier design even at
    arm's length: on the share `1 - buys_designs` of its purchases it pays the rung below
    the first design rung (H&S 4.3: Ludhiana's "low-quality, mass produced products
    directed to the Soviet market"; Table 4, market: "the product is standard").
    `premiums`: a ladder, or the shoe ladder's four premiums."""
    ladder = premiums if isinstance(premiums, Ladder) else Ladder("shoe", shoe(premiums=premiums))
    rung = min(supplier_rung, ladder.cap[governance])
    if rung < ladder.brand_rung:
        premium = ladder.premiums[rung]
    else:
        below = ladder.premiums[ladder.brand_rung - 1]
        share = min(1.0, max(0.0, buys_brands)) * room
        premium = below + share * (ladder.premiums[rung] - below)
    if buys_designs >= 1.0 or rung < ladder.design_rung:
        return premium
    plain = ladder.premiums[ladder.design_rung - 1]
    return plain + max(0.0, buys_designs) * (premium - plain)


# -- firms in several chains (H&S 2.2, 4.3, 4.4) --------------------------------------------


@dataclass(frozen=True, slots=True)
class ChainRequest:
    """One chain's call on a firm's capacity for the coming season: what the buyers of one
    market want from the firm, on committed (tight) links or on the others."""

    chain: str  # the buyers' market: "US", "EU", "BR", ...
    units: float  # what they want from the firm this season
    margin: float  # per unit, after the rung and quality premiums, transport and cost
    committed: bool  # quasi-hierarchy or hierarchy: the buyer's orders come first


@dataclass(frozen=True, slots=True)
class Allocation:
    """A season's capacity shared among chains: units served per request (in request
    order), and served and refused per chain."""

    served: tuple[float, ...]
    units: dict[str, float]
    refused: dict[str, float]
    capacity: float

    @property
    def binds(self) -> bool:
        """Whether some request is not served in full."""
        return any(v > 0.0 for v in self.refused.values())

    def record(self) -> dict[str, float]:
        out = {f"units_{k}": float(v) for k, v in self.units.items()}
        out.update({f"refused_{k}": float(v) for k, v in self.refused.items()})
        out["capacity"] = float(self.capacity)
        return out


def _shared(capacity: float, requests: tuple[ChainRequest, ...], order: list[int]
            ) -> Allocation:
    left = capacity
    served = [0.0] * len(requests)
    units: dict[str, float] = {}
    refused: dict[str, float] = {}
    for k in order:
        r = requests[k]
        served[k] = take = float(min(max(left, 0.0), r.units))
        left -= take
        units[r.chain] = units.get(r.chain, 0.0) + take
        refused[r.chain] = refused.get(r.chain, 0.0) + r.units - take
    return Allocation(tuple(served), units, refused, capacity)


def allocate(capacity: float, requests: tuple[ChainRequest, ...]) -> Allocation:
    """Share a season's capacity: committed (tight) chains first, in request order, then
    the others by margin per unit, best first. H&S 4.4: "long-term relationships may be
    more frequent in quasi-hierarchical chains with their high degree of transactional
    dependence": the main buyer's orders are served before the firm's own ventures."""
    order = sorted(range(len(requests)),
                   key=lambda k: (not requests[k].committed,
                                  0.0 if requests[k].committed else -requests[k].margin, k))
    return _shared(capacity, requests, order)


def first_come(capacity: float, requests: tuple[ChainRequest, ...]) -> Allocation:
    """No sharing: every chain may ask for all it wants, and the firm's schedule takes the
    orders as they come (the model before firms weighed their chains)."""
    return Allocation(tuple(r.units for r in requests),
                      {r.chain: r.units for r in requests}, {r.chain: 0.0 for r in requests},
                      capacity)


RULES = {"committed_first": allocate, "first_come": first_come}


# Selling one's own collections teaches design and marketing at a quarter of the rate
# production learns by doing (`learning_by_doing`), on the same logarithmic scale
# (`technology.own_design_learning`).
OWN_DESIGN_LEARNING = 0.25


def own_design_learning(units_own_design, learning_volume: float, learning_by_doing: float,
                        design, marketing, rate: float = OWN_DESIGN_LEARNING):
    """Design and marketing learnt in a period from making one's own collections: units
    sold to buyers that do not define the product (H&S Table 4, market: "the supplier
    defines it"; 4.3: "A number of Sinos Valley firms, who favour the Latin American
    market, have developed their own design, brands and marketing channels"). The
    capabilities are the firm's, so they count in every chain it sells into. Numbers or
    arrays (one value per firm); returns the rises of design and marketing."""
    doing = rate * learning_by_doing * np.log1p(np.maximum(units_own_design, 0.0)
                                                / learning_volume)
    return doing * (1.0 - design), doing * (1.0 - marketing)
