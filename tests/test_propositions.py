"""Propositions from causes: configurations differ only in a named cause, verdicts agree
with the corrected p-values shown, and dated specs read the right periods."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from chainsim.cli import cli
from chainsim.evidence import specs
from chainsim.propositions import PROPOSITIONS, Check, Proposition, Side, evaluate_samples, sides

FORBIDDEN = ("governance", "product_definition", "rules.")


def test_no_configuration_sets_governance_rules_or_product_definition() -> None:
    for side in sides().values():
        for o in side.overrides:
            key = o.split("=", 1)[0]
            assert not any(f in key for f in FORBIDDEN), (side.name, o)


def test_the_two_sides_of_each_check_share_the_file_except_the_case_contrast() -> None:
    for p in PROPOSITIONS:
        for c in p.checks:
            a, b = c.a or p.a, c.b or p.b
            if p.number != 8:
                assert a.file == b.file, (p.number, a, b)
                assert a.overrides != b.overrides


def test_dose_levels_vary_one_cause() -> None:
    for p in PROPOSITIONS:
        if p.dose is None:
            continue
        keys = {o.split("=")[0] for _, s in p.dose.levels for o in s.overrides}
        assert len(keys) <= 2, (p.number, keys)  # P3 has two causes, each alone


def two_checks(sign: int) -> tuple[Proposition, ...]:
    a, b = Side("x.toml", (), "a"), Side("x.toml", ("k=1",), "b")
    checks = tuple(Check(f"c{i}", f"m{i}", f"m{i}", sign) for i in range(2))
    return (Proposition(1, "claim", "H&S", "k", a, b, checks),)


def test_verdict_reads_the_bonferroni_interval_shown() -> None:
    rng = np.random.default_rng(3)
    base = rng.normal(size=8)
    # m0: a clear effect; m1: raw p about 0.03, which the correction over 2 checks loses.
    shift = {"m0": 1.0 + 0.01 * rng.normal(size=8), "m1": 0.35 + 0.4 * rng.normal(size=8)}

    def get(config: str, metric: str) -> np.ndarray:
        return base + (shift[metric] if config == "b" else 0.0)

    rows = evaluate_samples(get, props=two_checks(+1))
    assert [r["comparisons"] for r in rows] == [2, 2]
    for r in rows:
        assert r["p_adjusted"] == pytest.approx(min(1.0, 2 * r["p_value"]))
        agrees = r["ci_low"] > 0
        assert (r["verdict"] == "agrees") == agrees == (r["p_adjusted"] < 0.05)
    assert rows[0]["verdict"] == "agrees"


def test_every_verdict_matches_its_adjusted_p_on_random_samples() -> None:
    rng = np.random.default_rng(7)
    for trial in range(40):
        effect = rng.normal(scale=0.5, size=2)
        noise = rng.normal(size=(2, 6))

        def get(config: str, metric: str, effect=effect, noise=noise) -> np.ndarray:
            i = int(metric[1])
            return noise[i] * 0.3 + (effect[i] if config == "b" else 0.0)

        for r in evaluate_samples(get, props=two_checks(+1 if trial % 2 else -1)):
            significant = r["p_adjusted"] < 0.05
            assert (r["verdict"] != "inconclusive") == significant, r


def series() -> pd.DataFrame:
    year = 1990 + np.arange(1, 13) / 4  # quarterly closes 1990.25 .. 1993.0
    return pd.DataFrame({"cluster": "a", "year": year, "quasi_hierarchy": np.arange(12.0),
                         "price_index": [10.0] * 4 + [9.0] * 4 + [8.0] * 4,
                         "fair_share": np.where(np.arange(12) % 2 == 0, 0.01, np.nan),
                         "exhibitors": np.where(np.arange(12) % 2 == 0, 3.0, np.nan)})


def test_series_specs_read_their_years() -> None:
    rows = series()
    # The close on 1 January 1991 belongs to 1990.
    assert specs.value("mean:a.quasi_hierarchy@1990-1990", {}, rows) == pytest.approx(1.5)
    assert specs.value("change:a.price_index@1990-1992", {}, rows) == pytest.approx(0.2)
    assert specs.value("fair:a@1991-03", {}, rows) == pytest.approx(0.01)
    assert specs.value("cluster.a.units", {"cluster.a.units": 5.0}, rows) == 5.0
    assert np.isnan(specs.value("fair:a@1999-03", {}, rows))
    assert specs.last_year("fair:a@1997-03") == pytest.approx(1997.25)


def test_market_specs_read_only_the_named_markets_links() -> None:
    """P3 reads governance on the export links only (issue 13): a market the spec does not
    name (here the domestic one, all market) does not dilute the share, and the named
    markets' links are pooled by their count in each period before the mean over periods."""
    from chainsim.experiments.series import market_series

    links = pd.DataFrame({
        "period": [0, 0, 0, 0, 1, 1, 1, 1], "buyer": [0, 1, 2, 2, 0, 1, 2, 2],
        "cluster": 0, "active": True,
        "governance": ["quasi_hierarchy", "market", "market", "market",
                       "quasi_hierarchy", "quasi_hierarchy", "market", "market"]})
    flows = pd.DataFrame({"period": [0, 1], "time": [90.0, 180.0], "cluster": 0})
    mix = market_series({"links": links, "clusters": flows}, ["a"], ["US", "EU", "BR"], 1990.0)
    assert set(mix["buyer_market"]) == {"US", "EU", "BR"}
    assert mix["links"].sum() == 8 and mix["quasi_hierarchy"].between(0, 1).all()
    # Period 0: 1 of the 2 US+EU links; period 1: 2 of 2. All links: 1/4 and 2/4.
    assert specs.value("mean:a.quasi_hierarchy[US+EU]@1990-1990", {}, series(), None,
                       mix) == pytest.approx(0.75)
    assert specs.value("mean:a.quasi_hierarchy[BR]@1990-1990", {}, series(), None,
                       mix) == 0.0
    assert specs.needs_markets("mean:a.quasi_hierarchy[US+EU]@1990-1990")
    assert not specs.needs_markets("mean:a.quasi_hierarchy@1990-1990")
    assert np.isnan(specs.value("mean:a.quasi_hierarchy[US]@1990-1990", {}, series()))


def test_p3_measures_governance_on_the_export_links() -> None:
    from chainsim.propositions import PROPOSITIONS

    p3 = next(p for p in PROPOSITIONS if p.number == 3)
    assert all(c.metric_a.startswith("mean:sinos.quasi_hierarchy[US+EU]@") for c in p3.checks)
    assert all("[US+EU]" in m for _, m in p3.dose.outcomes)


def test_propositions_command_small() -> None:
    result = CliRunner().invoke(cli, ["propositions", "--replications", "2", "--horizon",
                                      "1", "--executor", "serial", "--json",
                                      "--proposition", "4", "--proposition", "7"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert [p["proposition"] for p in data["propositions"]] == [4, 7]
    assert "Bonferroni" in data["correction"] and data["comparisons"] == 4
    p4 = data["propositions"][0]
    assert [row["level"] for row in p4["dose"]["levels"]] == ["x1", "x2", "x3", "x4", "x6",
                                                              "x8"]
    assert data["seed"] == 20000 and data["run"]["replications"] == 2


def test_propositions_markdown_has_a_run_header(tmp_path) -> None:
    out = tmp_path / "p"
    result = CliRunner().invoke(cli, ["propositions", "--replications", "2", "--horizon",
                                      "1", "--executor", "serial", "--markdown",
                                      "--proposition", "7", "--out", str(out)])
    assert result.exit_code == 0, result.output
    head = result.output.splitlines()[0]
    assert head.startswith("`chainsim propositions") and "2 replications, seed 20003" in head
    assert "UTC" in head and "s wall" in head
    assert (out / "propositions.md").read_text().splitlines()[0] == head
    assert "| 7 | Network links loosen" in result.output


def test_p4_costly_entrant_is_a_true_multiple_of_the_chinese_wage() -> None:
    """P4's A is the entrant at 6 times the Chinese wage (1.5 times Sinos's), the level
    from which its cost stops it being built up by every buyer (issue 13); B the file's."""
    from chainsim.propositions import CHINA_WAGE, PROPOSITIONS
    from chainsim.scenario import load_scenario

    sc = load_scenario("scenarios/sinos_valley.toml")
    wage = {c.id: c.wage for c in sc.clusters}
    assert CHINA_WAGE == wage["china"]
    p4 = next(p for p in PROPOSITIONS if p.number == 4)
    assert p4.a.overrides == (f"clusters.china.wage={6 * wage['china']:g}",)
    assert 6 * wage["china"] == pytest.approx(1.5 * wage["sinos"])
    assert p4.b.overrides == (f"clusters.china.wage={wage['china']:g}",)
    assert all(c.a is None and c.b is None for c in p4.checks)


def test_low_risk_is_a_tenth_of_each_export_buyers_loss() -> None:
    from chainsim.propositions import LOW_RISK
    from chainsim.scenario import load_scenario

    sc = load_scenario("scenarios/sinos_valley.toml")
    loss = {b.id: b.loss_per_failed_order for b in sc.buyers}
    for o in LOW_RISK:
        key, value = o.split("=")
        assert float(value) == pytest.approx(loss[key.split(".")[1]] / 10), o


def test_checks_of_shares_keep_their_intervals_in_range() -> None:
    """Issue 14 item 9: a share's mean lies in [0, 1] and a difference of shares in
    [-1, 1], so their intervals are cut there; other metrics are not."""
    from chainsim.propositions import difference_range, value_range

    assert value_range("fair:sinos@1997-03") == (0.0, 1.0)
    assert value_range("mean:sinos.quasi_hierarchy@1975-1995") == (0.0, 1.0)
    assert value_range("cluster.sinos.process_gain") == (-1.0, 1.0)
    assert difference_range("fair:sinos@1997-03", "fair:italy@1997-03") == (-1.0, 1.0)
    low, high = value_range("buyers.invested")
    assert low == -float("inf") and high == float("inf")


def test_identical_configurations_run_once() -> None:
    """Issue 13 item 6: a level equal to the file's value is the file itself; it runs
    once and the other names read it."""
    from chainsim.cli.common import load
    from chainsim.library import library_dir
    from chainsim.propositions import chosen, configurations, distinct

    configs = configurations(library_dir(), load, None, None, chosen([3, 4]))
    runs, alias = distinct(configs)
    assert {alias[n] for n in ("china_wage_x1", "sinos_spillover_0.05",
                               "sinos_learning_0.02")} == {"sinos_valley"}
    assert len(runs) == len(configs) - 3 and alias["china_wage_x6"] == "china_wage_x6"
