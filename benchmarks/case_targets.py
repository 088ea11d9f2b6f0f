"""The cases against the paper's figures (issue 12 item 8), measured on one replication.

For each shipped case: the figure the paper gives, the range issue 12 accepts, and what
the model produces at a seed. Not a test (one replication proves nothing); a quick look
at the gaps while calibrating, cheap enough for a shared machine (about 10 CPU seconds):

    nice .venv/bin/python -m benchmarks.case_targets            # seed 7
    nice .venv/bin/python -m benchmarks.case_targets --seed 3 --only sinos_valley
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from chainsim.engine.simulation import RunResult, simulate
from chainsim.results import metrics as M
from chainsim.scenario import load_scenario

ROOT = Path(__file__).resolve().parent.parent
Row = tuple[str, str, float]  # figure, target as text, measured value


def with_years(result: RunResult) -> dict[str, pd.DataFrame]:
    """The run's tables with a calendar `year` column."""
    start = result.scenario.simulation.start_year
    t = result.tables
    times = t["firms"].drop_duplicates("period").set_index("period")["time"]
    out = {"firms": t["firms"].assign(year=start + t["firms"]["time"] / 360.0),
           "links": t["links"].assign(year=start + t["links"]["period"].map(times) / 360.0)}
    out["fairs"] = (t["fairs"].assign(year=start + t["fairs"]["time"] / 360.0)
                    if not t["fairs"].empty else t["fairs"])
    return out


def cluster(result: RunResult, cid: str) -> int:
    return [c.id for c in result.scenario.clusters].index(cid)


def buyers(result: RunResult, ids: tuple[str, ...]) -> list[int]:
    """Buyer indices of the named groups (a group of `count` buyers has several)."""
    out, k = [], 0
    for b in result.scenario.buyers:
        if b.id in ids:
            out += list(range(k, k + b.count))
        k += b.count
    return out


def fair_share_at(fairs: pd.DataFrame, c: int, year: float, month: int) -> float:
    """The cluster's share of one fair's exhibitors (the fair held in that month)."""
    when = year + (month - 1) / 12.0
    rows = fairs[(fairs["year"] - when).abs() < 0.01]
    if rows.empty:
        return float("nan")
    return float(rows.loc[rows["cluster"] == c, "exhibitors"].sum() / rows["total"].iloc[0])


def window(frame: pd.DataFrame, y0: float, y1: float) -> pd.DataFrame:
    return frame[(frame["year"] >= y0) & (frame["year"] < y1)]


def sinos(result: RunResult) -> list[Row]:
    t, c = with_years(result), cluster(result, "sinos")
    export = buyers(result, ("us-main", "us-other", "eu-importers"))
    links = t["links"][(t["links"]["cluster"] == c)]
    tight = links[links["active"] & links["buyer"].isin(export)]
    sold = links[links["units"] > 0]
    sold90 = window(sold, 1990, 1999)
    by_buyer = sold90.groupby("buyer")["units"].sum()
    main = buyers(result, ("us-main",))[0]
    mains = sold90[sold90["buyer"] == main]["firm"].unique()
    per = sold90[sold90["firm"].isin(mains)].groupby("buyer")["units"].sum()
    index = M.price_index(links[links["buyer"].isin(export)])
    index = index.assign(year=index["period"].map(
        t["firms"].drop_duplicates("period").set_index("period")["year"]))
    p90 = window(index, 1990, 1991)["price_index"].mean()
    p98 = window(index, 1998, 1999)["price_index"].mean()
    leads = t["firms"][(t["firms"]["cluster"] == c) & t["firms"]["lead"]]
    lead98 = window(leads, 1998, 1998.26)
    mains98 = lead98[lead98["firm"].isin(mains)]
    proc = leads.groupby(leads["year"].round(2))["process"].mean()

    def gain(y0: float, y1: float) -> float:
        return float(proc[proc.index >= y1].iloc[0] - proc[proc.index >= y0].iloc[0])

    def qh(y0: float, y1: float) -> float:
        return float((window(tight, y0, y1)["governance"] == "quasi_hierarchy").mean())

    return [
        ("fair share, Duesseldorf March 1997", "0.2-0.9% (0.43%)",
         100 * fair_share_at(t["fairs"], c, 1997, 3)),
        ("main buyer, % of cluster output 1990s", "about 40",
         100 * by_buyer.max() / by_buyer.sum()),
        ("main buyer, % of its suppliers' output", "over 80", 100 * per.get(main, 0) / per.sum()),
        ("price fall 1990-98, export links, %", ">= 15", 100 * (1 - p98 / p90)),
        ("main buyer's suppliers at ODM+ 1998, %", "0", 100 * float((mains98["rung"] >= 2).mean())),
        ("all lead firms at ODM+ 1998, %", "low", 100 * float((lead98["rung"] >= 2).mean())),
        ("QH share of export links 1991-98", "mostly QH", qh(1991, 1999)),
        ("QH share of export links 1975-95", "(was 0.43)", qh(1975, 1995)),
        ("process gain 1983-90 (lead firms)", "< 1991-98", gain(1983, 1990)),
        ("process gain 1991-98 (lead firms)", "> 1983-90", gain(1991, 1998)),
    ]


def italy(result: RunResult) -> list[Row]:
    t, c = with_years(result), cluster(result, "italy")
    return [("fair share, Duesseldorf March 1997", "25-45% (35.7%)",
             100 * fair_share_at(t["fairs"], c, 1997, 3))]


def taiwan(result: RunResult) -> list[Row]:
    t = with_years(result)
    active = t["links"][t["links"]["active"]]

    def net(y0: float, y1: float) -> float:
        return float((window(active, y0, y1)["governance"] == "network").mean())

    return [("network share of links 1994-96", "most", net(1994, 1997)),
            ("network share of links 1998-2000", "(loosening)", net(1998, 2001))]


def obm(cid: str, target: str) -> Callable[[RunResult], list[Row]]:
    def rows(result: RunResult) -> list[Row]:
        t, c = with_years(result), cluster(result, cid)
        leads = t["firms"][(t["firms"]["cluster"] == c) & t["firms"]["lead"]]
        last = leads[leads["period"] == leads["period"].max()]
        return [(f"{cid}: lead firms at the top rung, %", target,
                 100 * float((last["rung"] >= 3).mean()))]
    return rows


CASES: dict[str, list[Callable[[RunResult], list[Row]]]] = {
    "sinos_valley": [sinos],
    "italian_district": [italy],
    "taiwan_notebooks": [taiwan],
    "ludhiana_knitwear": [obm("ludhiana", "leading exporters only")],
    "nordeste_fruit": [obm("sao-francisco", "fruit ladder")],
}


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--only", action="append", help="a case (file stem); repeatable")
    ap.add_argument("--set", action="append", default=[], help="an override, as chainsim's")
    args = ap.parse_args(argv)
    for name, measures in CASES.items():
        if args.only and name not in args.only:
            continue
        result = simulate(load_scenario(ROOT / "scenarios" / f"{name}.toml", args.set),
                          seed=args.seed)
        print(f"{name} (seed {args.seed})")
        for measure in measures:
            for figure, target, value in measure(result):
                print(f"  {figure:<42} {target:>22} {value:8.3f}")


if __name__ == "__main__":
    main()
