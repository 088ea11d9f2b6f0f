"""A firm's decision to exhibit at a trade fair (H&S 4.2-4.3).

"Exhibiting at the world's main trade fairs is costly ... the investment is not a one-off,
they need to exhibit regularly (twice a year) and show their new collections." Many
Italian firms "only manage to have a presence because their local business associations
organise the operation". A firm exhibits when the contacts it expects, valued at the
margin new buyers bring, exceed the stand cost (lower on a collective stand) plus the
sales it expects to lose if its main buyer sees it as encroachment.
"""

from __future__ import annotations

from dataclasses import dataclass

from chainsim.rules.encroachment import share_cut


@dataclass(frozen=True, slots=True)
class FairView:
    """What a lead firm weighs before taking a stand at a fair."""

    design: float
    marketing: float
    recent_exhibitions: int  # in the fair's memory window
    memory: int
    contact_rate: float  # expected contacts at full attractiveness
    value_per_contact: float
    stand_cost: float
    reaction_probability: float
    main_buyer_share: float
    annual_revenue: float
    cash_available: float


@dataclass(frozen=True, slots=True)
class FairDecision:
    """Whether to exhibit, with the expected contacts, gain and loss behind it."""

    exhibit: bool
    expected_contacts: float
    expected_gain: float
    cost: float
    expected_loss: float

    def record(self) -> dict[str, float | bool]:
        return {
            "exhibit": self.exhibit,
            "expected_contacts": self.expected_contacts,
            "expected_gain": self.expected_gain,
            "cost": self.cost,
            "expected_loss": self.expected_loss,
        }


def attractiveness(design: float, marketing: float, recent: int, memory: int) -> float:
    """Regular presence counts: contacts grow with repeated exhibiting."""
    return (0.5 * design + 0.5 * marketing) * (0.25 + 0.75 * min(1.0, recent / memory))


def expected_contacts(v: FairView) -> FairDecision:
    contacts = v.contact_rate * attractiveness(
        v.design, v.marketing, v.recent_exhibitions + 1, v.memory
    )
    gain = contacts * v.value_per_contact
    loss = v.reaction_probability * v.main_buyer_share * v.annual_revenue
    exhibit = gain > v.stand_cost + loss and v.cash_available >= v.stand_cost
    return FairDecision(exhibit, contacts, gain, v.stand_cost, loss)


RULES = {"expected_contacts": expected_contacts}


# --- issue 12 item 5: fairs without the knife-edge -----------------------------------------

# Choices: a firm that loses orders sells the freed capacity again within a year (at its
# margin), so a withdrawal costs it the margin on the withdrawn sales for that long.
YEARS_TO_REPLACE = 1.0
# A fair buyer (an independent retailer or importer) keeps a handful of suppliers and
# replaces some of them each year as collections change (H&S 4.3: firms "need to exhibit
# regularly ... and show their new collections").
SUPPLIER_SLOTS = 8
TURNOVER = 0.3


@dataclass(frozen=True, slots=True)
class Exposure:
    """One of the firm's buyers, as the firm sees it before exhibiting."""

    reaction_probability: float  # rules/encroachment.governed_reaction_probability
    revenue: float  # the firm's yearly sales to it


@dataclass(frozen=True, slots=True)
class WithdrawalFairView:
    design: float
    marketing: float
    recent_exhibitions: int
    memory: int
    contact_rate: float
    value_per_contact: float  # see `contact_worth`
    stand_cost: float
    exposures: tuple[Exposure, ...]
    margin: float  # the firm's margin on sales
    cash_available: float


def fair_withdrawal(exposures: tuple[Exposure, ...], margin: float,
                    years: float = YEARS_TO_REPLACE) -> float:
    """What the firm expects to lose if it exhibits: over all its buyers, the chance each
    reacts x the share it would cut x the sales to it, at the firm's margin, until the
    capacity is sold again. Not a year's revenue: the orders go, the plant stays."""
    return sum(e.reaction_probability * share_cut(e.reaction_probability) * e.revenue
               for e in exposures) * margin * years


def weighed_withdrawal(v: WithdrawalFairView) -> FairDecision:
    """Exhibit when the expected contacts' worth exceeds the stand plus the expected
    withdrawal. Not yet in `RULES` (the fair agent builds a `FairView`)."""
    contacts = v.contact_rate * attractiveness(
        v.design, v.marketing, v.recent_exhibitions + 1, v.memory)
    gain = contacts * v.value_per_contact
    loss = fair_withdrawal(v.exposures, v.margin)
    exhibit = gain > v.stand_cost + loss and v.cash_available >= v.stand_cost
    return FairDecision(exhibit, contacts, gain, v.stand_cost, loss)


def openness(suppliers: int, slots: int = SUPPLIER_SLOTS, turnover: float = TURNOVER) -> float:
    """Chance a fair buyer takes on a supplier it meets, 0-1: free slots, plus the slots it
    frees each year by replacing suppliers. A buyer with a full list still changes some
    suppliers every year, so it never saturates to zero (today's buyers do: each one's
    worth falls as 1 / (1 + its suppliers))."""
    if slots <= 0:
        return 0.0
    free = max(0, slots - suppliers)
    return min(1.0, (free + turnover * min(suppliers, slots)) / slots)


def contact_worth(demand: float, price: float, suppliers: int, margin: float, years: float,
                  slots: int = SUPPLIER_SLOTS, turnover: float = TURNOVER) -> float:
    """Expected worth of meeting one fair buyer: the chance it takes the firm on x its
    purchases from one supplier slot x margin x the years a relationship lasts."""
    return openness(suppliers, slots, turnover) * demand * price / slots * margin * years
