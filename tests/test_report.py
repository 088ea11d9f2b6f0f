"""`chainsim report DIR`: a self-contained HTML page and PNG figures from the --out of a
replicated run, a comparison and a sweep; bad input is one line, exit 2, nothing written."""

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
    """The page exists, embeds its figures and fetches nothing from the network."""
    html = page.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>")
    assert ("data:image/png;base64," in html) == figures
    assert not re.search(r"https?://", html)
    assert "<script" not in html.lower()
    assert '<link rel="stylesheet"' not in html
    assert not re.search(r'src="(?!data:)', html)  # every image inline
    return html


def check_png(path: Path) -> None:
    data = path.read_bytes()
    assert data.startswith(PNG), path
    import matplotlib.image

    image = matplotlib.image.imread(path)
    assert image.shape[0] > 200 and image.shape[1] > 400


def test_run_report_is_self_contained_with_figures(run_dir: Path, run_report: Path) -> None:
    html = check_page(run_report / "report.html")
    names = {p.name for p in run_report.glob("*.png")}
    assert {"price_index.png", "upgrading_sinos.png", "upgrading_china.png",
            "governance.png", "fair_share.png"} <= names
    for path in run_report.glob("*.png"):
        check_png(path)
    # every PNG on disk is the one embedded in the page
    assert html.count("data:image/png;base64,") == len(names)
    manifest = json.loads((run_dir / "manifest.json").read_text())
    assert "Sinos Valley shoes" in html
    assert f"<dd>{manifest['seed']}</dd>" in html
    assert "2 (indices 0..1)" in html
    assert "chainsim version</dt><dd>0.1.0" in html
    assert escape(shlex.join(manifest["command"])) in html  # the command line
    assert "cluster.sinos.price_decline" in html  # the headline table
    assert "Paired differences" not in html


def test_compare_report_lists_both_configurations(compare_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "elsewhere" / "rep"
    result = invoke("report", compare_dir, "--out", out)
    assert result.exit_code == 0, result.output
    assert not (compare_dir / "report").exists()
    html = check_page(out / "report.html")
    assert (out / "comparison.png").is_file()
    for path in out.glob("*.png"):
        check_png(path)
    section = html[html.index("<h2>Paired differences</h2>"):html.index("<h2>Figures</h2>")]
    assert "sinos_market_buyers" in section and "sinos_valley" in section
    assert "difference from sinos_valley" in section
    table = pd.read_csv(compare_dir / "comparison.csv")
    row = table[table["metric"] == "cluster.sinos.process_gain"].iloc[0]
    assert f"{row['mean']:.4g}" in section  # the difference, as comparison.csv has it
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
    assert report.figures == []
    html = check_page(report.page, figures=False)
    assert "series/governance.parquet is absent" in html
    assert "Figures not drawn" in html and "Price index over time" in html


def test_sweep_report_plots_metrics_against_the_parameter(tmp_path: Path) -> None:
    out = tmp_path / "sweep"
    result = invoke("sweep", SINOS, *SHORT[:-1], "1", *SERIAL,
                    "--grid", "clusters.china.wage=0.1,0.5", "--out", out)
    assert result.exit_code == 0, result.output
    report = build_report(out, tmp_path / "rep")
    assert "sweep.png" in {p.name for p in report.figures}
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
    single = tmp_path / "single"
    result = invoke("run", SINOS, *SHORT[:-1], "1", "--out", single, "--json")
    assert result.exit_code == 0, result.output
    bad([single], "the --out of a single run", single / "report")
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
