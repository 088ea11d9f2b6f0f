"""Executors for replications: serial, local processes or a dask cluster.

The experiment runner only sees ``concurrent.futures.Executor``, so the backend is a
runtime choice. Tasks go out in contiguous batches so per-task overhead (pickling,
scheduling) stays small compared with the duration of a simulation.
"""

from __future__ import annotations

import gc
import logging
import math
import multiprocessing
import os
import signal
import sys
import threading
import time
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


PR_SET_PDEATHSIG = 1  # linux/prctl.h
WATCHDOG_SECONDS = 1.0


def _worker_init(parent: int) -> None:
    """Run in every pool worker as it starts: exit with the parent, leave Ctrl-C to it.

    A worker whose parent is killed (SIGTERM, SIGKILL, out of memory) would otherwise
    live on, holding some 150 MB, with nobody to read its result. On Linux the kernel
    kills it when the parent dies (prctl PR_SET_PDEATHSIG); everywhere a daemon thread
    checks each second that the parent is still its parent. Ctrl-C reaches the whole
    process group: the workers ignore it, and the parent stops the pool and says how to
    resume, instead of every worker printing a traceback.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # not the parent's handler, if any
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):  # no prctl: the watchdog still runs
            pass
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(1)
    threading.Thread(target=_watch_parent, args=(parent,), daemon=True,
                     name="chainsim-parent-watchdog").start()
    # What the worker inherited from its parent (a robustness design's thousands of
    # scenarios, the imported libraries) lives as long as the worker and is garbage it
    # never makes: keep the collector off it (the gc module's advice for forked children).
    # Each run's full collection (engine/simulation.py) then looks at the last run's world
    # only; it had to walk the 200,000-odd inherited objects each time, 13% of a worker's
    # time in `chainsim robustness`, and its writes made the inherited pages private copies.
    gc.freeze()


def _watch_parent(parent: int) -> None:
    """Exit this worker as soon as `parent` is no longer its parent process."""
    while True:
        time.sleep(WATCHDOG_SECONDS)
        if os.getppid() != parent:
            os._exit(1)


def worker_count(workers: int | None, tasks: int | None = None) -> int:
    """Workers to start: as asked (default: the CPU count), but never more than there
    are tasks, so `--workers 1000` for 2 replications starts 2 processes."""
    n = workers or os.cpu_count() or 1
    return max(1, min(n, tasks)) if tasks is not None else n


@contextmanager
def open_executor(
    kind: str = "process",
    workers: int | None = None,
    scheduler: str | None = None,
    tasks: int | None = None,
) -> Iterator[Executor]:
    """Yield an executor of the given kind ("serial", "process" or "dask") and clean it up.

    ``workers`` defaults to the CPU count and is capped at ``tasks`` when given. For
    "dask", ``scheduler`` is the address of an existing scheduler; without it a loopback
    LocalCluster is started for the duration. If the block ends with an exception
    (Ctrl-C, a dead worker), pool workers are stopped at once instead of finishing the
    batches they hold.
    """
    if kind not in EXECUTOR_KINDS:
        raise ValueError(
            f"unknown executor kind {kind!r}; known kinds: {', '.join(EXECUTOR_KINDS)}"
        )
    if workers is not None and workers < 1:
        raise ValueError(f"workers must be >= 1, got {workers!r}")
    n_workers = worker_count(workers, tasks)

    if kind == "dask":
        with _dask_executor(n_workers, scheduler) as client_executor:
            yield client_executor
        return

    executor: Executor
    if kind == "serial":
        executor = SerialExecutor()
    else:
        executor = ProcessPoolExecutor(max_workers=n_workers, mp_context=_process_context(),
                                       initializer=_worker_init, initargs=(os.getpid(),))
    try:
        if isinstance(executor, ProcessPoolExecutor):
            # With fork, the first submit forks every worker at once (CPython launches them
            # all before its manager thread): do it now, while this process has no threads.
            executor.submit(_noop).result()
        yield executor
    except BaseException:
        _stop_workers(executor)
        raise
    finally:
        executor.shutdown(wait=True, cancel_futures=True)


def _stop_workers(executor: Executor) -> None:
    """Terminate a process pool's workers (their batches are abandoned: an interrupted
    experiment resumes from what was saved)."""
    processes = getattr(executor, "_processes", None) or {}
    for process in list(processes.values()):
        try:
            process.terminate()
        except (OSError, AttributeError):
            pass


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
    with dask.config.set({"distributed.worker.multiprocessing-method": "fork",
                          **housekeeping}):
        # Worker processes forked now inherit "ignore Ctrl-C": the terminal sends SIGINT
        # to the whole process group, and this process alone should answer it (the
        # workers printed six tracebacks); they exit when the cluster closes.
        # Cancelling their batches at Ctrl-C makes every worker log a warning: quiet.
        logging.getLogger("distributed.worker.state_machine").setLevel(logging.ERROR)
        with _sigint_ignored():
            cluster = distributed.LocalCluster(
                n_workers=n_workers,
                threads_per_worker=1,
                processes=True,
                host="127.0.0.1",
                # The scheduler's HTTP server always starts; a free loopback port avoids
                # clashing with another cluster on :8787 and exposing it beyond this host.
                dashboard_address="127.0.0.1:0",
            )
        with cluster, distributed.Client(cluster) as client:
            yield client.get_executor()


@contextmanager
def _sigint_ignored() -> Iterator[None]:
    """Ignore SIGINT in this process for the block (only the main thread can)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


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
        with _interrupts() as interrupted:
            _collect(futures, results, keep_results, on_batch, on_done, interrupted)
    except KeyboardInterrupt:
        raise  # open_executor stops the workers (cancelling Dask futures here races)
    except BaseException:
        for future in futures:
            future.cancel()
        raise
    return results if keep_results else []


def _collect(futures: dict[Future, int], results: list[Any], keep_results: bool,
             on_batch: Callable[[int, list[Any]], None] | None,
             on_done: Callable[[int], None] | None, interrupted: list[bool]) -> None:
    """Hand each batch's results on as it finishes; stop at a Ctrl-C even if Python
    swallowed its KeyboardInterrupt (raised inside a finalizer, such as a released Dask
    future's `__del__`, it is only printed)."""
    for future in as_completed(list(futures)):
        batch_results = future.result()
        start = futures.pop(future)  # released: its result is not kept twice
        del future
        if keep_results:
            results[start : start + len(batch_results)] = batch_results
        if on_batch is not None:
            on_batch(start, batch_results)
        if on_done is not None:
            on_done(len(batch_results))
        if interrupted[0]:
            raise KeyboardInterrupt


def _in_finalizer(frame: Any) -> bool:
    """True if the interrupted code runs inside a `__del__` (a few frames up)."""
    for _ in range(8):
        if frame is None:
            return False
        if frame.f_code.co_name == "__del__":
            return True
        frame = frame.f_back
    return False


@contextmanager
def _interrupts() -> Iterator[list[bool]]:
    """While the block runs, Ctrl-C raises KeyboardInterrupt as usual and also sets the
    yielded flag, so the loop can stop even when the exception was swallowed."""
    flag = [False]
    if (threading.current_thread() is not threading.main_thread()
            or signal.getsignal(signal.SIGINT) is not signal.default_int_handler):
        yield flag
        return

    def handler(signum: int, frame: Any) -> None:
        flag[0] = True
        if not _in_finalizer(frame):  # there it would be printed and dropped
            raise KeyboardInterrupt

    signal.signal(signal.SIGINT, handler)
    try:
        yield flag
    finally:
        signal.signal(signal.SIGINT, signal.default_int_handler)


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
