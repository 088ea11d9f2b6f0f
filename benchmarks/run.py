"""Run the benchmark suite, print a table, write JSON (issue 7).

    .venv/bin/python -m benchmarks.run            # full suite, about 8 minutes on 2 cores
    .venv/bin/python -m benchmarks.run --quick    # smaller sizes and horizons, about 1 minute
    .venv/bin/python -m benchmarks.run --only headline,raw
    .venv/bin/python -m benchmarks.run --compare OLD.json NEW.json

Every figure that has a target is a ratio measured within one run on one machine, so
results from different machines can still be compared target by target. Results go to
benchmarks/results/<date>-<git sha>[-quick].json.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from benchmarks.common import (
    RESULTS,
    ROOT,
    build_scenario,
    cpu_timed,
    git_sha,
    machine,
    median,
    order_items,
)

MIB = 1024 * 1024
BUSY_CORES = 0.25  # cores busy with other work, just before a section, above which it warns
SECTIONS = ("headline", "raw", "firms", "horizon", "replications", "dask", "memory")

FULL = {
    "repeats": 5,
    "firm_sizes": [10, 100, 1000, 10000],
    "firm_horizon": 10.0,
    "horizons": [7.5, 15.0, 30.0, 60.0],
    "replications": 100,
    "replication_horizon": 10.0,
    "dask_pairs": 3,
    "memory_firms": [100, 1000, 10000],
    "memory_orders": [1, 4, 16],
    "memory_horizon": 5.0,
}
QUICK = {
    "repeats": 1,
    "firm_sizes": [10, 100, 1000, 10000],
    "firm_horizon": 2.0,
    "horizons": [3.75, 7.5, 15.0],
    "replications": 20,
    "replication_horizon": 2.0,
    "dask_pairs": 1,
    "memory_firms": [100, 1000],
    "memory_orders": [1, 4],
    "memory_horizon": 2.0,
}

# Targets from issue 7: (figure key, comparison, bound, label)
TARGETS = [
    ("raw.ratio", ">=", 0.5, "events/s chainsim / raw SimPy"),
    ("headline.events_per_item", "<=", 3.0, "SimPy events per order item"),
    ("firms.max_doubling", "<=", 2.2, "time x when firms double"),
    ("horizon.max_doubling", "<=", 2.2, "time x when the horizon doubles"),
    ("replications.speedup", ">=", 1.7, "process pool / serial (2 cores)"),
    ("memory.orders_growth", "<=", 1.1, "peak RSS x, x16 orders at fixed firms"),
    ("dask.overhead", "<", 0.10, "Dask LocalCluster overhead vs pool"),
]


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def load() -> float:
    try:
        return os.getloadavg()[0]
    except OSError:
        return 0.0


def _cpu_ticks() -> tuple[int, int]:
    """(busy, total) CPU ticks of the whole machine so far, from /proc/stat."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    return sum(fields) - idle, sum(fields)


def busy_cores(window: float = 1.0) -> float:
    """Cores busy with other work: the machine's CPU use over ``window`` seconds while this
    process sleeps (Linux). The 1-minute load average would count the benchmark's own
    previous section; elsewhere it is all there is."""
    import time

    try:
        busy0, total0 = _cpu_ticks()
        time.sleep(window)
        busy1, total1 = _cpu_ticks()
    except (OSError, ValueError, IndexError):
        return load()
    return (os.cpu_count() or 1) * (busy1 - busy0) / max(1, total1 - total0)


def wait_idle(limit: float) -> None:
    """Wait (at most ``limit`` seconds) until other work uses less than a quarter core."""
    import time

    deadline = time.monotonic() + limit
    while (busy := busy_cores()) > BUSY_CORES and time.monotonic() < deadline:
        log(f"waiting for an idle machine ({busy:.2f} cores busy)")
        time.sleep(15)


# -- measures ---------------------------------------------------------------------------------


def sim_point(scenario, horizon: float | None, repeats: int) -> dict[str, Any]:
    """Run ``simulate`` ``repeats`` times; the fastest run's CPU seconds (the least disturbed
    by other work on the machine; the median is kept too), median wall, last run's counts."""
    from chainsim.engine.simulation import simulate

    walls, cpus, r = [], [], None
    for _ in range(repeats):
        wall, cpu, r = cpu_timed(lambda: simulate(scenario, horizon_years=horizon))
        walls.append(wall)
        cpus.append(cpu)
    assert r is not None
    return {"wall": median(walls), "cpu": min(cpus), "cpu_median": median(cpus),
            "walls": walls, "cpus": cpus, "events": r.events, "orders": r.orders,
            "items": order_items(r.orders)}


def measure_headline(cfg: dict) -> dict[str, Any]:
    """A full Sinos Valley run (one replication): order items/s, events per item, phases."""
    from chainsim.engine.simulation import collect, simulate, start_processes
    from chainsim.engine.world import build_world
    from chainsim.technology import YEAR

    scenario = build_scenario()
    simulate(scenario, horizon_years=1.0)  # warm imports and caches
    p = sim_point(scenario, None, cfg["repeats"])

    # The same run split into its phases (the body of simulate()), in CPU seconds.
    seed = scenario.simulation.seed
    horizon = scenario.simulation.horizon_years

    def build():
        w = build_world(scenario, replication=0, seed=seed)
        start_processes(w)
        return w

    _, t_build, w = cpu_timed(build)
    _, t_run, _ = cpu_timed(lambda: w.env.run(until=horizon * YEAR))
    _, t_collect, _ = cpu_timed(lambda: collect(w, seed, 0, horizon, 0.0))
    return {
        "horizon_years": horizon, **p,
        "items_per_s": p["items"] / p["cpu"], "events_per_s": p["events"] / p["cpu"],
        "items_per_wall_s": p["items"] / p["wall"],
        "events_per_item": p["events"] / p["items"],
        "phases": {"build": t_build, "run": t_run, "collect": t_collect},
        "run_events_per_s": p["events"] / t_run,
    }


def measure_raw(cfg: dict, headline: dict) -> dict[str, Any]:
    """The same number and kinds of SimPy events with no model logic, in this process; and
    the order-flow floor: chainsim's own traced orders routed with no model logic.

    The machine's speed drifts by 10-30% over minutes, so chainsim, the raw model and the
    floor run in interleaved rounds (chainsim, raw, floor, chainsim, raw, ...) and each
    ratio compares the fastest of each taken in the same rounds.
    """
    from benchmarks.floor import run_floor, trace_orders
    from benchmarks.rawsimpy import census, raw_census, run_raw
    from chainsim.engine.simulation import simulate

    scenario = build_scenario()
    c = census(scenario)
    check = raw_census(c)
    schedule, horizon, _ = trace_orders(scenario)
    walls, cpus, model_cpus, floor_cpus = [], [], [], []
    model_events = floor_events = 0
    for _ in range(max(5, cfg["repeats"])):
        _, cpu, r = cpu_timed(lambda: simulate(scenario))
        model_cpus.append(cpu)
        model_events = r.events
        wall, cpu, _ = cpu_timed(lambda: run_raw(c))
        walls.append(wall)
        cpus.append(cpu)
        _, cpu, floor_events = cpu_timed(lambda: run_floor(schedule, horizon))
        floor_cpus.append(cpu)
    raw_eps = check.events / min(cpus)
    model_eps = model_events / min(model_cpus)
    floor_eps = floor_events / min(floor_cpus)
    return {
        "census": c.as_dict(), "raw_census": check.as_dict(), "wall": median(walls),
        "cpu": min(cpus), "cpu_median": median(cpus), "walls": walls, "cpus": cpus,
        "events": check.events, "events_per_s": raw_eps,
        "us_per_event": 1e6 / raw_eps,
        "chainsim_cpus": model_cpus, "chainsim_events_per_s": model_eps,
        "ratio": model_eps / raw_eps,
        "ratio_headline": headline["events_per_s"] / raw_eps,
        "ratio_run_phase": headline["run_events_per_s"] / raw_eps,
        "floor": {"events": floor_events, "cpu": min(floor_cpus), "cpus": floor_cpus,
                  "events_per_s": floor_eps, "us_per_event": 1e6 / floor_eps,
                  "ratio_to_raw": floor_eps / raw_eps, "chainsim_share": model_eps / floor_eps},
    }


def doubling(n1: float, t1: float, n2: float, t2: float) -> float:
    """Time factor per doubling of n between two points: (t2/t1) ** (ln 2 / ln(n2/n1))."""
    return (t2 / t1) ** (math.log(2) / math.log(n2 / n1))


def measure_firms(cfg: dict) -> dict[str, Any]:
    """CPU time as firms grow, buyer demand scaled with them (orders grow too).

    Each size is also replayed as raw SimPy (same events by kind, same mean queue depth,
    no model logic): SimPy's own cost per doubling, the reference for chainsim's. More firms
    mean more work in flight, so a deeper event queue and dearer heap operations.
    """
    from benchmarks.rawsimpy import census, run_raw

    horizon = cfg["firm_horizon"]
    rows = []
    for n in cfg["firm_sizes"]:
        reps = cfg["repeats"] if n <= 1000 else 1
        scenario = build_scenario(n_firms=n)
        p = sim_point(scenario, horizon, min(reps, cfg["repeats"]))
        c = census(scenario, horizon)
        raw = min(cpu_timed(lambda c=c: run_raw(c))[1] for _ in range(min(reps, 3)))
        rows.append({"firms": n, **p, "us_per_event": 1e6 * p["cpu"] / p["events"],
                     "items_per_s": p["items"] / p["cpu"], "raw_cpu": raw,
                     "raw_us_per_event": 1e6 * raw / c.events, "mean_queue": c.mean_queue})
        log(f"  firms {n:>6}: {p['cpu']:7.2f} s CPU  {p['events']:>9} events  raw SimPy "
            f"{raw:.2f} s")
    for a, b in zip(rows, rows[1:], strict=False):
        b["doubling"] = doubling(a["firms"], a["cpu"], b["firms"], b["cpu"])
        b["raw_doubling"] = doubling(a["firms"], a["raw_cpu"], b["firms"], b["raw_cpu"])
    return {"horizon_years": horizon, "rows": rows,
            "max_doubling": max(r.get("doubling", 0.0) for r in rows),
            "raw_max_doubling": max(r.get("raw_doubling", 0.0) for r in rows)}


def measure_horizon(cfg: dict) -> dict[str, Any]:
    """CPU time as the horizon doubles, at the headline's firms."""
    scenario = build_scenario()
    rows = []
    for h in cfg["horizons"]:
        p = sim_point(scenario, h, cfg["repeats"])
        rows.append({"horizon_years": h, **p, "us_per_event": 1e6 * p["cpu"] / p["events"]})
        log(f"  horizon {h:>5} y: {p['cpu']:7.2f} s CPU  {p['events']:>9} events")
    for a, b in zip(rows, rows[1:], strict=False):
        b["doubling"] = b["cpu"] / a["cpu"]
    return {"rows": rows, "max_doubling": max(r.get("doubling", 0.0) for r in rows)}


def _children_cpu() -> float:
    import resource

    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def _replicate_all(kind: str, tasks: list, workers: int | None) -> dict[str, Any]:
    """Run the tasks on a fresh executor of ``kind``: wall seconds including the executor's
    start, start seconds, and CPU seconds of this process and of its (reaped) children."""
    import time

    from benchmarks.tasks import replicate
    from chainsim.experiments.executors import open_executor, run_batched

    cpu0, kids0 = time.process_time(), _children_cpu()
    started = time.perf_counter()
    with open_executor(kind, workers) as ex:
        ready = time.perf_counter()
        out = run_batched(replicate, tasks, ex)
    wall = time.perf_counter() - started
    if kind == "dask":
        time.sleep(1.0)  # let the nannies' worker processes be reaped
    return {"wall": wall, "start": ready - started, "results": out,
            "cpu": time.process_time() - cpu0 + _children_cpu() - kids0}


def measure_replications(cfg: dict) -> dict[str, Any]:
    """Serial versus a process pool on all cores, batched, same tasks.

    ``speedup`` is the wall-clock ratio (the target). On a machine shared with other work
    it understates what the pool can do, so ``cpu_ceiling`` is also reported: workers x
    serial CPU seconds / the pool's CPU seconds (parent and workers), the speedup an idle
    machine would give if the cores do not slow each other down.
    """
    n, h = cfg["replications"], cfg["replication_horizon"]
    tasks = [(r, h, None, 1.0) for r in range(n)]
    workers = os.cpu_count() or 1
    serial = _replicate_all("serial", tasks, 1)
    log(f"  serial: {serial['wall']:.2f} s ({serial['cpu']:.2f} CPU s)")
    pool = _replicate_all("process", tasks, workers)
    log(f"  process pool ({workers}): {pool['wall']:.2f} s ({pool['cpu']:.2f} CPU s)")
    same = [r["events"] for r in serial["results"]] == [r["events"] for r in pool["results"]]
    return {"replications": n, "horizon_years": h, "workers": workers,
            "run_seconds_median": median([r["wall"] for r in serial["results"]]),
            "serial": serial["wall"], "serial_cpu": serial["cpu"],
            "pool": pool["wall"], "pool_cpu": pool["cpu"], "pool_start": pool["start"],
            "speedup": serial["wall"] / pool["wall"], "identical": same,
            "cpu_ceiling": workers * serial["cpu"] / pool["cpu"]}


def measure_dask(cfg: dict) -> dict[str, Any]:
    """Dask LocalCluster (batched, all cores) versus the process pool, same tasks.

    Run to run, either executor's wall time varies by 10% or more on a 2-core virtual
    machine, more than the overhead being measured. So the two run in alternating pairs
    (``dask_pairs``: pool, Dask, pool, Dask, ...) and the figure is the median of the
    pairs' overheads; every pair is kept in the JSON. The replications section's pool is
    not reused: it ran before, not next to, the Dask runs.
    """
    try:
        import distributed  # noqa: F401
    except ImportError:
        return {"skipped": "dask[distributed] not installed"}
    n, h = cfg["replications"], cfg["replication_horizon"]
    tasks = [(r, h, None, 1.0) for r in range(n)]
    workers = os.cpu_count() or 1
    pairs = []
    for k in range(cfg["dask_pairs"]):
        pool = _replicate_all("process", tasks, workers)
        dask = _replicate_all("dask", tasks, workers)
        same = ([r["events"] for r in dask["results"]]
                == [r["events"] for r in pool["results"]])
        pairs.append({"pool": pool["wall"], "pool_cpu": pool["cpu"], "dask": dask["wall"],
                      "dask_cpu": dask["cpu"], "dask_start": dask["start"], "identical": same,
                      "overhead": dask["wall"] / pool["wall"] - 1.0,
                      "overhead_after_start": (dask["wall"] - dask["start"]) / pool["wall"] - 1,
                      "cpu_overhead": dask["cpu"] / pool["cpu"] - 1.0})
        log(f"  pair {k + 1}: pool {pool['wall']:.2f} s, dask ({workers} workers) "
            f"{dask['wall']:.2f} s ({dask['start']:.2f} s cluster start): "
            f"{100 * pairs[-1]['overhead']:+.1f}%")
    mid = sorted(pairs, key=lambda p: p["overhead"])[len(pairs) // 2]
    return {"replications": n, "horizon_years": h, "workers": workers, "pairs": pairs,
            **{k: mid[k] for k in ("pool", "pool_cpu", "dask", "dask_cpu", "dask_start",
                                   "overhead", "overhead_after_start", "cpu_overhead")},
            "identical": all(p["identical"] for p in pairs)}


def _memory_point(spec: dict) -> dict:
    out = subprocess.run([sys.executable, "-m", "benchmarks.tasks", json.dumps(spec)],
                         cwd=ROOT, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def measure_memory(cfg: dict) -> dict[str, Any]:
    """Peak RSS of one run in a fresh interpreter as firms grow, and as orders grow at
    fixed firms (order size divided, demand unchanged)."""
    h = cfg["memory_horizon"]
    firms, orders = [], []
    for n in cfg["memory_firms"]:
        p = _memory_point({"n_firms": n, "horizon": h})
        firms.append(p)
        log(f"  firms {n:>6}: peak {p['rss_peak'] / MIB:6.1f} MiB "
            f"(run +{p['rss_run'] / MIB:.1f})")
    for k in cfg["memory_orders"]:
        p = _memory_point({"order_factor": k, "horizon": h})
        orders.append(p)
        log(f"  orders x{k:<3}: peak {p['rss_peak'] / MIB:6.1f} MiB "
            f"(run +{p['rss_run'] / MIB:.1f})")
    lo, hi = orders[0], orders[-1]
    extra_orders = (hi["placed"] + hi["sub_placed"]) - (lo["placed"] + lo["sub_placed"])
    return {"horizon_years": h, "firms": firms, "orders": orders,
            "orders_growth": hi["rss_peak"] / lo["rss_peak"],
            "orders_run_growth": hi["rss_run"] / max(1, lo["rss_run"]),
            "bytes_per_extra_item": (hi["rss_peak"] - lo["rss_peak"]) / max(1, extra_orders)}


# -- report -----------------------------------------------------------------------------------


def lookup(results: dict, key: str) -> Any:
    node: Any = results
    for part in key.split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


def verdicts(results: dict) -> list[dict]:
    out = []
    for key, op, bound, label in TARGETS:
        value = lookup(results, key)
        if value is None:
            continue
        if key == "memory.orders_growth":
            label = label.replace("x16", f"x{results['config']['memory_orders'][-1]}")
        ok = {">=": value >= bound, "<=": value <= bound, "<": value < bound}[op]
        out.append({"key": key, "label": label, "value": value, "target": f"{op} {bound}",
                    "pass": bool(ok)})
    return out


def table(results: dict) -> str:
    lines = []
    m = results["machine"]
    lines.append(f"chainsim benchmarks  {results['git']}  {results['date']}  "
                 f"mode={results['mode']}")
    lines.append(f"{m['cpu_model']}, {m['nproc']} CPUs, Python {m['python']}, "
                 f"SimPy {m['simpy']}")
    busy = [f"{k} {v:.2f}" for k, v in results.get("busy_cores", {}).items()
            if v > BUSY_CORES]
    if busy:
        lines.append("WARNING: other work was running (cores busy just before the section: "
                     + ", ".join(busy) + "): wall-clock figures, above all the process "
                     "pool and Dask ones, are pessimistic; CPU-second figures less so.")
    h = results.get("headline")
    if h:
        ph = h["phases"]
        lines += ["", f"Headline: Sinos Valley, {h['horizon_years']:g} years, one replication",
                  f"  {h['cpu']:.2f} CPU s, {h['wall']:.2f} wall s (CPU: build "
                  f"{ph['build']:.2f}, run {ph['run']:.2f}, collect {ph['collect']:.2f})",
                  f"  events {h['events']:,}  order items {h['items']:,} "
                  f"(orders {h['orders']['placed']:,} + sub-orders {h['orders']['sub_placed']:,})",
                  f"  order items/s {h['items_per_s']:,.0f}   events/item "
                  f"{h['events_per_item']:.2f}   events/s {h['events_per_s']:,.0f} "
                  f"({1e6 / h['events_per_s']:.1f} us/event)"]
    r = results.get("raw")
    if r:
        lines += ["", "Raw SimPy, same events by kind: "
                  + ", ".join(f"{k} {v:,}" for k, v in r["census"]["counts"].items() if v),
                  f"  raw events/s {r['events_per_s']:,.0f} ({r['us_per_event']:.2f} us/event;"
                  f" mean queue "
                  f"{r['census']['mean_queue']:.0f} chainsim, {r['raw_census']['mean_queue']:.0f}"
                  f" raw)   ratio {r['ratio']:.3f} (interleaved rounds; against the headline's "
                  f"runs {r.get('ratio_headline', r['ratio']):.3f}, run phase only "
                  f"{r['ratio_run_phase']:.3f})"]
        fl = r.get("floor")
        if fl:
            lines.append(f"  order-flow floor (chainsim's traced orders, routed with no model "
                         f"logic): {fl['events_per_s']:,.0f} events/s ({fl['us_per_event']:.2f} "
                         f"us/event) = {fl['ratio_to_raw']:.3f} of raw; chainsim reaches "
                         f"{fl['chainsim_share']:.3f} of the floor")
    f = results.get("firms")
    if f:
        lines += ["", f"Firms ({f['horizon_years']:g}-year runs, demand scaled with firms)",
                  f"  {'firms':>7} {'CPU s':>8} {'events':>10} {'items/s':>9} {'us/event':>9}"
                  f" {'x/doubling':>10} {'queue':>7} {'raw us/ev':>9} {'raw x/dbl':>9}"]
        for row in f["rows"]:
            d = f"{row['doubling']:.2f}" if "doubling" in row else "-"
            rd = f"{row['raw_doubling']:.2f}" if "raw_doubling" in row else "-"
            queue = row.get("mean_queue", float("nan"))
            raw_us = row.get("raw_us_per_event", float("nan"))
            lines.append(f"  {row['firms']:>7,} {row['cpu']:>8.2f} {row['events']:>10,}"
                         f" {row['items_per_s']:>9,.0f} {row['us_per_event']:>9.1f} {d:>10}"
                         f" {queue:>7,.0f} {raw_us:>9.2f} {rd:>9}")
    hz = results.get("horizon")
    if hz:
        lines += ["", "Horizon (Sinos Valley firms)",
                  f"  {'years':>7} {'CPU s':>8} {'events':>10} {'us/event':>9} {'x/doubling':>10}"]
        for row in hz["rows"]:
            d = f"{row['doubling']:.2f}" if "doubling" in row else "-"
            lines.append(f"  {row['horizon_years']:>7g} {row['cpu']:>8.2f} {row['events']:>10,}"
                         f" {row['us_per_event']:>9.1f} {d:>10}")
    rp = results.get("replications")
    if rp:
        lines += ["", f"Replications: {rp['replications']} x {rp['horizon_years']:g} years "
                  f"(median run {rp['run_seconds_median']:.2f} s), batched",
                  f"  serial {rp['serial']:.2f} s   process pool x{rp['workers']} "
                  f"{rp['pool']:.2f} s   speedup {rp['speedup']:.2f}x   identical results "
                  f"{rp['identical']}",
                  f"  CPU s: serial {rp['serial_cpu']:.2f}, pool {rp['pool_cpu']:.2f} "
                  f"(parent and workers)   CPU-bound ceiling {rp['cpu_ceiling']:.2f}x"]
    dk = results.get("dask")
    if dk and "skipped" not in dk:
        each = ", ".join(f"{100 * p['overhead']:+.1f}%" for p in dk.get("pairs", []))
        lines += [f"  dask LocalCluster x{dk['workers']} {dk['dask']:.2f} s (start "
                  f"{dk['dask_start']:.2f} s) next to the pool's {dk['pool']:.2f} s: overhead "
                  f"{100 * dk['overhead']:+.1f}% ({100 * dk['overhead_after_start']:+.1f}% "
                  f"after start; {100 * dk['cpu_overhead']:+.1f}% in CPU s), median of "
                  f"pairs {each}"]
    elif dk:
        lines.append(f"  dask: {dk['skipped']}")
    mem = results.get("memory")
    if mem:
        lines += ["", f"Peak RSS per run, fresh process ({mem['horizon_years']:g}-year runs)",
                  f"  {'firms':>7} {'orders x':>8} {'items':>10} {'peak MiB':>9} {'run MiB':>8}"]
        for row in mem["firms"] + mem["orders"]:
            lines.append(f"  {row['firms']:>7,} {row.get('order_factor', 1):>8g}"
                         f" {row['placed'] + row['sub_placed']:>10,}"
                         f" {row['rss_peak'] / MIB:>9.1f} {row['rss_run'] / MIB:>8.1f}")
        lines.append(f"  peak x{mem['orders_growth']:.2f} for "
                     f"x{results['config']['memory_orders'][-1]} orders at fixed firms "
                     f"({mem['bytes_per_extra_item']:.0f} bytes per extra order item)")
    v = results.get("targets", [])
    if v:
        lines += ["", "Targets", f"  {'':42} {'value':>9} {'target':>9}"]
        for t in v:
            lines.append(f"  {t['label']:42} {t['value']:>9.3f} {t['target']:>9}  "
                         f"{'PASS' if t['pass'] else 'FAIL'}")
    return "\n".join(lines)


def compare(old_path: str, new_path: str) -> str:
    old, new = (json.loads(Path(p).read_text()) for p in (old_path, new_path))
    lines = [f"{'figure':42} {old['git']:>14} {new['git']:>14}"]
    keys = [(k, label) for k, _, _, label in TARGETS] + [
        ("headline.items_per_s", "order items/s"), ("headline.events_per_s", "events/s"),
        ("headline.wall", "headline wall s"), ("raw.events_per_s", "raw SimPy events/s")]
    for key, label in keys:
        a, b = lookup(old, key), lookup(new, key)
        fa = "-" if a is None else f"{a:.3f}"
        fb = "-" if b is None else f"{b:.3f}"
        lines.append(f"{label:42} {fa:>14} {fb:>14}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="smaller sizes, shorter horizons")
    ap.add_argument("--only", default="", help=f"comma-separated subset of {','.join(SECTIONS)}")
    ap.add_argument("--out", default=None, help="JSON path (default benchmarks/results/...)")
    ap.add_argument("--wait-idle", type=float, default=0.0, metavar="SECONDS",
                    help="before each section, wait up to SECONDS for the load to drop")
    ap.add_argument("--compare", nargs=2, metavar=("OLD", "NEW"), help="compare two JSON files")
    args = ap.parse_args(argv)
    if args.compare:
        print(compare(*args.compare))
        return 0
    only = [s for s in args.only.split(",") if s] or list(SECTIONS)
    unknown = set(only) - set(SECTIONS)
    if unknown:
        ap.error(f"unknown sections: {', '.join(sorted(unknown))}")
    cfg = QUICK if args.quick else FULL
    now = dt.datetime.now(dt.UTC)
    results: dict[str, Any] = {
        "date": now.strftime("%Y-%m-%dT%H:%M:%SZ"), "git": git_sha(),
        "mode": "quick" if args.quick else "full", "machine": machine(), "config": cfg,
    }
    steps = [
        ("headline", "headline: Sinos Valley full run", lambda: measure_headline(cfg)),
        ("raw", "raw SimPy equivalent", lambda: measure_raw(cfg, results["headline"])),
        ("firms", "scaling with firms", lambda: measure_firms(cfg)),
        ("horizon", "scaling with horizon", lambda: measure_horizon(cfg)),
        ("replications", "replications: serial vs process pool",
         lambda: measure_replications(cfg)),
        ("dask", "replications: dask LocalCluster",
         lambda: measure_dask(cfg)),
        ("memory", "peak memory (fresh process per size)", lambda: measure_memory(cfg)),
    ]
    if "raw" in only and "headline" not in only:
        only.append("headline")
    results["load"], results["busy_cores"] = {}, {}
    for name, title, fn in steps:
        if name not in only:
            continue
        if args.wait_idle:
            wait_idle(args.wait_idle)
        results["load"][name] = load()
        results["busy_cores"][name] = busy_cores()
        log(title)
        results[name] = fn()
    results["targets"] = verdicts(results)
    print(table(results))
    out = Path(args.out) if args.out else RESULTS / (
        f"{now:%Y-%m-%d}-{results['git']}{'-quick' if args.quick else ''}.json")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=1, default=str) + "\n")
    log(f"wrote {out.relative_to(ROOT) if out.is_relative_to(ROOT) else out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
