"""Tests for chainsim.experiments.executors: backends agree, batching keeps order."""

import sys
import time
from concurrent.futures import Future

import numpy as np
import pytest

from chainsim.experiments.executors import (
    ExecutorUnavailable,
    SerialExecutor,
    default_batch_size,
    open_executor,
    progress,
    run_batched,
)

N_TASKS = 37


def replicate(i: int) -> dict:
    """Deterministic per-task draw: the stream depends only on the task index."""
    rng = np.random.default_rng(np.random.SeedSequence(1234, spawn_key=(i,)))
    x = rng.normal(size=50)
    return {"i": i, "mean": float(x.mean()), "max": float(x.max())}


def slow_identity(i: int) -> int:
    """Earlier tasks take longer, so completion order differs from submission order."""
    time.sleep(0.001 * (N_TASKS - i))
    return i


def fail_on_13(i: int) -> int:
    if i == 13:
        raise ValueError("task 13 failed")
    return i


EXPECTED = [replicate(i) for i in range(N_TASKS)]


def test_serial_executor_completed_futures() -> None:
    ex = SerialExecutor()
    ok = ex.submit(pow, 2, 5)
    assert isinstance(ok, Future) and ok.done() and ok.result() == 32
    bad = ex.submit(fail_on_13, 13)
    assert bad.done() and isinstance(bad.exception(), ValueError)
    ex.shutdown()
    with pytest.raises(RuntimeError):
        ex.submit(pow, 2, 5)


def test_serial_and_process_agree() -> None:
    with open_executor("serial") as ex:
        serial = run_batched(replicate, range(N_TASKS), ex)
    with open_executor("process", workers=2) as ex:
        process = run_batched(replicate, list(range(N_TASKS)), ex, batch_size=3)
    assert serial == EXPECTED
    assert process == EXPECTED


def test_dask_agrees() -> None:
    pytest.importorskip("distributed")
    with open_executor("dask", workers=2) as ex:
        results = run_batched(replicate, list(range(N_TASKS)), ex, batch_size=4)
        with pytest.raises(ValueError, match="task 13 failed"):
            run_batched(fail_on_13, list(range(N_TASKS)), ex, batch_size=4)
    assert results == EXPECTED


@pytest.mark.parametrize("batch_size", [1, 5, 100])
def test_batching_preserves_order(batch_size: int) -> None:
    done: list[int] = []
    with open_executor("process", workers=2) as ex:
        results = run_batched(slow_identity, range(N_TASKS), ex, batch_size, done.append)
    assert results == list(range(N_TASKS))
    assert sum(done) == N_TASKS
    n_batches = -(-N_TASKS // batch_size)
    assert len(done) == n_batches and all(k > 0 for k in done)


def test_default_batch_size_and_on_done_total() -> None:
    assert default_batch_size(37, workers_hint=2) == 5
    assert default_batch_size(3, workers_hint=8) == 1
    assert default_batch_size(0) == 1
    done: list[int] = []
    with open_executor("serial") as ex:
        assert run_batched(replicate, range(N_TASKS), ex, on_done=done.append) == EXPECTED
        assert run_batched(replicate, [], ex, on_done=done.append) == []
    assert sum(done) == N_TASKS


@pytest.mark.parametrize("kind", ["serial", "process"])
def test_task_exception_propagates(kind: str) -> None:
    with open_executor(kind, workers=2) as ex:
        with pytest.raises(ValueError, match="task 13 failed"):
            run_batched(fail_on_13, range(N_TASKS), ex, batch_size=2)


def test_invalid_arguments() -> None:
    with pytest.raises(ValueError, match="serial, process, dask"):
        with open_executor("threads"):
            pass
    with pytest.raises(ValueError):
        with open_executor("process", workers=0):
            pass
    with open_executor("serial") as ex:
        with pytest.raises(ValueError):
            run_batched(replicate, range(3), ex, batch_size=0)


def test_dask_missing_raises_executor_unavailable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "distributed", None)  # makes `import distributed` fail
    with pytest.raises(ExecutorUnavailable, match=r"pip install 'chainsim\[dask\]'"):
        with open_executor("dask"):
            pass
    assert issubclass(ExecutorUnavailable, RuntimeError)


@pytest.mark.parametrize("enabled", [False, True])  # True: stderr is captured, not a tty
def test_progress_disabled_is_noop(enabled: bool, capsys: pytest.CaptureFixture[str]) -> None:
    with progress(10, "replications", enabled=enabled) as advance:
        assert callable(advance)
        advance(3)
        advance(7)
    captured = capsys.readouterr()
    assert captured.err == "" and captured.out == ""
