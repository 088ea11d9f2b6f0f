"""The report's figures, drawn with matplotlib's Agg renderer into PNG bytes.

Every time series is shown as the mean over replications per period with its Student-t
confidence band (`band`), one colour per configuration, on a calendar-year axis
(`year` = start_year + day / 360, as the series tables record it). A figure whose data
are absent is returned as a `Skipped` with the reason, which the page states.
Figures are built on `matplotlib.figure.Figure` directly (no pyplot), so no global state
or display backend is involved.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator
from scipy import stats

from chainsim.experiments.runner import DEFAULT_METRICS, match_metrics
from chainsim.report.data import Output

CAPABILITIES = (("process", "Process capability"), ("product", "Product capability"),
                ("design", "Design capability"), ("marketing", "Marketing capability"))
GOVERNANCE = (("market", "market"), ("modular", "modular"), ("network", "network"),
              ("quasi_hierarchy", "quasi-hierarchy"), ("hierarchy", "hierarchy"))
GOVERNANCE_COLOURS = {"market": "#1f77b4", "modular": "#9467bd", "network": "#2ca02c",
                      "quasi_hierarchy": "#d62728", "hierarchy": "#7f7f7f"}
MAX_BANDED = 12  # more configurations than this: lines only, no bands
DPI = 110


@dataclass
class Chart:
    """A drawn figure: its file name, title, caption and PNG bytes."""

    name: str
    title: str
    caption: str
    png: bytes


@dataclass
class Skipped:
    """A figure not drawn, and why."""

    title: str
    reason: str


def band(frame: pd.DataFrame, keys: Sequence[str], column: str,
         confidence: float = 0.95) -> pd.DataFrame:
    """Mean and two-sided Student-t interval of `column` over replications, per `keys`
    (NaNs dropped; `n` counts the replications with a value). The interval is NaN when
    n < 2 and collapses to the mean when every value is equal, as `stats.mean_ci`."""
    keys = list(keys)
    data = frame[[*keys, column]].dropna(subset=[column])
    if data.empty:
        return pd.DataFrame(columns=[*keys, "mean", "low", "high", "n"])
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


def colours(names: Sequence[str]) -> dict[str, tuple]:
    """One colour per configuration: tab10, tab20, else a viridis ramp."""
    from matplotlib import colormaps

    n = len(names)
    if n <= 10:
        cmap = colormaps["tab10"]
        return {name: cmap(i) for i, name in enumerate(names)}
    if n <= 20:  # the strong tab20 colours first, then their light partners
        cmap = colormaps["tab20"]
        order = [*range(0, 20, 2), *range(1, 20, 2)]
        return {name: cmap(order[i]) for i, name in enumerate(names)}
    cmap = colormaps["viridis"]
    return {name: cmap(i / (n - 1)) for i, name in enumerate(names)}


def safe(name: str) -> str:
    """A file-name-safe form of an id."""
    return re.sub(r"[^A-Za-z0-9_.-]", "_", name)[:60] or "x"


def png(fig: Figure) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI, metadata={"Software": None})
    return buf.getvalue()


def grid(n: int, columns: int, width: float = 11.0, height: float = 3.0
         ) -> tuple[Figure, list]:
    """A figure of n panels in rows of `columns`; unused panels removed."""
    cols = max(1, min(columns, n))
    rows = -(-n // cols)
    fig = Figure(figsize=(width, max(2.6, height * rows)), layout="constrained")
    axes = fig.subplots(rows, cols, squeeze=False).ravel().tolist()
    for ax in axes[n:]:
        ax.remove()
    return fig, axes[:n]


def _draw(ax, b: pd.DataFrame, colour, label: str | None, banded: bool,
          marker: str | None = None, lw: float = 1.6,
          bounds: tuple[float, float] | None = None) -> None:
    """A mean line and its CI band; `b` has year, mean, low, high. A band is clipped to
    `bounds`, the range the quantity can take (a share lies in 0-1)."""
    b = b.sort_values("year")
    ax.plot(b["year"], b["mean"], color=colour, lw=lw, label=label, marker=marker,
            ms=lw + 1.5 if marker else None)
    if banded:
        ok = b["low"].notna() & b["high"].notna()
        low, high = b["low"][ok], b["high"][ok]
        if bounds is not None:
            low, high = low.clip(*bounds), high.clip(*bounds)
        ax.fill_between(b["year"][ok], low, high, color=colour, alpha=0.2, lw=0)


def widths(names: Sequence[str]) -> dict[str, float]:
    """Line widths: with a few configurations the earlier ones are drawn wider, so a line
    that coincides with a later one still shows at its edges."""
    n = len(names)
    if n > 6:
        return dict.fromkeys(names, 1.4)
    return {name: 1.5 + 1.2 * (n - 1 - i) / max(1, n - 1) for i, name in enumerate(names)}


def _style(ax, title: str, ylabel: str) -> None:
    low, high = ax.get_xlim()
    if high - low >= 3:  # whole calendar years
        ax.xaxis.set_major_locator(MaxNLocator(nbins=8, integer=True))
    else:  # a short run: fractions of a year, few enough not to collide
        ax.xaxis.set_major_locator(MaxNLocator(nbins=4, steps=[1, 2, 2.5, 5, 10]))
    ax.ticklabel_format(axis="x", style="plain", useOffset=False)  # 1989.5, not +1.99e3
    ax.set_title(title, fontsize=10, loc="left")
    ax.set_ylabel(ylabel, fontsize=9)
    ax.set_xlabel("year", fontsize=9)
    ax.tick_params(labelsize=8)
    ax.grid(True, alpha=0.3, lw=0.5)


def _legend(fig: Figure, out: Output, shown: Sequence[str], col: dict) -> None:
    """A legend of configurations below the panels (none for a single configuration)."""
    if len(shown) < 2:
        return
    from matplotlib.lines import Line2D

    handles = [Line2D([], [], color=col[n], lw=2) for n in shown]
    labels = [label(out, n) for n in shown]
    fit = max(1, int(fig.get_figwidth() * 13) // (max(map(len, labels)) + 6))
    ncols = min(len(shown), 4, fit)
    fig.legend(handles, labels, loc="outside lower center", fontsize=8, frameon=False,
               ncols=ncols)
    rows = -(-len(shown) // ncols)  # room for the legend, not taken from the panels
    fig.set_figheight(fig.get_figheight() + 0.19 * rows + 0.1)


def label(out: Output, name: str) -> str:
    """A configuration's legend label; a sweep point shows its parameter values."""
    params = next((c.params for c in out.configs if c.name == name), {})
    if out.kind != "sweep" or not params:
        return name
    return f"{name}: " + ", ".join(f"{k.rsplit('.', 1)[-1]}={v}" for k, v in params.items())


def _reps(out: Output) -> str:
    n = out.manifest.get("replications")
    return f"{n} replications" if isinstance(n, int) else "the replications"


def _ci_text(out: Output, banded: bool) -> str:
    level = f"{out.confidence:.0%}"
    if not banded:
        return (f"Lines are means over {_reps(out)} per period; with more than "
                f"{MAX_BANDED} configurations the {level} bands are left out.")
    return (f"Lines are means over {_reps(out)} per period; bands are {level} Student-t "
            "confidence intervals of the mean (no band where fewer than two replications "
            "have a value).")


def _cluster_panels(out: Output, column: str) -> tuple[list[str], pd.DataFrame]:
    """The band of a clusters-series column per config, cluster and period, and the
    clusters with a value somewhere."""
    table = out.series["clusters"]
    b = band(table, ["config", "cluster", "period"], column, out.confidence)
    years = table.groupby(["config", "period"])["year"].first().rename("year")
    b = b.join(years, on=["config", "period"])
    clusters = [c for c in out.clusters() if not b[b["cluster"] == c].empty]
    return clusters, b


def _span(ax, out: Output, cluster: str) -> None:
    """The x range of a cluster's panel: every recorded period of the configurations
    that have the cluster, so a cluster that starts selling late is seen to."""
    table = out.series["clusters"]
    years = table.loc[table["cluster"] == cluster, "year"]
    if len(years) and years.max() > years.min():
        pad = 0.02 * (years.max() - years.min())
        ax.set_xlim(years.min() - pad, years.max() + pad)


def price_index_figure(out: Output) -> list[Chart | Skipped]:
    title = "Price index over time"
    if "clusters" not in out.series:
        return [Skipped(title, "series/clusters.parquet is absent")]
    clusters, b = _cluster_panels(out, "price_index")
    if not clusters:
        return [Skipped(title, "no cluster sold anything in any recorded period")]
    unpriced = [c for c in out.clusters() if c not in clusters]
    col, banded = colours(out.names), len(out.names) <= MAX_BANDED
    lw = widths([n for n in out.names if (b["config"] == n).any()])
    fig, axes = grid(len(clusters), 2, height=3.4)
    shown: list[str] = []
    for ax, cluster in zip(axes, clusters, strict=True):
        for name in out.names:
            mine = b[(b["cluster"] == cluster) & (b["config"] == name)]
            if not mine.empty:
                _draw(ax, mine, col[name], name, banded, lw=lw[name])
                shown.append(name)
        _span(ax, out, cluster)
        _style(ax, f"{cluster}", "price index (money per unit)")
    _legend(fig, out, [n for n in out.names if n in shown], col)
    fig.suptitle(title, fontsize=11)
    caption = ("Units-weighted mean agreed (base) price of each cluster's links that sold "
               "in the period, without rung and quality premiums: the price pressure of "
               "H&S 4.2 (docs/metrics.md, price_index). A cluster's line starts when it "
               "first sells; a period in which only some replications sold averages those, "
               "and one in which none did is skipped. " + _ci_text(out, banded))
    if unpriced:
        caption += f" No panel for {', '.join(unpriced)}: no sales in any replication."
    return [Chart("price_index.png", title, caption, png(fig))]


def upgrading_figures(out: Output) -> list[Chart | Skipped]:
    """Per cluster, the lead firms' four capabilities and their place on the ladder."""
    title = "Upgrading trajectories"
    if "clusters" not in out.series:
        return [Skipped(title, "series/clusters.parquet is absent")]
    table = out.series["clusters"].copy()
    rungs = ("full_package", "odm", "obm")
    if all(c in table for c in rungs):
        table["full_package_plus"] = table[list(rungs)].sum(axis=1, min_count=1)
        table["odm_obm"] = table[["odm", "obm"]].sum(axis=1, min_count=1)
    panels = [*CAPABILITIES, ("full_package_plus", "Full package or higher (share)"),
              ("odm_obm", "Own design or brand, ODM/OBM (share)")]
    panels = [(c, t) for c, t in panels if c in table]
    years = table.groupby(["config", "period"])["year"].first().rename("year")
    col, banded = colours(out.names), len(out.names) <= MAX_BANDED
    charts: list[Chart | Skipped] = []
    for cluster in out.clusters():
        mine = table[table["cluster"] == cluster]
        drawn = [(c, t) for c, t in panels if mine[c].notna().any()]
        if not drawn:
            charts.append(Skipped(f"{title}: {cluster}",
                                  "the cluster has no lead firms in any recorded period"))
            continue
        fig, axes = grid(len(drawn), 3, height=2.9)
        shown = [n for n in out.names if (mine["config"] == n).any()]
        lw = widths(shown)
        for ax, (column, label) in zip(axes, drawn, strict=True):
            b = band(mine, ["config", "period"], column, out.confidence)
            b = b.join(years, on=["config", "period"])
            for name in shown:
                _draw(ax, b[b["config"] == name], col[name], name, banded, lw=lw[name],
                      bounds=(0.0, 1.0))
            _style(ax, label, "0-1" if column in dict(CAPABILITIES) else "share of leads")
            ax.set_ylim(-0.03, 1.03)
        _legend(fig, out, shown, col)
        fig.suptitle(f"{title}: {cluster}", fontsize=11)
        caption = (f"Cluster {cluster}: mean process, product, design and marketing "
                   "capability of the lead firms at the end of each period (0-1; process "
                   "and product upgrading, and design and marketing as the ground of "
                   "functional upgrading, H&S 1), and the share of lead firms at full "
                   "package or higher and at own design or own brand (ODM/OBM) on the "
                   "functional ladder (H&S 2.2, 4.5). " + _ci_text(out, banded))
        charts.append(Chart(f"upgrading_{safe(cluster)}.png", f"{title}: {cluster}",
                            caption, png(fig)))
    return charts


def governance_figure(out: Output) -> list[Chart | Skipped]:
    title = "Governance mix over time"
    if "governance" not in out.series:
        return [Skipped(title, "series/governance.parquet is absent")]
    table = out.series["governance"]
    forms = [(c, t) for c, t in GOVERNANCE if c in table and (table[c].fillna(0) > 0).any()]
    if not forms:
        return [Skipped(title, "no active links in any recorded period")]
    names = [n for n in out.names if (table["config"] == n).any()]
    banded = len(names) <= MAX_BANDED
    years = table.groupby(["config", "period"])["year"].first().rename("year")
    fig, axes = grid(len(names), 2 if len(names) <= 4 else 3, height=3.0)
    for ax, name in zip(axes, names, strict=True):
        mine = table[table["config"] == name]
        for column, label in forms:
            b = band(mine, ["config", "period"], column, out.confidence)
            b = b.join(years, on=["config", "period"])
            _draw(ax, b, GOVERNANCE_COLOURS[column], label, banded, bounds=(0.0, 1.0))
        _style(ax, name if len(names) > 1 else "all active links", "share of active links")
        ax.set_ylim(-0.03, 1.03)
    from matplotlib.lines import Line2D

    handles = [Line2D([], [], color=GOVERNANCE_COLOURS[c], lw=2) for c, _ in forms]
    fig.legend(handles, [t for _, t in forms], loc="outside lower center", fontsize=8,
               frameon=False, ncols=len(forms))
    fig.suptitle(title, fontsize=11)
    absent = [t for c, t in GOVERNANCE if c not in dict(forms)]
    caption = ("Share of all active buyer-supplier links (every cluster) under each "
               "governance form, per period (H&S 3, Table 4; docs/metrics.md, "
               "series/governance.parquet)"
               + (", one panel per configuration. " if len(names) > 1 else ". ")
               + _ci_text(out, banded).replace("per period", "per period and form"))
    if absent:
        caption += f" Never present, so not drawn: {', '.join(absent)}."
    return [Chart("governance.png", title, caption, png(fig))]


def fair_share_figure(out: Output) -> list[Chart | Skipped]:
    title = "Fair share over time"
    if "clusters" not in out.series:
        return [Skipped(title, "series/clusters.parquet is absent")]
    if "fair_share" not in out.series["clusters"]:
        return [Skipped(title, "series/clusters.parquet has no fair_share column")]
    clusters, b = _cluster_panels(out, "fair_share")
    if not clusters:
        return [Skipped(title, "no trade fair was held in any recorded period")]
    col, banded = colours(out.names), len(out.names) <= MAX_BANDED
    lw = widths([n for n in out.names if (b["config"] == n).any()])
    fig, axes = grid(len(clusters), 2, height=3.2)
    shown: list[str] = []
    for ax, cluster in zip(axes, clusters, strict=True):
        mine = b[b["cluster"] == cluster].copy()
        for c in ("mean", "low", "high"):
            mine[c] = 100 * mine[c]
        for name in out.names:
            rows = mine[mine["config"] == name]
            if not rows.empty:
                _draw(ax, rows, col[name], name, banded, marker="o", lw=lw[name],
                      bounds=(0.0, 100.0))
                shown.append(name)
        _span(ax, out, cluster)
        _style(ax, cluster, "% of all exhibitors")
        ax.set_ylim(bottom=min(0.0, ax.get_ylim()[0]))
    _legend(fig, out, [n for n in out.names if n in shown], col)
    fig.suptitle(title, fontsize=11)
    caption = ("The cluster's exhibitors as a share of all exhibitors at the trade fairs "
               "held in each period, in per cent (H&S 4.2-4.3: 7 of 1,612 exhibitors at "
               "Düsseldorf in 1997 were Brazilian, 0.43%). Points are the periods in which "
               "a fair was held. " + _ci_text(out, banded))
    absent = [c for c in out.clusters() if c not in clusters]
    if absent:
        caption += f" No panel for {', '.join(absent)}: no fair held in its scenario."
    return [Chart("fair_share.png", title, caption, png(fig))]


def headline_metrics(names: Sequence[str]) -> list[str]:
    return match_metrics(list(names), DEFAULT_METRICS)


def comparison_figure(out: Output) -> list[Chart | Skipped]:
    """Paired differences from the baseline, with CIs, for the default metrics."""
    title = "Paired differences from the baseline"
    cmp = out.comparison
    if cmp is None or cmp.empty:
        return [Skipped(title, "no paired differences (comparison.csv is absent)")]
    metrics = headline_metrics(list(dict.fromkeys(cmp["metric"])))
    drawn, flat = [], []
    for metric in metrics:
        rows = cmp[cmp["metric"] == metric]
        if rows["mean"].isna().all():
            continue
        if ((rows["mean"].fillna(0) == 0) & (rows["ci_low"].fillna(0) == 0)
                & (rows["ci_high"].fillna(0) == 0)).all():
            flat.append(metric)
            continue
        drawn.append(metric)
    if not drawn:
        return [Skipped(title, "every headline metric is identical in all configurations")]
    others = [n for n in out.names if n != out.baseline]
    col = colours(out.names)
    fig, axes = grid(len(drawn), 3, height=0.5 + 0.45 * max(2, len(others)))
    base = out.summary
    for ax, metric in zip(axes, drawn, strict=True):
        rows = cmp[cmp["metric"] == metric].set_index("config")
        for i, name in enumerate(others):
            if name not in rows.index or pd.isna(rows.at[name, "mean"]):
                continue
            r = rows.loc[name]
            lo, hi = r["ci_low"], r["ci_high"]
            err = None if pd.isna(lo) or pd.isna(hi) else [[r["mean"] - lo], [hi - r["mean"]]]
            ax.errorbar([r["mean"]], [i], xerr=err, fmt="o", color=col[name], capsize=3,
                        ms=5)
        ax.axvline(0, color="0.3", lw=0.8)
        ax.xaxis.set_major_locator(MaxNLocator(nbins=5))
        ax.ticklabel_format(axis="x", style="sci", scilimits=(-3, 4))
        ax.set_yticks(range(len(others)), others, fontsize=8)
        ax.set_ylim(-0.6, len(others) - 0.4)
        ax.invert_yaxis()
        label = metric.removeprefix("cluster.")
        if base is not None:
            b = base[(base["config"] == out.baseline) & (base["metric"] == metric)]
            if not b.empty and pd.notna(b["mean"].iloc[0]):
                label += f"\n(baseline mean {b['mean'].iloc[0]:.3g})"
        ax.set_title(label, fontsize=9, loc="left")
        ax.tick_params(axis="x", labelsize=8)
        ax.grid(True, axis="x", alpha=0.3, lw=0.5)
    fig.suptitle(f"{title} ({out.baseline}): configuration - baseline", fontsize=11)
    many = len(others) > 1
    caption = (f"Mean difference from the baseline {out.baseline}, paired by replication "
               f"under common random numbers, with its {out.confidence:.0%} confidence "
               "interval" + (" (Bonferroni-widened over the comparisons)" if many else "")
               + "; an interval clear of the zero line is a difference the replications "
               "resolve. Metrics: the default set of chainsim compare (docs/experiments.md).")
    if flat:
        caption += (" Identical in every configuration, so not drawn: "
                    + ", ".join(m.removeprefix("cluster.") for m in flat) + ".")
    return [Chart("comparison.png", title, caption, png(fig))]


def sweep_figure(out: Output) -> list[Chart | Skipped]:
    """Headline metrics against each swept parameter, mean and CI per point."""
    title = "Metrics across the sweep"
    params = out.param_keys()
    summary = out.summary
    if summary is None or not params:
        return [Skipped(title, "no summary table or no swept parameters")]
    metrics = headline_metrics(list(dict.fromkeys(summary["metric"])))
    metrics = [m for m in metrics if summary.loc[summary["metric"] == m, "mean"].notna().any()]
    zero = [m for m in metrics
            if (summary.loc[summary["metric"] == m, "mean"].fillna(0) == 0).all()]
    metrics = [m for m in metrics if m not in zero]
    if not metrics:
        return [Skipped(title, "every headline metric is undefined or zero at every point")]
    value = {c.name: c.params for c in out.configs}
    panels = [(m, p) for m in metrics for p in params]
    fig, axes = grid(len(panels), 3 if len(params) == 1 else len(params) if
                     len(params) <= 4 else 4, height=2.7)
    axis = {p: _param_axis([c.params.get(p) for c in out.configs]) for p in params}
    col = colours(out.names)
    for ax, (metric, param) in zip(axes, panels, strict=True):
        rows = summary[summary["metric"] == metric]
        position, labels = axis[param]
        x = np.array([position(value.get(c, {}).get(param)) for c in rows["config"]])
        if labels is not None:  # categories: points of one category spread a little
            k = np.arange(len(x), dtype=float)
            x = x + 0.25 * ((k % 7) / 6 - 0.5) if len(x) > len(labels) else x
            ax.set_xticks(range(len(labels)), labels)
            ax.set_xlim(-0.5, len(labels) - 0.5)
        y = rows["mean"].to_numpy(float)
        lo = rows["ci_low"].to_numpy(float)
        hi = rows["ci_high"].to_numpy(float)
        err = np.vstack([np.where(np.isnan(lo), 0, y - lo), np.where(np.isnan(hi), 0, hi - y)])
        for i, name in enumerate(rows["config"]):
            ax.errorbar(x[i:i + 1], y[i:i + 1], yerr=err[:, i:i + 1], fmt="o",
                        color=col[name], capsize=3, ms=4, lw=1)
        if len(params) == 1 and labels is None:  # a one-factor design reads as a curve
            order = np.argsort(x)
            ax.plot(x[order], y[order], color="0.5", lw=0.8, alpha=0.6, zorder=0)
        ax.set_title(metric.removeprefix("cluster."), fontsize=9, loc="left")
        ax.set_xlabel(param, fontsize=8)
        ax.tick_params(labelsize=8)
        ax.grid(True, alpha=0.3, lw=0.5)
    _legend(fig, out, out.names, col)
    fig.suptitle(title, fontsize=11)
    caption = (f"Each point of the design: the mean over {_reps(out)} with its "
               f"{out.confidence:.0%} confidence interval, against each swept parameter "
               "(one column of panels per parameter; the points of a category are spread "
               "a little sideways so that they do not hide each other). Colours are those "
               "of the time series. Metrics: the default set (docs/experiments.md).")
    if zero:
        caption += (" Zero at every point, so not drawn: "
                    + ", ".join(m.removeprefix("cluster.") for m in zero) + ".")
    return [Chart("sweep.png", title, caption, png(fig))]


def _param_axis(values: Sequence) -> tuple:
    """How a parameter's values map to x: numbers as they are; anything else (a
    governance form, a flag) as categories in first-seen order, with their labels."""
    def number(v) -> float:
        return float(v) if isinstance(v, int | float) and not isinstance(v, bool) \
            else float("nan")

    present = [v for v in values if v is not None]
    if all(isinstance(v, int | float) and not isinstance(v, bool) for v in present):
        return number, None
    labels = [str(v) for v in dict.fromkeys(str(v) for v in present)]
    index = {label: i for i, label in enumerate(labels)}
    return (lambda v: float(index.get(str(v), np.nan)) if v is not None else np.nan), labels


def all_figures(out: Output) -> list[Chart | Skipped]:
    """Every figure the directory's kind calls for, in page order."""
    items: list[Chart | Skipped] = []
    items += price_index_figure(out)
    items += upgrading_figures(out)
    items += governance_figure(out)
    items += fair_share_figure(out)
    if out.kind == "compare":
        items += comparison_figure(out)
    if out.kind == "sweep":
        items += sweep_figure(out)
    return items
