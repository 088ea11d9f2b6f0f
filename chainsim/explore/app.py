"""The explorer's web page (Dash): controls on the left, the rerun's figures on the right.

Dash (Plotly's app framework, in the `explore` extra) was chosen because the report's
figures are Plotly figures already, so the page shows the very figures `chainsim report`
writes (chainsim.report.figures, .network) with no second plotting layer; and because
Dash serves its own scripts from the installed package (`serve_locally`), so the page
makes no request beyond the local server. Solara (what Mesa uses) would bring the
Jupyter widget stack and fetches some assets through a CDN proxy; Panel/Bokeh would
need the figures drawn a second time in Bokeh.

Runs live on the server (a small cache keyed by a run id in the page), so filtering the
decision log or moving the period slider sends no tables back and forth.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections import OrderedDict
from typing import Any

from dash import ALL, Dash, Input, Output, State, dcc, html, no_update

from chainsim.explore import session
from chainsim.report import labels as lab
from chainsim.report.figures import Chart, all_figures, comparison_figure

CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Helvetica,Arial,sans-serif;margin:0;
 color:#1d1d1f;background:#fafafa}
#page{display:flex;gap:1em;padding:1em}
#side{flex:0 0 330px;background:#fff;padding:1em;border:1px solid #e3e3e3;
 align-self:flex-start;position:sticky;top:1em;max-height:95vh;overflow-y:auto}
#main{flex:1;min-width:0}
.section{background:#fff;border:1px solid #e3e3e3;padding:.6em 1em;margin-bottom:1em}
.ctl{margin:.7em 0 .2em;font-size:.85em;color:#333}
.caption{font-size:.85em;color:#444}
#status{font-size:.9em;padding:.5em .8em;background:#f1f7ee;border-left:4px solid #3a8}
#status.bad{background:#fdecea;border-left-color:#c62828;white-space:pre-wrap}
table.log{border-collapse:collapse;font-size:.8em}table.log td,table.log th{
 border-bottom:1px solid #eee;padding:.15em .5em;text-align:left;vertical-align:top}
h1{font-size:1.3em;margin:.2em 0}h2{font-size:1.1em;margin:.3em 0}
textarea{width:100%;font-family:ui-monospace,Menlo,monospace;font-size:.85em}
"""
GRAPH_CONFIG = {"displaylogo": False}
CACHE_SIZE = 6


class Runs:
    """The last few runs, by id (one user, one machine: a small in-memory cache)."""

    def __init__(self) -> None:
        self._runs: OrderedDict[str, Any] = OrderedDict()
        self._lock = threading.Lock()

    def put(self, output: Any) -> str:
        key = uuid.uuid4().hex
        with self._lock:
            self._runs[key] = output
            while len(self._runs) > CACHE_SIZE:
                self._runs.popitem(last=False)
        return key

    def get(self, key: str | None) -> Any:
        with self._lock:
            return self._runs.get(key) if key else None


def control(c: session.Control) -> html.Div:
    """A slider, selector or switch whose id carries the dotted path it sets."""
    ident = {"type": "ctl", "path": c.path}
    if c.kind == "select":
        widget = dcc.Dropdown(id=ident, options=c.options, value=c.value, clearable=False)
    elif c.kind == "switch":
        widget = dcc.Checklist(id=ident, options=[{"label": " on", "value": "on"}],
                               value=["on"] if c.value else [])
    else:
        widget = dcc.Slider(id=ident, min=c.low, max=c.high, step=c.step, value=c.value,
                            marks=None, updatemode="mouseup")
    return html.Div([html.Div(c.label, className="ctl"), widget])


def control_values(ids: list[dict], values: list[Any]) -> dict[str, Any]:
    out = {}
    for ident, value in zip(ids, values, strict=True):
        out[ident["path"]] = bool(value) if isinstance(value, list) else value
    return out


MAX_CLUSTERS = 4  # figure slots per cluster-level figure
SLOTS = ("network", "price_index", *(f"upgrading_{i}" for i in range(MAX_CLUSTERS)),
         *(f"governance_{i}" for i in range(MAX_CLUSTERS)), "fair_share", "buyers")
HIDE, SHOW = {"display": "none"}, {}


def slot_of(chart: Chart, clusters: list[str]) -> str | None:
    """The page slot a figure goes to (per-cluster figures by the cluster's index)."""
    for prefix in ("upgrading_", "governance_"):
        if chart.name.startswith(prefix):
            ids = {safe_id(c): i for i, c in enumerate(clusters)}
            i = ids.get(chart.name.removeprefix(prefix))
            return f"{prefix}{i}" if i is not None and i < MAX_CLUSTERS else None
    return chart.name if chart.name in SLOTS else None


def safe_id(name: str) -> str:
    from chainsim.report.figures import safe

    return safe(name)


def slot_block(slot: str) -> html.Div:
    """A fixed place for one figure: the rerun fills its figure's store and caption
    (updating props of components that stay is what Dash does fast); the browser hands
    the figure to the graph when the place is in view (`LAZY`)."""
    return html.Div(id=f"box-{slot}", className="section", style=HIDE, children=[
        dcc.Store(id=f"data-{slot}"),
        dcc.Graph(id=f"fig-{slot}", config=GRAPH_CONFIG),
        html.P(id=f"cap-{slot}", className="caption")])


# In the browser: a figure whose place is in view (or within 150 px of it) is drawn at
# once; the others wait until they are scrolled to. Plotly takes 0.1-0.6 s of the
# browser's time per figure (the six-panel ones most), so a rerun redraws only what
# is seen, and the network, at the top, first. One callback per slot: Dash holds a
# callback back until every callback that may change one of its inputs has returned,
# so a callback fed by every slot's store drew the network only once the series
# figures had come too (0.5-1 s later).
LAZY = """function(arg, run) {
  const slots = %s, slot = %s, dc = window.dash_clientside;
  let lazy = window.__chainsimLazy;
  if (!lazy) {
    lazy = window.__chainsimLazy = {seen: new Set(), pending: {}};
    lazy.io = new IntersectionObserver(entries => entries.forEach(e => {
      const slot = e.target.id.slice(4);
      if (!e.isIntersecting) { lazy.seen.delete(slot); return; }
      lazy.seen.add(slot);
      if (slot in lazy.pending) {
        const fig = lazy.pending[slot];
        delete lazy.pending[slot];
        dc.set_props('fig-' + slot, {figure: fig});
      }
    }), {rootMargin: '150px'});
    slots.forEach(s => lazy.io.observe(document.getElementById('box-' + s)));
  }
  %s
  if (!fig) { delete lazy.pending[slot]; return dc.no_update; }
  if (lazy.seen.has(slot)) { delete lazy.pending[slot]; return fig; }
  lazy.pending[slot] = fig;
  return dc.no_update;
}"""


def fill(charts: list[Chart], clusters: list[str], slots: tuple[str, ...] = SLOTS) -> list:
    """Figure, caption and style of each of `slots`, in that order."""
    placed = {}
    for chart in charts:
        slot = slot_of(chart, clusters)
        if slot is not None:
            placed[slot] = chart
    out: list = []
    for slot in slots:
        chart = placed.get(slot)
        out += ([chart.figure, [html.B(chart.title), ". ", chart.caption], SHOW]
                if chart is not None else [None, "", HIDE])
    return out


def chart_block(chart: Chart) -> html.Div:
    return html.Div([
        dcc.Graph(id=f"fig-{chart.name}", figure=chart.figure, config=GRAPH_CONFIG),
        html.P([html.B(chart.title), ". ", chart.caption], className="caption")],
        className="section")


def build(source: str, choices: dict[str, str]) -> Dash:
    """The app for `source` (a library name or a file); `choices` are the scenarios
    offered in the selector (value -> label)."""
    app = Dash(__name__, title="chainsim explore", serve_locally=True,
               update_title=None)
    app.index_string = app.index_string.replace("{%css%}", "{%css%}<style>" + CSS
                                                + "</style>")
    runs = Runs()
    scenario, errors = session.load(source, [])
    ctls = session.controls(scenario) if scenario is not None else []
    app.layout = html.Div([
        dcc.Store(id="run-id"), dcc.Store(id="frames-network"), dcc.Store(id="file-values",
                                          data={c.path: c.value for c in ctls}),
        html.Div(id="page", children=[
            html.Div(id="side", children=side(source, choices, ctls)),
            html.Div(id="main", children=[
                html.H1("chainsim explore"),
                html.Div(" ".join(errors) or "starting...", id="status"),
                html.Div(id="figures", children=[slot_block(s) for s in SLOTS]),
                html.Div(className="section", children=decision_panel()),
                html.Div(className="section", children=compare_panel()),
            ])])])
    callbacks(app, runs, choices)
    return app


def side(source: str, choices: dict[str, str], ctls: list[session.Control]) -> list:
    return [
        html.H2("Scenario"),
        dcc.Dropdown(id="scenario", options=[{"label": v, "value": k}
                                             for k, v in choices.items()],
                     value=source, clearable=False),
        html.Div("or a scenario file on this machine:", className="ctl"),
        dcc.Input(id="path", type="text", debounce=True, placeholder="path/to/file.toml",
                  style={"width": "100%"}),
        html.Div(id="controls", children=[control(c) for c in ctls]),
        html.Div("more --set overrides, one KEY=VALUE a line:", className="ctl"),
        dcc.Textarea(id="sets", rows=3, placeholder="buyers.us-main.price=9"),
        html.Button("run", id="run", n_clicks=0),
    ]


def decision_panel() -> list:
    return [html.H2("Decision log"),
            html.Div([dcc.Dropdown(id="log-kind", placeholder="every kind",
                                   style={"width": "16em", "display": "inline-block"}),
                      dcc.Dropdown(id="log-agent", placeholder="every agent",
                                   style={"width": "16em", "display": "inline-block",
                                          "marginLeft": "1em"})]),
            html.Div(id="log")]


def compare_panel() -> list:
    return [html.H2("Side by side: the file as written vs the settings above"),
            html.Div(["replications ",
                      dcc.Input(id="reps", type="number", value=3, min=1, max=50, step=1,
                                style={"width": "5em"}),
                      html.Button("compare", id="compare", n_clicks=0,
                                  style={"marginLeft": "1em"})]),
            dcc.Loading(html.Div(id="comparison"), type="dot")]


def callbacks(app: Dash, runs: Runs, choices: dict[str, str]) -> None:
    """Wire the page: picking a scenario, rerunning, the log filter, comparing."""
    on_pick(app, choices)
    on_rerun(app, runs)
    on_log(app, runs)
    on_compare(app)


def on_pick(app: Dash, choices: dict[str, str]) -> None:
    @app.callback(Output("controls", "children"), Output("file-values", "data"),
                  Output("scenario", "options"), Output("scenario", "value"),
                  Input("path", "value"), Input("scenario", "value"),
                  prevent_initial_call=True)
    def pick(path: str | None, chosen: str) -> tuple:
        from dash import ctx

        source = path if ctx.triggered_id == "path" and path else chosen
        scenario, _ = session.load(source, [])
        if scenario is None:  # the rerun callback shows why
            return [], {}, no_update, no_update
        ctls = session.controls(scenario)
        options = [{"label": v, "value": k} for k, v in choices.items()]
        if source not in choices:
            options.append({"label": source, "value": source})
        return ([control(c) for c in ctls], {c.path: c.value for c in ctls}, options,
                source)


FIRST, REST = SLOTS[:1], SLOTS[1:]  # the network, drawn first; then the series figures


def slot_outputs(slots: tuple[str, ...]) -> list[Output]:
    return [Output(f"{part}-{slot}", prop) for slot in slots
            for part, prop in (("data", "data"), ("cap", "children"), ("box", "style"))]


def on_rerun(app: Dash, runs: Runs) -> None:
    """A rerun in two steps: simulate and return the network (it needs no series), then,
    while the browser draws it, compute the series and the other figures."""
    slots = json.dumps(list(SLOTS))
    for slot in SLOTS:
        app.clientside_callback(LAZY % (slots, json.dumps(slot), "const fig = arg;"),
                                Output(f"fig-{slot}", "figure"),
                                Input(f"data-{slot}", "data"))
    # the network with its frames, unless a newer run has come since (then it is stale)
    app.clientside_callback(
        LAZY % (slots, json.dumps("network"), "if (!arg || arg.run !== run) return "
                "dc.no_update;\n  const fig = arg.figure;"),
        Output("fig-network", "figure", allow_duplicate=True),
        Input("frames-network", "data"), State("run-id", "data"), prevent_initial_call=True)
    first = slot_outputs(FIRST)

    @app.callback(*first, Output("status", "children"),
                  Output("status", "className"), Output("run-id", "data"),
                  Input({"type": "ctl", "path": ALL}, "value"), Input("run", "n_clicks"),
                  State({"type": "ctl", "path": ALL}, "id"), State("file-values", "data"),
                  State("sets", "value"), State("scenario", "value"), State("path", "value"))
    def rerun(values, _clicks, ids, file_values, sets, chosen, path) -> tuple:
        from chainsim.report.network import network_figure

        source = path or chosen
        started, cpu = time.perf_counter(), time.thread_time()
        overrides = session.overrides(control_values(ids, values), file_values or {},
                                      sets or "")
        result = session.rerun(source, overrides, series=False)
        if result.output is None:
            return ([no_update] * len(first)) + ["\n".join(result.errors), "bad", no_update]
        charts = [c for c in network_figure(result.output, frames=False)
                  if isinstance(c, Chart)]
        total = time.perf_counter() - started
        what = ", ".join(overrides) or "as in the file"
        status = (f"{source} ({what}): {result.events:,} SimPy events; simulated in "
                  f"{result.simulate_seconds:.2f} s ({result.simulate_cpu:.2f} CPU s), "
                  f"drawn in {total - result.simulate_seconds:.2f} s "
                  f"({time.thread_time() - cpu:.2f} CPU s in all)")
        return [*fill(charts, result.output.clusters(), FIRST), status, "",
                runs.put(result.output)]

    @app.callback(*slot_outputs(REST), Output("frames-network", "data"),
                  Input("run-id", "data"), prevent_initial_call=True)
    def series_figures(key) -> list:
        """The series figures, and the network again with its replay's frames (3.6 MB
        of JSON for a 30-year Sinos run, about 0.5 s of the browser's time: sent after
        the network is drawn without them, so they never hold up the redraw)."""
        from chainsim.report.network import network_figure
        from chainsim.report.single import add_series

        output = runs.get(key)
        if output is None:
            return [no_update] * (3 * len(REST) + 1)
        net = [c.figure for c in network_figure(output) if isinstance(c, Chart)]
        charts = [c for c in all_figures(add_series(output), network=False)
                  if isinstance(c, Chart)]
        return [*fill(charts, output.clusters(), REST),
                {"run": key, "figure": net[0]} if net else no_update]


def on_log(app: Dash, runs: Runs) -> None:
    @app.callback(Output("log", "children"), Output("log-kind", "options"),
                  Output("log-agent", "options"), Input("run-id", "data"),
                  Input("log-kind", "value"), Input("log-agent", "value"))
    def log(key, kind, agent) -> tuple:
        output = runs.get(key)
        if output is None or output.run is None:
            return "", [], []
        every = output.run.decisions
        kinds = sorted({str(d.get("decision")) for d in every})
        agents = sorted({str(d.get("agent")) for d in every})
        frame = session.decisions(output, kind, agent)
        return log_table(frame, len(every)), kinds, agents


def on_compare(app: Dash) -> None:
    @app.callback(Output("comparison", "children"), Input("compare", "n_clicks"),
                  State({"type": "ctl", "path": ALL}, "value"),
                  State({"type": "ctl", "path": ALL}, "id"), State("file-values", "data"),
                  State("sets", "value"), State("scenario", "value"), State("path", "value"),
                  State("reps", "value"), prevent_initial_call=True)
    def compare(_clicks, values, ids, file_values, sets, chosen, path, reps) -> Any:
        source = path or chosen
        overrides = session.overrides(control_values(ids, values), file_values or {},
                                      sets or "")
        if not overrides:
            return html.P("The settings are those of the file: change one to compare.")
        result = session.paired(source, overrides, int(reps or 3))
        if result.output is None:
            return html.Pre("\n".join(result.errors), id="compare-errors")
        return comparison_view(result, overrides)


def log_table(frame, total: int) -> Any:
    """The filtered decisions as a paged table (Dash's DataTable: thousands of html
    table cells slow Dash's renderer to a halt)."""
    from dash import dash_table

    if frame.empty:
        return html.P("No decision of that kind and agent.")
    fixed = [c for c in ("year", "kind", "agent", "rule", "firm") if c in frame]
    rest = [c for c in frame.columns if c not in fixed]
    rows = [{**{c: _cell(getattr(r, c)) for c in fixed},
             "numbers": "; ".join(f"{c} {_cell(getattr(r, c))}" for c in rest
                                  if _cell(getattr(r, c)) != "")}
            for r in frame.itertuples(index=False)]
    note = f"{len(frame):,} shown of {total:,} decisions (at most 300; filter to see others)"
    return [html.P(note, className="caption"), dash_table.DataTable(
        id="log-table", data=rows, columns=[{"name": c, "id": c} for c in [*fixed, "numbers"]],
        page_size=15, sort_action="native", style_table={"overflowX": "auto"},
        style_cell={"fontSize": "12px", "textAlign": "left", "whiteSpace": "normal",
                    "fontFamily": "system-ui, sans-serif", "maxWidth": "700px"})]


def _cell(v: Any) -> str:
    if isinstance(v, float):
        return "" if v != v else lab.number(v)
    return "" if v is None else str(v)


def comparison_view(result: session.Rerun, overrides: list[str]) -> list:
    out = result.output
    cmp = out.comparison
    names = out.agent_names()
    rows = []
    for r in cmp[cmp["config"] == session.CHANGED].itertuples(index=False):
        if not any(r.metric.endswith(k) for k in HEADLINE):
            continue
        rows.append(html.Tr([html.Td(lab.label(r.metric, names)),
                             html.Td(lab.show(r.metric, _base(out, r.metric))),
                             html.Td(lab.show(r.metric, r.mean)),
                             html.Td(f"[{lab.show(r.metric, r.ci_low)}, "
                                     f"{lab.show(r.metric, r.ci_high)}]")]))
    figure = [chart_block(c) for c in comparison_figure(out) if isinstance(c, Chart)]
    n = out.manifest["replications"]
    return [html.P(f"{n} replications of each, paired by replication (common random "
                   f"numbers); changed: {', '.join(overrides)}; {result.events:,} events in "
                   f"{result.simulate_seconds:.1f} s.", className="caption"),
            html.Table([html.Thead(html.Tr([html.Th("metric"), html.Th("as written"),
                                            html.Th("changed - as written"),
                                            html.Th("95% CI")])),
                        html.Tbody(rows)], className="log", id="paired"), *figure]


HEADLINE = (".price_decline", ".process_gain", ".product_gain", ".design_gain",
            ".marketing_gain", ".functional_upgrading", ".fair_share",
            ".quasi_hierarchy_share", ".main_buyer_share")


def _base(out, metric: str) -> Any:
    s = out.summary
    rows = s[(s["config"] == session.AS_WRITTEN) & (s["metric"] == metric)]
    return rows["mean"].iloc[0] if len(rows) else None
