"""The report page: one HTML file with inline CSS and the figures as base64 PNG data URIs.

Nothing is fetched when the page is opened: no scripts, no style sheets, no fonts, no
images from elsewhere. Tables collapse in `<details>` where they are long, which needs no
script either. Every text from the input directory is HTML-escaped.
"""

from __future__ import annotations

import base64
import math
import shlex
from collections.abc import Sequence
from html import escape
from typing import Any

import pandas as pd

from chainsim import __version__
from chainsim.output import to_json
from chainsim.report.data import Output
from chainsim.report.figures import Chart, Skipped

# The metrics of the headline table, in this order within each cluster.
HEADLINE = ("price_index_start", "price_index_end", "price_decline", "unit_value",
            "retail_share", "process_gain", "product_gain", "design_gain", "marketing_gain",
            "full_package", "functional_upgrading", "fair_share", "quasi_hierarchy_share",
            "main_buyer_share", "lock_in")
TITLES = {"run": "Replications", "compare": "Comparison", "sweep": "Sweep",
          "propositions": "The paper's propositions"}

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
figure{margin:1.5em 0}figure img{max-width:100%;height:auto;border:1px solid #eee}
figcaption{font-size:.88em;color:#333;margin-top:.3em}
.note{background:#fff8e5;border-left:4px solid #e0b000;padding:.4em .8em;font-size:.9em}
.agrees{color:#1a7f37;font-weight:600}.disagrees{color:#c62828;font-weight:600}
.inconclusive,.partly{color:#8a6d00;font-weight:600}
details{margin:.8em 0}summary{cursor:pointer;color:#0b57d0}
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


def ci_cell(mean: Any, low: Any, high: Any) -> str:
    text = num(mean)
    if text != "-" and num(low) != "-" and num(high) != "-":
        text += f"<br><small>[{num(low)}, {num(high)}]</small>"
    return f'<td class="n">{text}</td>'


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
            tds.append(ci_cell(r.mean, r.ci_low, r.ci_high) if r is not None
                       else '<td class="n">-</td>')
        rows.append(f"<tr><td><code>{escape(metric)}</code></td>{''.join(tds)}</tr>")
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
            f"the {level} Student-t confidence interval of the mean. Definitions and units: "
            "docs/metrics.md.</p>")
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
            ci = f"[{num(lo)}, {num(hi)}]" if num(lo) != "-" else "-"
            rows.append(f'<tr{" class=sig" if resolved else ""}><td><code>{escape(metric)}'
                        f"</code></td><td>{escape(str(r.config))}</td>"
                        f'<td class="n">{num(r.mean)}</td><td class="n">{ci}</td>'
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
            f"Correction for multiple comparisons: {escape(str(correction))}. Shaded rows: "
            "the interval excludes 0.</p>")
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
            tds += ci_cell(r.mean, r.ci_low, r.ci_high) if r is not None else "<td>-</td>"
        rows.append(f"<tr><td>{escape(c.name)}</td>{tds}</tr>")
    headers = ["point", *(f"<code>{escape(p)}</code>" for p in params),
               *(f"<code>{escape(m.removeprefix('cluster.'))}</code>" for m in metrics)]
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
        rows = []
        for c in p.get("checks") or []:
            ma, mb = c.get("metric_a", ""), c.get("metric_b", "")
            metric = mb if ma == mb else f"{ma} vs {mb}"
            pair = (f" ({escape(str(c.get('a')))} vs {escape(str(c.get('b')))})"
                    if c.get("a") != p.get("a") or c.get("b") != p.get("b") else "")
            v = str(c.get("verdict", ""))
            rows.append(
                f"<tr><td><code>{escape(str(metric))}</code>{pair}</td>"
                f'<td class="n">{num(c.get("mean_a"))}</td>'
                f'<td class="n">{num(c.get("mean_b"))}</td>'
                f'{ci_cell(c.get("mean"), c.get("ci_low"), c.get("ci_high"))}'
                f'<td class="n">{"+" if (c.get("expected_sign") or 0) > 0 else "-"}</td>'
                f'<td class="n">{_p(c.get("p_holm", c.get("p_value")))}</td>'
                f'<td class="{_cls(v)}">{escape(v)}</td></tr>')
        parts.append(table(["metric", "A", "B", f"B - A [{level} CI]", "paper's sign",
                            "p (Holm)", "verdict"], rows))
    return "".join(parts)


def _cls(verdict: str) -> str:
    """The CSS class of a verdict: its first word ('agrees (n too small ...)' -> agrees)."""
    word = verdict.split()[0] if verdict.split() else ""
    return word if word in ("agrees", "disagrees", "inconclusive", "partly") else ""


def _reps(out: Output) -> str:
    n = out.manifest.get("replications")
    return f"{n} replications" if isinstance(n, int) else "the replications"


def meta_section(out: Output, report_command: Sequence[str] | None) -> str:
    m = out.manifest
    scen = list(dict.fromkeys(c.scenario_name for c in out.configs))
    horizons = list(dict.fromkeys(c.horizon_years for c in out.configs))
    versions = m.get("versions") or {}
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
        ("SimPy events", escape(f"{m.get('events'):,}" if isinstance(m.get("events"), int)
                                else "?")),
        ("execution", escape(", ".join(f"{k} {v}" for k, v in (m.get("execution") or {})
                                       .items() if v is not None) or "-")),
        ("versions", escape(", ".join(f"{k} {v}" for k, v in versions.items()))),
        ("directory", f"<code>{escape(str(out.path))}</code>"),
    ]
    if m.get("design"):
        items.insert(3, ("design", f"<code>{escape(to_json(m['design'], indent=None))}"
                                   "</code>"))
    dl = "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in items)
    command = m.get("command")
    cmd = shlex.join(str(c) for c in command) if isinstance(command, list) else "(not recorded)"
    text = (f"<h2>What ran</h2><dl class=meta>{dl}</dl><p>Command line:</p>"
            f"<pre>{escape(cmd)}</pre>")
    if report_command:
        text += f"<p>This report:</p><pre>{escape(shlex.join(report_command))}</pre>"
    return text + configs_section(out)


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


def figures_section(items: Sequence[Chart | Skipped]) -> str:
    parts = ["<h2>Figures</h2>"]
    for item in items:
        if isinstance(item, Chart):
            data = base64.b64encode(item.png).decode("ascii")
            parts.append(f'<figure id="{escape(item.name)}"><img alt="{escape(item.title)}" '
                         f'src="data:image/png;base64,{data}"><figcaption><b>'
                         f"{escape(item.title)}</b> ({escape(item.name)}). "
                         f"{escape(item.caption)}</figcaption></figure>")
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
    body = (f"<h1>{escape(title)}</h1><p class=sub>chainsim {escape(out.kind)} report: "
            f"{escape(names)}; seed {escape(str(out.manifest.get('seed')))}, "
            f"{_reps(out)} each; made by chainsim {escape(__version__)}.</p>"
            + notes + meta_section(out, report_command) + propositions_section(out)
            + sweep_section(out) + headline_section(out) + comparison_section(out)
            + figures_section(items))
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            f"<title>{escape(title)}</title><style>{CSS}</style></head>"
            f"<body><main>\n{body}\n</main></body></html>\n")
