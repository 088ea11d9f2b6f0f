"""What a chain pays a supplier for: the rungs of the functional ladder a buyer pays the
premium of, by the governance of the link now (H&S Table 4, 4.2-4.4)."""

from __future__ import annotations

from chainsim.rules.ladder import Ladder, shoe

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
                 buys_brands: float, room: float = 1.0) -> float:
    """The rung premium a buyer pays on a link: up to the highest rung the governance pays
    for (`Ladder.cap`), and for an own brand only on the share of its purchases it resells
    under suppliers' brands, times the room its brand market leaves (`room`, 0-1: the
    premium shared among the brands it already buys, rules/ladder.brand_room).

    A brand owner (Compaq, a US shoe retailer with its own labels) that buys at arm's
    length pays for the supplier's design but sells under its own name (H&S 4.4: the
    notebook makers "made a rapidly increasing contribution to the design", OEM -> ODM,
    "sometimes even" OBM, 4.5); independent retailers and importers met at fairs resell
    the supplier's brand (`Buyer.buys_brands`, a fact of the buyer's business, 0-1).
    `premiums`: a ladder, or the shoe ladder's four premiums."""
    ladder = premiums if isinstance(premiums, Ladder) else Ladder("shoe", shoe(premiums=premiums))
    rung = min(supplier_rung, ladder.cap[governance])
    if rung < ladder.brand_rung:
        return ladder.premiums[rung]
    below = ladder.premiums[ladder.brand_rung - 1]
    share = min(1.0, max(0.0, buys_brands)) * room
    return below + share * (ladder.premiums[rung] - below)
