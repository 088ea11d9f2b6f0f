"""Faults and hostile input around --out: a second run into a directory in use, a single
run into an experiment's directory (and back), a full disk, dead or stopped workers,
and small option slips. Each ends in one line (and what --out holds), never a
traceback, and leaves nothing half-written."""

from __future__ import annotations

import errno
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
from chainsim.experiments.executors import open_executor, worker_count
from chainsim.experiments.outputs import DirectoryLock

SINOS = str(Path(__file__).resolve().parent.parent / "scenarios" / "sinos_valley.toml")
SHORT = ["--set", "simulation.start_year=1989", "--set", "shocks.0.year=1990",
         "--set", "shocks.1.year=1990", "--horizon", "1"]
SERIAL = ["--executor", "serial", "--quiet"]


def invoke(*args: str):
    return CliRunner().invoke(cli, list(args))


def snapshot(out: Path) -> dict[str, bytes]:
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*"))
            if p.is_file() and p.name != ".lock"}


def one_error_line(result) -> str:
    lines = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.output
    return lines[0]


# -- one run at a time ----------------------------------------------------------------


@pytest.mark.parametrize("replications", [[], ["--replications", "2"]],
                         ids=["single", "replicated"])
def test_a_directory_in_use_is_refused(tmp_path: Path, replications: list[str]) -> None:
    out = tmp_path / "out"
    assert invoke("run", SINOS, *SHORT, *SERIAL, *replications, "--out",
                  str(out)).exit_code == 0
    before = snapshot(out)
    with DirectoryLock(out):  # another run holds it
        result = invoke("run", SINOS, *SHORT, *SERIAL, *replications, "--out", str(out),
                        "--seed", "5")
    assert result.exit_code == 2
    assert "another chainsim run" in one_error_line(result)
    assert snapshot(out) == before


def test_a_single_run_does_not_overwrite_an_experiment(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert invoke("run", SINOS, *SHORT, *SERIAL, "--replications", "2", "--out",
                  str(out)).exit_code == 0
    before = snapshot(out)
    result = invoke("run", SINOS, *SHORT, "--out", str(out))
    assert result.exit_code == 2 and "replicated experiment" in one_error_line(result)
    assert snapshot(out) == before


def test_an_experiment_does_not_mix_into_a_single_run(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert invoke("run", SINOS, *SHORT, "--out", str(out)).exit_code == 0
    before = snapshot(out)
    result = invoke("run", SINOS, *SHORT, *SERIAL, "--replications", "2", "--out", str(out))
    assert result.exit_code == 2 and "single run" in one_error_line(result)
    assert snapshot(out) == before


# -- a full disk ---------------------------------------------------------------------


def disk_full(*args, **kwargs):
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), "summary.csv")


def test_a_full_disk_at_the_tables_is_one_line_and_resumable(tmp_path: Path,
                                                              monkeypatch) -> None:
    out = tmp_path / "out"
    args = ["run", SINOS, *SHORT, *SERIAL, "--replications", "2", "--out", str(out)]
    with monkeypatch.context() as m:
        m.setattr(pd.DataFrame, "to_csv", disk_full)
        result = invoke(*args)
    assert result.exit_code == 1
    assert "No space left on device" in one_error_line(result)
    assert "--resume" in result.stderr
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["status"] == "running"
    assert not (out / "summary.json").exists() and not (out / "series").exists()
    assert not [p for p in out.iterdir() if p.name.startswith(".staging")]
    resumed = invoke(*args, "--resume")
    assert resumed.exit_code == 0, resumed.output
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["status"] == "complete" and manifest["replications_reused"] == 2


def test_a_full_disk_while_saving_a_replication_is_one_line(tmp_path: Path,
                                                             monkeypatch) -> None:
    out = tmp_path / "out"
    monkeypatch.setattr(pd.DataFrame, "to_parquet", disk_full)
    result = invoke("run", SINOS, *SHORT, *SERIAL, "--replications", "2", "--out", str(out))
    assert result.exit_code == 1
    assert "cannot save replication" in one_error_line(result)  # the first to finish
    assert not list((out / "replications").rglob("*.parquet"))


def test_a_full_disk_in_a_single_run_leaves_nothing(tmp_path: Path, monkeypatch) -> None:
    out = tmp_path / "out"
    monkeypatch.setattr(pd.DataFrame, "to_parquet", disk_full)
    result = invoke("run", SINOS, *SHORT, "--out", str(out))
    assert result.exit_code == 1
    assert "No space left on device" in one_error_line(result)
    assert [p.name for p in out.iterdir() if p.name != ".lock"] == []


# -- small slips ---------------------------------------------------------------------


@pytest.mark.parametrize("replications", [[], ["--replications", "2"]])
def test_an_empty_out_is_refused(replications: list[str]) -> None:
    result = invoke("run", SINOS, *SHORT, *SERIAL, *replications, "--out", "")
    assert result.exit_code == 2 and "--out: empty path" in one_error_line(result)


def test_a_bad_log_does_not_create_out(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = invoke("run", SINOS, *SHORT, "--out", str(out), "--log",
                    str(tmp_path / "missing" / "log.jsonl"))
    assert result.exit_code == 2 and "--log" in one_error_line(result)
    assert not out.exists()


@pytest.mark.parametrize("grid", ['simulation.name="a,b', "clusters.0.wage=[1,2"])
def test_an_unbalanced_grid_value_is_refused(grid: str) -> None:
    result = invoke("sweep", SINOS, *SHORT, *SERIAL, "--grid", grid)
    assert result.exit_code == 2 and "--grid" in one_error_line(result)


def test_workers_are_capped_at_the_work() -> None:
    assert worker_count(1000, 2) == 2 and worker_count(None, 1) == 1
    assert worker_count(3) == 3
    with open_executor("process", 1000, tasks=2) as pool:
        assert pool._max_workers == 2


# -- dead and stopped workers ---------------------------------------------------------


def chainsim_command() -> list[str]:
    script = Path(sys.executable).with_name("chainsim")
    return [str(script)] if script.exists() else [
        sys.executable, "-c", "from chainsim.cli import main; main()"]


def start(out: Path) -> tuple[subprocess.Popen, list[str]]:
    """A pool run of 8 short replications, one per batch, into `out`."""
    args = [*chainsim_command(), "run", SINOS, *SHORT, "--replications", "8", "--workers",
            "2", "--batch-size", "1", "--quiet", "--out", str(out)]
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            text=True, start_new_session=True)
    deadline = time.monotonic() + 120
    while not list((out / "replications").glob("run/r0*")):
        assert proc.poll() is None and time.monotonic() < deadline, "no replication saved"
        time.sleep(0.05)
    return proc, args


def children(pid: int) -> list[int]:
    psutil = pytest.importorskip("psutil")
    return [c.pid for c in psutil.Process(pid).children(recursive=True)]


def alive(pids: list[int]) -> list[int]:
    psutil = pytest.importorskip("psutil")
    return [p for p in pids if psutil.pid_exists(p)
            and psutil.Process(p).status() != psutil.STATUS_ZOMBIE]


def test_a_killed_worker_is_one_line_with_the_resume_command(tmp_path: Path) -> None:
    out = tmp_path / "out"
    proc, args = start(out)
    os.kill(children(proc.pid)[-1], signal.SIGKILL)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 1 and "Traceback" not in err, err
    lines = err.splitlines()
    assert lines[0] == "error: a worker process died (killed, or out of memory?)"
    assert "replications saved (manifest: running)" in lines[1]
    assert lines[2].strip().startswith("chainsim run ") and lines[2].endswith("--resume")
    resumed = subprocess.run([*args, "--resume"], capture_output=True, text=True,
                             timeout=300)
    assert resumed.returncode == 0, resumed.stderr


@pytest.mark.parametrize("how", ["SIGINT", "SIGTERM"])
def test_a_stopped_run_says_how_to_resume(tmp_path: Path, how: str) -> None:
    out = tmp_path / "out"
    proc, _ = start(out)
    workers = children(proc.pid)
    if how == "SIGINT":  # Ctrl-C: the terminal signals the whole process group
        os.killpg(proc.pid, signal.SIGINT)
    else:
        proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130 and "Traceback" not in err, err
    assert err.splitlines()[0] == "error: interrupted"
    assert err.rstrip().endswith("--resume")
    assert alive(workers) == []


def test_workers_exit_when_the_main_process_is_killed(tmp_path: Path) -> None:
    proc, _ = start(tmp_path / "out")
    workers = children(proc.pid)
    assert workers
    proc.kill()
    proc.wait()
    deadline = time.monotonic() + 10
    while alive(workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert alive(workers) == []


class KilledWorker(Exception):
    """Stands for distributed.scheduler.KilledWorker (matched by name)."""


class LosingExecutor:
    """An executor whose every task fails as a Dask cluster that lost its worker."""

    def submit(self, fn, *args, **kwargs):
        from concurrent.futures import Future

        future: Future = Future()
        future.set_exception(KilledWorker("('_run_batch-1', <WorkerState ...>)"))
        return future


def test_a_dask_worker_that_keeps_dying_is_workers_lost() -> None:
    from chainsim.experiments.runner import Configuration, WorkersLost, run_experiment
    from tests.helpers import tiny

    with pytest.raises(WorkersLost, match="Dask worker died repeatedly"):
        run_experiment([Configuration("run", tiny())], 2, executor=LosingExecutor())
