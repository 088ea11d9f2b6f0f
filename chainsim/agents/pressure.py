"""What a cluster's firms remember of their prices and order shares, and the price
pressure they feel (H&S 4.2: "faced with sharply declining prices ... The upgrading
imperative was clear"). The rules are in rules/crisis.py; this module reads the links once
a year and keeps one number per member and per memory."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from chainsim import technology as tech_fn
from chainsim.rules.crisis import MEMORY_YEARS, pressure, remember
from chainsim.technology import PROCESS

if TYPE_CHECKING:
    from chainsim.agents.firms import FirmTable
    from chainsim.agents.links import Link, Links
    from chainsim.agents.roles import Customer
    from chainsim.scenario.model import Technology


class PriceMemory:
    """Per member of a cluster: its remembered share of its buyers' orders, the pressure it
    felt at the last year end, how far its price floor lay above the lowest offer its
    buyers made (with what a process step takes off that floor), and its output in the
    last full year. The memory of prices is kept per link (`Link.price_memory`), so that a
    change in the mix of buyers is not read as a price fall."""

    def __init__(self, n: int):
        self.share = np.full(n, np.nan)
        self.pressure = np.zeros(n)
        self.cost_gap = np.zeros(n)
        self.saving = np.zeros(n)
        self.output = np.zeros(n)  # units sold (or made for a lead firm) in the last full year

    def close_year(self, price_ratio: np.ndarray, share_now: np.ndarray) -> None:
        """The year's prices (as a ratio to their memory) and shares against the memory,
        then the shares into it."""
        self.pressure = pressure(price_ratio, 1.0, share_now, self.share)
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
    """Per firm: its agreed prices against its memory of them, link by link, weighted by
    this year's sales on each (NaN without sales on a remembered link), and the part of its
    buyers' orders that stays in its cluster, averaged over its buyers (NaN without an
    active link). The orders count as lost to the firm when its buyers take them out of
    the cluster (to an entrant, H&S 4.2), not when they move between neighbours. Each
    link's price then goes into its memory."""
    n = len(firms)
    ratio, share = np.full(n, np.nan), np.full(n, np.nan)
    weight = min(1.0, 1.0 / MEMORY_YEARS)
    for j, i in enumerate(firms.tolist()):
        sold = seen = part = 0.0
        buyers = 0
        for link in links.of_firm[i]:
            if not link.active:
                continue
            buyers += 1
            part += home.get(link.buyer, 0.0)
            memory = link.price_memory
            if math.isnan(memory):
                link.price_memory = link.price
                continue
            if link.revenue_year > 0.0 and memory > 0.0:
                sold += link.revenue_year
                seen += link.revenue_year * link.price / memory
            link.price_memory = memory + weight * (link.price - memory)
        if sold > 0.0:
            ratio[j] = seen / sold
        if buyers:
            share[j] = part / buyers
    return ratio, share


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
