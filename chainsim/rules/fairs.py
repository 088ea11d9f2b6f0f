"""A firm's decision to exhibit at a trade fair, and how open the fair's buyers are (H&S
4.2-4.3).

"Exhibiting at the world's main trade fairs is costly ... the investment is not a one-off,
they need to exhibit regularly (twice a year) and show their new collections." Many
Italian firms "only manage to have a presence because their local business associations
organise the operation". A firm exhibits when the contacts it expects, valued at the
margin new buyers bring, exceed the stand cost (lower on a collective stand) plus what it
expects its buyers to withdraw should they see the stand as encroachment (H&S 4.2: "Advancing
into design and marketing was feared to upset the relationship with their main foreign
buyer").
"""

from __future__ import annotations

from dataclasses import dataclass

from chainsim.rules.encroachment import expected_withdrawal


@dataclass(slots=True)  # read-only by contract (rules/__init__.py)
class Exposure:
    """One of the firm's buyers as the firm sees it before exhibiting: the chance the
    buyer reacts to the stand (rules/encroachment.reaction_probability, from the link's
    governance now, the buyer's stake and the firm's dependence) and the firm's yearly
    sales to it."""

    reaction_probability: float
    revenue: float


@dataclass(slots=True)  # read-only by contract (rules/__init__.py)
class FairView:
    """What a lead firm weighs before taking a stand at a fair."""

    design: float
    marketing: float
    recent_exhibitions: int  # in the fair's memory window
    memory: int
    contact_rate: float  # expected contacts at full attractiveness
    value_per_contact: float  # see `contact_worth`
    stand_cost: float
    cash_available: float
    exposures: tuple[Exposure, ...] = ()  # every active buyer of the firm
    margin: float = 0.1  # the firm's margin on its sales
    years_to_replace: float = 1.0  # rules/encroachment.years_to_replace
    annual_revenue: float = 0.0  # the firm's sales over the last full year
    presence_value: float = 0.0  # margin on the next season's sales to buyers met here


@dataclass(slots=True)  # read-only by contract (rules/__init__.py)
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


def _contacts(v: FairView) -> float:
    return v.contact_rate * attractiveness(v.design, v.marketing, v.recent_exhibitions + 1,
                                           v.memory)


def _decide(v: FairView, contacts: float, loss: float, kept: float = 0.0) -> FairDecision:
    gain = contacts * v.value_per_contact + kept
    exhibit = gain > v.stand_cost + loss and v.cash_available >= v.stand_cost
    return FairDecision(exhibit, contacts, gain, v.stand_cost, loss)


def fair_withdrawal(exposures: tuple[Exposure, ...], margin: float, years: float) -> float:
    """What the firm expects to lose by exhibiting: over its buyers, the chance each reacts
    x the share it would cut x the sales to it (rules/encroachment.expected_withdrawal), at
    the firm's margin, for the years it takes to sell the freed capacity again. The orders
    go, the plant stays: not a year's revenue."""
    return sum(expected_withdrawal(e.reaction_probability, e.revenue)
               for e in exposures) * margin * years


def weighed_withdrawal(v: FairView) -> FairDecision:
    """Exhibit when the new contacts' worth, plus the next season's margin from the buyers
    met at this fair, who buy the collections shown there, beats the stand plus the
    expected withdrawal (H&S 4.2-4.3: "they need to exhibit regularly (twice a year) and
    show their new collections"). A firm whose buyers tolerate its stand (market links,
    little stake, many buyers) risks little; one that sells most of its output to a
    quasi-hierarchical buyer with a stake in it risks a large part of that margin and
    stays away."""
    return _decide(v, _contacts(v), fair_withdrawal(v.exposures, v.margin,
                                                    v.years_to_replace), v.presence_value)


def expected_contacts(v: FairView) -> FairDecision:
    """The rule before issue 12, kept for comparison: the main buyer's chance of reacting
    x the whole year's sales to it count as lost. Any nonzero sensitivity then keeps a
    firm that sells much to one buyer away from fairs (a knife-edge)."""
    loss = 0.0
    total = sum(e.revenue for e in v.exposures)
    if total > 0.0:
        main = max(v.exposures, key=lambda e: e.revenue)
        loss = main.reaction_probability * main.revenue / total * v.annual_revenue
    return _decide(v, _contacts(v), loss)


RULES = {"weighed_withdrawal": weighed_withdrawal, "expected_contacts": expected_contacts}


# --- the fair's buyers -----------------------------------------------------------------

def openness(suppliers: int, slots: int, turnover: float) -> float:
    """Chance, 0-1, that a fair buyer takes on a supplier it meets: its free slots plus the
    share of its list it replaces each year, over its slots. A buyer with a full list still
    changes some suppliers every year as collections change (H&S 4.3), so it never closes
    altogether; one with free slots takes on whoever fits."""
    if slots <= 0:
        return 0.0
    free = max(0, slots - suppliers)
    return min(1.0, (free + turnover * min(suppliers, slots)) / slots)


def contact_worth(demand: float, price: float, suppliers: int, margin: float, years: float,
                  slots: int, turnover: float) -> float:
    """Expected worth of meeting one fair buyer: the chance it takes the firm on x what it
    buys through one supplier slot in a year x margin x the years a relationship lasts.
    A buyer spreads its purchases over at most `slots` suppliers, so the worth of a slot
    does not fall as the buyer meets more firms."""
    return openness(suppliers, slots, turnover) * demand * price / max(1, slots) * margin * years


def replacement_allowance(left: float, years: float, slots: int, turnover: float) -> float:
    """Replacements a full buyer may still make: `turnover x slots` a year, accrued over
    the `years` since last counted, and never more than a year's (at least one)."""
    per_year = turnover * slots
    return min(max(1.0, per_year), left + per_year * years)
