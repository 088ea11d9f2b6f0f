"""Module-level tasks the benchmarks send to executors and child processes (they pickle).

``python -m benchmarks.tasks '<json>'`` runs one simulation in a fresh interpreter and
prints its peak resident memory, so each size is measured without what earlier runs left
behind in the allocator.
"""

from __future__ import annotations

import json
import resource
import sys
import time
from functools import lru_cache
from typing import Any


@lru_cache(maxsize=8)
def _scenario(n_firms: int | None, order_factor: float):
    from benchmarks.common import build_scenario

    return build_scenario(n_firms, order_factor)


def replicate(task: tuple[int, float, int | None, float]) -> dict[str, Any]:
    """One replication: ``(replication, horizon_years, n_firms, order_factor)``.

    Returns a few numbers, not the RunResult: the benchmark measures the executors'
    overhead for runs, not for shipping per-period panels back.
    """
    from chainsim.engine.simulation import simulate

    replication, horizon, n_firms, order_factor = task
    r = simulate(_scenario(n_firms, order_factor), replication=replication,
                 horizon_years=horizon)
    return {"replication": replication, "events": r.events, "placed": r.orders["placed"],
            "sub_placed": r.orders["sub_placed"], "wall": r.wall_seconds}


def _status_kib(field: str) -> int | None:
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def _reset_peak() -> bool:
    """Reset the kernel's peak-RSS mark (Linux >= 4.0: write 5 to /proc/self/clear_refs)."""
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
    except OSError:
        return False
    return True


def _maxrss_bytes() -> int:
    # ru_maxrss is in kilobytes on Linux, bytes on macOS
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return int(rss if sys.platform == "darwin" else rss * 1024)


def memory_child(spec: dict[str, Any]) -> dict[str, Any]:
    """Peak RSS of one run in this (fresh) process.

    ``rss_base`` is the resident size once chainsim is imported and the scenario built;
    ``rss_peak`` the high-water mark of the run itself (on Linux the kernel's mark is reset
    just before the run, so a transient peak during imports does not hide the run's);
    ``rss_run = rss_peak - rss_base``, what the run adds.
    """
    import gc

    from chainsim.engine.simulation import simulate

    scenario = _scenario(spec.get("n_firms"), float(spec.get("order_factor", 1.0)))
    gc.collect()
    current = _status_kib("VmRSS")
    if current is not None and _reset_peak():
        before = current * 1024
        method = "VmHWM after clear_refs"
    else:
        before = _maxrss_bytes()
        method = "ru_maxrss"
    started = time.perf_counter()
    r = simulate(scenario, horizon_years=spec.get("horizon"))
    wall = time.perf_counter() - started
    hwm = _status_kib("VmHWM") if method.startswith("VmHWM") else None
    after = hwm * 1024 if hwm is not None else _maxrss_bytes()
    return {**spec, "firms": sum(g.count for c in scenario.clusters for g in c.firms),
            "placed": r.orders["placed"], "sub_placed": r.orders["sub_placed"],
            "events": r.events, "wall": wall, "rss_base": before, "rss_peak": after,
            "rss_run": after - before, "method": method}


if __name__ == "__main__":
    print(json.dumps(memory_child(json.loads(sys.argv[1]))))
