"""The chain as a network, period by period: buyers, lead firms and their spokes.

Buyers stand on the left, the clusters' lead firms in the middle (grouped by cluster),
the spokes that work for them on the right, so the picture reads as the chain does:
spokes -> lead firms -> buyers (H&S 2.2, 4.1). A buyer-lead edge is coloured by the
link's governance (H&S 3, Table 4) and drawn as wide as the link's share of the buyer's
orders; a lead firm's marker grows with its output in the period. A slider (Plotly
frames, no script of our own) replays the periods; hovering an edge's midpoint or a firm
shows the numbers behind it.
"""

from __future__ import annotations

from bisect import bisect_left

import numpy as np
import pandas as pd

from chainsim.report.data import Output
from chainsim.report.figures import (
    FONT,
    GOVERNANCE,
    GOVERNANCE_COLOURS,
    Chart,
    Skipped,
    colours,
    esc,
)

RUNG_NAMES = ("assembly", "full package", "own design (ODM)", "own brand (OBM)")
MAX_FRAMES = 240  # longer runs are replayed every k-th period
CLUSTER_GAP = 2.0  # empty rows between the lead firms of two clusters
# Edges are drawn in a few widths (a trace per governance form and width), so a period
# is a handful of traces whatever the number of links: share of the buyer's orders up
# to each bound -> line width.
WIDTHS = ((0.02, 1.0), (0.05, 2.0), (0.1, 3.5), (0.2, 5.5), (0.4, 8.0), (1.01, 11.0))
BOUNDS = [bound for bound, _ in WIDTHS]


def width_class(share: float) -> int:
    """The width class of a link carrying `share` of its buyer's orders."""
    return min(bisect_left(BOUNDS, share), len(WIDTHS) - 1)


def positions(out: Output) -> tuple[dict[int, float], dict[int, float], dict[int, float]]:
    """y of every buyer agent, lead firm and spoke (x is 0, 1 and 2)."""
    s = out.run.structure
    leads = [i for i in range(len(s.firm_ids)) if s.lead[i]]
    lead_y: dict[int, float] = {}
    row = 0.0
    for c in range(len(s.cluster_ids)):
        mine = [i for i in leads if s.cluster[i] == c]
        for i in mine:
            lead_y[i] = row
            row += 1.0
        row += CLUSTER_GAP if mine else 0.0
    top = max(row - CLUSTER_GAP, 1.0)
    spokes = [sp for i in leads for sp in s.spokes[i]]
    spokes = list(dict.fromkeys(spokes))
    spoke_y = {sp: top * k / max(1, len(spokes) - 1) for k, sp in enumerate(spokes)}
    n = len(s.buyer_ids)
    buyer_y = {b: top * (b + 0.5) / n for b in range(n)}
    return buyer_y, lead_y, spoke_y


def frame_periods(links: pd.DataFrame) -> list[int]:
    periods = sorted(int(p) for p in links["period"].unique())
    step = -(-len(periods) // MAX_FRAMES)
    picked = periods[::step]
    if periods and picked[-1] != periods[-1]:
        picked.append(periods[-1])
    return picked


def network_figure(out: Output, frames: bool = True) -> list[Chart | Skipped]:
    """The network figure; `frames=False` draws the last period only and leaves out the
    replay's frames (the explorer draws it first, then sends the whole figure)."""
    title = "The chain as a network"
    if out.run is None:
        return [Skipped(title, "only a single run records its links period by period")]
    links = out.run.tables.get("links")
    if links is None or links.empty:
        return [Skipped(title, "no buyer-supplier link in any recorded period")]
    buyer_y, lead_y, spoke_y = positions(out)
    periods = frame_periods(links)
    static = _static_traces(out, buyer_y, lead_y, spoke_y)
    edges, leads = _rows(links, ["period", "active", "buyer", "firm", "governance",
                                 "share", "price", "units"]), _lead_rows(out)
    states = {p: [*_edges(out, edges.get(p, []), buyer_y, lead_y),
                  _leads(out, leads.get(p, {}), lead_y)]
              for p in (periods if frames else periods[-1:])}
    last = periods[-1]
    moving = list(range(len(static), len(static) + len(states[last])))
    fig = {"data": [*static, *states[last]],
           "layout": _layout(out, buyer_y, lead_y, spoke_y, periods)}
    if frames:
        fig["frames"] = [{"name": str(p), "data": states[p], "traces": moving}
                         for p in periods]
    caption = ("Buyers (left), the clusters' lead firms (middle, one colour per cluster) and "
               "the spokes working for them (right, grey). A buyer-lead edge is coloured by "
               "its governance and drawn wider the larger its share of the buyer's orders "
               "in the period; a lead firm grows with its output. Drag the slider or press "
               "play to replay the periods; hover an edge's midpoint or a firm for its "
               "numbers; click a governance form in the legend to hide its edges.")
    if len(periods) < links["period"].nunique():
        caption += f" {len(periods)} of {links['period'].nunique()} periods are replayed."
    return [Chart("network", title, caption, fig)]


def _rows(table: pd.DataFrame, columns: list[str]) -> dict[int, list[tuple]]:
    """The table's rows as plain tuples grouped by period (pandas row access in the
    per-period loops cost seconds)."""
    out: dict[int, list[tuple]] = {}
    for row in zip(*(table[c].tolist() for c in columns), strict=True):
        out.setdefault(int(row[0]), []).append(row)
    return out


def _lead_rows(out: Output) -> dict[int, dict[int, tuple]]:
    """Per period, each lead firm's (units, rung, process, product, design, marketing)."""
    firms = out.run.tables["firms"]
    leads = firms[firms["lead"].astype(bool)]
    rows = _rows(leads, ["period", "firm", "units", "rung", "process", "product", "design",
                         "marketing"])
    return {p: {int(r[1]): r[2:] for r in items} for p, items in rows.items()}


def _static_traces(out: Output, buyer_y, lead_y, spoke_y) -> list[dict]:
    """Spoke edges, spokes and buyers: the same in every period."""
    s = out.run.structure
    xs, ys = [], []
    for lead, y in lead_y.items():
        for sp in s.spokes[lead]:
            xs += [1.0, 2.0, None]
            ys += [y, spoke_y[sp], None]
    traces = [{"type": "scatter", "x": xs, "y": ys, "mode": "lines",
               "line": {"color": "#d0d0d0", "width": 0.5}, "hoverinfo": "skip",
               "showlegend": False, "name": "spoke links"},
              {"type": "scatter", "x": [2.0] * len(spoke_y), "y": list(spoke_y.values()),
               "mode": "markers", "marker": {"size": 4, "color": "#999999"},
               "name": "spokes", "showlegend": False,
               "text": [esc(f"{s.firm_ids[i]} (spoke, {s.cluster_ids[s.cluster[i]]})")
                        for i in spoke_y], "hovertemplate": "%{text}<extra></extra>"}]
    names = out.agent_names()
    traces.append({
        "type": "scatter", "x": [0.0] * len(buyer_y), "y": list(buyer_y.values()),
        "mode": "markers+text", "marker": {"size": 16, "color": "#333333",
                                           "symbol": "square"},
        "showlegend": False, "text": [esc(b) for b in s.buyer_ids],
        "textposition": "middle left", "name": "buyers",
        "hovertext": [esc(f"{b}: {names.get(b, b)}") for b in s.buyer_ids],
        "hovertemplate": "%{hovertext}<extra></extra>"})
    for form, text in GOVERNANCE:  # the legend of the edge colours
        traces.append({"type": "scatter", "x": [None], "y": [None], "mode": "lines",
                       "name": text, "legendgroup": form, "showlegend": True,
                       "line": {"color": GOVERNANCE_COLOURS[form], "width": 4}})
    return traces


def _edges(out: Output, now: list[tuple], buyer_y, lead_y) -> list[dict]:
    """One trace per governance form and width class (the same traces every period),
    then the edges' midpoints, which carry the hover text."""
    s = out.run.structure
    groups = {(f, k): ([], []) for f, _ in GOVERNANCE for k in range(len(WIDTHS))}
    mid: dict[str, list] = {"x": [], "y": [], "text": [], "colour": []}
    for _, active, b, f, form, share, price, units in now:
        if not active:
            continue
        y0, y1 = buyer_y.get(int(b), 0.0), lead_y.get(int(f), 0.0)
        xs, ys = groups.setdefault((str(form), width_class(share)), ([], []))
        xs += [0, 1, None]
        ys += [y0, y1, None]
        mid["x"].append(0.5)
        mid["y"].append(round((y0 + y1) / 2, 3))
        mid["colour"].append(GOVERNANCE_COLOURS.get(str(form), "#000000"))
        mid["text"].append(esc(f"{s.buyer_ids[int(b)]} -> {s.firm_ids[int(f)]}") + "<br>"
                           f"{str(form).replace('_', '-')}, {100 * share:.1f}% of the "
                           f"buyer's orders<br>price {price:.3g}, {units:,.0f} units")
    traces = [{"type": "scatter", "x": xs, "y": ys, "mode": "lines", "legendgroup": form,
               "showlegend": False, "hoverinfo": "skip",
               "line": {"color": GOVERNANCE_COLOURS.get(form, "#000000"),
                        "width": WIDTHS[min(k, len(WIDTHS) - 1)][1]}}
              for (form, k), (xs, ys) in groups.items()]
    traces.append({"type": "scatter", "x": mid["x"], "y": mid["y"], "mode": "markers",
                   "showlegend": False, "text": mid["text"],
                   "marker": {"size": 7, "color": mid["colour"], "opacity": 0.9},
                   "hovertemplate": "%{text}<extra></extra>"})
    return traces


def _leads(out: Output, now: dict[int, tuple], lead_y) -> dict:
    s = out.run.structure
    col = colours(s.cluster_ids)
    leads = list(lead_y)
    units = np.array([float(now[i][0]) if i in now else 0.0 for i in leads])
    peak = max(float(units.max()) if len(units) else 0.0, 1.0)
    text = []
    for i in leads:
        head = esc(f"{s.firm_ids[i]} ({s.cluster_ids[s.cluster[i]]})")
        if i in now:
            u, rung, process, product, design, marketing = now[i]
            text.append(f"{head}<br>{RUNG_NAMES[int(rung)]}; {u:,.0f} units<br>process "
                        f"{process:.2f}, product {product:.2f}, design {design:.2f}, "
                        f"marketing {marketing:.2f}")
        else:
            text.append(head)
    return {"type": "scatter", "x": [1] * len(leads), "y": list(lead_y.values()),
            "mode": "markers", "name": "lead firms", "showlegend": False, "text": text,
            "hovertemplate": "%{text}<extra></extra>",
            "marker": {"size": [round(float(v), 1) for v in 6 + 18 * np.sqrt(units / peak)],
                       "color": [col[s.cluster_ids[s.cluster[i]]] for i in leads],
                       "line": {"color": "#ffffff", "width": 1}}}


def _controls(out: Output, periods: list[int]) -> dict:
    """The period slider and play/pause buttons (Plotly's own animation controls)."""
    start, days = out.run.start_year, out.run.period_days
    step_args = {"mode": "immediate", "frame": {"duration": 0, "redraw": True},
                 "transition": {"duration": 0}}
    steps = [{"method": "animate", "label": f"{start + (p + 1) * days / 360:.2f}",
              "args": [[str(p)], step_args]} for p in periods]
    play = {**step_args, "frame": {"duration": 250, "redraw": True}, "fromcurrent": True}
    return {
        "sliders": [{"active": len(periods) - 1, "steps": steps, "x": 0.08, "len": 0.9,
                     "y": 0, "currentvalue": {"prefix": "end of period, year "},
                     "pad": {"t": 30}}],
        "updatemenus": [{"type": "buttons", "showactive": False, "x": 0.0, "y": 0,
                         "xanchor": "left", "yanchor": "top", "pad": {"t": 40},
                         "buttons": [{"label": "play", "method": "animate",
                                      "args": [None, play]},
                                     {"label": "pause", "method": "animate",
                                      "args": [[None], step_args]}]}]}


def _layout(out: Output, buyer_y, lead_y, spoke_y, periods: list[int]) -> dict:
    s = out.run.structure
    top = max([*buyer_y.values(), *lead_y.values(), *spoke_y.values(), 1.0])
    notes = [{"x": x, "y": -2.2, "text": t, "showarrow": False, "font": {"size": 13}}
             for x, t in ((0, "buyers"), (1, "lead firms"), (2, "spokes"))]
    names, col = out.agent_names(), colours(s.cluster_ids)
    for c, cid in enumerate(s.cluster_ids):
        ys = [y for i, y in lead_y.items() if s.cluster[i] == c]
        if ys:
            notes.append({"x": 1.08, "y": float(np.mean(ys)), "xanchor": "left",
                          "text": esc(names.get(cid, cid)), "showarrow": False,
                          "font": {"size": 11, "color": col[cid]}})
    return {"title": {"text": "The chain as a network", "x": 0.01, "font": {"size": 15}},
            "font": FONT, "paper_bgcolor": "#ffffff", "plot_bgcolor": "#ffffff",
            "height": max(560, int(14 * top) + 240),
            "xaxis": {"visible": False, "range": [-0.45, 2.2], "fixedrange": False},
            "yaxis": {"visible": False, "range": [top + 2.5, -3.0]},  # first cluster on top
            "annotations": notes, "hovermode": "closest",
            "legend": {"orientation": "h", "y": 1.04, "x": 0.3,
                       "title": {"text": "governance"}},
            "margin": {"l": 20, "r": 20, "t": 80, "b": 110},
            **_controls(out, periods)}
