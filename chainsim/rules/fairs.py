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
