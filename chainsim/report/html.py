"""The report page: one HTML file with inline CSS, plotly.js inlined once (at the end, so
the text shows first), and each figure as a JSON island drawn by Plotly when it scrolls
into view.

Nothing is fetched when the page is opened: no script, style sheet, font or image from
elsewhere. Tables collapse in `<details>` where they are long. Every text from the input
directory is HTML-escaped, and every JSON island has `<` written as `\u003c`, so no text
in a scenario can close a script element or open a tag.
"""

from __future__ import annotations

import json
import math
import shlex
from collections.abc import Sequence
from html import escape
from pathlib import Path
from typing import Any

import pandas as pd

from chainsim import __version__
from chainsim.output import to_json
from chainsim.report import labels as lab
from chainsim.report.data import Output
from chainsim.report.figures import Chart, Skipped

# The metrics of the headline table, in this order within each cluster.
HEADLINE = ("price_index_start", "price_index_end", "price_decline", "unit_value",
            "retail_share", "process_gain", "product_gain", "design_gain", "marketing_gain",
            "full_package", "functional_upgrading", "fair_share", "quasi_hierarchy_share",
            "main_buyer_share", "lock_in")
TITLES = {"run": "Replications", "compare": "Comparison", "sweep": "Sweep",
          "propositions": "The paper's propositions", "single": "Single run"}

CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;
 color:#1d1d1f;margin:0;background:#fafafa;line-height:1.45}
main{max-width:1150px;margin:0 auto;padding:1.5em 2em 4em;background:#fff}
h1{font-size:1.6em;margin:.2em 0 .1em}h2{font-size:1.25em;margin-top:2em;
 border-bottom:1px solid #ddd;padding-bottom:.2em}h3{font-size:1.05em;margin-top:1.4em}
.sub{color:#555;margin-top:0}
table{border-collapse:collapse;font-size:.86em;margin:.6em 0}
th,td{border-bottom:1px solid #e3e3e3;padding:.25em .6em;text-align:left;vertical-align:top}
th{background:#f3f3f5;font-weight:600}
td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
td.n small{color:#666}
tr.sig td{background:#f4f9ff}
.wide{overflow-x:auto}
dl.meta{display:grid;grid-template-columns:max-content 1fr;gap:.2em 1.2em;font-size:.9em}
dl.meta dt{color:#555}dl.meta dd{margin:0}
code,pre{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.9em}
pre{background:#f5f5f7;padding:.6em .8em;overflow-x:auto;white-space:pre-wrap;
 word-break:break-all}
figure{margin:1.5em 0}.plot{min-height:300px;border:1px solid #eee}
figcaption{font-size:.88em;color:#333;margin-top:.3em}
.note{background:#fff8e5;border-left:4px solid #e0b000;padding:.4em .8em;font-size:.9em}
.agrees{color:#1a7f37;font-weight:600}.disagrees{color:#c62828;font-weight:600}
.inconclusive,.partly{color:#8a6d00;font-weight:600}
details{margin:.8em 0}summary{cursor:pointer;color:#0b57d0}
tr.differs td{background:#fff4e0}
.filters{margin:.5em 0;font-size:.9em}.filters select{margin-right:1em}
"""
# Draws each figure when it comes near the viewport, so a long report opens at once.
LOADER = """
(function(){
 var cfg={responsive:true,displaylogo:false};
 function draw(el){if(el.dataset.drawn)return;el.dataset.drawn="1";
  var spec=JSON.parse(document.getElementById(el.dataset.spec).textContent);
  Plotly.newPlot(el,{data:spec.data,layout:spec.layout,frames:spec.frames||[],config:cfg});}
 var plots=document.querySelectorAll("div.plot");
 if(!("IntersectionObserver" in window)){plots.forEach(draw);return;}
 var io=new IntersectionObserver(function(es){es.forEach(function(e){
  if(e.isIntersecting){draw(e.target);io.unobserve(e.target);}});},{rootMargin:"600px"});
 plots.forEach(function(el){io.observe(el);});
 var log=document.getElementById("log");
 if(log){var kind=document.getElementById("log-kind"),who=document.getElementById("log-agent");
  function filter(){var k=kind.value,a=who.value;
   log.querySelectorAll("tbody tr").forEach(function(r){
    r.hidden=!((!k||r.dataset.kind===k)&&(!a||r.dataset.agent===a));});}
  kind.onchange=filter;who.onchange=filter;}
})();
"""


def num(x: Any) -> str:
    """Four significant figures, thousands separated; '-' for missing."""
    if x is None:
        return "-"
    try:
        v = float(x)
    except (TypeError, ValueError):
        return escape(str(x))
    if math.isnan(v):
        return "-"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    if abs(v) >= 1e4:
        return f"{v:,.0f}"
    return f"{v:.4g}"


def ci_cell(mean: Any, low: Any, high: Any, metric: str = "") -> str:
    """A mean and, below it, its interval, in the metric's unit (shares in %)."""
    text = lab.show(metric, mean)
    if text != "-" and num(low) != "-" and num(high) != "-":
        text += f"<br><small>[{lab.show(metric, low)}, {lab.show(metric, high)}]</small>"
    return f'<td class="n">{text}</td>'


def metric_cell(out: Output, metric: str) -> str:
    """A metric's label, with its id on hover (the id is what --metric and the tables
    use)."""
    return (f'<td title="{escape(metric)}">{escape(lab.label(metric, out.agent_names()))}'
            "</td>")


def _p(p: Any) -> str:
    if p is None or (isinstance(p, float) and math.isnan(p)):
        return "-"
    return "&lt;0.001" if float(p) < 0.001 else f"{float(p):.3f}"


def table(headers: Sequence[str], rows: Sequence[str], wide: bool = False) -> str:
    head = "".join(f"<th>{h}</th>" for h in headers)
    body = "\n".join(rows)
    html = f"<table><thead><tr>{head}</tr></thead><tbody>\n{body}\n</tbody></table>"
    return f'<div class="wide">{html}</div>' if wide else html


def metric_order(names: Sequence[str], kinds: Sequence[str] | None) -> list[str]:
    """Metric names grouped by agent in recorded order; within an agent, `kinds` order
    (only those kinds when given)."""
    agents: dict[str, list[str]] = {}
    for name in names:
        parts = name.split(".")
        agent = ".".join(parts[:2]) if parts[0] in ("cluster", "buyer") else parts[0]
        agents.setdefault(agent, []).append(name)
    out = []
    for members in agents.values():
        if kinds is None:
            out += members
            continue
        rank = {k: i for i, k in enumerate(kinds)}
        keep = [m for m in members if m.split(".")[-1] in rank and m.startswith("cluster.")]
        out += sorted(keep, key=lambda m: rank[m.split(".")[-1]])
    return out


def summary_rows(out: Output, metrics: Sequence[str]) -> list[str]:
    s = out.summary
    assert s is not None
    cells = {(r.config, r.metric): r for r in s.itertuples(index=False)}
    rows = []
    for metric in metrics:
        tds = []
        for name in out.names:
            r = cells.get((name, metric))
            tds.append(ci_cell(r.mean, r.ci_low, r.ci_high, metric) if r is not None
                       else '<td class="n">-</td>')
        rows.append(f"<tr>{metric_cell(out, metric)}{''.join(tds)}</tr>")
    return rows


def headline_section(out: Output) -> str:
    s = out.summary
    if s is None or s.empty:
        return "<h2>Headline metrics</h2><p class=note>No summary table in the directory.</p>"
    names = list(dict.fromkeys(s["metric"]))
    key = metric_order(names, HEADLINE)
    level = f"{out.confidence:.0%}"
    headers = ["metric", *(escape(n) for n in out.names)]
    many = len(out.names) > 6
    text = (f"<h2>Headline metrics</h2><p>Each cell: mean over {_reps(out)} and, below it, "
            f"the {level} Student-t confidence interval of the mean; shares in %. Hover a "
            "metric for its id. Definitions and units: docs/metrics.md.</p>")
    if out.kind == "single":
        text = ("<h2>Headline metrics</h2><p>The run's metrics; shares in %. Hover a metric "
                "for its id. Definitions and units: docs/metrics.md.</p>")
    main = table(headers, summary_rows(out, key), wide=many)
    if out.kind in ("sweep", "propositions"):  # their own tables come first
        main = (f"<details><summary>Headline metrics of every configuration "
                f"({len(out.names)} columns)</summary>{main}</details>")
    text += main
    text += (f"<details><summary>All {len(names)} metrics</summary>"
             + table(headers, summary_rows(out, metric_order(names, None)), wide=many)
             + "</details>")
    return text


def comparison_rows(out: Output, metrics: Sequence[str]) -> list[str]:
    cmp = out.comparison
    assert cmp is not None
    many = len(out.names) > 2
    rows = []
    for metric in metrics:
        for r in cmp[cmp["metric"] == metric].itertuples(index=False):
            lo, hi = getattr(r, "ci_low", None), getattr(r, "ci_high", None)
            resolved = (lo is not None and hi is not None and not pd.isna(lo)
                        and not pd.isna(hi) and (lo > 0 or hi < 0))
            p = getattr(r, "p_holm", None) if many else getattr(r, "p_value", None)
            ci = (f"[{lab.show(metric, lo)}, {lab.show(metric, hi)}]" if num(lo) != "-"
                  else "-")
            rows.append(f'<tr{" class=sig" if resolved else ""}>{metric_cell(out, metric)}'
                        f"<td>{escape(str(r.config))}</td>"
                        f'<td class="n">{lab.show(metric, r.mean)}</td><td class="n">{ci}</td>'
                        f'<td class="n">{_p(p)}</td><td class="n">{num(r.n)}</td></tr>')
    return rows


def comparison_section(out: Output) -> str:
    if out.kind != "compare":
        return ""
    cmp = out.comparison
    if cmp is None or cmp.empty:
        return ("<h2>Paired differences</h2><p class=note>No paired differences in the "
                "directory (comparison.csv is absent).</p>")
    many = len(out.names) > 2
    level = f"{out.confidence:.0%}"
    names = list(dict.fromkeys(cmp["metric"]))
    correction = (out.summary_json or {}).get("correction") or (
        "Bonferroni-widened CIs and Holm-adjusted p-values" if many else "none")
    headers = ["metric", "configuration", f"difference from {escape(out.baseline)}",
               f"{level} CI", "p (Holm)" if many else "p", "n"]
    text = (f"<h2>Paired differences</h2><p>Configuration minus the baseline "
            f"<b>{escape(out.baseline)}</b>, paired by replication (common random numbers: "
            f"replication r of every configuration draws the same random streams). "
            f"Correction for multiple comparisons: {escape(str(correction))}. Shares in "
            "percentage points. Shaded rows: the interval excludes 0.</p>")
    text += table(headers, comparison_rows(out, metric_order(names, HEADLINE)))
    text += (f"<details><summary>All {len(names)} metrics</summary>"
             + table(headers, comparison_rows(out, metric_order(names, None)))
             + "</details>")
    return text


def sweep_section(out: Output) -> str:
    if out.kind != "sweep" or out.summary is None:
        return ""
    params = out.param_keys()
    s = out.summary
    metrics = metric_order(list(dict.fromkeys(s["metric"])),
                           ("price_decline", "process_gain", "product_gain", "design_gain",
                            "marketing_gain", "functional_upgrading", "fair_share"))
    cells = {(r.config, r.metric): r for r in s.itertuples(index=False)}
    rows = []
    for c in out.configs:
        tds = "".join(f'<td class="n">{num(c.params.get(p))}</td>' for p in params)
        for m in metrics:
            r = cells.get((c.name, m))
            tds += (ci_cell(r.mean, r.ci_low, r.ci_high, m) if r is not None
                    else "<td>-</td>")
        rows.append(f"<tr><td>{escape(c.name)}</td>{tds}</tr>")
    names = out.agent_names()
    headers = ["point", *(f"<code>{escape(p)}</code>" for p in params),
               *(f'<span title="{escape(m)}">{escape(lab.label(m, names))}</span>'
                 for m in metrics)]
    design = out.manifest.get("design") or {}
    return (f"<h2>Design points</h2><p>Design: {escape(str(design.get('kind', '?')))}; "
            f"{len(out.configs)} points, each with {_reps(out)}; mean and "
            f"{out.confidence:.0%} CI per point.</p>" + table(headers, rows, wide=True))


def propositions_section(out: Output) -> str:
    if out.kind != "propositions":
        return ""
    props = (out.summary_json or {}).get("propositions")
    if not isinstance(props, list):
        return ("<h2>Propositions</h2><p class=note>summary.json with the verdicts is "
                "absent.</p>")
    level = f"{out.confidence:.0%}"
    parts = ["<h2>Propositions</h2><p>Each proposition of the paper as a paired comparison "
             f"of two configurations A and B; B - A with its {level} CI, and whether its "
             "sign agrees with the paper (docs/propositions.md).</p>"]
    for p in props:
        if not isinstance(p, dict):
            continue
        verdict = str(p.get("verdict", ""))
        parts.append(f"<h3>{escape(str(p.get('proposition', '')))}. "
                     f"{escape(str(p.get('claim', '')))} <span class=\"{_cls(verdict)}\">"
                     f"[{escape(verdict)}]</span></h3><p class=sub>A = "
                     f"{escape(str(p.get('a', '')))}, B = {escape(str(p.get('b', '')))}; "
                     f"{escape(str(p.get('passage', '')))}</p>")
        rows, adjusted = _check_rows(p)
        parts.append(table(["metric", "A", "B", f"B - A [{level} CI]", "paper's sign",
                            "p (Bonferroni)" if adjusted else "p (Holm)", "verdict"], rows))
    return "".join(parts)



def _check_rows(p: dict) -> tuple[list[str], bool]:
    """A proposition's checks as table rows, and whether their p values are Bonferroni's
    (newer runs) rather than Holm's."""
    rows = []
    checks = [c for c in p.get("checks") or [] if isinstance(c, dict)]
    adjusted = any("p_adjusted" in c for c in checks)  # Bonferroni; older runs: Holm
    for c in checks:
        ma, mb = c.get("metric_a", ""), c.get("metric_b", "")
        metric = (lab.label(str(mb)) if ma == mb
                  else f"{lab.label(str(ma))} vs {lab.label(str(mb))}")
        pair = (f" ({escape(str(c.get('a')))} vs {escape(str(c.get('b')))})"
                if c.get("a") != p.get("a") or c.get("b") != p.get("b") else "")
        v = str(c.get("verdict", ""))
        rows.append(
            f'<tr><td title="{escape(str(mb))}">{escape(metric)}{pair}</td>'
            f'<td class="n">{lab.show(str(ma), c.get("mean_a"))}</td>'
            f'<td class="n">{lab.show(str(mb), c.get("mean_b"))}</td>'
            f'{ci_cell(c.get("mean"), c.get("ci_low"), c.get("ci_high"), str(mb))}'
            f'<td class="n">{"+" if (c.get("expected_sign") or 0) > 0 else "-"}</td>'
            f'<td class="n">{_p(c.get("p_adjusted", c.get("p_holm", c.get("p_value"))))}</td>'
            f'<td class="{_cls(v)}">{escape(v)}</td></tr>')
    return rows, adjusted

def _cls(verdict: str) -> str:
    """The CSS class of a verdict: its first word ('agrees (n too small ...)' -> agrees)."""
    word = verdict.split()[0] if verdict.split() else ""
    return word if word in ("agrees", "disagrees", "inconclusive", "partly") else ""


def _reps(out: Output) -> str:
    n = out.manifest.get("replications")
    return f"{n} replications" if isinstance(n, int) else "the replications"


def meta_section(out: Output, report_command: Sequence[str] | None) -> str:
    m = out.manifest
    items = meta_items(out)
    dl = "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in items)
    command = m.get("command")
    cmd = shlex.join(str(c) for c in command) if isinstance(command, list) else "(not recorded)"
    text = f"<h2>What ran</h2><dl class=meta>{dl}</dl>"
    if out.kind != "single":
        text += f"<p>Command line:</p><pre>{escape(cmd)}</pre>"
    if report_command:
        text += f"<p>This report:</p><pre>{escape(shlex.join(report_command))}</pre>"
    return text + configs_section(out)


def _pairs(value: Any) -> str:
    """A manifest's object as `key value, ...` (anything else as text)."""
    if isinstance(value, dict):
        return ", ".join(f"{k} {v}" for k, v in value.items() if v is not None) or "-"
    return "-" if value is None else str(value)


def meta_items(out: Output) -> list[tuple[str, str]]:
    m = out.manifest
    scen = list(dict.fromkeys(c.scenario_name for c in out.configs))
    horizons = list(dict.fromkeys(c.horizon_years for c in out.configs))
    versions = m.get("versions") if isinstance(m.get("versions"), dict) else {}
    events = m.get("events")
    items = [
        ("kind", escape(out.kind)),
        ("scenario", escape("; ".join(scen))),
        ("configurations", escape(str(len(out.configs)))),
        ("seed", escape(str(m.get("seed")))),
        ("replications", escape(f"{m.get('replications')} (indices "
                                f"{m.get('replication_indices', '?')})")),
        ("random numbers", escape(str(m.get("random_streams", "")))),
        ("horizon", escape(", ".join(f"{h:g} years" if isinstance(h, int | float) else str(h)
                                     for h in horizons))),
        ("chainsim version", escape(str(versions.get("chainsim", "?")))),
        ("started / finished", escape(f"{m.get('started', '?')} / {m.get('finished', '?')}")),
        ("wall time", escape(f"{m.get('wall_seconds', '?')} s; "
                             f"{m.get('replications_run', '?')} replications run, "
                             f"{m.get('replications_reused', 0)} reused (--resume)")),
        ("SimPy events", escape(f"{events:,}" if isinstance(events, int) else "?")),
        ("execution", escape(_pairs(m.get("execution")))),
        ("versions", escape(_pairs(versions))),
        ("directory", f"<code>{escape(str(out.path))}</code>"),
    ]
    if out.kind == "single":
        drop = {"configurations", "random numbers", "started / finished", "execution",
                "versions"}
        items = [(k, v) for k, v in items if k not in drop]
        items = [(k, escape(f"{m.get('wall_seconds', '?')} s") if k == "wall time" else v)
                 for k, v in items]
    if m.get("design"):
        items.insert(3, ("design", f"<code>{escape(to_json(m['design'], indent=None))}"
                                   "</code>"))
    return items


def configs_section(out: Output) -> str:
    if out.kind == "sweep":  # the design table lists the points
        return ""
    rows = []
    for i, c in enumerate(out.configs):
        role = " (baseline)" if out.kind == "compare" and i == 0 else ""
        what = ", ".join(c.overrides) or "as in the file"
        rows.append(f"<tr><td>{escape(c.name)}{role}</td><td>{escape(c.scenario_name)}</td>"
                    f"<td><code>{escape(c.source)}</code></td><td><code>{escape(what)}"
                    f"</code></td><td>{escape(', '.join(c.clusters))}</td></tr>")
    return "<h3>Configurations</h3>" + table(
        ["name", "scenario", "file", "overrides", "clusters"], rows)


def flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    """A resolved scenario as dotted paths -> values; list items by id where they
    have one (as --set names them), else by index."""
    out: dict[str, Any] = {}
    if isinstance(value, dict):
        for k, v in value.items():
            out.update(flatten(v, f"{prefix}{k}."))
    elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        for i, v in enumerate(value):
            key = v.get("id", i) if isinstance(v, dict) else i
            out.update(flatten(v, f"{prefix}{key}."))
    else:
        out[prefix.rstrip(".")] = value
    return out


def params_section(out: Output) -> str:
    """The resolved scenario parameters of every configuration: those that differ
    first (shaded), then all of them."""
    flat = [flatten(c.scenario) for c in out.configs]
    if not any(flat):
        return ""
    keys = list(dict.fromkeys(k for f in flat for k in f))
    differs = [k for k in keys if len({json.dumps(f.get(k), default=str) for f in flat}) > 1]
    shown = out.configs[:MAX_PARAM_COLUMNS]

    def rows(which: Sequence[str]) -> list[str]:
        return [f'<tr{" class=differs" if k in differs else ""}><td><code>{escape(k)}'
                "</code></td>" + "".join(f"<td>{escape(_value(f.get(k)))}</td>"
                                         for f in flat[:len(shown)]) + "</tr>"
                for k in which]

    headers = ["parameter", *(escape(c.name) for c in shown)]
    text = ("<h2>Scenario parameters</h2><p>Every parameter as resolved and run (file, "
            "--set, seed and horizon applied), by the dotted path --set takes.")
    if len(out.configs) > MAX_PARAM_COLUMNS:
        text += f" The first {MAX_PARAM_COLUMNS} of {len(out.configs)} configurations."
    text += "</p>"
    if differs and len(out.configs) > 1:
        text += (f"<p>{len(differs)} parameters differ between the configurations "
                 "(shaded):</p>" + table(headers, rows(differs), wide=True))
    return (text + f"<details><summary>All {len(keys)} parameters</summary>"
            + table(headers, rows(keys), wide=True) + "</details>")


MAX_PARAM_COLUMNS = 8
MAX_LOG_ROWS = 5000


def _value(v: Any) -> str:
    if isinstance(v, float):
        return num(v)
    if isinstance(v, list | dict):
        return json.dumps(v, default=str)
    return "-" if v is None else str(v)


def decisions_section(out: Output) -> str:
    """A single run's decision log, filterable by kind and agent (a few lines of
    script in the page), with the numbers each decision rests on."""
    if out.run is None or not out.run.decisions:
        return ""
    log = out.run.decisions
    kinds = sorted({str(d.get("decision", "")) for d in log})
    agents = sorted({str(d.get("agent", "")) for d in log})
    counts = {k: sum(1 for d in log if str(d.get("decision", "")) == k) for k in kinds}
    start, rows = out.run.start_year, []
    for d in log[:MAX_LOG_ROWS]:
        kind, who = str(d.get("decision", "")), str(d.get("agent", ""))
        rest = "; ".join(f"{k} {_value(v)}" for k, v in d.items()
                         if k not in ("time", "decision", "agent"))
        time = d.get("time")
        year = num(start + float(time) / 360) if isinstance(time, int | float) else "-"
        rows.append(f'<tr data-kind="{escape(kind)}" data-agent="{escape(who)}">'
                    f'<td class="n">{year}</td><td>{escape(kind)}</td><td>{escape(who)}</td>'
                    f"<td>{escape(rest)}</td></tr>")

    def options(values: Sequence[str], what: str) -> str:
        return f'<option value="">every {what}</option>' + "".join(
            f'<option value="{escape(v)}">{escape(v)}</option>' for v in values)

    text = ("<h2>Decision log</h2><p>" + ", ".join(f"{escape(k)} {n:,}"
                                                    for k, n in counts.items()) + ".")
    if len(log) > MAX_LOG_ROWS:
        text += f" The first {MAX_LOG_ROWS:,} of {len(log):,} decisions are listed."
    return (text + '</p><details><summary>The decisions, with the numbers behind each'
            '</summary><div class=filters><select id="log-kind">' + options(kinds, "kind")
            + '</select><select id="log-agent">' + options(agents, "agent")
            + '</select></div><div class=wide><table id="log"><thead><tr><th>year</th>'
            "<th>kind</th><th>agent</th><th>numbers</th></tr></thead><tbody>"
            + "".join(rows) + "</tbody></table></div></details>")


def island(data: Any) -> str:
    """JSON for a `<script type="application/json">` element: every `<` escaped, so no
    text in it can end the element."""
    text = data if isinstance(data, str) else json.dumps(data, allow_nan=False,
                                                         default=_plain)
    return text.replace("<", "\\u003c")


def _plain(value: Any) -> Any:
    """numpy scalars and arrays as JSON numbers and lists."""
    if hasattr(value, "tolist"):
        return value.tolist()
    raise TypeError(f"not JSON: {type(value).__name__}")


def figures_section(items: Sequence[Chart | Skipped]) -> str:
    parts = ["<h2>Figures</h2><p>Drag to zoom (double-click to reset), hover for values, "
             "click a legend entry to hide or show it; the camera icon saves a PNG.</p>"]
    for i, item in enumerate(items):
        if isinstance(item, Chart):
            spec = island(item.figure)
            height = int(item.figure.get("layout", {}).get("height") or 450)
            parts.append(f'<figure id="{escape(item.name)}"><div class="plot" '
                         f'data-spec="spec-{i}" style="height:{height}px"></div>'
                         f'<script type="application/json" id="spec-{i}">{spec}</script>'
                         f"<figcaption><b>{escape(item.title)}</b>. {escape(item.caption)}"
                         "</figcaption></figure>")
    skipped = [i for i in items if isinstance(i, Skipped)]
    if skipped:
        parts.append("<h3>Figures not drawn</h3><ul>" + "".join(
            f"<li><b>{escape(s.title)}</b>: {escape(s.reason)}</li>" for s in skipped)
            + "</ul>")
    return "".join(parts)


def page_title(out: Output) -> str:
    scen = list(dict.fromkeys(c.scenario_name for c in out.configs))
    if out.kind == "propositions":
        return TITLES["propositions"]
    if out.kind == "compare":
        names = out.names
        what = " vs ".join(names) if len(names) <= 3 else f"{len(names)} configurations"
        return f"{TITLES['compare']}: {what}"
    return f"{TITLES[out.kind]}: {scen[0] if len(scen) == 1 else f'{len(scen)} scenarios'}"


def render(out: Output, items: Sequence[Chart | Skipped],
           report_command: Sequence[str] | None = None) -> str:
    title = page_title(out)
    names = ", ".join(out.names) if len(out.names) <= 6 else f"{len(out.names)} configurations"
    notes = "".join(f"<p class=note>{escape(n)}</p>" for n in out.notes)
    what = (f"seed {escape(str(out.manifest.get('seed')))}, one run" if out.kind == "single"
            else f"{escape(names)}; seed {escape(str(out.manifest.get('seed')))}, "
                 f"{_reps(out)} each")
    body = (f"<h1>{escape(title)}</h1><p class=sub>chainsim {escape(out.kind)} report: "
            f"{what}; made by chainsim {escape(__version__)}.</p>"
            + notes + meta_section(out, report_command) + propositions_section(out)
            + sweep_section(out) + headline_section(out) + comparison_section(out)
            + figures_section(items) + decisions_section(out) + params_section(out))
    # plotly.js comes last, so the text and tables show before the browser has read it
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            f"<title>{escape(title)}</title><style>{CSS}</style></head>"
            f"<body><main>\n{body}\n</main><script>{plotly_js(items)}</script>"
            f"<script>{LOADER}</script></body></html>\n")


# The trace types of plotly.js's "cartesian" bundle (npm plotly.js-cartesian-dist-min,
# vendored in chainsim/report/js/ with its MIT licence, the same plotly.js version as the
# plotly package's full bundle): a third of the full bundle's size, so the browser reads
# and starts it in a third of the time (a report of 20 replications opened in 1.7-2.4 s
# instead of 2.5-7.9 s on the loaded 2-core machine; docs/report.md).
CARTESIAN = frozenset({"bar", "box", "contour", "heatmap", "histogram", "histogram2d",
                       "histogram2dcontour", "image", "pie", "scatter", "scatterternary",
                       "violin"})
CARTESIAN_JS = Path(__file__).with_name("js") / "plotly-cartesian.min.js"


def plotly_js(items: Sequence[Chart | Skipped]) -> str:
    """The plotly.js the page needs: the cartesian bundle when every trace is of a type
    it holds (all of chainsim's figures), else the plotly package's full bundle."""
    types = {str(trace.get("type", "scatter")) for item in items if isinstance(item, Chart)
             for trace in item.figure.get("data", [])}
    if types <= CARTESIAN and CARTESIAN_JS.is_file():
        return CARTESIAN_JS.read_text(encoding="utf-8")
    from plotly.offline import get_plotlyjs

    return get_plotlyjs()
