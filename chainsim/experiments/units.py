"""What kind of number each headline metric is: the range it can take (so confidence
intervals stay inside it) and how a terminal shows it (a share as a percentage).

Units and ranges are those of docs/metrics.md: shares and capabilities lie in [0, 1],
capability gains in [-1, 1], a price decline is at most 1 (prices cannot fall below 0).
"""

from __future__ import annotations

import math

SHARES = frozenset({
    "retail_share", "functional_upgrading", "full_package", "fair_share",
    "main_buyer_share", "firm_main_buyer_share", "hhi", "lock_in", "quasi_hierarchy_share",
    "market_share_of_links", "network_share", "project_support", "backing_share",
    "scouted_share",
})
CAPABILITIES = frozenset({"process", "product", "design", "marketing"})
GAINS = frozenset({"process_gain", "product_gain", "design_gain", "marketing_gain"})
INF = math.inf


def measure(metric: str) -> str:
    """The last part of a metric name: `cluster.sinos.fair_share` -> `fair_share`."""
    return metric.rsplit(".", 1)[-1]


def bounds(metric: str) -> tuple[float, float]:
    """The range a metric's value (and so its mean over replications) can take."""
    name = measure(metric)
    if name in SHARES or name in CAPABILITIES:
        return 0.0, 1.0
    if name in GAINS:
        return -1.0, 1.0
    if name == "price_decline":
        return -INF, 1.0
    return -INF, INF


def difference_bounds(metric: str) -> tuple[float, float]:
    """The range of a difference of two values of the metric."""
    low, high = bounds(metric)
    return low - high, high - low


def is_share(metric: str) -> bool:
    """Shown as a percentage: shares and price declines."""
    name = measure(metric)
    return name in SHARES or name == "price_decline"
