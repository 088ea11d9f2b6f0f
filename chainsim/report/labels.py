"""Readable names and units for metric ids, shared by the report and the explorer.

`cluster.sinos.fair_share` becomes "Sinos Valley: share of fair exhibitors" with the
value shown in per cent: every metric whose unit is a fraction (docs/metrics.md) is a
share, and shares are printed and plotted in % everywhere, as the terminal tables do.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from html import escape
from typing import Any

# metric kind -> (label, unit); unit "%" marks a share (fraction shown times 100)
CLUSTER = {
    "units": ("units delivered", "units"),
    "revenue": ("revenue", "money"),
    "unit_value": ("unit value", "money per unit"),
    "price_index_start": ("price index, start", "money per unit"),
    "price_index_end": ("price index, end", "money per unit"),
    "price_decline": ("price decline", "%"),
    "retail_share": ("share of retail value", "%"),
    "process_gain": ("process capability gain", "0-1 points"),
    "product_gain": ("product capability gain", "0-1 points"),
    "design_gain": ("design capability gain", "0-1 points"),
    "marketing_gain": ("marketing capability gain", "0-1 points"),
    "process": ("process capability (leads, end)", "0-1"),
    "product": ("product capability (leads, end)", "0-1"),
    "design": ("design capability (leads, end)", "0-1"),
    "marketing": ("marketing capability (leads, end)", "0-1"),
    "functional_upgrading": ("leads at own design or brand (ODM/OBM)", "%"),
    "full_package": ("leads at full package or higher", "%"),
    "fair_share": ("share of fair exhibitors", "%"),
    "exhibitors_per_fair": ("exhibitors per fair", "firms"),
    "main_buyer_share": ("main buyer's share of output", "%"),
    "firm_main_buyer_share": ("firms' main buyer share (mean)", "%"),
    "hhi": ("buyer concentration (HHI)", "0-1"),
    "lock_in": ("locked-in lead firms", "%"),
    "quasi_hierarchy_share": ("quasi-hierarchical links (end)", "%"),
    "market_share_of_links": ("market links (end)", "%"),
    "network_share": ("network links (end)", "%"),
    "failed_orders": ("failed orders", "orders"),
    "refused_orders": ("refused orders", "orders"),
    "buyer_investment": ("buyers' investment in suppliers", "money"),
    "project_support": ("support for repositioning projects", "%"),
    "projects_funded": ("repositioning projects funded", "projects"),
    "backing_share": ("lead-firm votes backing projects", "%"),
}
BUYER = {
    "units": ("units bought", "units"),
    "spend": ("spend", "money"),
    "mean_price": ("mean price paid", "money per unit"),
    "failed_orders": ("failed orders", "orders"),
    "scouted_share": ("units from scouted sources", "%"),
    "suppliers": ("suppliers at the end", "links"),
    "quasi_hierarchy_links": ("quasi-hierarchical links at the end", "links"),
}
# per-period series columns (docs/metrics.md, series tables)
SERIES = {
    "price_index": ("price index", "money per unit"),
    "unit_value": ("unit value", "money per unit"),
    "units": ("units", "units"),
    "value": ("value", "money"),
    "mean_price": ("mean price paid", "money per unit"),
    "scouted_share": ("units from scouted sources", "%"),
    "fair_share": ("share of fair exhibitors", "%"),
    "main_buyer_share": ("main buyer's share", "%"),
    "delivered": ("orders delivered", "orders"),
    "failed": ("orders failed", "orders"),
}


def split(metric: str) -> tuple[str, str | None, str]:
    """`cluster.sinos.fair_share` -> ("cluster", "sinos", "fair_share")."""
    parts = metric.split(".")
    if parts[0] in ("cluster", "buyer") and len(parts) >= 3:
        return parts[0], ".".join(parts[1:-1]), parts[-1]
    return parts[0], None, ".".join(parts[1:]) if len(parts) > 1 else parts[0]


def unit(metric: str) -> str:
    group, _, kind = split(metric)
    table = CLUSTER if group == "cluster" else BUYER if group == "buyer" else {}
    if group == "links":
        return "%"
    if group == "orders":
        return "orders"
    return table.get(kind, (kind, ""))[1]


def is_share(metric: str) -> bool:
    return unit(metric) == "%"


def label(metric: str, names: Mapping[str, str] | None = None) -> str:
    """A metric's readable name, with the agent's name where the scenario gives one."""
    group, agent, kind = split(metric)
    names = names or {}
    if group == "cluster":
        what = CLUSTER.get(kind, (kind.replace("_", " "), ""))[0]
    elif group == "buyer":
        what = BUYER.get(kind, (kind.replace("_", " "), ""))[0]
    elif group == "orders":
        return f"orders {kind.replace('_', ' ')}"
    elif group == "links":
        return "quasi-hierarchical links, all clusters (end)" \
            if kind == "quasi_hierarchy_share" else f"links: {kind.replace('_', ' ')}"
    else:
        return metric
    return f"{names.get(agent, agent)}: {what}"


def scale(metric: str) -> float:
    """The factor a metric's value is shown with: 100 for a share (in %), else 1."""
    return 100.0 if is_share(metric) else 1.0


def number(value: Any) -> str:
    """A number with four significant digits, thousands separated; '-' for none."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    try:
        v = float(value)
    except (TypeError, ValueError):
        return escape(str(value))
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    if abs(v) >= 1e4:
        return f"{v:,.0f}"
    return f"{v:.4g}"


def show(metric: str, value: Any) -> str:
    """A metric's value as text in its unit (shares in %)."""
    text = number(value if not is_share(metric) or not _num(value) else 100 * float(value))
    return f"{text}%" if is_share(metric) and text not in ("-", "inf", "-inf") else text


def _num(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) \
        and math.isfinite(float(value))
