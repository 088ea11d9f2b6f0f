"""The firms of all clusters, held as columns (one numpy array per attribute).

Firms are many and alike, so their state lives in arrays: per-period learning, spillovers
and recording are vectorised, and a firm is its row index. Groups declared compactly in
the scenario ("120 spokes drawn from this distribution") are expanded here, each group
drawing from its own stream so that adding a group changes no other firm.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from chainsim.randomness import Streams
from chainsim.scenario.model import Distribution, Scenario
from chainsim.vocabulary import LADDERS, member_ids


def draw(value: float | Distribution, n: int, rng: np.random.Generator,
         low: float | None = None, high: float | None = None) -> np.ndarray:
    """n values of a scenario number: a constant, or draws from its distribution, clipped."""
    if isinstance(value, Distribution):
        if value.dist == "uniform":
            out = rng.uniform(value.low, value.high, n)
        elif value.dist == "triangular":
            out = (rng.triangular(value.low, value.mode, value.high, n)
                   if value.low < value.high else np.full(n, value.low))
        elif value.dist == "normal":
            out = rng.normal(value.mean, value.sd, n)
        else:
            out = rng.lognormal(value.mean, value.sd, n)
        if value.low is not None or value.high is not None:
            out = np.clip(out, value.low, value.high)
    else:
        out = np.full(n, float(value))
    if low is not None or high is not None:
        out = np.clip(out, low, high)
    return out


@dataclass
class FirmTable:
    """Every firm of every cluster, one row each; a firm is its row index."""

    ids: list[str]
    cluster: np.ndarray
    lead: np.ndarray
    capacity: np.ndarray
    caps: np.ndarray  # (n, 4): process, product, design, marketing
    rung: np.ndarray
    intent: np.ndarray
    cash: list[float]  # a list: the ledger changes it on every payment
    outsourcing: np.ndarray
    spokes_per_order: np.ndarray
    capex: np.ndarray  # cost of one unit of daily capacity
    busy_until: list[float] = field(init=False)  # a list: read and written on every order
    # Added to on every delivery, so lists too (an element update costs a fifth of a numpy
    # one); `column` reads one as an array. Period sums are zeroed by `new_period`, year
    # sums by `new_year`, in place (the order flow holds no copies).
    units_period: list[float] = field(init=False)
    revenue_period: list[float] = field(init=False)
    revenue_year: list[float] = field(init=False)
    units_year: list[float] = field(init=False)
    # Units of the firm's own collections sold this period: on links to buyers that do not
    # define the product (what design and marketing are learnt from, `ClusterAgent.learn`).
    own_design_units_period: list[float] = field(init=False)
    revenue_last: np.ndarray = field(init=False)
    investing: np.ndarray = field(init=False)
    services: np.ndarray = field(init=False)
    # An own brand is a firm-specific asset (H&S 4.1, 4.4): a stock built by successful
    # marketing investments and by exhibiting, fading, never spilling over. It starts at
    # the firm's marketing capability at the start (the channels it brings are its own);
    # what leaks in later from neighbours adds to the capability, not to the brand.
    brand: np.ndarray = field(init=False)
    certified: np.ndarray = field(init=False)  # has certified a standard (H&S 3, 4.3, 5)
    cluster_of: list[int] = field(init=False)  # `cluster` as a list: firms never move
    # Growth and exit (rules/demography.py): `capacity` as a list, read by the order path
    # on every order and kept in step by `resize`; the units a firm itself put into
    # production and those it refused for want of capacity over the running year; its
    # orders inspected and failed; whether it is still in business, and its year-ends in
    # a row below its credit line and failing.
    capacity_of: list[float] = field(init=False)
    made_year: list[float] = field(init=False)
    refused_year: list[float] = field(init=False)
    inspected_year: list[int] = field(init=False)
    failed_year: list[int] = field(init=False)
    owed: list[float] = field(init=False)  # the value of its orders made, not yet paid
    alive: np.ndarray = field(init=False)
    years_below_credit: np.ndarray = field(init=False)
    years_failing: np.ndarray = field(init=False)

    def __post_init__(self) -> None:
        n = len(self.ids)
        self.capacity_of = self.capacity.tolist()
        self.made_year = [0.0] * n
        self.refused_year = [0.0] * n
        self.inspected_year = [0] * n
        self.failed_year = [0] * n
        self.owed = [0.0] * n
        self.alive = np.ones(n, dtype=bool)
        self.years_below_credit = np.zeros(n, dtype=np.int32)
        self.years_failing = np.zeros(n, dtype=np.int32)
        self.busy_until = [0.0] * n
        self.units_period = [0.0] * n
        self.revenue_period = [0.0] * n
        self.revenue_year = [0.0] * n
        self.units_year = [0.0] * n
        self.own_design_units_period = [0.0] * n
        self.revenue_last = np.zeros(n)
        self.investing = np.zeros(n, dtype=bool)
        self.services = np.zeros(n, dtype=bool)
        self.brand = self.caps[:, 3].copy()  # marketing at the start
        self.certified = np.zeros(n, dtype=bool)
        self.cluster_of = self.cluster.tolist()

    def __len__(self) -> int:
        return len(self.ids)

    def column(self, name: str) -> np.ndarray:
        """A per-firm sum kept as a list (units_period, revenue_year, ...) as an array."""
        values = getattr(self, name)
        return np.fromiter(values, dtype=np.float64, count=len(values))

    def annual_revenue(self, firm: int) -> float:
        """Sales over the last full year (the running year's, until one has passed)."""
        last = self.revenue_last[firm]
        return float(last if last > 0.0 else self.revenue_year[firm])

    def new_period(self) -> None:
        """Period sums start again (the recorder has read them)."""
        zeros = [0.0] * len(self.ids)
        self.units_period[:] = zeros
        self.revenue_period[:] = zeros
        self.own_design_units_period[:] = zeros

    def new_year(self) -> None:
        """The running year's revenue becomes last year's; year sums start again."""
        self.revenue_last[:] = self.revenue_year
        zeros = [0.0] * len(self.ids)
        self.revenue_year[:] = zeros
        self.units_year[:] = zeros
        self.made_year[:] = zeros
        self.refused_year[:] = zeros
        self.inspected_year[:] = [0] * len(self.ids)
        self.failed_year[:] = [0] * len(self.ids)

    def resize(self, rows: np.ndarray, capacity: np.ndarray) -> None:
        """New capacities for some firms, in the table and in the list the order path
        reads (so an order placed after a year end sees the firm's new size)."""
        self.capacity[rows] = capacity
        live = self.capacity_of
        for i, c in zip(rows.tolist(), self.capacity[rows].tolist(), strict=True):
            live[i] = c


def expand_firms(scenario: Scenario, streams: Streams) -> tuple[FirmTable, dict[str, list[int]]]:
    """Build the firm table; return it with the map from group id to firm rows."""
    cols: dict[str, list] = {k: [] for k in (
        "ids", "cluster", "lead", "capacity", "caps", "rung", "intent", "cash",
        "outsourcing", "spokes_per_order", "capex")}
    groups: dict[str, list[int]] = {}
    rungs = LADDERS[scenario.technology.ladder]
    row = 0
    for c, cluster in enumerate(scenario.clusters):
        for spec in cluster.firms:
            n = spec.count
            rng = streams.get(f"group:{spec.id}", "draw")
            cols["ids"] += member_ids(spec.id, n)
            cols["cluster"].append(np.full(n, c))
            cols["lead"].append(np.full(n, spec.role == "lead"))
            cols["capacity"].append(draw(spec.capacity, n, rng, low=1e-3))
            cols["caps"].append(np.column_stack([
                draw(getattr(spec, k), n, rng, 0.0, 1.0)
                for k in ("process", "product", "design", "marketing")]))
            cols["rung"].append(np.full(n, 0 if spec.rung is None else rungs.index(spec.rung)))
            cols["intent"].append(draw(spec.strategic_intent, n, rng, 0.0, 1.0))
            cols["cash"].append(draw(spec.cash, n, rng))
            cols["outsourcing"].append(np.full(n, spec.outsourcing))
            cols["spokes_per_order"].append(np.full(n, spec.spokes_per_order))
            cols["capex"].append(np.full(n, scenario.technology.capex_per_unit
                                         if spec.capex_per_unit is None
                                         else spec.capex_per_unit))
            groups[spec.id] = list(range(row, row + n))
            row += n
    table = FirmTable(
        ids=cols["ids"],
        cluster=np.concatenate(cols["cluster"]).astype(np.int32),
        lead=np.concatenate(cols["lead"]).astype(bool),
        capacity=np.concatenate(cols["capacity"]),
        caps=np.vstack(cols["caps"]),
        rung=np.concatenate(cols["rung"]).astype(np.int8),
        intent=np.concatenate(cols["intent"]),
        cash=np.concatenate(cols["cash"]).astype(float).tolist(),
        outsourcing=np.concatenate(cols["outsourcing"]),
        spokes_per_order=np.concatenate(cols["spokes_per_order"]).astype(np.int32),
        capex=np.concatenate(cols["capex"]).astype(float),
    )
    return table, groups


def spoke_map(scenario: Scenario, table: FirmTable, groups: dict[str, list[int]]
              ) -> list[list[int]]:
    """For each firm, the spokes that work for it (empty for spokes and for leads without).

    A spoke group with `supplies` works for every lead firm listed; without, its spokes are
    dealt out in turn to the cluster's lead firms, one lead each.
    """
    spokes: list[list[int]] = [[] for _ in range(len(table))]
    for cluster in scenario.clusters:
        leads = [i for g in cluster.firms if g.role == "lead" for i in groups[g.id]]
        turn = 0
        for spec in cluster.firms:
            if spec.role != "spoke":
                continue
            for s in groups[spec.id]:
                if spec.supplies:
                    for lead in (i for t in spec.supplies for i in groups[t]):
                        spokes[lead].append(s)
                else:
                    spokes[leads[turn % len(leads)]].append(s)
                    turn += 1
    return spokes
