"""Readable terminal tables (rich) for run summaries: one row per metric, one column per
agent, the agents split over as many stacked tables as the terminal's width needs, so a
summary reads at 80 columns however many agents a scenario has. Numbers are never cut:
small values keep significant digits (a fair share of 7.2e-05 prints 0.0072%), zero
prints 0, and a share's confidence interval is shown as its bounds, in %."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rich import box
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
    ("suppliers at end", "suppliers", "int"),
    ("quasi-hierarchical links", "quasi_hierarchy_links", "int"),
)


def number(value: float) -> str:
    """A plain number: thousands separated from 10,000, two decimals from 1, three
    significant digits below (0.0698, 7.2e-05)."""
    if value == 0:
        return "0"
    if abs(value) >= 1e4:
        return f"{value:,.0f}"
    if abs(value) >= 100:
        return f"{value:.0f}"
    if abs(value) >= 1:
        return f"{value:.2f}"
    return f"{value:.3g}"


def percent(share: float) -> str:
    """A share in percent without the % sign: one decimal from 1%, two significant
    digits below (0.43, 0.0072: never 0.0 or `-0.0`)."""
    p = 100 * share
    if p == 0:
        return "0"
    if abs(p) < 1:
        return f"{p:.2g}"
    return f"{p:.1f}"


def fmt(value: Any, kind: str = "num") -> str:
    """One value of a kind: `pct` (a share, shown in %), `int` (a count) or `num`."""
    if value is None:
        return "-"
    if kind == "pct":
        return f"{percent(value)}%"
    if kind == "int":
        return f"{value:,.0f}"
    if abs(value) >= 1e6:
        return f"{value / 1e6:,.1f}M"
    return number(value)


def fmt_ci(ci: dict[str, Any] | None, kind: str = "num") -> str:
    """A {mean, ci_low, ci_high, n} object: `mean ± half-width` in the mean's unit, or
    for a share `mean% [low, high]` (its interval stays inside [0, 100]%)."""
    if not ci or ci.get("mean") is None:
        return "-"
    mean, low, high = ci["mean"], ci.get("ci_low"), ci.get("ci_high")
    if low is None or high is None:
        return fmt(mean, kind)
    if kind == "pct":
        if low == high:
            return f"{percent(mean)}%"
        return f"{percent(mean)}% [{percent(low)}, {percent(high)}]"
    half = (high - low) / 2
    if half <= 1e-9 * abs(mean):  # constant over replications, up to rounding
        return fmt(mean, kind)
    if abs(mean) >= 1e6:  # both on the mean's scale, so the columns stay narrow
        return f"{mean / 1e6:,.1f}M ± {half / 1e6:,.2g}M"
    if kind == "int" or abs(mean) >= 1e3:
        return f"{mean:,.0f} ± {half:,.0f}"
    return f"{number(mean)} ± {half:.2g}"


def stacked(build: Callable[[list[int]], Table], n: int, width: int) -> list[Table]:
    """Tables showing items 0..n-1 in consecutive groups, each group as large as fits
    `width` without wrapping (at least one item per table)."""
    console = Console(width=10**4)  # measures are capped at the console's width
    groups: list[list[int]] = []
    for i in range(n):
        if groups and console.measure(build([*groups[-1], i])).maximum <= width:
            groups[-1].append(i)
        else:
            groups.append([i])
    return [build(g) for g in groups] if groups else [build([])]


def agent_tables(title: str, agents: dict[str, dict[str, Any]], rows: tuple, width: int,
                 cell: Callable[[Any, str], str] = fmt,
                 only_present: bool = False) -> list[Table]:
    """One row per metric, one column per agent; agents beyond the width go into further
    tables under the same title. `cell` formats a value of a kind."""
    names = list(agents)
    shown = [r for r in rows if not only_present or any(r[1] in a for a in agents.values())]

    def build(columns: list[int]) -> Table:
        table = Table(title=title, title_justify="left")
        table.add_column("", overflow="fold")
        for i in columns:
            table.add_column(escape(names[i]), justify="right", overflow="fold")
        for label, key, kind in shown:
            table.add_row(label, *(cell(agents[names[i]].get(key), kind) for i in columns))
        return table

    tables = stacked(build, len(names), width)
    for table in tables[1:]:
        table.title = f"{title} (continued)"
    return tables


def agent_table(title: str, agents: dict[str, dict[str, Any]], rows: tuple,
                cell: Callable[[Any, str], str] = fmt, only_present: bool = False) -> Table:
    """All agents in one table (for callers that lay out tables themselves)."""
    return agent_tables(title, agents, rows, 10**6, cell, only_present)[0]


def replications_text(n: int) -> str:
    """`replications 0..9`, or `replication 0` alone."""
    return "replication 0" if n == 1 else f"replications 0..{n - 1}"


def period(summary: dict[str, Any]) -> str:
    """`1970-1980, 10 years`: the years actually simulated (the scenario's name may
    name the file's full period)."""
    years = summary["horizon_years"]
    start = summary.get("start_year")
    span = "1 year" if years == 1 else f"{years:g} years"
    if start is None:
        return span
    return f"{start}-{start + years:g}, {span}"


def orders_table(title: str, orders: dict[str, Any], cell: Callable[[Any], str]) -> Table:
    table = Table(title=title, title_justify="left")
    table.add_column("stage")
    table.add_column("orders", justify="right")
    for stage in ORDER_STAGES:
        if stage in orders:
            table.add_row(stage.replace("_", " "), cell(orders[stage]))
    return table


def print_summary(summary: dict[str, Any], source: str) -> None:
    console = Console()
    # User text (names, paths) is escaped: `[/x]` would crash rich, `[red]` restyle.
    console.print(f"[bold]{escape(summary['scenario'])}[/bold]")
    console.print(f"{escape(source)}, seed {summary['seed']}, {period(summary)}, "
                  f"chainsim {summary['version']}: {summary['events']:,} SimPy events in "
                  f"{summary['wall_seconds']:.2f} s")
    console.print(orders_table("Orders by stage", summary["orders"], lambda v: f"{v:,}"))
    for table in (*agent_tables("Clusters", summary["clusters"], CLUSTER_ROWS, console.width),
                  *agent_tables("Buyers", summary["buyers"], BUYER_ROWS, console.width)):
        console.print(table)
    for table in chain_tables(summary.get("chains", {})):
        console.print(table)
    decisions = ", ".join(f"{k} {v:,}" for k, v in summary["decisions"].items())
    console.print(f"Decisions logged: {decisions}")


# Short headers for the rungs of each ladder, so a line per chain set fits 80 columns.
RUNG_HEADERS = {"assembly": "asm", "full_package": "FP", "odm": "ODM", "obm": "OBM",
                "grower": "grow", "grading_packing": "pack", "cold_chain": "cold",
                "certified": "cert", "own_label": "label"}


def signed(value: float | None) -> str:
    """A gain with its sign, two decimals (`+0.21`)."""
    return "-" if value is None else f"{value:+.2f}"


def whole_percent(share: float | None) -> str:
    """A share of firms in whole percent (`50%`), narrow enough for a line per set."""
    return "-" if share is None else f"{100 * share:.0f}%"


def chain_tables(chains: dict[str, list[dict[str, Any]]]) -> list[Table]:
    """Per cluster, a line per set of chains its lead firms sell into (the summary's
    `chains`): firms, capability gains since the start, shares on each rung at the end."""
    tables = []
    for cluster, rows in chains.items():
        table = Table(title=f"Upgrading by chains, {escape(cluster)}: lead firms by the "
                      "markets they sell to in the last year; gains since the start, rungs "
                      "at the end", title_justify="left", box=box.SIMPLE_HEAD,
                      pad_edge=False)
        rungs = list(rows[0]["rungs"]) if rows else []
        table.add_column("chains", overflow="fold")
        for header in ("firms", "proc.", "prod.", "design", "mktg.",
                       *(RUNG_HEADERS.get(r, r) for r in rungs)):
            table.add_column(header, justify="right")
        for row in rows:
            table.add_row(escape(row["chains"]), f"{row['firms']:,}",
                          *(signed(row[f"{k}_gain"]) for k in
                            ("process", "product", "design", "marketing")),
                          *(whole_percent(row["rungs"][r]) for r in rungs))
        tables.append(table)
    return tables


def print_replicated(summary: dict[str, Any], source: str) -> None:
    console = Console()
    n = summary["replications"]
    console.print(f"[bold]{escape(summary['scenario'])}[/bold]")
    console.print(f"{escape(source)}, seed {summary['seed']}, {replications_text(n)} "
                  f"(common random numbers), {period(summary)}, chainsim "
                  f"{summary['version']}: {summary['events']:,} SimPy events in "
                  f"{summary['wall_seconds']:.2f} s")
    console.print(f"Each cell: mean ± half-width of the {summary['confidence']:.0%} "
                  f"confidence interval over {n} replications; shares: mean [interval] "
                  "in %.")
    console.print(orders_table("Orders by stage (per run)", summary["orders"],
                               lambda ci: fmt_ci(ci, "int")))
    for title, agents, rows in (("Clusters", summary["clusters"], CLUSTER_ROWS),
                                ("Buyers", summary["buyers"], BUYER_ROWS)):
        for table in agent_tables(title, agents, rows, console.width, cell=fmt_ci,
                                  only_present=True):
            console.print(table)
