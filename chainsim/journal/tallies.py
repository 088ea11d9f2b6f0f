"""Sinks of the journal that tally the running period and keep event tables: flows per
cluster and per buyer (reset when the calendar closes a period), and the rows of fairs
held, exhibitions, policy-network votes and projects."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

# bilateral, multilateral: capability passed on to the cluster's firms in the period by
# buyers and lead firms (vertical co-operation) and by collective action (H&S 2.1).
CLUSTER_FLOWS = ("units", "value", "retail_value", "delivered", "failed", "refused",
                 "scouted_units", "bilateral", "multilateral")
BUYER_FLOWS = ("units", "value", "scouted_units", "failed", "delivered")


class PeriodFlows:
    """What each cluster sold and each buyer bought in the running period. Added to on
    every delivery, so held as lists (an element update costs a fifth of a numpy one)."""

    def __init__(self, n_clusters: int, n_buyers: int):
        self.cluster = {k: [0.0] * n_clusters for k in CLUSTER_FLOWS}
        self.buyer = {k: [0.0] * n_buyers for k in BUYER_FLOWS}

    def reset(self) -> None:
        for v in (*self.cluster.values(), *self.buyer.values()):
            v[:] = [0.0] * len(v)


@dataclass
class DecisionLog:
    """Every decision with time, agent, rule and the numbers behind it (the rows only
    where `keep_rows`: a run whose log nobody reads, one replication of an evidence
    design, keeps the counts)."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    counts: Counter[str] = field(default_factory=Counter)
    keep_rows: bool = True

    def add(self, time: float, decision: str, agent: str, rule: str, /, **numbers: Any) -> None:
        self.counts[decision] += 1
        if self.keep_rows:
            self.rows.append({"time": round(time, 3), "decision": decision, "agent": agent,
                              "rule": rule, **numbers})


@dataclass
class EventTables:
    """One row per fair held (and cluster), per exhibition (a firm at a fair), per lead
    firm's vote and per project put."""

    fairs: list[dict[str, Any]] = field(default_factory=list)
    exhibitions: list[tuple] = field(default_factory=list)
    votes: list[tuple] = field(default_factory=list)
    projects: list[tuple] = field(default_factory=list)
