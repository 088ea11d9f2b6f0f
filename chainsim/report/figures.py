"""The report's and the explorer's figures, as Plotly figures (zoom, hover, toggle).

Every time series is the mean over replications per period with its Student-t
confidence band (`band`), one colour per configuration, on a calendar-year axis
(`year` = start_year + day / 360, as the series tables record it); a single run is the
same with one replication and no band. Shares are drawn in per cent. A cluster that
enters late (an entrant shock, `active_from_year`) is drawn from its entry on. A figure
whose data are absent is returned as a `Skipped` with the reason, which the page states.

Scenario text (names, ids, parameter values) reaches Plotly escaped (`esc`): Plotly reads
a small HTML subset in labels, and a user's `<a href=...>` or `$...$` must show as typed.

Figures are Plotly's figure schema as plain dicts (`Panels`): building them through
`plotly.graph_objects` validates every attribute and cost about a second per page of
figures, too slow for the explorer's rerun; the grid geometry still comes from Plotly's
`make_subplots`, computed once per grid shape.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from html import escape
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from chainsim.experiments.runner import DEFAULT_METRICS, match_metrics
from chainsim.report import labels as lab
from chainsim.report.data import Output

CAPABILITIES = (("process", "Process capability"), ("product", "Product capability"),
                ("design", "Design capability"), ("marketing", "Marketing capability"))
GOVERNANCE = (("market", "market"), ("modular", "modular"), ("network", "network"),
              ("quasi_hierarchy", "quasi-hierarchy"), ("hierarchy", "hierarchy"))
GOVERNANCE_COLOURS = {"market": "#1f77b4", "modular": "#9467bd", "network": "#2ca02c",
                      "quasi_hierarchy": "#d62728", "hierarchy": "#7f7f7f"}
PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
           "#7f7f7f", "#bcbd22", "#17becf")
MAX_BANDED = 12  # more configurations than this: lines only, no bands
MAX_PANELS = 6  # configurations drawn side by side in the governance figure
FONT = {"family": "system-ui, -apple-system, Segoe UI, Helvetica, Arial, sans-serif",
        "size": 12}


@dataclass
class Chart:
    """A drawn figure: its id, title, caption and the Plotly figure (a dict)."""

    name: str
    title: str
    caption: str
    figure: dict[str, Any]


AXIS = {"gridcolor": "#e8e8e8", "zeroline": False, "linecolor": "#999", "ticks": "outside",
        "tickcolor": "#999", "automargin": True}


@lru_cache(maxsize=64)
def _grid(rows: int, cols: int, vspace: float, titles: int) -> dict[str, Any]:
    """The layout of a rows x cols grid of panels, from Plotly's make_subplots."""
    from plotly.subplots import make_subplots

    fig = make_subplots(rows=rows, cols=cols, vertical_spacing=vspace,
                        horizontal_spacing=0.08, subplot_titles=[" "] * titles)
    out = fig.to_dict()["layout"]
    out.pop("template", None)
    return out


@dataclass
class Panels:
    """A figure of `n` panels in rows of `cols`, as a Plotly figure dict; panel i holds
    the traces `add`ed to it. Unused cells of the last row are hidden."""

    n: int
    cols: int
    titles: Sequence[str]
    vspace: float = 0.12
    data: list[dict[str, Any]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.cols = max(1, min(self.cols, self.n))
        self.rows = -(-self.n // self.cols)
        space = min(self.vspace, 0.9 / max(self.rows, 1)) if self.rows > 1 else 0.1
        self.layout = copy.deepcopy(_grid(self.rows, self.cols, space, len(self.titles)))
        for note, text in zip(self.layout.get("annotations", []), self.titles, strict=False):
            note["text"] = text
            note["font"] = {"size": 12}
        for i in range(self.rows * self.cols):
            for axis in ("x", "y"):
                self.axis(i, axis).update(AXIS)
                if i >= self.n:
                    self.axis(i, axis)["visible"] = False

    def axis(self, i: int, which: str = "y") -> dict[str, Any]:
        key = f"{which}axis{i + 1 if i else ''}"
        return self.layout.setdefault(key, {})

    def add(self, i: int, trace: dict[str, Any]) -> None:
        trace["xaxis"], trace["yaxis"] = (f"x{i + 1 if i else ''}", f"y{i + 1 if i else ''}")
        self.data.append(trace)

    def axes(self, which: str, **settings: Any) -> None:
        for i in range(self.n):
            self.axis(i, which).update(settings)

    def figure(self, title: str, height: int) -> dict[str, Any]:
        return {"data": self.data, "layout": layout(self.layout, title, height)}

    def span(self, table: pd.DataFrame) -> None:
        """Every panel's time axis covers the whole run, so a late start shows."""
        years = table["year"].dropna()
        if len(years) and years.max() > years.min():
            pad = 0.02 * (years.max() - years.min())
            self.axes("x", range=[float(years.min() - pad), float(years.max() + pad)])


@dataclass
class Skipped:
    """A figure not drawn, and why."""

    title: str
    reason: str


def esc(text: object) -> str:
    """User text for a Plotly label: HTML-escaped (Plotly shows entities as the
    characters), so tags and TeX in scenario names appear as typed."""
    return escape(str(text), quote=True)


def band(frame: pd.DataFrame, keys: Sequence[str], column: str,
         confidence: float = 0.95) -> pd.DataFrame:
    """Mean and two-sided Student-t interval of `column` over replications, per `keys`
    (NaNs dropped; `n` counts the replications with a value). The interval is NaN when
    n < 2 and collapses to the mean when every value is equal, as `stats.mean_ci`."""
    keys = list(keys)
    data = frame[[*keys, column]].dropna(subset=[column])
    if data.empty:
        return pd.DataFrame(columns=[*keys, "mean", "low", "high", "n"])
    if not data.duplicated(keys).any():  # one value per group (a single run): no band
        data = data.sort_values(keys).reset_index(drop=True)
        nan = np.full(len(data), np.nan)
        return pd.DataFrame({**{k: data[k] for k in keys},
                             "mean": data[column].to_numpy(float), "low": nan, "high": nan,
                             "n": np.ones(len(data), dtype="int64")})
    g = data.groupby(keys, sort=True)[column]
    out = g.agg(["mean", "std", "count", "min", "max"]).reset_index()
    n = out["count"].to_numpy(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        q = stats.t.ppf(0.5 + confidence / 2, np.where(n > 1, n - 1, np.nan))
        half = q * out["std"].to_numpy(float) / np.sqrt(n)
    half = np.where(out["min"].to_numpy(float) == out["max"].to_numpy(float),
                    np.where(n > 1, 0.0, np.nan), half)
    mean = out["mean"].to_numpy(float)
    return pd.DataFrame({**{k: out[k] for k in keys}, "mean": mean, "low": mean - half,
                         "high": mean + half, "n": out["count"].astype("int64")})


def colours(names: Sequence[str]) -> dict[str, str]:
    """One colour per configuration: ten distinct ones, then an evenly spaced ramp."""
    n = len(names)
    if n <= len(PALETTE):
        return {name: PALETTE[i] for i, name in enumerate(names)}
    from plotly.colors import sample_colorscale

    ramp = sample_colorscale("Viridis", [i / (n - 1) for i in range(n)])
    return dict(zip(names, ramp, strict=True))


def rgba(colour: str, alpha: float) -> str:
    """A hex or rgb() colour with transparency, for confidence bands."""
    if colour.startswith("#"):
        r, g, b = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    else:
        r, g, b = (int(float(v)) for v in colour[colour.index("(") + 1:-1].split(",")[:3])
    return f"rgba({r},{g},{b},{alpha})"


def label(out: Output, name: str) -> str:
    """A configuration's legend label (escaped); a sweep point shows its values."""
    params = next((c.params for c in out.configs if c.name == name), {})
    if out.kind != "sweep" or not params:
        return esc(name)
    return esc(f"{name}: " + ", ".join(f"{k.rsplit('.', 1)[-1]}={v}"
                                       for k, v in params.items()))


def agent_text(out: Output, ident: str) -> str:
    """A cluster's or buyer's name from its scenario, with the id (plain text)."""
    name = out.agent_names().get(ident, ident)
    return name if name == ident else f"{name} ({ident})"


def agent(out: Output, ident: str) -> str:
    """`agent_text`, escaped for a Plotly label."""
    return esc(agent_text(out, ident))


def layout(base: dict[str, Any], title: str, height: int) -> dict[str, Any]:
    """The common look of every figure (white, light grid, legend below)."""
    return {**base, "title": {"text": esc(title), "x": 0.01, "font": {"size": 15}},
            "height": height, "font": FONT, "paper_bgcolor": "#ffffff",
            "plot_bgcolor": "#ffffff",
            "legend": {"orientation": "h", "yref": "container", "y": 0, "yanchor": "bottom",
                       "x": 0},
            "margin": {"l": 60, "r": 20, "t": 70, "b": 110}, "hovermode": "closest"}


def values(x: Any, scale: float = 1.0) -> list[Any]:
    """Numbers for a trace, NaN as None (a gap in the line; JSON has no NaN)."""
    a = np.asarray(x, dtype=float) * scale
    return [None if not np.isfinite(v) else round(float(v), 6) for v in a]


def line(fig: Panels, i: int, b: pd.DataFrame, colour: str, name: str, group: str,
         show: bool, banded: bool, scale: float = 1.0, width: float = 2.0,
         dash: str | None = None, mode: str = "lines") -> None:
    """A mean line in panel i and, with more than one replication, its band (`b`: year,
    mean, low, high); one legend entry per `group` toggles it in every panel."""
    b = b.sort_values("year")
    x = values(b["year"])
    if banded and b["low"].notna().any():
        low, high = b["low"], b["high"]
        if scale == 100.0:  # a share: its band stays within 0-100%
            low, high = low.clip(0.0, 1.0), high.clip(0.0, 1.0)
        fig.add(i, {"type": "scatter", "x": x, "y": values(high, scale),
                    "mode": "lines", "line": {"width": 0}, "legendgroup": group,
                    "showlegend": False, "hoverinfo": "skip"})
        fig.add(i, {"type": "scatter", "x": x, "y": values(low, scale),
                    "mode": "lines", "line": {"width": 0}, "fill": "tonexty",
                    "fillcolor": rgba(colour, 0.2), "legendgroup": group,
                    "showlegend": False, "hoverinfo": "skip"})
    fig.add(i, {"type": "scatter", "x": x, "y": values(b["mean"], scale), "mode": mode,
                "name": name, "legendgroup": group, "showlegend": show,
                "line": {"color": colour, "width": width, **({"dash": dash} if dash else {})},
                "marker": {"size": 6, "color": colour},
                "hovertemplate": f"{name}<br>%{{x:.2f}}: %{{y:.4g}}<extra></extra>"})


def banded(out: Output) -> bool:
    return 1 < len(out.names) <= MAX_BANDED or (
        len(out.names) == 1 and out.kind != "single")


def ci_text(out: Output) -> str:
    if out.kind == "single":
        return "One run: lines are its values per period."
    level = f"{out.confidence:.0%}"
    n = out.manifest.get("replications")
    reps = f"{n} replications" if isinstance(n, int) else "the replications"
    if not banded(out):
        return (f"Lines are means over {reps} per period; with more than {MAX_BANDED} "
                f"configurations the {level} bands are left out.")
    return (f"Lines are means over {reps} per period; bands are {level} Student-t "
            "confidence intervals of the mean (none where fewer than two replications "
            "have a value).")


def cluster_table(out: Output) -> pd.DataFrame:
    """The clusters series with every value before a cluster's entry blanked: an
    entrant exists in the firm table from the start, but is in the chain only from
    its entry year."""
    table = out.series["clusters"].copy()
    values = [c for c in table.columns if c not in ("config", "replication", "period",
                                                     "time", "year", "cluster")]
    for cfg in out.configs:
        for cluster, year in cfg.entry_years.items():
            before = ((table["config"] == cfg.name) & (table["cluster"] == cluster)
                      & (table["year"] <= year))
            table.loc[before, values] = np.nan
    return table


def absent_reason(out: Output, cluster: str, what: str = "lead firms") -> str:
    """Why a cluster has no panel: it enters after the run, or has no `what`."""
    entry = [c.entry_years[cluster] for c in out.configs if cluster in c.entry_years]
    table = out.series.get("clusters")
    last = float(table["year"].max()) if table is not None and len(table) else None
    if entry and last is not None and min(entry) >= last:
        return f"it enters in {min(entry):g}, after the last recorded period ({last:.2f})"
    return ("the cluster has no lead firms in any recorded period" if what == "lead firms"
            else "the cluster has no active links in any recorded period")


def _years(table: pd.DataFrame) -> pd.Series:
    return table.groupby(["config", "period"])["year"].first().rename("year")


def periods_per_year(out: Output) -> int:
    days = out.configs[0].scenario.get("simulation", {}).get("period_days", 90)
    return max(1, round(360 / days)) if isinstance(days, int | float) and days > 0 else 1


def price_index_figure(out: Output) -> list[Chart | Skipped]:
    """Per cluster: the price index per period (thin) and its one-year moving average
    with its band (thick), so the trend shows through the seasonal saw-tooth."""
    title = "Price index over time"
    if "clusters" not in out.series:
        return [Skipped(title, "series/clusters.parquet is absent")]
    table = cluster_table(out)
    window = periods_per_year(out)
    table = table.sort_values(["config", "replication", "cluster", "period"])
    table["trend"] = table.groupby(["config", "replication", "cluster"])["price_index"] \
        .transform(lambda s: s.rolling(window, center=True,
                                       min_periods=max(1, window - 1)).mean())
    keys = ["config", "cluster", "period"]
    raw = band(table, keys, "price_index", out.confidence).join(_years(table), on=keys[::2])
    trend = band(table, keys, "trend", out.confidence).join(_years(table), on=keys[::2])
    clusters = [c for c in out.clusters() if (raw["cluster"] == c).any()]
    if not clusters:
        return [Skipped(title, "no cluster sold anything in any recorded period")]
    fig = Panels(len(clusters), 2, [agent(out, c) for c in clusters])
    col = colours(out.names)
    for i, cluster in enumerate(clusters):
        for name in out.names:
            mine = raw[(raw["cluster"] == cluster) & (raw["config"] == name)]
            if mine.empty:
                continue
            line(fig, i, mine, col[name], label(out, name) + " per period", name, False,
                 False, width=1, dash="dot")
            line(fig, i, trend[(trend["cluster"] == cluster) & (trend["config"] == name)],
                 col[name], label(out, name), name, i == 0 and len(out.names) > 1,
                 banded(out))
    fig.axes("y", title={"text": "money per unit"})
    fig.axes("x", title={"text": "year"})
    fig.span(table)
    caption = ("Units-weighted mean agreed (base) price of each cluster's links that sold, "
               "without rung and quality premiums: the price pressure of H&S 4.2. Dotted: "
               f"each period; solid: the centred moving average over {window} periods (one "
               "year), which shows the trend through the seasons. A cluster's line starts "
               "when it enters and first sells. " + ci_text(out))
    return [Chart("price_index", title, caption,
                  fig.figure(title, 340 * fig.rows + 60))]


def upgrading_figures(out: Output) -> list[Chart | Skipped]:
    """Per cluster, the lead firms' four capabilities and their place on the ladder."""
    title = "Upgrading trajectories"
    if "clusters" not in out.series:
        return [Skipped(title, "series/clusters.parquet is absent")]
    table = cluster_table(out)
    if all(c in table for c in ("full_package", "odm", "obm")):
        table["full_package_plus"] = table[["full_package", "odm", "obm"]].sum(
            axis=1, min_count=1)
        table["odm_obm"] = table[["odm", "obm"]].sum(axis=1, min_count=1)
    fruit = ("cold_chain", "certified", "own_label")
    if all(c in table for c in fruit):  # the fresh-fruit ladder's strategic end
        table["cold_chain_plus"] = table[list(fruit)].sum(axis=1, min_count=1)
    panels = [*CAPABILITIES, ("full_package_plus", "Full package or higher (% of leads)"),
              ("odm_obm", "Own design or brand, ODM/OBM (% of leads)"),
              ("cold_chain_plus", "Cold chain or higher (% of leads)"),
              ("own_label", "Own label (% of leads)")]
    panels = [(c, t) for c, t in panels if c in table]
    charts: list[Chart | Skipped] = []
    for cluster in out.clusters():
        mine = table[table["cluster"] == cluster]
        drawn = [(c, t) for c, t in panels if mine[c].notna().any()]
        if not drawn:
            charts.append(Skipped(f"{title}: {cluster}", absent_reason(out, cluster)))
            continue
        charts.append(_upgrading(out, cluster, mine, drawn, title))
    return charts


def _upgrading(out: Output, cluster: str, mine: pd.DataFrame, drawn: list, title: str
               ) -> Chart:
    fig = Panels(len(drawn), 3, [t for _, t in drawn], vspace=0.16)
    col = colours(out.names)
    shown = [n for n in out.names if (mine["config"] == n).any()]
    years = _years(mine)
    for i, (column, _) in enumerate(drawn):
        b = band(mine, ["config", "period"], column, out.confidence)
        b = b.join(years, on=["config", "period"])
        share = column not in dict(CAPABILITIES)
        for name in shown:
            line(fig, i, b[b["config"] == name], col[name], label(out, name), name,
                 i == 0 and len(shown) > 1, banded(out), scale=100.0 if share else 1)
        fig.axis(i)["range"] = [-3, 103] if share else [-0.03, 1.03]
    fig.span(out.series["clusters"])
    caption = (f"{agent_text(out, cluster)}: mean process, product, design and marketing "
               "capability of the lead firms at the end of each period (0-1; process "
               "and product upgrading, and design and marketing as the ground of functional "
               "upgrading, H&S 1), and the share of lead firms at full package or higher "
               "and at own design or own brand on the functional ladder (on the fresh-fruit "
               "ladder: at cold chain or higher and at own label), in % (H&S 2.2, 4.3, "
               "4.5). " + ci_text(out))
    return Chart(f"upgrading_{safe(cluster)}", f"{title}: {cluster}", caption,
                 fig.figure(f"{title}: {out.agent_names().get(cluster, cluster)}",
                            300 * fig.rows + 90))


def safe(name: str) -> str:
    """An id-safe form of a name (for element ids)."""
    import re

    return re.sub(r"[^A-Za-z0-9_.-]", "_", name)[:60] or "x"


def governance_figures(out: Output) -> list[Chart | Skipped]:
    """Per cluster, the share of its active links under each governance form, one
    panel per configuration (H&S 3, Table 4)."""
    title = "Governance mix"
    if "clusters" not in out.series:
        return [Skipped(title, "series/clusters.parquet is absent")]
    table = cluster_table(out)
    forms = [(c, t) for c, t in GOVERNANCE if c in table and (table[c].fillna(0) > 0).any()]
    if not forms:
        return [Skipped(title, "no active links in any recorded period")]
    charts: list[Chart | Skipped] = []
    for cluster in out.clusters():
        mine = table[(table["cluster"] == cluster)]
        names = [n for n in out.names if mine.loc[mine["config"] == n, forms[0][0]]
                 .notna().any()]
        if not names:
            charts.append(Skipped(f"{title}: {cluster}", absent_reason(out, cluster, "links")))
            continue
        charts.append(_governance(out, cluster, mine, names, forms, title))
    return charts


def _governance(out: Output, cluster: str, mine: pd.DataFrame, names: list[str],
                forms: list, title: str) -> Chart:
    shown = names[:MAX_PANELS]
    cols = 2 if len(shown) <= 4 else 3
    fig = Panels(len(shown), cols, [label(out, n) if len(shown) > 1 else "" for n in shown])
    for i, name in enumerate(shown):
        rows = mine[mine["config"] == name]
        years = _years(rows)
        for column, text in forms:
            b = band(rows, ["config", "period"], column, out.confidence)
            line(fig, i, b.join(years, on=["config", "period"]), GOVERNANCE_COLOURS[column],
                 text, column, i == 0, banded(out), scale=100.0)
        fig.axis(i).update(range=[-3, 103], title={"text": "% of active links"})
    fig.span(out.series["clusters"])
    more = len(names) - len(shown)
    caption = (f"{agent_text(out, cluster)}: share of the cluster's active buyer-supplier "
               "links under each governance form, per period, in % (H&S 3, Table 4)"
               + (", one panel per configuration" if len(shown) > 1 else "") + ". "
               + ci_text(out)
               + (f" The first {MAX_PANELS} configurations are drawn; {more} more are in "
                  "the tables." if more > 0 else ""))
    return Chart(f"governance_{safe(cluster)}", f"{title}: {cluster}", caption,
                 fig.figure(f"{title}: {out.agent_names().get(cluster, cluster)}",
                            300 * fig.rows + 110))


def fair_share_figure(out: Output) -> list[Chart | Skipped]:
    title = "Share of fair exhibitors"
    if "clusters" not in out.series:
        return [Skipped(title, "series/clusters.parquet is absent")]
    table = cluster_table(out)
    if "fair_share" not in table or table["fair_share"].isna().all():
        return [Skipped(title, "no trade fair was held in any recorded period")]
    keys = ["config", "cluster", "period"]
    b = band(table, keys, "fair_share", out.confidence).join(_years(table), on=keys[::2])
    clusters = [c for c in out.clusters() if (b["cluster"] == c).any()]
    fig = Panels(len(clusters), 2, [agent(out, c) for c in clusters])
    col = colours(out.names)
    for i, cluster in enumerate(clusters):
        for name in out.names:
            mine = b[(b["cluster"] == cluster) & (b["config"] == name)]
            if not mine.empty:
                line(fig, i, mine, col[name], label(out, name), name,
                     i == 0 and len(out.names) > 1, banded(out), scale=100.0,
                     mode="lines+markers")
    fig.axes("y", title={"text": "% of all exhibitors"}, rangemode="tozero")
    fig.span(table)
    caption = ("The cluster's exhibitors as a share of all exhibitors at the trade fairs "
               "held in each period, in % (H&S 4.2-4.3: 7 of 1,612 exhibitors at "
               "Düsseldorf in 1997 were Brazilian, 0.43%). Points are the periods in which "
               "a fair was held. " + ci_text(out))
    return [Chart("fair_share", title, caption, fig.figure(title, 320 * fig.rows + 60))]


BUYER_PANELS = (("units", "Units bought", 1.0), ("mean_price", "Mean price paid", 1.0),
                ("scouted_share", "Units from scouted sources (%)", 100.0))


def buyer_figure(out: Output) -> list[Chart | Skipped]:
    """Per buyer: units bought, price paid and the share from scouted (entrant) sources.
    One colour per buyer for one configuration; per configuration otherwise, with a
    dash per buyer."""
    title = "Buyers over time"
    if "buyers" not in out.series:
        return [Skipped(title, "series/buyers.parquet is absent")]
    table = out.series["buyers"]
    buyers = list(dict.fromkeys(table["buyer"].astype(str)))
    if table.empty or not buyers:
        return [Skipped(title, "no buyer recorded")]
    fig = Panels(len(BUYER_PANELS), 3, [t for _, t, _ in BUYER_PANELS])
    col, dashes = colours(out.names), ("solid", "dash", "dot", "dashdot", "longdash")
    per_buyer = colours(buyers)
    one = len(out.names) == 1
    years = _years(table)
    for i, (column, _, scale) in enumerate(BUYER_PANELS):
        b = band(table, ["config", "buyer", "period"], column, out.confidence)
        b = b.join(years, on=["config", "period"])
        for name in out.names:
            for k, buyer in enumerate(buyers):
                mine = b[(b["config"] == name) & (b["buyer"] == buyer)]
                text = agent(out, buyer) if one else f"{label(out, name)} · {esc(buyer)}"
                line(fig, i, mine, per_buyer[buyer] if one else col[name], text,
                     f"{name}·{buyer}", i == 0, banded(out) and one, scale=scale,
                     dash=None if one else dashes[k % len(dashes)], width=1.6)
    fig.axes("x", title={"text": "year"})
    caption = ("Per buyer and period: units delivered to it, the mean price it paid "
               "(premiums included) and the share of its units from sources it found by "
               "scouting (H&S 3: buyers \"constantly scouting for lower-cost production "
               "sites\"), in %. Click a legend entry to hide or show a buyer. "
               + ci_text(out))
    return [Chart("buyers", title, caption, fig.figure(title, 440))]


def headline_metrics(names: Sequence[str]) -> list[str]:
    return match_metrics(list(names), DEFAULT_METRICS)


def distribution_figure(out: Output) -> list[Chart | Skipped]:
    """Each default metric's value in every replication, per configuration."""
    title = "Per-replication distributions"
    reps = out.replications
    if reps is None or reps.empty or reps.groupby("config").size().max() < 2:
        return [Skipped(title, "fewer than two replications per configuration")]
    metrics = [m for m in headline_metrics(list(reps.columns))
               if reps[m].notna().any() and reps[m].nunique(dropna=True) > 1]
    if not metrics:
        return [Skipped(title, "every headline metric is the same in every replication")]
    names = out.agent_names()
    fig = Panels(len(metrics), 3, [esc(lab.label(m, names)) for m in metrics], vspace=0.1)
    col = colours(out.names)
    for i, metric in enumerate(metrics):
        for name in out.names:
            mine = reps[reps["config"] == name]
            fig.add(i, {"type": "box", "y": values(mine[metric], lab.scale(metric)),
                        "name": label(out, name), "legendgroup": name,
                        "showlegend": i == 0, "marker": {"color": col[name], "size": 4},
                        "boxpoints": "all", "jitter": 0.4, "pointpos": 0,
                        "customdata": [int(r) for r in mine["replication"]],
                        "hovertemplate": "replication %{customdata}: %{y:.4g}<extra></extra>"})
        fig.axis(i).update(title={"text": lab.unit(metric)})
        fig.axis(i, "x")["showticklabels"] = False
    caption = ("The headline metrics of every replication (points; hover for the "
               "replication index) with their quartiles (boxes), per configuration; shares "
               "in %. Metrics with the same value in every replication are left out.")
    return [Chart("distributions", title, caption, fig.figure(title, 280 * fig.rows + 90))]


def comparison_figure(out: Output) -> list[Chart | Skipped]:
    """Paired differences from the baseline, with CIs, for the default metrics."""
    title = "Paired differences from the baseline"
    cmp = out.comparison
    if cmp is None or cmp.empty:
        return [Skipped(title, "no paired differences (comparison.csv is absent)")]
    metrics = [m for m in headline_metrics(list(dict.fromkeys(cmp["metric"])))
               if not _flat(cmp[cmp["metric"] == m])]
    if not metrics:
        return [Skipped(title, "every headline metric is identical in all configurations")]
    names, others = out.agent_names(), [n for n in out.names if n != out.baseline]
    fig = Panels(len(metrics), 3, [esc(lab.label(m, names)) for m in metrics], vspace=0.3)
    col = colours(out.names)
    for i, metric in enumerate(metrics):
        rows = cmp[cmp["metric"] == metric].set_index("config")
        for name in others:
            if name in rows.index and pd.notna(rows.at[name, "mean"]):
                fig.add(i, _difference(out, rows, name, lab.scale(metric), col[name], i == 0))
        fig.add(i, {"type": "scatter", "x": [0, 0], "y": [label(out, n) for n in
                                                          (others[0], others[-1])],
                    "mode": "lines", "line": {"color": "#555", "width": 1},
                    "showlegend": False, "hoverinfo": "skip"})
        fig.axis(i, "x").update(title={"text": lab.unit(metric)})
        fig.axis(i)["showticklabels"] = len(others) > 1
    many = len(others) > 1
    caption = (f"Mean difference from the baseline {out.baseline}, paired by "
               f"replication under common random numbers, with its {out.confidence:.0%} "
               "confidence interval" + (" (Bonferroni-widened over the comparisons)"
                                        if many else "")
               + "; shares in percentage points. An interval clear of the zero line is a "
               "difference the replications resolve.")
    return [Chart("comparison", title, caption,
                  fig.figure(f"{title} ({out.baseline}): configuration - baseline",
                             (190 + 40 * len(others)) * fig.rows + 150))]


def _difference(out: Output, rows: pd.DataFrame, name: str, k: float, colour: str,
                show: bool) -> dict[str, Any]:
    m, lo, hi = (float(rows.at[name, x]) * k for x in ("mean", "ci_low", "ci_high"))
    trace = {"type": "scatter", "x": [m], "y": [label(out, name)], "mode": "markers",
             "name": label(out, name), "legendgroup": name, "showlegend": show,
             "marker": {"color": colour, "size": 9},
             "hovertemplate": f"%{{x:.4g}} [{lo:.4g}, {hi:.4g}]<extra></extra>"}
    if np.isfinite(lo + hi):
        trace["error_x"] = {"type": "data", "symmetric": False, "array": [hi - m],
                            "arrayminus": [m - lo]}
    return trace


def _flat(rows: pd.DataFrame) -> bool:
    return bool(rows["mean"].isna().all() or (
        (rows["mean"].fillna(0) == 0) & (rows["ci_low"].fillna(0) == 0)
        & (rows["ci_high"].fillna(0) == 0)).all())


def sweep_figure(out: Output) -> list[Chart | Skipped]:
    """Headline metrics against each swept parameter, mean and CI per point."""
    title = "Metrics across the sweep"
    params, summary = out.param_keys(), out.summary
    if summary is None or not params:
        return [Skipped(title, "no summary table or no swept parameters")]
    metrics = [m for m in headline_metrics(list(dict.fromkeys(summary["metric"])))
               if (summary.loc[summary["metric"] == m, "mean"].fillna(0) != 0).any()]
    if not metrics:
        return [Skipped(title, "every headline metric is undefined or zero at every point")]
    names = out.agent_names()
    panels = [(m, p) for m in metrics for p in params]
    cols = 3 if len(params) == 1 else min(len(params), 4)
    fig = Panels(len(panels), cols, [esc(lab.label(m, names)) for m, _ in panels])
    col, value = colours(out.names), {c.name: c.params for c in out.configs}
    for i, (metric, param) in enumerate(panels):
        for row in summary[summary["metric"] == metric].itertuples(index=False):
            fig.add(i, _sweep_point(out, row, value.get(row.config, {}).get(param),
                                    lab.scale(metric), col.get(row.config, "#333"), i == 0))
        fig.axis(i, "x").update(title={"text": esc(param)})
        fig.axis(i).update(title={"text": lab.unit(metric)})
    caption = (f"Each point of the design: the mean over its replications with its "
               f"{out.confidence:.0%} confidence interval, against each swept parameter; "
               "shares in %. Colours are those of the time series.")
    return [Chart("sweep", title, caption, fig.figure(title, 280 * fig.rows + 90))]


def _sweep_point(out: Output, row, x, k: float, colour: str, show: bool) -> dict[str, Any]:
    """One design point's mean and CI of a metric at parameter value x."""
    x = x if isinstance(x, int | float) and not isinstance(x, bool) else esc(x)
    name = label(out, str(row.config))
    trace = {"type": "scatter", "x": [x], "y": values([row.mean], k), "mode": "markers",
             "name": name, "legendgroup": str(row.config), "showlegend": show,
             "marker": {"color": colour, "size": 8},
             "hovertemplate": f"{name}<br>%{{y:.4g}}<extra></extra>"}
    if pd.notna(row.ci_low) and pd.notna(row.ci_high):
        trace["error_y"] = {"type": "data", "symmetric": False,
                            "array": [(row.ci_high - row.mean) * k],
                            "arrayminus": [(row.mean - row.ci_low) * k]}
    return trace


def all_figures(out: Output, network: bool = True) -> list[Chart | Skipped]:
    """Every figure the directory's kind calls for, in page order (`network=False`: all
    but a single run's network, which the explorer draws first)."""
    from chainsim.report.network import network_figure

    items: list[Chart | Skipped] = []
    if out.kind == "single" and network:
        items += network_figure(out)
    items += price_index_figure(out)
    items += upgrading_figures(out)
    items += governance_figures(out)
    items += fair_share_figure(out)
    items += buyer_figure(out)
    if out.kind == "compare":
        items += comparison_figure(out)
    if out.kind == "sweep":
        items += sweep_figure(out)
    if out.kind != "single":
        items += distribution_figure(out)
    return items
