"""Buyer-supplier links: governance, order share, price and the buyer's stake, and the
registry that makes and finds them."""

from __future__ import annotations

import math
from dataclasses import dataclass

from chainsim.rules.ladder import SHOE, Ladder
from chainsim.vocabulary import GOVERNANCE_TYPES

GOVERNANCE_CODE = {name: i for i, name in enumerate(GOVERNANCE_TYPES)}


@dataclass(slots=True, eq=False)
class Link:
    """One relationship between a buyer and a firm (so one governance type at a time)."""

    id: int
    buyer: int
    firm: int
    governance: str
    share: float
    price: float
    active: bool = True
    sunk: float = 0.0  # the buyer's cumulative investment in this supplier
    stake: float = 0.0  # what that investment is still worth to the buyer (it depreciates)
    orders: float = 0.0  # inspected on arrival, recent ones weighted most (see `inspected`)
    failures: float = 0.0
    placed: int = 0  # orders placed since the last review
    refused: int = 0  # ... and refused by the supplier
    revenue_year: float = 0.0  # what the buyer paid the firm in the running year
    revenue_last: float = 0.0  # ... and in the last full year
    units_period: float = 0.0
    value_period: float = 0.0
    origin: str = "initial"  # "initial", "scouting" or "fair"
    met_at: str = ""  # the fair where the buyer met the firm, for links made at fairs
    since: float = 0.0  # when a fair buyer last took the firm on (it drops the oldest first)
    design_seen: float = 1.0  # the supplier's design at the buyer's last review
    offered: float = math.nan  # the price the buyer last offered (not yet: nan), H&S 4.2
    price_memory: float = math.nan  # the firm's memory of this link's price (rules/crisis.py)
    own_collection: bool = False  # the buyer does not define the product: the firm's design
    quota: float = 0.0  # units the firm gives this link in season `quota_season` (allocation)
    quota_season: int = -1  # no quota in any other season

    def inspected(self, failed: bool, prevented: float, memory: float = 0.97) -> None:
        """Add an inspection to the performance record; older ones fade by `memory` each.

        A failure seen while governance averts a share `prevented` of them stands for
        1 / (1 - prevented) failures of the supplier left to itself, so the record estimates
        the supplier's own failure rate whatever the governance it was observed under.
        """
        self.orders = memory * self.orders + 1.0
        self.failures = memory * self.failures + (1.0 / (1.0 - prevented) if failed else 0.0)

    def failure_record(self, prior: float, weight: float = 10.0) -> float:
        """The buyer's estimate of the failure probability: prior blended with history."""
        return (self.failures + weight * prior) / (self.orders + weight)


class Links:
    """Every link ever made, and each firm's and each buyer's. Links are only added, never
    removed: one that ends is made inactive, and a pair that trades again revives it."""

    def __init__(self, n_firms: int, n_buyers: int, buys_brands: list[float],
                 ladder: Ladder | None = None, own_collections: list[bool] | None = None,
                 buys_designs: list[float] | None = None):
        self.all: list[Link] = []
        # What each governance pays for on the scenario's ladder: own design, own brand.
        ladder = Ladder("shoe", SHOE) if ladder is None else ladder
        self._pays = {g: (cap >= ladder.design_rung, cap >= ladder.brand_rung)
                      for g, cap in ladder.cap.items()}
        self.of_firm: list[list[Link]] = [[] for _ in range(n_firms)]
        self.of_buyer: list[list[Link]] = [[] for _ in range(n_buyers)]
        self.buys_brands = buys_brands  # per buyer: share it resells under suppliers' brands
        # Per buyer: share of its purchases in which it pays for a supplier's design.
        self.buys_designs = buys_designs or [1.0] * n_buyers
        # Per buyer: the share of the own-brand premium a new brand could expect there
        # (rules/ladder.brand_room), kept up to date by the buyer each season.
        self.brand_room = [1.0] * n_buyers
        # Per buyer: it buys the supplier's own collections (it does not define the product).
        self.own_collections = own_collections or [False] * n_buyers

    def __len__(self) -> int:
        return len(self.all)

    def add(self, buyer: int, firm: int, governance: str, share: float, price: float,
            origin: str) -> Link:
        """Start buying from a firm: a new link, or the old one revived if the pair has
        traded before."""
        for link in self.of_firm[firm]:
            if link.buyer == buyer:
                link.active, link.governance, link.share, link.price = (True, governance,
                                                                        share, price)
                link.origin = origin
                return link
        link = Link(len(self.all), buyer, firm, governance, share, price, origin=origin,
                    own_collection=self.own_collections[buyer])
        self.all.append(link)
        self.of_buyer[buyer].append(link)
        self.of_firm[firm].append(link)
        return link

    @staticmethod
    def _sales(links: list[Link]) -> tuple[list[float], float]:
        """What each link sold over the last full year (the running year's, until one has
        passed; the order shares, before any sale), and the total."""
        revenue = [link.revenue_last for link in links]
        total = sum(revenue)
        if total <= 0.0:
            revenue = [link.revenue_year for link in links]
            total = sum(revenue)
        if total <= 0.0:
            revenue = [link.share for link in links]
            total = sum(revenue) or 1.0
        return revenue, total

    def dependence(self, link: Link) -> float:
        """The share of the supplier's sales that go to this link's buyer (H&S 5)."""
        return self.dependences(link.firm).get(link.id, 0.0) if link.active else 0.0

    def dependences(self, firm: int) -> dict[int, float]:
        """`dependence` of each of the firm's active links, by link id: their sales over
        the last full year as `_sales` reads them, worked out once for all of them."""
        active = [link for link in self.of_firm[firm] if link.active]
        revenue, total = self._sales(active)
        return {link.id: rev / total for link, rev in zip(active, revenue, strict=True)}

    def sales_profile(self, firm: int) -> tuple[Link | None, float, float, float]:
        """The firm's main buyer link and its share of the firm's sales this year, and the
        shares of sales to chains that pay for supplier design and for own brands: what a
        buyer pays for follows the link's governance now (`rules/chains.py`)."""
        links = [link for link in self.of_firm[firm] if link.active]
        if not links:
            return None, 0.0, 0.0, 0.0
        revenue, total = self._sales(links)
        main = max(range(len(links)), key=revenue.__getitem__)
        design = brand = 0.0
        for link, rev in zip(links, revenue, strict=True):
            pays_design, pays_brand = self._pays[link.governance]
            designs = self.buys_designs[link.buyer]
            if pays_design:  # the chain pays for supplier design (ODM) ...
                design += rev * designs
            if pays_brand:  # ... and, for what it resells under the firm's brand, OBM
                brand += (rev * designs * self.buys_brands[link.buyer]
                          * self.brand_room[link.buyer])
        return links[main], revenue[main] / total, design / total, brand / total
