"""`chainsim report DIR`: one self-contained interactive HTML page (plotly.js inlined, the
figures as JSON) from the --out of a single run, a replicated run, a comparison and a
sweep; bad input is one line, exit 2, nothing written. The page in a real browser:
tests/test_browser.py."""

from __future__ import annotations

import json
import re
import shlex
import shutil
from html import escape
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from chainsim.cli import cli
from chainsim.experiments.stats import mean_ci
from chainsim.report import build_report, load_output
from chainsim.report.figures import band
from chainsim.report.html import render

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"
SINOS = str(SCENARIOS / "sinos_valley.toml")
MARKET = str(SCENARIOS / "sinos_market_buyers.toml")
# Two years, 1989-1991, with the volatility shock inside the run.
SHORT = ["--set", "simulation.start_year=1989", "--set", "shocks.0.year=1990",
         "--set", "shocks.1.year=1990", "--horizon", "2"]
SERIAL = ["--executor", "serial", "--quiet", "--replications", "2"]
PNG = b"\x89PNG\r\n\x1a\n"
SPEC = re.compile(r'<script type="application/json" id="(spec-\d+)">(.*?)</script>', re.S)


def invoke(*args: str):
    return CliRunner().invoke(cli, [str(a) for a in args])


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("run") / "out"
    result = invoke("run", SINOS, *SHORT, *SERIAL, "--out", out)
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="module")
def compare_dir(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("compare") / "out"
    result = invoke("compare", SINOS, MARKET, *SHORT, *SERIAL, "--out", out)
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="module")
def run_report(run_dir: Path) -> Path:
    (run_dir / "report").mkdir()
    (run_dir / "report" / "sweep.png").write_bytes(PNG)  # as if left by an older report
    result = invoke("report", run_dir)
    assert result.exit_code == 0, result.output
    assert f"report: {run_dir / 'report' / 'report.html'}" in result.stdout
    return run_dir / "report"


def check_page(page: Path, figures: bool = True) -> str:
    """The page exists, carries its figures as JSON and loads nothing from elsewhere:
    no script, style sheet, image or frame by address (whether the browser then makes a
    request is tested in test_browser.py)."""
    html = page.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>")
    assert bool(SPEC.search(html)) == figures
    assert not re.search(r"<(script|img|iframe|link)\b[^>]*\b(src|href)=", html, re.I)
    assert "Plotly.newPlot" in html
    for _, spec in SPEC.findall(html):
        assert "<" not in spec  # written as \u003c: no text can close the element
        json.loads(spec)
    return html


def figure_ids(html: str) -> set[str]:
    return set(re.findall(r'<figure id="([^"]+)"><div class="plot"', html))


def test_run_report_is_self_contained_with_figures(run_dir: Path, run_report: Path) -> None:
    html = check_page(run_report / "report.html")
    assert {"price_index", "upgrading_sinos", "upgrading_china", "governance_sinos",
            "fair_share", "buyers", "distributions"} <= figure_ids(html)
    assert not list(run_report.glob("*.png"))  # the figures live in the page
    manifest = json.loads((run_dir / "manifest.json").read_text())
    assert "Sinos Valley shoes" in html
    assert f"<dd>{manifest['seed']}</dd>" in html
    assert "2 (indices 0..1)" in html
    assert "chainsim version</dt><dd>0.1.0" in html
    assert escape(shlex.join(manifest["command"])) in html  # the command line
    assert 'title="cluster.sinos.price_decline">Sinos Valley: price decline' in html
    assert "Paired differences" not in html
    assert "<h2>Scenario parameters</h2>" in html and "buyers.us-main.price" in html


def test_compare_report_lists_both_configurations(compare_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "elsewhere" / "rep"
    result = invoke("report", compare_dir, "--out", out)
    assert result.exit_code == 0, result.output
    assert not (compare_dir / "report").exists()
    html = check_page(out / "report.html")
    assert "comparison" in figure_ids(html)
    section = html[html.index("<h2>Paired differences</h2>"):html.index("<h2>Figures</h2>")]
    assert "sinos_market_buyers" in section and "sinos_valley" in section
    assert "difference from sinos_valley" in section
    table = pd.read_csv(compare_dir / "comparison.csv")
    row = table[table["metric"] == "cluster.sinos.process_gain"].iloc[0]
    assert f"{row['mean']:.4g}" in section  # the difference, as comparison.csv has it
    fair = table[table["metric"] == "cluster.sinos.fair_share"].iloc[0]
    assert f"{100 * fair['mean']:.4g}%" in section  # a share, in %
    headline = html[html.index("<h2>Headline metrics</h2>"):]
    assert "<th>sinos_valley</th><th>sinos_market_buyers</th>" in headline


def test_report_replaces_older_files_atomically(run_report: Path) -> None:
    assert not (run_report / "sweep.png").exists()  # not drawn for a run: removed
    assert not list(run_report.glob(".*"))  # no temporary files left


def test_absent_series_are_skipped_and_said(run_dir: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy"
    shutil.copytree(run_dir, copy, ignore=shutil.ignore_patterns("report", "replications"))
    (copy / "series" / "governance.parquet").unlink()
    (copy / "series" / "clusters.parquet").unlink()
    report = build_report(copy)
    assert {c.name for c in report.figures} == {"buyers", "distributions"}
    html = check_page(report.page)
    assert "series/governance.parquet is absent" in html
    assert "Figures not drawn" in html and "Price index over time" in html


def test_sweep_report_plots_metrics_against_the_parameter(tmp_path: Path) -> None:
    out = tmp_path / "sweep"
    result = invoke("sweep", SINOS, *SHORT[:-1], "1", *SERIAL,
                    "--grid", "clusters.china.wage=0.1,0.5", "--out", out)
    assert result.exit_code == 0, result.output
    report = build_report(out, tmp_path / "rep")
    assert "sweep" in {c.name for c in report.figures}
    html = check_page(report.page)
    assert "<h2>Design points</h2>" in html and "clusters.china.wage" in html


def test_propositions_table(run_dir: Path, tmp_path: Path) -> None:
    """The verdict table of a propositions directory (summary.json holds the verdicts)."""
    copy = tmp_path / "props"
    shutil.copytree(run_dir, copy, ignore=shutil.ignore_patterns("report", "replications"))
    manifest = json.loads((copy / "manifest.json").read_text())
    (copy / "manifest.json").write_text(json.dumps({**manifest, "kind": "propositions"}))
    check = {"a": "run", "b": "run", "metric_a": "cluster.sinos.process_gain",
             "metric_b": "cluster.sinos.process_gain", "expected_sign": 1, "mean_a": 0.1,
             "mean_b": 0.3, "mean": 0.2, "ci_low": 0.1, "ci_high": 0.3, "n": 2,
             "p_value": 0.01, "p_holm": 0.02, "verdict": "agrees"}
    (copy / "summary.json").write_text(json.dumps({"confidence": 0.95, "propositions": [
        {"proposition": 1, "claim": "Quasi-hierarchy <fast> upgrading", "passage": "H&S 4.2",
         "a": "run", "b": "run", "verdict": "agrees", "checks": [check]}]}))
    html = render(load_output(copy), [])
    assert "Quasi-hierarchy &lt;fast&gt; upgrading" in html  # escaped
    assert '<td class="agrees">agrees</td>' in html
    assert "[0.1, 0.3]" in html
    assert "p (Holm)" in html  # an older run's adjusted p
    # chainsim propositions now writes Bonferroni-adjusted p values (issue 14 item 10).
    bonferroni = {**check, "p_adjusted": 0.19}
    del bonferroni["p_holm"]
    (copy / "summary.json").write_text(json.dumps({"confidence": 0.95, "propositions": [
        {"proposition": 1, "claim": "c", "passage": "H&S 4.2", "a": "run", "b": "run",
         "verdict": "agrees", "checks": [bonferroni]}]}))
    html = render(load_output(copy), [])
    assert "p (Bonferroni)" in html and ">0.190<" in html


def test_band_matches_mean_ci() -> None:
    rng = np.random.default_rng(1)
    frame = pd.DataFrame({"period": np.repeat([0, 1, 2, 3], 5),
                          "x": rng.normal(size=20)})
    frame.loc[frame["period"] == 1, "x"] = 2.0  # no spread: the band is the mean
    frame.loc[(frame["period"] == 2) & (frame.index % 5 > 0), "x"] = np.nan  # n = 1
    b = band(frame, ["period"], "x").set_index("period")
    for period, rows in frame.groupby("period"):
        ci = mean_ci(rows["x"].to_numpy(), 0.95)
        assert b.at[period, "n"] == ci["n"]
        assert b.at[period, "mean"] == pytest.approx(ci["mean"])
        if ci["ci_low"] is None:
            assert np.isnan(b.at[period, "low"]) and np.isnan(b.at[period, "high"])
        else:
            assert b.at[period, "low"] == pytest.approx(ci["ci_low"])
            assert b.at[period, "high"] == pytest.approx(ci["ci_high"])


def bad(args: list, fragment: str, untouched: Path | None = None) -> None:
    result = invoke("report", *args)
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert fragment in lines[0], lines[0]
    assert "Traceback" not in result.output
    assert result.stdout == ""
    if untouched is not None:
        assert not untouched.exists()


def test_bad_input_is_one_line_exit_2_nothing_written(run_dir: Path, tmp_path: Path) -> None:
    missing = tmp_path / "nope"
    bad([missing], f"{missing}: no such directory", missing / "report")
    a_file = tmp_path / "file.txt"
    a_file.write_text("x")
    bad([a_file], f"{a_file}: not a directory")
    empty = tmp_path / "empty"
    empty.mkdir()
    bad([empty], f"{empty}: not a chainsim output directory", empty / "report")
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "manifest.json").write_text('{"tool": "other"}')
    bad([foreign], f"{foreign / 'manifest.json'}: not written by chainsim", foreign / "report")
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "manifest.json").write_text("{not json")
    bad([broken], f"{broken / 'manifest.json'}: unreadable")

    running = tmp_path / "running"
    shutil.copytree(run_dir, running, ignore=shutil.ignore_patterns("report", "replications"))
    manifest = json.loads((running / "manifest.json").read_text())
    (running / "manifest.json").write_text(json.dumps({**manifest, "status": "running"}))
    bad([running], "did not finish", running / "report")
    damaged = tmp_path / "damaged"
    shutil.copytree(run_dir, damaged, ignore=shutil.ignore_patterns("report", "replications"))
    (damaged / "series" / "clusters.parquet").write_bytes(b"not parquet")
    bad([damaged], f"{damaged / 'series' / 'clusters.parquet'}: unreadable",
        damaged / "report")

    # unusable --out: a file, or a path under a file
    bad([run_dir, "--out", a_file], f"{a_file}: --out must be a directory")
    bad([run_dir, "--out", a_file / "sub"], f"{a_file / 'sub'}: cannot create it")
    assert a_file.read_text() == "x"


@pytest.fixture(scope="module")
def single_dir(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("single") / "out"
    result = invoke("run", SINOS, *SHORT[:-1], "3", "--out", out, "--json")
    assert result.exit_code == 0, result.output
    return out


def specs(html: str) -> dict[str, dict]:
    """Each figure's Plotly spec by figure id."""
    ids = re.findall(r'<figure id="([^"]+)"><div class="plot" data-spec="(spec-\d+)"', html)
    data = dict(SPEC.findall(html))
    return {fig: json.loads(data[spec]) for fig, spec in ids}


def test_single_run_report_has_the_network_with_a_period_slider(single_dir: Path) -> None:
    result = invoke("report", single_dir)
    assert result.exit_code == 0, result.output
    html = check_page(single_dir / "report" / "report.html")
    figs = specs(html)
    assert {"network", "price_index", "upgrading_sinos", "buyers"} <= set(figs)
    net = figs["network"]
    periods = pd.read_parquet(single_dir / "records" / "links.parquet")["period"].nunique()
    assert len(net["frames"]) == periods  # one frame per recorded period
    steps = net["layout"]["sliders"][0]["steps"]
    assert [s["args"][0][0] for s in steps] == [f["name"] for f in net["frames"]]
    # the edges change over the run (governance, shares, new suppliers)
    first, last = net["frames"][0]["data"], net["frames"][-1]["data"]
    assert first != last
    assert "<h2>Decision log</h2>" in html and 'id="log-kind"' in html
    assert "governance" in html and "expected_loss" in html  # the numbers behind
    assert "kind</dt><dd>single" in html


def test_entrant_lines_start_at_entry(single_dir: Path) -> None:
    """China enters in 1990 (SHORT moves the shock): its capability lines have no point
    before that, though its firms exist in the firm table from the start."""
    report = build_report(single_dir, single_dir / "rep2")
    chart = next(c for c in report.figures if c.name == "upgrading_china")
    for trace in chart.figure["data"]:
        points = [x for x, y in zip(trace["x"], trace["y"], strict=True) if y is not None]
        assert points and min(points) > 1990.0


def test_shares_are_in_percent_and_labels_replace_ids(compare_dir: Path, tmp_path: Path
                                                      ) -> None:
    report = build_report(compare_dir, tmp_path / "r")
    fair = next(c for c in report.figures if c.name == "fair_share").figure
    table = pd.read_parquet(compare_dir / "series" / "clusters.parquet")
    peak = table.groupby(["config", "period", "cluster"])["fair_share"].mean().max()
    # the mean lines (a band's bounds, drawn where replications differ, are not hovered)
    ys = [y for t in fair["data"] if t.get("hoverinfo") != "skip" for y in t["y"]
          if y is not None]
    assert max(ys) == pytest.approx(100 * peak, rel=1e-5)
    cmp = next(c for c in report.figures if c.name == "comparison").figure
    titles = [a["text"] for a in cmp["layout"]["annotations"]]
    assert "Sinos Valley: price decline" in titles
    assert not any("cluster." in t for t in titles)


def copy_of(run_dir: Path, tmp_path: Path, name: str) -> Path:
    copy = tmp_path / name
    shutil.copytree(run_dir, copy, ignore=shutil.ignore_patterns("report", "replications"))
    return copy


def edit_manifest(path: Path, **changes) -> None:
    manifest = json.loads((path / "manifest.json").read_text())
    manifest.update(changes)
    (path / "manifest.json").write_text(json.dumps(manifest))


def test_damaged_inputs_are_one_line(run_dir: Path, tmp_path: Path) -> None:
    """Issue 14 item 15: each of these was a traceback."""
    other = copy_of(run_dir, tmp_path, "other-table")
    shutil.copy(other / "series" / "buyers.parquet", other / "series" / "clusters.parquet")
    bad([other], f"{other / 'series' / 'clusters.parquet'}: not a chainsim table (no "
                 "column cluster", other / "report")
    renamed = copy_of(run_dir, tmp_path, "renamed")
    manifest = json.loads((renamed / "manifest.json").read_text())
    manifest["configurations"][0]["name"] = "elsewhere"
    (renamed / "manifest.json").write_text(json.dumps(manifest))
    bad([renamed], "configuration 'run' is not in manifest.json", renamed / "report")
    for key in ("params", "overrides"):
        listed = copy_of(run_dir, tmp_path, f"list-{key}")
        manifest = json.loads((listed / "manifest.json").read_text())
        manifest["configurations"][0][key] = {"a": 1} if key == "overrides" else [1, 2]
        (listed / "manifest.json").write_text(json.dumps(manifest))
        bad([listed], f"configurations.0.{key}: not a", listed / "report")
    execution = copy_of(run_dir, tmp_path, "list-execution")
    edit_manifest(execution, execution=["serial"])
    bad([execution], "manifest.json: execution: not an object", execution / "report")


def test_a_manifest_from_another_version(run_dir: Path, tmp_path: Path) -> None:
    """Issue 14 item 21: a manifest from chainsim 9.9.9 was accepted without comment."""
    newer = copy_of(run_dir, tmp_path, "newer")
    manifest = json.loads((newer / "manifest.json").read_text())
    edit_manifest(newer, versions={**manifest["versions"], "chainsim": "9.9.9"})
    bad([newer], "written by chainsim 9.9.9, newer than this chainsim", newer / "report")
    older = copy_of(run_dir, tmp_path, "older")
    edit_manifest(older, versions={**manifest["versions"], "chainsim": "0.0.1"})
    result = invoke("report", older)
    assert result.exit_code == 0, result.output
    assert "note: written by chainsim 0.0.1" in result.stdout
    assert "written by chainsim 0.0.1" in (older / "report" / "report.html").read_text()


HOSTILE = '<script>alert(1)</script><img src=x onerror=alert(2)> $\\foo{$ [/x]'


def test_user_text_is_drawn_literally(tmp_path: Path) -> None:
    """Issue 14 item 16 ($\\foo{$ in a sweep value crashed matplotlib's mathtext) and
    issue 15 item 5: scenario text reaches the page and every figure escaped."""
    out = tmp_path / "sweep"
    result = invoke("sweep", SINOS, *SHORT[:-1], "1", "--executor", "serial", "--quiet",
                    "--replications", "2", "--set", f"simulation.name={json.dumps(HOSTILE)}",
                    "--grid", "clusters.sinos.name=a,$\\foo$", "--out", out)
    assert result.exit_code == 0, result.output
    result = invoke("report", out)
    assert result.exit_code == 0, result.output
    html = check_page(out / "report" / "report.html")
    body = SPEC.sub("", html)
    body = body[:body.index("<script>")] + body[body.rindex("</script>"):]  # no plotly.js
    assert "<script>alert" not in html and "<img src=x" not in html
    assert escape(HOSTILE) in body
    assert "$\\foo$" in html


def test_the_page_inlines_the_smaller_cartesian_plotly_unless_a_figure_needs_more(
        run_report: Path) -> None:
    """chainsim's figures (scatter, box) need only plotly.js's cartesian bundle, a third
    of the full one, so the page opens faster; a trace type outside it takes the full
    bundle. plotly.js comes after the page's text."""
    from chainsim.report.figures import Chart
    from chainsim.report.html import plotly_js

    html = (run_report / "report.html").read_text(encoding="utf-8")
    assert "plotly.js (cartesian - minified)" in html
    assert html.index("plotly.js (cartesian") > html.index("<h2>Figures</h2>")
    box = Chart("b", "t", "c", {"data": [{"type": "box", "y": [1]}, {"y": [2]}]})
    gl = Chart("g", "t", "c", {"data": [{"type": "scattergl", "y": [1]}]})
    assert "(cartesian - minified)" in plotly_js([box])
    full = plotly_js([box, gl])
    assert "(cartesian - minified)" not in full and len(full) > 2 * len(plotly_js([box]))
