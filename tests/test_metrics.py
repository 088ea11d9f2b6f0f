"""Metrics on hand-made tables: no simulation runs here.

Each test builds the few rows a metric reads and checks the number worked out by hand, so
a change in a definition (weights, windows, who counts) makes it fail.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from chainsim.experiments import series as s
from chainsim.results import metrics as m

LINK_COLUMNS = ["period", "link", "buyer", "firm", "cluster", "governance", "active", "share",
                "price", "units", "value", "origin", "sunk"]


def links(*rows: tuple) -> pd.DataFrame:
    """Rows of (period, buyer, firm, cluster, governance, active, price, units[, sunk])."""
    out = []
    for i, r in enumerate(rows):
        period, buyer, firm, cluster, gov, active, price, units, *rest = r
        sunk = rest[0] if rest else 0.0
        out.append((period, f"b{buyer}-f{firm}", buyer, firm, cluster, gov, active, 1.0,
                    price, units, price * units, "initial", sunk))
        del i
    return pd.DataFrame(out, columns=LINK_COLUMNS)


def firms(rows: list[tuple]) -> pd.DataFrame:
    """Rows of (period, firm, cluster, lead, process, product, design, marketing, rung)."""
    df = pd.DataFrame(rows, columns=["period", "firm", "cluster", "lead", "process", "product",
                                     "design", "marketing", "rung"])
    df["time"] = (df["period"] + 1) * 90.0
    return df


def flows(rows: list[tuple]) -> pd.DataFrame:
    """Cluster flow rows of (period, cluster, units, value, retail_value)."""
    df = pd.DataFrame(rows, columns=["period", "cluster", "units", "value", "retail_value"])
    df["time"] = (df["period"] + 1) * 90.0
    for col in ("delivered", "failed", "refused", "scouted_units"):
        df[col] = 0.0
    return df


# -- price pressure -----------------------------------------------------------------------


def test_price_index_is_units_weighted_and_skips_unsold_links() -> None:
    table = links((0, 0, 0, 0, "market", True, 10.0, 100.0),
                  (0, 1, 1, 0, "market", True, 7.0, 300.0),
                  (0, 1, 2, 0, "market", True, 1.0, 0.0),  # no units: no weight
                  (0, 0, 3, 1, "market", True, 4.0, 50.0))
    index = m.price_index(table).set_index(["period", "cluster"])["price_index"]
    assert index[(0, 0)] == pytest.approx((10 * 100 + 7 * 300) / 400)  # 7.75, not 6
    assert index[(0, 1)] == pytest.approx(4.0)


def test_price_decline_compares_first_and_last_window() -> None:
    index = pd.DataFrame({"period": range(8), "cluster": 0,
                          "price_index": [10, 10, 10, 10, 8, 8, 8, 8]})
    assert m.price_decline(index, 0) == pytest.approx(0.2)
    # window shrinks to half the series: 3 periods -> first 1 vs last 1
    short = pd.DataFrame({"period": range(3), "cluster": 0, "price_index": [10, 9, 5]})
    assert m.price_decline(short, 0) == pytest.approx(0.5)
    assert math.isnan(m.price_decline(short, 1))  # no prices for cluster 1
    rising = pd.DataFrame({"period": range(2), "cluster": 0, "price_index": [10, 12]})
    assert m.price_decline(rising, 0) == pytest.approx(-0.2)


def test_scouted_share_counts_entrant_units() -> None:
    table = flows([(0, 0, 300.0, 0, 0), (0, 1, 100.0, 0, 0), (1, 1, 100.0, 0, 0)])
    assert m.scouted_share(table, [1]) == pytest.approx(200 / 500)
    assert m.scouted_share(table, []) == 0.0


# -- upgrading ----------------------------------------------------------------------------


def test_unit_value_and_retail_share() -> None:
    table = flows([(0, 0, 100.0, 1000.0, 4000.0), (1, 0, 0.0, 0.0, 0.0),
                   (0, 1, 50.0, 250.0, 500.0)])
    uv = m.unit_value(table)
    assert uv["unit_value"].iloc[0] == pytest.approx(10.0)
    assert math.isnan(uv["unit_value"].iloc[1])
    assert m.retail_share(table, 0) == pytest.approx(0.25)
    assert m.retail_share(table, 1) == pytest.approx(0.5)
    assert math.isnan(m.retail_share(table, 2))


FIRMS = firms([
    # period 0
    (0, 0, 0, True, 0.2, 0.3, 0.1, 0.0, 0),
    (0, 1, 0, True, 0.4, 0.3, 0.1, 0.2, 1),
    (0, 2, 0, False, 0.9, 0.9, 0.9, 0.9, 0),  # a spoke: left out of lead-firm metrics
    (0, 3, 1, True, 0.1, 0.1, 0.0, 0.0, 0),
    # period 1
    (1, 0, 0, True, 0.5, 0.4, 0.3, 0.1, 2),
    (1, 1, 0, True, 0.7, 0.4, 0.1, 0.5, 3),
    (1, 2, 0, False, 0.9, 0.9, 0.9, 0.9, 3),
    (1, 3, 1, True, 0.1, 0.2, 0.0, 0.0, 1),
])


def test_capability_means_and_gain_use_lead_firms() -> None:
    caps = m.capability_means(FIRMS, leads_only=True).set_index("cluster")
    assert caps.loc[0, "process"] == pytest.approx(0.6)
    assert caps.loc[1, "product"] == pytest.approx(0.2)
    every = m.capability_means(FIRMS, period=0).set_index("cluster")
    assert every.loc[0, "process"] == pytest.approx(0.5)  # spoke included
    assert m.capability_gain(FIRMS, 0, "process") == pytest.approx(0.6 - 0.3)
    assert m.capability_gain(FIRMS, 0, "marketing") == pytest.approx(0.3 - 0.1)
    assert m.capability_gain(FIRMS, 1, "product") == pytest.approx(0.1)
    assert math.isnan(m.capability_gain(FIRMS, 7, "process"))


def test_rung_shares_functional_upgrading_and_first_time() -> None:
    rungs = m.rung_shares(FIRMS).set_index("cluster")
    assert list(rungs.columns) == list(m.RUNGS)
    assert rungs.loc[0].tolist() == [0.0, 0.0, 0.5, 0.5]
    assert rungs.loc[1].tolist() == [0.0, 1.0, 0.0, 0.0]
    assert m.functional_upgrading(FIRMS, 0) == pytest.approx(1.0)
    assert m.functional_upgrading(FIRMS, 1) == 0.0
    assert m.first_time_at_rung(FIRMS, 0, 2) == 180.0
    assert m.first_time_at_rung(FIRMS, 0, 1) == 90.0
    assert math.isnan(m.first_time_at_rung(FIRMS, 1, 2))


# -- trade fairs --------------------------------------------------------------------------


FAIRS = pd.DataFrame(
    [(60.0, "gds", 0, 7, 1612), (60.0, "gds", 1, 575, 1612),
     (240.0, "gds", 0, 3, 1000), (240.0, "gds", 1, 500, 1000)],
    columns=["time", "fair", "cluster", "exhibitors", "total"])


def test_fair_share_over_fairs_held() -> None:
    # Duesseldorf, March 1997 (H&S 4.2): 7 of 1,612 -> 0.43%
    march = FAIRS[FAIRS["time"] == 60.0]
    assert m.fair_share(march, 0) == pytest.approx(7 / 1612)
    assert round(100 * m.fair_share(march, 0), 2) == 0.43
    assert m.fair_share(FAIRS, 1) == pytest.approx((575 + 500) / (1612 + 1000))
    assert m.exhibitors_per_fair(FAIRS, 0) == pytest.approx(5.0)
    assert math.isnan(m.fair_share(FAIRS.iloc[0:0], 0))
    assert math.isnan(m.exhibitors_per_fair(FAIRS, 9))


# -- governance, concentration, lock-in ---------------------------------------------------


GOV = links(
    (0, 0, 0, 0, "quasi_hierarchy", True, 10.0, 90.0, 50.0),
    (0, 1, 0, 0, "market", True, 10.0, 10.0),
    (0, 0, 1, 0, "quasi_hierarchy", True, 10.0, 50.0, 20.0),
    (0, 1, 1, 0, "market", True, 10.0, 50.0),
    (1, 0, 0, 0, "market", True, 10.0, 90.0, 60.0),
    (1, 1, 0, 0, "market", True, 10.0, 10.0),
    (1, 0, 1, 0, "quasi_hierarchy", True, 10.0, 50.0, 20.0),
    (1, 1, 1, 0, "network", False, 10.0, 0.0),
)


def test_governance_mix_and_share() -> None:
    mix = m.governance_mix(GOV).set_index("period")
    assert list(mix.columns) == list(m.GOVERNANCE)
    assert mix.loc[0, "quasi_hierarchy"] == pytest.approx(0.5)
    assert mix.loc[1, "market"] == pytest.approx(2 / 3)  # the inactive link is left out
    assert mix.loc[1, "network"] == 0.0
    assert m.governance_share(GOV, "quasi_hierarchy", 0) == pytest.approx(1 / 3)
    assert m.governance_share(GOV, "quasi_hierarchy", 0, period=0) == pytest.approx(0.5)
    assert math.isnan(m.governance_share(GOV, "market", cluster=5))


def test_buyer_concentration() -> None:
    out = m.buyer_concentration(GOV, 0)
    # buyer 0: 90+50+90+50 = 280 units, buyer 1: 10+50+10 = 70 (of 350)
    assert out["main_buyer_share"] == pytest.approx(280 / 350)
    assert out["hhi"] == pytest.approx(0.8 ** 2 + 0.2 ** 2)
    # firm 0 sells 180 of 200 to its main buyer, firm 1 100 of 150
    assert out["firm_main_buyer_share"] == pytest.approx((0.9 + 100 / 150) / 2)
    assert all(math.isnan(v) for v in m.buyer_concentration(GOV, 3).values())


def test_lock_in_needs_over_80_percent_and_below_odm() -> None:
    leads = firms([(1, 0, 0, True, 0.5, 0.5, 0.1, 0.1, 1),
                   (1, 1, 0, True, 0.5, 0.5, 0.1, 0.1, 1)])
    assert m.lock_in(GOV, leads, 0) == pytest.approx(0.5)  # firm 0 at 90%, firm 1 at 67%
    odm = firms([(1, 0, 0, True, 0.5, 0.5, 0.1, 0.1, 2),
                 (1, 1, 0, True, 0.5, 0.5, 0.1, 0.1, 1)])
    assert m.lock_in(GOV, odm, 0) == 0.0  # firm 0 reached own design
    assert math.isnan(m.lock_in(GOV, leads, 4))


def test_buyer_investment_takes_each_links_last_stake() -> None:
    assert m.buyer_investment(GOV, 0) == pytest.approx(60.0 + 20.0)
    assert m.buyer_investment(GOV, 9) == 0.0


def test_policy_network_metrics() -> None:
    projects = pd.DataFrame({"cluster": [0, 0, 1], "support": [0.2, 0.6, 0.9],
                             "funded": [False, True, True]})
    votes = pd.DataFrame({"cluster": [0, 0, 0, 0, 1], "back": [True, False, False, False,
                                                               True]})
    assert m.project_support(projects, 0) == pytest.approx(0.4)
    assert m.projects_funded(projects, 0) == 1.0
    assert m.projects_funded(projects, 2) == 0.0
    assert math.isnan(m.project_support(projects, 2))
    assert m.backing_share(votes, 0) == pytest.approx(0.25)
    assert math.isnan(m.backing_share(votes, 2))


# -- per-period series (chainsim.experiments.series) --------------------------------------


def tables() -> dict[str, pd.DataFrame]:
    return {
        "clusters": flows([(0, 0, 100.0, 1000.0, 4000.0), (0, 1, 0.0, 0.0, 0.0),
                           (1, 0, 50.0, 450.0, 1500.0), (1, 1, 20.0, 80.0, 400.0)]),
        "buyers": pd.DataFrame({"period": [0, 0, 1, 1], "time": [90.0, 90.0, 180.0, 180.0],
                                "buyer": [0, 1, 0, 1], "units": [100.0, 0.0, 60.0, 10.0],
                                "value": [1000.0, 0.0, 500.0, 30.0],
                                "scouted_units": [0.0, 0.0, 20.0, 10.0],
                                "failed": [1.0, 0.0, 0.0, 2.0],
                                "delivered": [3.0, 0.0, 2.0, 1.0]}),
        "links": GOV.assign(cluster=[0, 0, 0, 0, 0, 0, 1, 1]),
        "firms": FIRMS,
        "fairs": pd.DataFrame([(60.0, "gds", 0, 7, 1612), (60.0, "gds", 1, 575, 1612),
                               (100.0, "gds", 0, 2, 800), (100.0, "gds", 1, 100, 800),
                               (170.0, "gds", 0, 1, 500), (170.0, "gds", 1, 0, 500),
                               (500.0, "gds", 0, 9, 9)],  # after the last period: left out
                              columns=["time", "fair", "cluster", "exhibitors", "total"]),
    }


def test_fair_periods_first_period_closing_on_or_after() -> None:
    fairs = pd.DataFrame({"time": [0.0, 90.0, 91.0, 180.0, 181.0]})
    got = s.fair_periods(fairs, np.array([90.0, 180.0])).tolist()
    assert got == [0, 0, 1, 1, -1]


def test_cluster_series() -> None:
    out = s.cluster_series(tables(), ["home", "entrant"], start_year=1990)
    assert list(out.columns) == ["period", "time", "year", "cluster", *s.CLUSTER_SERIES]
    row = out.set_index(["period", "cluster"])
    assert row.loc[(0, "home"), "year"] == pytest.approx(1990.25)
    assert row.loc[(1, "home"), "unit_value"] == pytest.approx(9.0)
    assert row.loc[(1, "home"), "retail_share"] == pytest.approx(0.3)
    assert math.isnan(row.loc[(0, "entrant"), "unit_value"])
    assert row.loc[(0, "home"), "price_index"] == pytest.approx(10.0)
    assert row.loc[(1, "home"), "process"] == pytest.approx(0.6)  # leads only
    assert row.loc[(1, "home"), "odm"] == pytest.approx(0.5)
    assert row.loc[(1, "home"), "obm"] == pytest.approx(0.5)
    assert row.loc[(1, "entrant"), "full_package"] == pytest.approx(1.0)
    assert row.loc[(0, "home"), "quasi_hierarchy"] == pytest.approx(0.5)
    assert row.loc[(1, "home"), "market"] == pytest.approx(1.0)
    assert row.loc[(1, "entrant"), "quasi_hierarchy"] == pytest.approx(1.0)  # inactive out
    # fairs at days 60 (period 0), 100 and 170 (period 1)
    assert row.loc[(0, "home"), "exhibitors"] == 7.0
    assert row.loc[(1, "home"), "exhibitors"] == 3.0
    assert row.loc[(1, "home"), "fair_share"] == pytest.approx(3 / 1300)
    assert row.loc[(0, "entrant"), "fair_share"] == pytest.approx(575 / 1612)
    # period 0: buyer 0 bought 90+50, buyer 1 10+50 from home
    assert row.loc[(0, "home"), "main_buyer_share"] == pytest.approx(140 / 200)
    assert out[list(s.CLUSTER_SERIES)].dtypes.eq(float).all()


def test_buyer_series() -> None:
    out = s.buyer_series(tables(), ["us", "eu"], start_year=0).set_index(["period", "buyer"])
    assert out.loc[(1, "us"), "mean_price"] == pytest.approx(500 / 60)
    assert out.loc[(1, "eu"), "scouted_share"] == pytest.approx(1.0)
    assert math.isnan(out.loc[(0, "eu"), "mean_price"])
    assert out.loc[(1, "eu"), "failed"] == 2.0


def test_governance_series() -> None:
    out = s.governance_series(tables()).set_index("period")
    assert out.loc[0, "links"] == 4.0
    assert out.loc[1, "links"] == 3.0
    assert out.loc[1, "market"] == pytest.approx(2 / 3)
    assert out.loc[0, "hierarchy"] == 0.0


def test_series_of_a_run_without_records() -> None:
    empty = {"clusters": pd.DataFrame(), "buyers": pd.DataFrame(),
             "links": pd.DataFrame(columns=LINK_COLUMNS), "firms": pd.DataFrame(),
             "fairs": pd.DataFrame(columns=["time", "fair", "cluster", "exhibitors", "total"])}
    assert s.governance_series(empty).empty
    clusters = s.cluster_series(empty, ["home"])
    assert clusters.empty and list(clusters.columns)[4:] == list(s.CLUSTER_SERIES)
    assert s.buyer_series(empty, ["us"]).empty


# -- documentation ------------------------------------------------------------------------


def test_every_headline_metric_and_series_column_is_documented() -> None:
    from pathlib import Path

    from chainsim.journal import STAGES
    from chainsim.results.summary import BUYER_METRICS, CLUSTER_METRICS

    doc = (Path(__file__).resolve().parent.parent / "docs" / "metrics.md").read_text()
    names = [f"cluster.<id>.{k}" for k in CLUSTER_METRICS]
    names += [f"buyer.<id>.{k}" for k in BUYER_METRICS]
    names += ["links.quasi_hierarchy_share", "orders.in_production", "orders.refused_<reason>"]
    missing = [n for n in names if f"`{n}`" not in doc]
    missing += [f"orders.{s}" for s in STAGES if f"`{s}`" not in doc
                and f"`orders.{s}`" not in doc]
    missing += [c for c in (*s.CLUSTER_SERIES, *s.BUYER_SERIES, *s.GOVERNANCE_SERIES)
                if f"`{c}`" not in doc]
    assert not missing, f"not in docs/metrics.md: {missing}"


def test_capability_gains_are_capability_gain_of_each_kind():
    for cluster in (0, 1, 7):
        gains = m.capability_gains(FIRMS, cluster)
        for kind in m.CAPABILITIES:
            one = m.capability_gain(FIRMS, cluster, kind)
            assert gains[kind] == one or (math.isnan(one) and math.isnan(gains[kind]))


def test_functional_upgrading_reads_given_rung_shares():
    shares = m.rung_shares(FIRMS)
    assert m.functional_upgrading(FIRMS, 0, shares) == m.functional_upgrading(FIRMS, 0)
    shares.loc[shares["cluster"] == 0, ["odm", "obm"]] = 0.0
    assert m.functional_upgrading(FIRMS, 0, shares) == 0.0


def test_firms_that_exited_are_not_counted_and_large_firms_are() -> None:
    """The firms of a cluster are those still in business (issue 12 item 6): an exited
    lead firm counts in no share at the end, and the share of large firms is of the rest."""
    firms = pd.DataFrame({
        "period": [0, 0, 0, 1, 1, 1], "firm": [0, 1, 2, 0, 1, 2], "cluster": [0] * 6,
        "lead": [True] * 6, "rung": [0, 0, 0, 1, 0, 0],
        "process": [0.2, 0.2, 0.2, 0.6, 0.2, 0.9], "product": [0.2] * 6,
        "design": [0.1] * 6, "marketing": [0.1] * 6,
        "capacity": [900.0, 1500.0, 1200.0, 2500.0, 1500.0, 3000.0],
        "alive": [True, True, True, True, True, False]})
    assert m.large_firm_share(firms, 0, period=0) == 0.0
    assert m.large_firm_share(firms, 0) == pytest.approx(0.5)
    shares = m.rung_shares(firms)
    assert shares.loc[0, "assembly"] == pytest.approx(0.5)
    assert m.capability_gain(firms, 0, "process") == pytest.approx(0.4 - 0.2)
    assert math.isnan(m.large_firm_share(firms.drop(columns="capacity"), 0))
