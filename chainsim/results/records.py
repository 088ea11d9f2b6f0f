"""What a run records per period: panels of firms, clusters, buyers and links, never one
row per order, so memory grows with periods x agents, not with the number of orders. The
event tables (fairs, exhibitions, votes, projects) are the journal's; this module builds
their panels."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

# The link panel's columns, in the order `Recorder.snapshot` writes them, and their types.
LINK_COLUMNS = {"period": np.int64, "link": np.int64, "buyer": np.int64, "firm": np.int64,
                "cluster": np.int64, "governance": str, "active": np.bool_,
                "share": np.float64, "price": np.float64, "units": np.float64,
                "value": np.float64, "sunk": np.float64, "origin": str}


class Recorder:
    """Per-period panels of firms, clusters, buyers and links, read from the firm table, the
    links and the journal's period flows when the calendar closes a period. It only reads:
    closing the period (resetting the sums) is the journal's."""

    def __init__(self) -> None:
        self.times: list[float] = []
        self.firm_caps: list[np.ndarray] = []
        self.firm_rung: list[np.ndarray] = []
        self.firm_units: list[np.ndarray] = []
        self.firm_revenue: list[np.ndarray] = []
        self.firm_cash: list[np.ndarray] = []
        self.firm_capacity: list[np.ndarray] = []
        self.firm_alive: list[np.ndarray] = []
        self.cluster_rows: list[dict[str, np.ndarray]] = []
        self.buyer_rows: list[dict[str, np.ndarray]] = []
        self.link_rows: list[tuple] = []

    def snapshot(self, time: float, firms: Any, links: list[Any], flows: Any) -> None:
        """Copy the state and the period's flows at the end of a period."""
        self.times.append(time)
        self.firm_caps.append(firms.caps.astype(np.float32))
        self.firm_rung.append(firms.rung.copy())
        self.firm_units.append(np.array(firms.units_period, dtype=np.float32))
        self.firm_revenue.append(np.array(firms.revenue_period, dtype=np.float32))
        # Cash is a list the ledger adds numpy floats to; read it as float64 first, which
        # is faster than converting its mixed elements to float32 one by one (same floats).
        cash = firms.cash
        self.firm_cash.append(np.fromiter(cash, dtype=np.float64, count=len(cash)
                                          ).astype(np.float32))
        self.firm_capacity.append(firms.capacity.astype(np.float32))
        self.firm_alive.append(firms.alive.copy())
        flow = {k: np.array(v) for k, v in flows.cluster.items()}
        # Firms in business per cluster: counts come from the scenario and the run.
        width = len(flow["units"])
        flow["firms_alive"] = np.bincount(firms.cluster[firms.alive], minlength=width)
        flow["leads_alive"] = np.bincount(firms.cluster[firms.alive & firms.lead],
                                          minlength=width)
        self.cluster_rows.append(flow)
        self.buyer_rows.append({k: np.array(v) for k, v in flows.buyer.items()})
        period = len(self.times) - 1
        cluster_of = firms.cluster_of
        rows = self.link_rows
        for link in links:
            if not link.active and link.units_period == 0.0:
                continue
            rows.append((period, link.id, link.buyer, link.firm, cluster_of[link.firm],
                         link.governance, link.active, link.share, link.price,
                         link.units_period, link.value_period, link.sunk, link.origin))

    # -- tables -------------------------------------------------------------------------

    def firm_panel(self, firm_ids: list[str], cluster_of: np.ndarray, lead: np.ndarray
                   ) -> pd.DataFrame:
        if not self.times:
            return pd.DataFrame()
        n, t = len(firm_ids), len(self.times)
        caps = np.stack(self.firm_caps)  # (t, n, 4)
        return pd.DataFrame({
            "period": np.repeat(np.arange(t), n),
            "time": np.repeat(np.asarray(self.times), n),
            "firm": np.tile(np.arange(n), t),
            "cluster": np.tile(cluster_of, t),
            "lead": np.tile(lead, t),
            "process": caps[:, :, 0].ravel(),
            "product": caps[:, :, 1].ravel(),
            "design": caps[:, :, 2].ravel(),
            "marketing": caps[:, :, 3].ravel(),
            "rung": np.concatenate(self.firm_rung),
            "units": np.concatenate(self.firm_units),
            "revenue": np.concatenate(self.firm_revenue),
            "cash": np.concatenate(self.firm_cash),
            "capacity": np.concatenate(self.firm_capacity),
            "alive": np.concatenate(self.firm_alive),
        })

    def flow_panel(self, rows: list[dict[str, np.ndarray]], key: str) -> pd.DataFrame:
        if not rows:
            return pd.DataFrame()
        width = len(next(iter(rows[0].values())))
        data: dict[str, Any] = {
            "period": np.repeat(np.arange(len(rows)), width),
            "time": np.repeat(np.asarray(self.times), width),
            key: np.tile(np.arange(width), len(rows)),
        }
        for name in rows[0]:
            data[name] = np.concatenate([r[name] for r in rows])
        return pd.DataFrame(data)

    def link_panel(self) -> pd.DataFrame:
        """One row per link and period, built column by column with each column's type
        (the same frame as from the rows, in three quarters of the time)."""
        if not self.link_rows:
            return pd.DataFrame(columns=list(LINK_COLUMNS))
        columns = zip(*self.link_rows, strict=True)
        return pd.DataFrame({name: pd.array(col, dtype="str") if kind is str
                             else np.array(col, dtype=kind)
                             for (name, kind), col in zip(LINK_COLUMNS.items(), columns,
                                                          strict=True)})


def exhibition_panel(rows: list[tuple]) -> pd.DataFrame:
    """One row per exhibition: when, at which fair, which firm (index) of which cluster,
    and the stand's cost, the expected gain and the expected loss it weighed."""
    return pd.DataFrame(rows, columns=["time", "fair", "firm", "cluster", "cost",
                                       "expected_gain", "expected_loss"])


def vote_panel(rows: list[tuple]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["time", "cluster", "firm", "back", "main_buyer_share",
                                       "expected_gain", "expected_loss"])


def project_panel(rows: list[tuple]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["time", "cluster", "support", "funded", "backers",
                                       "voters"])
