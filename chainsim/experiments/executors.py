"""Executors for replications: serial, local processes or a dask cluster.

The experiment runner only sees ``concurrent.futures.Executor``, so the backend is a
runtime choice. Tasks go out in contiguous batches so per-task overhead (pickling,
scheduling) stays small compared with the duration of a simulation.
"""

from __future__ import annotations

import math
import multiprocessing
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor, as_completed
from contextlib import contextmanager
from multiprocessing.context import BaseContext
from typing import Any, ParamSpec, TypeVar

from rich.console import Console
from rich.progress import MofNCompleteColumn, Progress

P = ParamSpec("P")
T = TypeVar("T")
R = TypeVar("R")

EXECUTOR_KINDS = ("serial", "process", "dask")
MAX_WORKERS = 1024  # more local worker processes than this is a typo, not a machine
SCHEDULER_TIMEOUT = "10s"  # how long to wait for an existing dask scheduler to answer
DASK_EXTRA_MESSAGE = "the dask executor needs the optional extra: pip install 'chainsim[dask]'"


class ExecutorUnavailable(RuntimeError):
    """The requested executor backend is not installed, or its scheduler cannot be reached."""


class SerialExecutor(Executor):
    """Run every submission immediately in this process (debugging, profiling, n=1)."""

    def __init__(self) -> None:
        self._shutdown = False

    def submit(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> Future[T]:
        """Call ``fn`` now and return an already-completed future holding its outcome."""
        if self._shutdown:
            raise RuntimeError("cannot schedule new futures after shutdown")
        future: Future[T] = Future()
        future.set_running_or_notify_cancel()
        try:
            future.set_result(fn(*args, **kwargs))
        except Exception as exc:  # stored on the future, like any other executor
            future.set_exception(exc)
        return future

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        """Refuse further submissions (nothing is ever pending)."""
        self._shutdown = True


def _process_context() -> BaseContext:
    """Start method for the process pool.

    Measured on Linux (Python 3.11, 2 CPUs, pool of 2 workers, start + 4 trivial tasks):
    fork 0.02 s; spawn 1.75-1.9 s and forkserver 1.8-2.0 s once the task module imports
    numpy/scipy/pandas/simpy/pydantic (importing that stack alone takes 1.7-1.9 s; with
    numpy only, spawn costs 0.2 s). That is over the 1 s budget, so we use fork on Linux,
    where it is safe, and the platform default (spawn) elsewhere. open_executor forks all
    workers before it yields, so no other thread (e.g. rich's refresh thread) exists at fork.
    """
    if sys.platform.startswith("linux"):
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context()


def _noop() -> None:
    """Warm-up task used to start pool workers eagerly."""


@contextmanager
def open_executor(
    kind: str = "process",
    workers: int | None = None,
    scheduler: str | None = None,
) -> Iterator[Executor]:
    """Yield an executor of the given kind ("serial", "process" or "dask") and clean it up.

    ``workers`` defaults to the CPU count. For "dask", ``scheduler`` is the address of an
    existing scheduler; without it a loopback LocalCluster is started for the duration.
    """
    if kind not in EXECUTOR_KINDS:
        raise ValueError(
            f"unknown executor kind {kind!r}; known kinds: {', '.join(EXECUTOR_KINDS)}"
        )
    if workers is not None and workers < 1:
        raise ValueError(f"workers must be >= 1, got {workers!r}")
    n_workers = workers or os.cpu_count() or 1

    if kind == "dask":
        with _dask_executor(n_workers, scheduler) as client_executor:
            yield client_executor
        return

    executor: Executor
    if kind == "serial":
        executor = SerialExecutor()
    else:
        executor = ProcessPoolExecutor(max_workers=n_workers, mp_context=_process_context())
    try:
        if isinstance(executor, ProcessPoolExecutor):
            # With fork, the first submit forks every worker at once (CPython launches them
            # all before its manager thread): do it now, while this process has no threads.
            executor.submit(_noop).result()
        yield executor
    finally:
        executor.shutdown(wait=True, cancel_futures=True)


@contextmanager
def _dask_executor(n_workers: int, scheduler: str | None) -> Iterator[Executor]:
    """Connect to (or start) a dask cluster and yield its concurrent.futures executor."""
    try:
        import distributed
    except ImportError as exc:
        raise ExecutorUnavailable(DASK_EXTRA_MESSAGE) from exc

    if scheduler is not None:
        try:
            client = distributed.Client(scheduler, timeout=SCHEDULER_TIMEOUT)
        except (OSError, TimeoutError, ValueError) as exc:
            raise ExecutorUnavailable(
                f"cannot connect to the dask scheduler at {scheduler}: {exc}") from None
        with client:
            yield client.get_executor()
        return
    # Workers forked from this process start in about 0.1 s instead of 3.2 s (spawn
    # re-imports distributed and the chainsim stack in every nanny and worker): measured by
    # the benchmarks (docs/benchmarks.md), same results.
    # The cluster's housekeeping is slowed to what a batch of replications needs: every
    # worker samples its running task's stack each 10 ms for the dashboard's profiler, and
    # every process wakes its event loop each 20 ms (tick) and its memory monitor each
    # 100 ms. On 2 cores those wake-ups take CPU from the replications: 100 ten-year Sinos
    # runs took 27.5-28.7 CPU s with the 20 ms / 100 ms / 500 ms defaults, 25.2-25.6 with
    # these, 24.4-26.0 on the process pool.
    import dask

    housekeeping = {
        "distributed.worker.profile.enabled": False,
        "distributed.admin.tick.interval": "1s",
        "distributed.worker.memory.monitor-interval": "1s",
        "distributed.admin.system-monitor.interval": "2s",
    }
    with (
        dask.config.set({"distributed.worker.multiprocessing-method": "fork", **housekeeping}),
        distributed.LocalCluster(
            n_workers=n_workers,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            # The scheduler's HTTP server always starts; a free loopback port avoids
            # clashing with another cluster on :8787 and exposing it beyond this host.
            dashboard_address="127.0.0.1:0",
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        yield client.get_executor()


def _run_batch(fn: Callable[[T], R], batch: Sequence[T]) -> list[R]:
    """Apply ``fn`` to each task of a batch (module level so it pickles)."""
    return [fn(task) for task in batch]


def default_batch_size(n_tasks: int, workers_hint: int | None = None) -> int:
    """About four batches per worker: enough for load balancing, few enough to amortise."""
    workers_hint = workers_hint or os.cpu_count() or 1
    return max(1, math.ceil(n_tasks / (4 * workers_hint)))


def run_batched(
    fn: Callable[[T], R],
    tasks: Sequence[T],
    executor: Executor,
    batch_size: int | None = None,
    on_done: Callable[[int], None] | None = None,
    on_batch: Callable[[int, list[R]], None] | None = None,
    keep_results: bool = True,
) -> list[R]:
    """Map module-level ``fn`` over ``tasks`` in contiguous batches; results in input order.

    As each batch finishes (in completion order), ``on_batch(start, results)`` receives its
    results (``start`` is the index of its first task), e.g. to save them at once so an
    interrupted experiment can resume; then ``on_done(k)`` is called with its size. The
    first task exception cancels the batches not yet started and is re-raised. With
    ``keep_results=False`` nothing is kept once ``on_batch`` has had it (an empty list is
    returned), so memory does not grow with the number of tasks.
    """
    if batch_size is None:
        batch_size = default_batch_size(len(tasks))
    if batch_size < 1:
        raise ValueError(f"batch_size must be >= 1, got {batch_size!r}")

    futures = {
        executor.submit(_run_batch, fn, list(tasks[start : start + batch_size])): start
        for start in range(0, len(tasks), batch_size)
    }
    results: list[Any] = [None] * len(tasks) if keep_results else []
    try:
        for future in as_completed(futures):
            batch_results = future.result()
            start = futures.pop(future)
            if keep_results:
                results[start : start + len(batch_results)] = batch_results
            if on_batch is not None:
                on_batch(start, batch_results)
            if on_done is not None:
                on_done(len(batch_results))
    except BaseException:
        for future in futures:
            future.cancel()
        raise
    return results if keep_results else []


def _ignore(_k: int) -> None:
    """Progress callback that does nothing."""


@contextmanager
def progress(total: int, description: str, enabled: bool) -> Iterator[Callable[[int], None]]:
    """Yield ``advance(k)`` driving a rich progress bar on stderr.

    The bar is shown only when enabled and stderr is a terminal, so logs and pipes stay clean.
    """
    stderr = sys.stderr
    if not (enabled and stderr is not None and stderr.isatty()):
        yield _ignore
        return
    columns = (*Progress.get_default_columns(), MofNCompleteColumn())
    with Progress(*columns, console=Console(file=stderr)) as bar:
        task_id = bar.add_task(description, total=total)
        yield lambda k: bar.advance(task_id, k)
