"""The period clock: learning each period; each year firms grow, shrink or exit with the
year's orders and weigh investments; a snapshot of the state at the end of every period,
then the period (and year) closed."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chainsim.technology import YEAR

if TYPE_CHECKING:
    from chainsim.engine.world import World


def periods(w: World):
    days = w.scenario.simulation.period_days
    years = days / YEAR
    elapsed = 0.0
    next_year = YEAR
    links = w.links.all
    while True:
        yield w.env.timeout(days)
        elapsed += days
        for cluster in w.clusters:
            cluster.learn(years)
        if elapsed >= next_year - 1e-9:
            next_year += YEAR
            w.demography.year_end()  # on the year's sums, before close_year resets them
            for cluster in w.clusters:
                cluster.remember_prices()  # the price pressure of the year (H&S 4.2)
                cluster.invest()
            w.journal.close_year(links)
        w.recorder.snapshot(w.env.now, w.firms, links, w.journal.flows)
        w.journal.close_period(links)
