"""Output a person can read and a program can rely on: numbers with significant digits
and units, tables that fit 80 and 120 columns without cutting numbers or names, the
years actually run, and one schema per output table whatever the replications."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from chainsim.cli import cli
from chainsim.cli.layout import comparison_lines, sweep_tables
from chainsim.cli.tables import fmt, fmt_ci, period

ROOT = Path(__file__).resolve().parent.parent
SINOS = str(ROOT / "scenarios" / "sinos_valley.toml")
SHORT = ["--set", "simulation.start_year=1989", "--set", "shocks.0.year=1990",
         "--set", "shocks.1.year=1990", "--horizon", "1"]
SERIAL = ["--executor", "serial", "--quiet"]


def invoke(*args: str, width: int = 80):
    return CliRunner(env={"COLUMNS": str(width)}).invoke(cli, list(args),
                                                          catch_exceptions=False)


def test_small_shares_keep_significant_digits_and_never_read_minus_zero() -> None:
    assert fmt(7.2e-05, "pct") == "0.0072%"  # Sinos fair share
    assert fmt(0.0043, "pct") == "0.43%"
    assert fmt(-1e-7, "pct") == "-1e-05%"
    assert fmt(-0.0, "pct") == "0%" and fmt(0.0, "num") == "0"
    assert fmt(-0.0004, "pct") == "-0.04%"  # a price decline that is a small rise
    assert fmt(7.2e-05) == "7.2e-05"
    assert fmt(10.02) == "10.02" and fmt(12_345_678.0) == "12.3M"


def test_half_widths_carry_their_unit_and_share_intervals_stay_in_range() -> None:
    share = {"mean": 0.995, "ci_low": 0.98, "ci_high": 1.0, "n": 5}
    assert fmt_ci(share, "pct") == "99.5% [98.0, 100.0]"
    assert fmt_ci({"mean": 11.7e6, "ci_low": 10.8e6, "ci_high": 12.6e6, "n": 3}) == (
        "11.7M ± 0.9M")
    assert fmt_ci({"mean": 422.3, "ci_low": 335.4, "ci_high": 509.2, "n": 3}, "int") == (
        "422 ± 87")
    constant = {"mean": 10.0, "ci_low": 10.0 - 1e-14, "ci_high": 10.0 + 1e-14, "n": 3}
    assert fmt_ci(constant) == "10.00"


def test_the_header_names_the_years_run() -> None:
    assert period({"start_year": 1970, "horizon_years": 10.0}) == "1970-1980, 10 years"
    assert period({"start_year": 1989, "horizon_years": 1.0}) == "1989-1990, 1 year"
    text = invoke("run", SINOS, *SHORT).stdout
    assert "1989-1990, 1 year," in text and "1 years" not in text


def _summary(metrics: list[str], configs: list[str]) -> dict:
    big = {"mean": -33_980_312.5, "ci_low": -36_717_965.0, "ci_high": -31_242_659.0,
           "n": 3, "p_value": 1e-5, "p_holm": 1e-5}
    return {"configurations": [{"name": c} for c in configs], "confidence": 0.95,
            "metrics": {m: {"configurations": {c: {"mean": 118_210_588.0} for c in configs},
                            "differences": [{"config": c, **big} for c in configs[1:]]}
                        for m in metrics}}


@pytest.mark.parametrize("width", [80, 120])
def test_comparison_lines_fit_and_keep_names_and_numbers_whole(width: int) -> None:
    configs = ["sinos_valley", "sinos_market_buyers_with_a_long_name"]
    metrics = ["cluster.sinos=italy.functional_upgrading", "cluster.sinos.revenue"]
    lines = comparison_lines(_summary(metrics, configs), width)
    assert all(len(line) <= width for line in lines)
    for name in [*configs, "sinos=italy.functional_upgrading", "-34M", "[-36.7M, -31.2M]"]:
        assert any(name in line for line in lines), name


@pytest.mark.parametrize("width", [80, 120])
def test_sweep_tables_fit_the_width_without_cutting(width: int) -> None:
    from rich.console import Console

    metrics = [f"cluster.{c}.{k}" for c in ("sinos", "china") for k in
               ("price_decline", "process_gain", "functional_upgrading", "fair_share")]
    points = [{"point": f"p{i:04d}", "params": {"buyers.us-main.count": i},
               "metrics": {m: {"mean": 0.123456 + i} for m in metrics}} for i in range(12)]
    console = Console(width=width, record=True)
    for table in sweep_tables({"points": points, "confidence": 0.95}, width, 40):
        console.print(table)
    text = console.export_text()
    assert "…" not in text
    assert all(len(line.rstrip()) <= width for line in text.splitlines())
    for m in metrics:
        assert m.removeprefix("cluster.") in text or m.split(".")[-1].split("_")[0] in text


def test_sweep_and_compare_at_80_columns_piped(tmp_path: Path) -> None:
    sweep = invoke("sweep", SINOS, *SHORT, *SERIAL, "--replications", "1", "--grid",
                   "buyers.us-main.count=1,3", "--out", str(tmp_path / "sw"))
    assert sweep.exit_code == 0, sweep.stderr
    assert "…" not in sweep.stdout and max(map(len, sweep.stdout.splitlines())) <= 80
    assert sweep.stderr.startswith(f"wrote {tmp_path / 'sw'}: ")
    assert "manifest.json" in sweep.stderr
    compare = invoke("compare", SINOS, SINOS, *SHORT, *SERIAL, "--replications", "2",
                     "--metric", "cluster.sinos.units", "--metric", "cluster.sinos.fair_share")
    assert compare.exit_code == 0, compare.stderr
    lines = compare.stdout.splitlines()
    assert max(map(len, lines)) <= 80 and "…" not in compare.stdout
    order = [line for line in lines if line.startswith("sinos.")]
    assert order == ["sinos.units", "sinos.fair_share"]  # the order of --metric


def _columns(path: Path) -> dict[str, str]:
    return {f.name: str(f.type) for f in pd.read_parquet(path).head(0).pipe(
        lambda d: __import__("pyarrow").Schema.from_pandas(d, preserve_index=False))}


def test_one_schema_per_table_whatever_the_replications(tmp_path: Path) -> None:
    one, two, single = tmp_path / "one", tmp_path / "two", tmp_path / "single"
    for out, n in ((one, "1"), (two, "2")):
        result = invoke("compare", SINOS, SINOS, *SHORT, *SERIAL, "--replications", n,
                        "--out", str(out), "--metric", "cluster.sinos.process_gain")
        assert result.exit_code == 0, result.stderr
    for name in ("summary.parquet", "series/clusters.parquet", "series/buyers.parquet",
                 "series/governance.parquet", "series/markets.parquet"):
        assert _columns(one / name) == _columns(two / name), name
    summary = pd.read_parquet(one / "summary.parquet")
    assert str(summary["ci_low"].dtype) == "float64" == str(summary["ci_high"].dtype)
    assert list(pd.read_csv(one / "comparison.csv").columns) == list(
        pd.read_csv(two / "comparison.csv").columns)
    run = invoke("run", SINOS, *SHORT, "--out", str(single), "--json")
    assert run.exit_code == 0, run.stderr
    # A single run's series have an experiment's columns; its recorded tables live apart.
    for name in ("clusters", "buyers", "governance", "markets"):
        assert _columns(single / "series" / f"{name}.parquet") == _columns(
            two / "series" / f"{name}.parquet")
    assert (single / "records" / "clusters.parquet").is_file()
    assert not (single / "clusters.parquet").exists()
    reps = json.loads(invoke("run", SINOS, *SHORT, *SERIAL, "--replications", "2",
                             "--json").stdout)
    once = json.loads(run.stdout)
    assert set(reps) - {"replications", "confidence"} <= set(once)
    assert set(once["links"]) == set(reps["links"]) == {"quasi_hierarchy_share"}


def test_counts_in_headers_agree_with_their_nouns() -> None:
    from chainsim.cli.tables import replications_text
    from chainsim.cli.validate import plural

    assert plural(1, "point") == "1 point" and plural(2, "point") == "2 points"
    assert replications_text(1) == "replication 0"
    assert replications_text(3) == "replications 0..2"
    text = invoke("sweep", SINOS, *SHORT, *SERIAL, "--replications", "1", "--grid",
                  "buyers.us-main.count=2").stdout
    assert ": 1 point (grid), replication 0 per point" in text
