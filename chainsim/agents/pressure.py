"""What a cluster's firms remember of their prices and order shares, and the price
pressure they feel (H&S 4.2: "faced with sharply declining prices ... The upgrading
imperative was clear"). The rules are in rules/crisis.py; this module reads the links once
a year and keeps one number per member and per memory."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from chainsim import technology as tech_fn
from chainsim.rules.crisis import pressure, remember
from chainsim.technology import PROCESS

if TYPE_CHECKING:
    from chainsim.agents.firms import FirmTable
    from chainsim.agents.links import Link, Links
    from chainsim.agents.roles import Customer
    from chainsim.scenario.model import Technology


class PriceMemory:
    """Per member of a cluster: its remembered agreed price and order share, the pressure
    it felt at the last year end, and how far its price floor lay above the lowest offer
    its buyers made (with what a process step takes off that floor)."""

    def __init__(self, n: int):
        self.price = np.full(n, np.nan)
        self.share = np.full(n, np.nan)
        self.pressure = np.zeros(n)
        self.cost_gap = np.zeros(n)
        self.saving = np.zeros(n)

    def close_year(self, price_now: np.ndarray, share_now: np.ndarray) -> None:
        """The year's prices and shares against the memory, then into it."""
        self.pressure = pressure(price_now, self.price, share_now, self.share)
        self.price = remember(self.price, price_now)
        self.share = remember(self.share, share_now)


def home_shares(links: list[Link], cluster_of: list[int], cluster: int) -> dict[int, float]:
    """For each buyer with an active link: the part of its orders (order shares over its
    active links) that stays with firms of `cluster`."""
    totals: dict[int, float] = {}
    home: dict[int, float] = {}
    for link in links:
        if link.active:
            totals[link.buyer] = totals.get(link.buyer, 0.0) + link.share
            if cluster_of[link.firm] == cluster:
                home[link.buyer] = home.get(link.buyer, 0.0) + link.share
    return {b: home.get(b, 0.0) / t for b, t in totals.items() if t > 0.0}


def sales_now(firms: np.ndarray, links: Links, home: dict[int, float]
              ) -> tuple[np.ndarray, np.ndarray]:
    """Per firm: its agreed price weighted by this year's sales on each link (NaN without
    sales), and the part of its buyers' orders that stays in its cluster, averaged over
    its buyers (NaN without an active link). The orders count as lost to the firm when
    its buyers take them out of the cluster (to an entrant, H&S 4.2), not when they move
    between neighbours."""
    n = len(firms)
    price, share = np.full(n, np.nan), np.full(n, np.nan)
    for j, i in enumerate(firms.tolist()):
        sold = paid = part = 0.0
        buyers = 0
        for link in links.of_firm[i]:
            if not link.active:
                continue
            buyers += 1
            sold += link.revenue_year
            paid += link.price * link.revenue_year
            part += home.get(link.buyer, 0.0)
        if sold > 0.0:
            price[j] = paid / sold
        if buyers:
            share[j] = part / buyers
    return price, share


def cost_gaps(firms: np.ndarray, f: FirmTable, links: Links, buyers: list[Customer],
              wage: float, transport: float, tech: Technology
              ) -> tuple[np.ndarray, np.ndarray]:
    """Per firm: how far its price floor (its cost, less the premium it is paid, as the
    buyer reckons it when it squeezes) lies above the lowest price a buyer offered it,
    and what one process step would take off that floor. Zero where no buyer made an
    offer."""
    n = len(firms)
    gap, saving = np.zeros(n), np.zeros(n)
    margin = 1.0 + tech.supplier_margin
    step = 0.5 * wage * tech.labour_per_unit * tech.investment_step
    for j, i in enumerate(firms.tolist()):
        offers = [link for link in links.of_firm[i]
                  if link.active and np.isfinite(link.offered)]
        if not offers:
            continue
        landed = tech_fn.unit_cost(wage, f.caps.item(i, PROCESS), tech) + transport
        for link in offers:
            floor = buyers[link.buyer].landed_cost(i) / margin
            if floor - link.offered > gap[j]:
                gap[j] = floor - link.offered
            saving[j] = step * floor / landed  # the premium's part of the floor
    return gap, saving
