"""What one point of `chainsim robustness`'s default design costs, by configuration, as a
worker spends it (issue 13: the default design, 64 points x 5 replications, in under 30
minutes on 2 cores).

The tasks of a few points and replications run on one pool worker, forked from a process
that holds the whole design, as `chainsim robustness` runs them (the collector's work
between runs, over what the worker inherited, counts); the figure is CPU seconds per
point and replication, summed over the design's configurations, and the default design's
projected wall time on N workers.

    .venv/bin/python -m benchmarks.robustness_cost                 # this tree
    .venv/bin/python -m benchmarks.robustness_cost --against DIR   # alternate with DIR

With `--against`, the same measurement runs in a subprocess on the other tree, the two
trees alternating round by round (the machine's load falls on both alike); the ratio is
old CPU / new CPU per round, and its median is the figure to quote.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def design_tasks() -> list:
    """Every task of the default design, as `chainsim robustness` builds them."""
    from chainsim.cli.evidence_common import library_dir
    from chainsim.evidence import robustness as rb
    from chainsim.scenario import load_scenario

    lib = library_dir()
    params, props = rb.load_ranges(), rb.default_props()
    factors = rb.design(params, rb.DEFAULT_POINTS, 0)
    every, _ = rb.build_tasks(props, params, factors, rb.DEFAULT_REPLICATIONS, 20000,
                              lambda f, o: load_scenario(lib / f, o))
    return every


def measure(points: tuple[int, ...], replications: int, by_config: bool = False) -> dict:
    """Run the chosen points' tasks on one pool worker, forked (as `chainsim robustness`
    forks its workers) from a process holding the whole design; the worker's CPU time
    comes from the children's rusage once the pool is shut down."""
    import resource

    from chainsim.evidence.robustness import DEFAULT_POINTS, DEFAULT_REPLICATIONS
    from chainsim.evidence.runner import run_metric_task, run_tasks

    every = design_tasks()
    todo = [t for t in every if int(t.config.split(":")[0]) in points
            and t.replication < replications]
    res: dict = {"tasks": len(todo)}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    run_tasks(todo, executor_kind="process", workers=1)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    per_point_rep = cpu / (len(points) * replications)
    res["cpu_per_point_replication"] = per_point_rep
    res["default_design_cpu_s"] = per_point_rep * DEFAULT_POINTS * DEFAULT_REPLICATIONS
    if by_config:  # in this process, one task after another: where the time goes
        spent: dict[str, float] = defaultdict(float)
        for t in todo:
            t0 = time.process_time()
            run_metric_task(t)
            spent[t.config.split(":", 1)[1]] += time.process_time() - t0
        res["by_configuration"] = {k: v / (len(points) * replications)
                                   for k, v in sorted(spent.items())}
    return res


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", default="0,1", help="design points, comma-separated")
    parser.add_argument("--replications", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--against", type=Path, help="another checkout to alternate with")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--json", action="store_true", help="one JSON line (used by --against)")
    parser.add_argument("--by-config", action="store_true",
                        help="also time each configuration in this process")
    args = parser.parse_args()
    points = tuple(int(p) for p in args.points.split(","))
    if args.against is None:
        res = measure(points, args.replications, args.by_config)
        if args.json:
            print(json.dumps(res))
            return 0
        _print(res, args.workers)
        return 0
    rounds: dict[str, list[float]] = {"old": [], "new": []}
    for _ in range(args.rounds):
        for name, tree in (("old", args.against), ("new", ROOT)):
            env = {**os.environ, "PYTHONPATH": str(tree)}
            # This file measures either tree: chainsim comes from the tree's PYTHONPATH.
            out = subprocess.run([sys.executable, __file__, "--json",
                                  "--points", args.points, "--replications",
                                  str(args.replications)], cwd=tree, env=env, check=True,
                                 capture_output=True, text=True).stdout
            rounds[name].append(json.loads(out.splitlines()[-1])["cpu_per_point_replication"])
            print(f"{name}: {rounds[name][-1]:.2f} CPU s per point and replication", flush=True)
    ratios = [o / n for o, n in zip(rounds["old"], rounds["new"], strict=True)]
    print(f"old/new median {statistics.median(ratios):.3f} (rounds: "
          + ", ".join(f"{r:.3f}" for r in ratios) + ")")
    return 0


def _print(res: dict, workers: int) -> None:
    print(f"{res['tasks']} tasks; CPU s per point and replication: "
          f"{res['cpu_per_point_replication']:.2f}")
    for name, cpu in res.get("by_configuration", {}).items():
        print(f"  {name:28s} {cpu:6.2f}")
    wall = res["default_design_cpu_s"] / workers
    print(f"default design: {res['default_design_cpu_s']:.0f} CPU s, about {wall / 60:.1f} min "
          f"on {workers} workers")


if __name__ == "__main__":
    raise SystemExit(main())
