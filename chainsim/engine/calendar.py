"""The period clock: learning each period, investment decisions each year, a snapshot of
the state at the end of every period (MODEL.md 4, "Learning")."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chainsim.technology import YEAR

if TYPE_CHECKING:
    from chainsim.engine.world import World


def periods(world: World):
    w = world
    days = w.scenario.simulation.period_days
    years = days / YEAR
    elapsed = 0.0
    next_year = YEAR
    while True:
        yield w.env.timeout(days)
        elapsed += days
        for cluster in w.clusters:
            cluster.learn(years)
        if elapsed >= next_year - 1e-9:
            next_year += YEAR
            for cluster in w.clusters:
                cluster.invest()
            w.firms.new_year()
            for link in w.links:
                link.revenue_last = link.revenue_year
                link.revenue_year = 0.0
        w.recorder.snapshot(w.env.now, w.firms, w.links)
