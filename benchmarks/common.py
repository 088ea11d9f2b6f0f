"""Shared pieces of the benchmarks: the headline scenario, scaled variants, machine facts."""

from __future__ import annotations

import copy
import os
import platform
import statistics
import subprocess
import time
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SCENARIO = ROOT / "scenarios" / "sinos_valley.toml"
RESULTS = Path(__file__).resolve().parent / "results"


# -- scenarios ---------------------------------------------------------------------------


@lru_cache(maxsize=1)
def headline_raw() -> dict[str, Any]:
    """The Sinos Valley scenario as parsed TOML (before validation)."""
    from chainsim.scenario.load import read_toml

    return read_toml(SCENARIO)


def base_firms(raw: dict[str, Any]) -> int:
    return sum(g["count"] for c in raw["clusters"] for g in c["firms"])


def scaled_raw(n_firms: int | None = None, order_factor: float = 1.0) -> dict[str, Any]:
    """Sinos Valley with ``n_firms`` firms in all and ``order_factor`` times the orders.

    Firms: every lead group is scaled by ``n_firms / 236`` (at least one firm each) and the
    spoke groups take the rest, so the total is exactly ``n_firms``; every buyer's demand
    is scaled by the same factor, so orders per firm (and capacity utilisation) stay about
    the same and the number of orders grows with the firms.

    Orders at fixed firms: ``order_factor`` divides every buyer's order size, so the same
    demand (same utilisation, same agents) arrives as ``order_factor`` times more orders.
    """
    raw = copy.deepcopy(headline_raw())
    if n_firms is not None:
        total = base_firms(raw)
        factor = n_firms / total
        groups = [g for c in raw["clusters"] for g in c["firms"]]
        leads = [g for g in groups if g["role"] == "lead"]
        spokes = [g for g in groups if g["role"] != "lead"]
        for g in leads:
            g["count"] = max(1, round(g["count"] * factor))
        left = n_firms - sum(g["count"] for g in leads)
        if left < len(spokes):
            raise ValueError(f"{n_firms} firms leave too few for the spoke groups")
        spoke_total = sum(g["count"] for g in spokes)
        for k, g in enumerate(spokes):
            share = left - sum(s["count"] for s in spokes[:k]) if k == len(spokes) - 1 else \
                max(1, round(left * g["count"] / spoke_total))
            g["count"] = share
        for b in raw["buyers"]:
            b["demand"] = b["demand"] * factor
    if order_factor != 1.0:
        for b in raw["buyers"]:
            b["order_size"] = b["order_size"] / order_factor
    return raw


def build_scenario(n_firms: int | None = None, order_factor: float = 1.0):
    """A validated Scenario (see ``scaled_raw``)."""
    from chainsim.scenario.load import parse_scenario

    if n_firms is None and order_factor == 1.0:
        from chainsim.scenario import load_scenario

        return load_scenario(SCENARIO)
    return parse_scenario(scaled_raw(n_firms, order_factor), f"{SCENARIO.name} (scaled)")


def order_items(orders: dict[str, int]) -> int:
    """Order items: buyers' orders plus the sub-orders lead firms give their spokes."""
    return int(orders["placed"]) + int(orders["sub_placed"])


# -- timing --------------------------------------------------------------------------------


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    out = fn()
    return time.perf_counter() - started, out


def cpu_timed(fn: Callable[[], Any]) -> tuple[float, float, Any]:
    """(wall seconds, CPU seconds of this process, result)."""
    wall0, cpu0 = time.perf_counter(), time.process_time()
    out = fn()
    return time.perf_counter() - wall0, time.process_time() - cpu0, out


def median(xs: list[float]) -> float:
    return float(statistics.median(xs))


# -- provenance ------------------------------------------------------------------------------


def git(*args: str) -> str:
    try:
        out = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True,
                             check=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return ""
    return out.stdout.strip()


def git_sha() -> str:
    """Short commit of HEAD, with ``-dirty`` if chainsim/ has uncommitted changes."""
    sha = git("rev-parse", "--short", "HEAD") or "nogit"
    dirty = git("status", "--porcelain", "--", "chainsim", "scenarios")
    return f"{sha}-dirty" if dirty else sha


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def machine() -> dict[str, Any]:
    import numpy
    import simpy

    import chainsim

    return {
        "nproc": os.cpu_count(),
        "cpu_model": cpu_model(),
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "simpy": simpy.__version__,
        "numpy": numpy.__version__,
        "chainsim": chainsim.__version__,
    }
