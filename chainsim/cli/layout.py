"""Terminal layout of comparisons and sweeps that reads at 80 columns, in a terminal or
piped: names are printed whole on their own lines (never broken mid-word), numbers are
never cut (compact, with significant digits and a k/M suffix beyond 10,000 or a million),
and columns that do not fit the width are stacked into further tables."""

from __future__ import annotations

import textwrap
from typing import Any

from chainsim.cli.tables import percent, stacked


def compact(x: float | None, digits: int = 4) -> str:
    """`digits` significant figures; millions as M; '-' for missing; 0 as 0."""
    if x is None:
        return "-"
    if x == 0:
        return "0"
    if abs(x) >= 1e6:
        return f"{x / 1e6:.{digits}g}M"
    if abs(x) >= 1e4:
        return f"{x:,.0f}"
    return f"{x:.{digits}g}"


def value(x: float | None, share: bool, digits: int = 4) -> str:
    """A share as a percentage (`0.0072%`), anything else `compact`."""
    if share and x is not None:
        return f"{percent(x)}%"
    return compact(x, digits)


def p_text(p: float | None) -> str:
    if p is None:
        return "-"
    return "<0.001" if p < 0.001 else f"{p:.3f}"


def _columns(rows: list[list[str]], gap: int = 2) -> list[int]:
    return [max(len(r[i]) for r in rows) + (gap if i else 0) for i in range(len(rows[0]))]


def _config_rows(block: dict[str, Any], names: list[str], share: bool, many: bool
                 ) -> list[list[str]]:
    """One metric's cells per configuration: name, mean, difference, CI, p."""
    diffs = {d["config"]: d for d in block["differences"]}
    rows = []
    for name in names:
        mean = value(block["configurations"][name]["mean"], share)
        d = diffs.get(name)
        if d is None:
            rows.append([f"  {name}", mean, "", "", ""])
            continue
        ci = (f"[{value(d['ci_low'], share, 3)}, {value(d['ci_high'], share, 3)}]"
              if d["ci_low"] is not None else "-")
        rows.append([f"  {name}", mean, value(d["mean"], share, 3), ci,
                     p_text(d["p_holm"] if many else d["p_value"])])
    return rows


def comparison_lines(summary: dict[str, Any], width: int) -> list[str]:
    """The comparison as text: per metric its full name on a line, then one line per
    configuration (mean, paired difference, CI, p). When a line would pass `width`, the
    numbers go on a second line under the configuration's name."""
    from chainsim.experiments.units import is_share

    names = [c["name"] for c in summary["configurations"]]
    many = len(names) > 2
    level = f"{summary['confidence']:.0%}"
    head = ["", "mean", "difference", f"{level} CI", "p (Holm)" if many else "p"]
    blocks = [(metric.removeprefix("cluster."),
               _config_rows(block, names, is_share(metric), many))
              for metric, block in summary["metrics"].items()]
    every = [head, *(r for _, rows in blocks for r in rows)]
    widths = _columns(every)
    fits = sum(widths) <= width
    if not fits:  # the numbers on a line of their own, under the configuration's name
        widths = [4, *_columns([["", *r[1:]] for r in every])[1:]]

    def line(cells: list[str]) -> str:
        return "".join(c.rjust(w) if i else c.ljust(w)
                       for i, (c, w) in enumerate(zip(cells, widths, strict=True))).rstrip()

    out = [line(["", *head[1:]])]
    for title, rows in blocks:
        out.append(title)
        for r in rows:
            if fits:
                out.append(line(r))
            else:
                out.append(r[0])
                out.append(line(["", *r[1:]]))
    return out


def header(key: str) -> str:
    """A column header from a dotted name: the agent, then the measure wrapped at its
    underscores into lines of at most 12 characters (words are never split)."""
    parts = key.removeprefix("cluster.").split(".")
    agent = ".".join(parts[:-1])
    words = textwrap.wrap(parts[-1].replace("_", " "), 12, break_long_words=False)
    return "\n".join([agent, *words] if agent else words)


def sweep_tables(summary: dict[str, Any], width: int, shown: int) -> list[Any]:
    """The sweep's means as tables that fit `width`: points as rows and parameters and
    metrics as columns, or transposed (metrics as rows, points as columns), whichever
    needs fewer stacked tables. Parameters are named P1, P2... in the headers (their keys
    are printed above the tables)."""
    from rich import box
    from rich.markup import escape
    from rich.table import Table

    from chainsim.experiments.units import is_share

    points = summary["points"][:shown]
    params = list(points[0]["params"]) if points else []
    metrics = list(points[0]["metrics"]) if points else []
    title = f"Mean over replications ({summary['confidence']:.0%} CIs in --json and --out)"

    def param(v: Any) -> str:
        number = isinstance(v, int | float) and not isinstance(v, bool)
        return compact(v) if number else escape(str(v))

    def cell(point: dict[str, Any], metric: str) -> str:
        return value(point["metrics"][metric]["mean"], is_share(metric))

    def by_point(columns: list[int]) -> Table:
        table = Table(title=title, title_justify="left", box=box.SIMPLE_HEAD)
        table.add_column("point", no_wrap=True)
        for k in range(len(params)):
            table.add_column(f"P{k + 1}", justify="right", style="cyan", no_wrap=True)
        for i in columns:
            table.add_column(escape(header(metrics[i])), justify="right", no_wrap=True)
        for point in points:
            table.add_row(escape(point["point"]), *map(param, point["params"].values()),
                          *(cell(point, metrics[i]) for i in columns))
        return table

    def by_metric(columns: list[int]) -> Table:
        table = Table(title=title, title_justify="left", box=box.SIMPLE_HEAD)
        table.add_column("", no_wrap=True)
        for i in columns:
            table.add_column(escape(points[i]["point"]), justify="right", no_wrap=True)
        for k, p in enumerate(params):
            table.add_row(f"P{k + 1}", *(param(points[i]["params"][p]) for i in columns),
                          style="cyan", end_section=k == len(params) - 1)
        for m in metrics:
            table.add_row(escape(m.removeprefix("cluster.")),
                          *(cell(points[i], m) for i in columns))
        return table

    tables = min(stacked(by_point, len(metrics), width),
                 stacked(by_metric, len(points), width), key=len)
    for table in tables[1:]:
        table.title = "(continued)"
    return tables
