"""`chainsim run --replications`, `compare` and `sweep` from the command line: output
shapes, --out layout, bad input (one line, exit 2, nothing written), kill and resume."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from chainsim.cli import cli
from chainsim.limits import MAX_REPLICATIONS

SINOS = str(Path(__file__).resolve().parent.parent / "scenarios" / "sinos_valley.toml")
# 1989 to 1990: short runs; the volatility shock moved inside the run.
SHORT = ["--set", "simulation.start_year=1989", "--set", "shocks.0.year=1990",
         "--set", "shocks.1.year=1990", "--horizon", "1"]
SERIAL = ["--executor", "serial", "--quiet"]


def invoke(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_run_without_replications_keeps_the_single_run_json() -> None:
    result = invoke("run", SINOS, *SHORT, "--json")
    assert result.exit_code == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["replication"] == 0
    assert isinstance(out["clusters"]["sinos"]["process_gain"], float)


def test_run_with_replications_reports_mean_and_ci() -> None:
    result = invoke("run", SINOS, *SHORT, *SERIAL, "--replications", "3", "--json")
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""  # no progress bar when not a terminal
    out = json.loads(result.stdout)
    for key in ("scenario", "seed", "version", "events", "wall_seconds", "clusters",
                "buyers", "orders"):
        assert key in out
    assert out["replications"] == 3
    for agent in ("sinos", "china"):
        for cell in out["clusters"][agent].values():
            assert set(cell) == {"mean", "ci_low", "ci_high", "n"}
            assert cell["n"] in (0, 3)
    assert out["buyers"]["us-main"]["units"]["n"] == 3
    table = invoke("run", SINOS, *SHORT, *SERIAL, "--replications", "2")
    assert table.exit_code == 0 and "±" in table.stdout and "replications 0..1" in table.stdout


def test_compare_identical_files_gives_zero_differences(tmp_path: Path) -> None:
    copy = tmp_path / "copy.toml"
    copy.write_text(Path(SINOS).read_text())
    result = invoke("compare", SINOS, str(copy), *SHORT, *SERIAL, "--replications", "3",
                    "--json", "--metric", "cluster.sinos.*gain")
    assert result.exit_code == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["baseline"] == "sinos_valley"
    assert [c["name"] for c in out["configurations"]] == ["sinos_valley", "copy"]
    assert set(out["metrics"]) == {f"cluster.sinos.{k}_gain" for k in
                                   ("process", "product", "design", "marketing")}
    for block in out["metrics"].values():
        (diff,) = block["differences"]
        assert diff["mean"] == 0.0 and diff["ci_low"] == 0.0 and diff["ci_high"] == 0.0
    assert out["correction"].startswith("none")


def test_compare_variants_with_holm_and_out(tmp_path: Path) -> None:
    out_dir = tmp_path / "cmp"
    result = invoke("compare", SINOS, *SHORT, *SERIAL, "--replications", "3",
                    "--variant", "strong:clusters.sinos.institutions.technology_centre=0.9",
                    "--variant", "weak:clusters.sinos.institutions.technology_centre=0.0,"
                                 "clusters.sinos.spillover=0.0",
                    "--out", str(out_dir))
    assert result.exit_code == 0, result.stderr
    assert "Holm" in result.stdout and "strong" in result.stdout
    summary = json.loads((out_dir / "summary.json").read_text())
    assert [c["name"] for c in summary["configurations"]] == ["base", "strong", "weak"]
    block = summary["metrics"]["cluster.sinos.process_gain"]
    strong = next(d for d in block["differences"] if d["config"] == "strong")
    assert strong["mean"] > 0 and strong["ci_low"] > 0  # a technology centre raises process
    assert strong["p_holm"] >= strong["p_value"]
    table = pd.read_csv(out_dir / "comparison.csv")
    assert {"metric", "config", "baseline", "mean", "ci_low", "ci_high", "p_value",
            "p_holm"} <= set(table.columns)
    manifest = json.loads((out_dir / "manifest.json").read_text())
    assert manifest["kind"] == "compare" and manifest["status"] == "complete"
    assert manifest["configurations"][2]["overrides"][-1] == "clusters.sinos.spillover=0.0"
    series = pd.read_parquet(out_dir / "series" / "clusters.parquet")
    assert set(series["config"]) == {"base", "strong", "weak"}
    assert set(series["replication"]) == {0, 1, 2}


def test_sweep_grid_writes_a_tidy_table(tmp_path: Path) -> None:
    out_dir = tmp_path / "grid"
    result = invoke("sweep", SINOS, *SHORT, *SERIAL, "--replications", "2",
                    "--grid", "clusters.sinos.spillover=0.0,0.2",
                    "--grid", "clusters.sinos.institutions.technology_centre=0.1,0.9",
                    "--metric", "cluster.sinos.process_gain", "--out", str(out_dir))
    assert result.exit_code == 0, result.stderr
    assert "p0003" in result.stdout
    tidy = pd.read_csv(out_dir / "summary.csv")
    assert set(tidy["config"]) == {"p0000", "p0001", "p0002", "p0003"}
    gain = tidy[tidy["metric"] == "cluster.sinos.process_gain"].set_index("config")
    assert gain.loc["p0001", "param.clusters.sinos.institutions.technology_centre"] == 0.9
    assert gain.loc["p0001", "mean"] > gain.loc["p0000", "mean"]
    assert (gain["n"] == 2).all()
    per_rep = pd.read_parquet(out_dir / "replications.parquet")
    assert len(per_rep) == 8 and "param.clusters.sinos.spillover" in per_rep.columns
    pd.testing.assert_frame_equal(pd.read_parquet(out_dir / "summary.parquet"), tidy,
                                  check_dtype=False)


def test_sweep_latin_hypercube_json_is_reproducible() -> None:
    args = ("sweep", SINOS, *SHORT, *SERIAL, "--replications", "1", "--lhs", "3",
            "--range", "clusters.china.wage=0.1:0.5",
            "--range", "clusters.sinos.firms.main-lead.count=4:12",
            "--metric", "cluster.sinos.units", "--json")
    first, second = invoke(*args), invoke(*args)
    assert first.exit_code == 0, first.stderr
    a, b = json.loads(first.stdout), json.loads(second.stdout)
    assert [p["params"] for p in a["points"]] == [p["params"] for p in b["points"]]
    assert a["design"]["kind"] == "latin_hypercube"
    assert a["design"]["integer_keys"] == ["clusters.sinos.firms.main-lead.count"]
    counts = [p["params"]["clusters.sinos.firms.main-lead.count"] for p in a["points"]]
    assert all(isinstance(c, int) and 4 <= c <= 12 for c in counts)
    assert list(a["points"][0]["metrics"]) == ["cluster.sinos.units"]


# -- bad input: one line each, exit 2, nothing written ------------------------------------


BAD = [
    (["run", SINOS, "--replications", "0"], "--replications 0: must be at least 1"),
    (["run", SINOS, "--replications", str(MAX_REPLICATIONS + 1)], f"{MAX_REPLICATIONS:,}"),
    (["run", SINOS, "--replications", "x"], "'--replications'"),
    (["run", SINOS, "--replications", "2", "--workers", "0"], "--workers 0"),
    (["run", SINOS, "--replications", "2", "--executor", "threads"], "'--executor'"),
    (["run", SINOS, "--replications", "2", "--scheduler", "tcp://x:1"], "needs --executor dask"),
    (["run", SINOS, "--replications", "2", "--resume"], "--resume: needs --out"),
    (["run", SINOS, "--replications", "2", "--batch-size", "0"], "--batch-size 0"),
    (["run", SINOS, "--replications", "2", "--log", "{out}/log.jsonl"], "--log"),
    (["run", "{out}/missing.toml", "--replications", "2"], "missing.toml: no such file"),
    (["run", SINOS, "--replications", "2", "--set", "clusters.sinos.wage=-1"],
     "clusters.sinos.wage"),
    (["compare", SINOS], "two or more scenario files"),
    (["compare", SINOS, SINOS, "--variant", "a:x=1"], "exactly one FILE"),
    (["compare", SINOS, "--variant", "broken"], "--variant 'broken'"),
    (["compare", SINOS, "--variant", "base:clusters.sinos.wage=2"], "name used twice"),
    (["compare", SINOS, SINOS, "--metric", "cluster.*.no_such_metric"], "--metric"),
    (["compare", SINOS, SINOS, "--replications", "60000"], "120,000 runs"),
    (["sweep", SINOS], "give --grid"),
    (["sweep", SINOS, "--grid", "a=1", "--lhs", "2", "--range", "b=0:1"], "choose one design"),
    (["sweep", SINOS, "--lhs", "3"], "--range"),
    (["sweep", SINOS, "--lhs", "3", "--range", "clusters.sinos.wage=2:1"], "below high"),
    (["sweep", SINOS, "--grid", "clusters.sinos.wage"], "--grid 'clusters.sinos.wage'"),
    (["sweep", SINOS, "--grid", "clusters.sinos.wage=1,-1"], "sweep point p0001"),
    (["sweep", SINOS, "--grid", "clusters.sinos.no_such_key=1,2"], "unknown key"),
]


@pytest.mark.parametrize(("args", "message"), BAD, ids=[" ".join(a[2:]) or a[0] for a, _ in
                                                        BAD])
def test_bad_input_is_one_line_exit_2_and_writes_nothing(tmp_path: Path, args: list[str],
                                                         message: str) -> None:
    out = tmp_path / "out"
    args = [a.replace("{out}", str(out)) for a in args]
    if not {"--out", "--resume", "--log"} & set(args):
        args += ["--out", str(out)]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 2, (result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert message in lines[0]
    assert result.stdout == ""
    assert not out.exists()


def test_out_that_is_a_file_is_refused(tmp_path: Path) -> None:
    target = tmp_path / "file"
    target.write_text("x")
    result = CliRunner().invoke(cli, ["run", SINOS, "--replications", "2", "--out",
                                      str(target), *SERIAL])
    assert result.exit_code == 2 and "must be a directory" in result.stderr
    assert target.read_text() == "x"


def test_resume_into_a_different_experiment_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "out"
    ok = invoke("run", SINOS, *SHORT, *SERIAL, "--replications", "2", "--out", str(out))
    assert ok.exit_code == 0
    before = (out / "manifest.json").read_text()
    result = CliRunner().invoke(cli, ["run", SINOS, *SHORT, *SERIAL, "--replications", "2",
                                      "--out", str(out), "--resume", "--seed", "99"])
    assert result.exit_code == 2 and "differs from the saved experiment" in result.stderr
    assert (out / "manifest.json").read_text() == before


# -- kill midway, resume, compare with an uninterrupted run -------------------------------


def chainsim_command() -> list[str]:
    script = Path(sys.executable).with_name("chainsim")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "from chainsim.cli import main; main()"]


def finished(out: Path) -> list[Path]:
    return sorted((out / "replications" / "run").glob("r[0-9]*"))


def test_killed_run_resumes_to_the_same_results(tmp_path: Path) -> None:
    n = 6
    args = [*chainsim_command(), "run", SINOS, *SHORT, *SERIAL, "--replications", str(n),
            "--batch-size", "1"]
    killed, fresh = tmp_path / "killed", tmp_path / "fresh"
    proc = subprocess.Popen([*args, "--out", str(killed)], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 120
    try:
        while len(finished(killed)) < 2 and time.monotonic() < deadline:
            assert proc.poll() is None, "the run ended before it could be killed"
            time.sleep(0.02)
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    done = finished(killed)
    assert 2 <= len(done) < n
    assert json.loads((killed / "manifest.json").read_text())["status"] == "running"
    assert not (killed / "summary.json").exists()
    for rep in done:  # every replication on disk is complete
        assert sorted(p.name for p in rep.iterdir()) == [
            "buyers.parquet", "clusters.parquet", "governance.parquet", "identity.json",
            "markets.parquet", "metrics.parquet"]

    resumed = subprocess.run([*args, "--out", str(killed), "--resume"], capture_output=True,
                             text=True, timeout=300)
    assert resumed.returncode == 0, resumed.stderr
    manifest = json.loads((killed / "manifest.json").read_text())
    assert manifest["status"] == "complete"
    assert manifest["replications_reused"] == len(done)
    assert manifest["replications_run"] == n - len(done)

    full = subprocess.run([*args, "--out", str(fresh)], capture_output=True, text=True,
                          timeout=300)
    assert full.returncode == 0, full.stderr

    def metrics(d: Path) -> pd.DataFrame:
        return pd.read_parquet(d / "replications.parquet").drop(columns="wall_seconds")

    pd.testing.assert_frame_equal(metrics(killed), metrics(fresh))
    for table in ("clusters", "buyers", "governance", "markets"):
        pd.testing.assert_frame_equal(pd.read_parquet(killed / "series" / f"{table}.parquet"),
                                      pd.read_parquet(fresh / "series" / f"{table}.parquet"))
    assert (killed / "summary.csv").read_text() == (fresh / "summary.csv").read_text()
    a, b = (json.loads((d / "summary.json").read_text()) for d in (killed, fresh))
    a.pop("wall_seconds"), b.pop("wall_seconds")
    assert a == b
