"""The figures of docs/scenarios.md, regenerated from runs of the current model.

Every file of the library, replications 0..N-1 at the file's seed (common random
numbers), each figure as the mean over the replications with its range (min-max): the
overview table, then per case the figures its section cites. On 2 cores, 3 replications
take about a minute:

    nice .venv/bin/python -m benchmarks.scenario_figures                 # 3 replications
    nice .venv/bin/python -m benchmarks.scenario_figures --replications 5 --workers 2
"""

from __future__ import annotations

import argparse
import math
import subprocess
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

from chainsim.engine.simulation import simulate
from chainsim.evidence import metrics as em
from chainsim.results.summary import headline
from chainsim.scenario import load_scenario

ROOT = Path(__file__).resolve().parent.parent
FILES = ("sinos_valley", "sinos_market_buyers", "sinos_one_buyer", "sinos_five_buyers",
         "italian_district", "ludhiana_knitwear", "taiwan_notebooks", "nordeste_fruit")
OVERVIEW = ("fair_share", "exhibitors_per_fair", "functional_upgrading", "process_gain",
            "product_gain", "design_gain", "marketing_gain", "quasi_hierarchy_share",
            "network_share", "market_share_of_links", "price_decline", "leads_alive",
            "main_buyer_share", "firm_main_buyer_share", "buyer_investment",
            "backing_share", "projects_funded", "failed_orders", "lock_in")
# Dated figures per case: (label, metric of chainsim.evidence.metrics, arguments).
EXPORT = ["us-main", "us-other", "eu-importers"]
DATED = {
    "sinos_valley": (
        ("main buyer's share of the cluster's output 1975-90", "buyer_output_share",
         {"cluster": "sinos", "buyers": ["us-main"], "years": [1975, 1990]}),
        ("main buyer's share of the largest quarter's output 1975-90",
         "buyer_share_of_largest", {"cluster": "sinos", "buyer": "us-main",
                                    "years": [1975, 1990]}),
        ("QH share of the export buyers' links 1991-98", "governance_share",
         {"cluster": "sinos", "kind": "quasi_hierarchy", "years": [1991, 1998],
          "buyers": EXPORT}),
        ("QH share of all links 1991-98", "governance_share",
         {"cluster": "sinos", "kind": "quasi_hierarchy", "years": [1991, 1998]}),
        ("price fall 1990 -> 1998", "price_change",
         {"cluster": "sinos", "year_from": 1990, "year_to": 1998}),
        ("share of the exhibitors, March 1997", "fair_share",
         {"cluster": "sinos", "fair": "gds", "year": 1997, "month": 3}),
        ("projects proposed 1991-99", "projects_proposed",
         {"cluster": "sinos", "years": [1991, 1999]}),
        ("projects funded 1991-99", "projects_funded",
         {"cluster": "sinos", "years": [1991, 1999]}),
    ),
    "italian_district": (
        ("share of the exhibitors, March 1997", "fair_share",
         {"cluster": "italy", "fair": "gds", "year": 1997, "month": 3}),
    ),
}


def run_one(job: tuple[str, int]) -> tuple[str, int, dict[str, float], float]:
    name, rep = job
    sc = load_scenario(str(ROOT / "scenarios" / f"{name}.toml"))
    result = simulate(sc, replication=rep)
    out = {k: float(v) for k, v in headline(result).items()
           if isinstance(v, (int, float)) and v is not None}
    rt = em.RunTables.of(result)
    for label, metric, args in DATED.get(name, ()):
        out[f"dated.{label}"] = float(em.METRICS[metric](rt, **args))
    years = (sc.simulation.start_year, sc.simulation.start_year + sc.simulation.horizon_years)
    out["_years"] = float(years[0]) * 10_000 + float(years[1])
    return name, rep, out, float(result.wall_seconds)


def fmt(values: list[float], share: bool = False) -> str:
    arr = np.array([v for v in values if v is not None and math.isfinite(v)])
    if not arr.size:
        return "-"
    scale, unit = (100.0, "%") if share else (1.0, "")
    mean, low, high = arr.mean() * scale, arr.min() * scale, arr.max() * scale

    def one(x: float) -> str:
        return f"{x:,.0f}" if abs(x) >= 1e3 else f"{x:.3g}"

    if math.isclose(low, high, rel_tol=1e-9, abs_tol=1e-12):
        return f"{one(mean)}{unit}"
    return f"{one(mean)}{unit} ({one(low)} to {one(high)})"


SHARES = {"fair_share", "functional_upgrading", "quasi_hierarchy_share", "network_share",
          "market_share_of_links", "main_buyer_share", "firm_main_buyer_share", "lock_in",
          "backing_share"}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--replications", type=int, default=3)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--only", nargs="*", default=list(FILES))
    args = ap.parse_args()
    jobs = [(f, r) for f in args.only for r in range(args.replications)]
    with ProcessPoolExecutor(args.workers) as pool:
        done = list(pool.map(run_one, jobs))
    sha = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
                         capture_output=True, text=True).stdout.strip()
    print(f"{args.replications} replications per file at each file's seed, chainsim at "
          f"`{sha}`; mean (min-max over the replications)\n")
    overview(done, args.only)
    for name in args.only:
        runs = [out for n, _, out, _ in done if n == name]
        walls = [w for n, _, _, w in done if n == name]
        clusters = _clusters(runs)
        print(f"### {name} (run time {np.mean(walls):.1f} s)\n")
        print("| metric | " + " | ".join(clusters) + " |")
        print("|---|" + "---|" * len(clusters))
        for m in OVERVIEW:
            cells = [fmt([r.get(f"cluster.{c}.{m}", math.nan) for r in runs], m in SHARES)
                     for c in clusters]
            if any(c != "-" for c in cells):
                print(f"| {m} | " + " | ".join(cells) + " |")
        for label, metric, _ in DATED.get(name, ()):
            share = metric in {"buyer_output_share", "buyer_share_of_largest",
                               "governance_share", "fair_share", "price_change"}
            print(f"| {label} | {fmt([r[f'dated.{label}'] for r in runs], share)} |"
                  + " |" * (len(clusters) - 1))
        print()


def _clusters(runs: list[dict[str, float]]) -> list[str]:
    return list(dict.fromkeys(k.split(".")[1] for k in runs[0] if k.startswith("cluster.")))


def overview(done: list, names: list[str]) -> None:
    """The overview table of docs/scenarios.md: means over the replications."""
    print("| scenario: cluster | years | fair share (exhibitors per fair) | lead firms at "
          "ODM/OBM | process gain | product gain | design gain | links at the end | price "
          "decline | lead firms in business | run time |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for name in names:
        runs = [out for n, _, out, _ in done if n == name]
        wall = np.mean([w for n, _, _, w in done if n == name])
        y = runs[0]["_years"]
        years = f"{int(y // 10_000)}-{int(round(y % 10_000))}"
        for c in _clusters(runs):
            def mean(m: str, c: str = c, runs: list = runs) -> float:
                vals = [r.get(f"cluster.{c}.{m}", math.nan) for r in runs]
                vals = [v for v in vals if math.isfinite(v)]
                return float(np.mean(vals)) if vals else math.nan
            fair = mean("fair_share")
            fair_text = ("no fair" if not math.isfinite(fair) else
                         f"{fair:.2%} ({mean('exhibitors_per_fair'):.0f} per fair)")
            mix = [(lab, mean(m)) for lab, m in (("QH", "quasi_hierarchy_share"),
                                                 ("network", "network_share"),
                                                 ("market", "market_share_of_links"))]
            links = ", ".join(f"{lab} {v:.0%}" for lab, v in mix if v >= 0.005) or "none"
            print(f"| `{name}`: {c} | {years} | {fair_text} | "
                  f"{mean('functional_upgrading'):.0%} | {mean('process_gain'):.2f} | "
                  f"{mean('product_gain'):.2f} | {mean('design_gain'):.2f} | {links} | "
                  f"{mean('price_decline'):.2f} | {mean('leads_alive'):.0f} | "
                  f"{wall:.1f} s |")
    print()


if __name__ == "__main__":
    main()
