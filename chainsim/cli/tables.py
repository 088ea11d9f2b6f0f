"""Readable terminal tables (rich) for run summaries: one column per agent, so a summary
fits an 80-column terminal however many stages or metrics there are."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

ORDER_STAGES = ("placed", "accepted", "queued", "refused", "in_production", "shipped",
                "in_transit", "delivered", "failed", "late", "sub_placed", "sub_done")
CLUSTER_ROWS = (
    ("units delivered", "units", "num"), ("revenue", "revenue", "num"),
    ("unit value", "unit_value", "num"), ("price index, start", "price_index_start", "num"),
    ("price index, end", "price_index_end", "num"), ("price decline", "price_decline", "pct"),
    ("share of retail value", "retail_share", "pct"),
    ("process (leads, end)", "process", "num"), ("product", "product", "num"),
    ("design", "design", "num"), ("marketing", "marketing", "num"),
    ("full package or higher", "full_package", "pct"),
    ("ODM or OBM", "functional_upgrading", "pct"), ("fair share", "fair_share", "pct"),
    ("exhibitors per fair", "exhibitors_per_fair", "num"),
    ("main buyer share", "main_buyer_share", "pct"),
    ("quasi-hierarchical links", "quasi_hierarchy_share", "pct"),
    ("lock-in", "lock_in", "pct"),
)
BUYER_ROWS = (
    ("units", "units", "num"), ("spend", "spend", "num"), ("mean price", "mean_price", "num"),
    ("failed orders", "failed_orders", "int"), ("from scouted sources", "scouted_share", "pct"),
    ("suppliers at end", "suppliers", "int"), ("quasi-hierarchical", "quasi_hierarchy_links",
                                               "int"),
)


def fmt(value: Any, kind: str = "num") -> str:
    if value is None:
        return "-"
    if kind == "pct":
        return f"{100 * value:.1f}%"
    if kind == "int":
        return f"{value:,.0f}"
    if abs(value) >= 1e6:
        return f"{value / 1e6:,.1f}M"
    if abs(value) >= 1e4:
        return f"{value:,.0f}"
    return f"{value:.2f}"


def agent_table(title: str, agents: dict[str, dict[str, Any]], rows: tuple,
                cell: Callable[[Any, str], str] = fmt, only_present: bool = False) -> Table:
    """One row per metric, one column per agent; `cell` formats a value of a kind."""
    table = Table(title=title, title_justify="left")
    table.add_column("")
    for agent in agents:
        table.add_column(escape(agent), justify="right")
    for label, key, kind in rows:
        if only_present and not any(key in a for a in agents.values()):
            continue
        table.add_row(label, *(cell(a.get(key), kind) for a in agents.values()))
    return table


def print_summary(summary: dict[str, Any], source: str) -> None:
    console = Console()
    # User text (names, paths) is escaped: `[/x]` would crash rich, `[red]` restyle.
    console.print(f"[bold]{escape(summary['scenario'])}[/bold]")
    console.print(f"{escape(source)}, seed {summary['seed']}, {summary['horizon_years']:g} years, "
                  f"chainsim {summary['version']}: {summary['events']:,} SimPy events in "
                  f"{summary['wall_seconds']:.2f} s")
    orders = Table(title="Orders by stage", title_justify="left")
    orders.add_column("stage")
    orders.add_column("orders", justify="right")
    for stage in ORDER_STAGES:
        orders.add_row(stage.replace("_", " "), f"{summary['orders'][stage]:,}")
    console.print(orders)
    console.print(agent_table("Clusters", summary["clusters"], CLUSTER_ROWS))
    console.print(agent_table("Buyers", summary["buyers"], BUYER_ROWS))
    decisions = ", ".join(f"{k} {v}" for k, v in summary["decisions"].items())
    console.print(f"Decisions logged: {decisions}")


def fmt_ci(ci: dict[str, Any] | None, kind: str = "num") -> str:
    """`mean ± half-width` of a {mean, ci_low, ci_high, n} object."""
    if not ci or ci.get("mean") is None:
        return "-"
    mean, low, high = ci["mean"], ci.get("ci_low"), ci.get("ci_high")
    if low is None or high is None:
        return fmt(mean, kind)
    half = (high - low) / 2
    if kind == "pct":
        return f"{100 * mean:.1f}% ± {100 * half:.1f}"
    if abs(mean) >= 1e6:  # both on the mean's scale, so the columns stay narrow
        return f"{mean / 1e6:,.1f}M ± {half / 1e6:,.1f}M"
    if abs(mean) >= 1e3 or kind == "int":
        return f"{mean:,.0f} ± {half:,.0f}"
    return f"{mean:.2f} ± {half:.2f}"


def agent_ci_table(title: str, agents: dict[str, dict[str, Any]], rows: tuple) -> Table:
    return agent_table(title, agents, rows, cell=fmt_ci, only_present=True)


def print_replicated(summary: dict[str, Any], source: str) -> None:
    console = Console()
    n = summary["replications"]
    console.print(f"[bold]{escape(summary['scenario'])}[/bold]")
    console.print(f"{escape(source)}, seed {summary['seed']}, replications 0..{n - 1} "
                  f"(common random numbers), {summary['horizon_years']:g} years, chainsim "
                  f"{summary['version']}: {summary['events']:,} SimPy events in "
                  f"{summary['wall_seconds']:.2f} s")
    console.print(f"Each cell: mean ± half-width of the {summary['confidence']:.0%} "
                  f"confidence interval over {n} replications.")
    orders = Table(title="Orders by stage (per run)", title_justify="left")
    orders.add_column("stage")
    orders.add_column("orders", justify="right")
    for stage in ORDER_STAGES:
        if stage in summary["orders"]:
            orders.add_row(stage.replace("_", " "), fmt_ci(summary["orders"][stage]))
    console.print(orders)
    console.print(agent_ci_table("Clusters", summary["clusters"], CLUSTER_ROWS))
    console.print(agent_ci_table("Buyers", summary["buyers"], BUYER_ROWS))
