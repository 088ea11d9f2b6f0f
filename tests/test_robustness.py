"""The robustness summary and scenario discovery on hand-made points, the design and the
overrides of a point, and a small `chainsim robustness`."""

from __future__ import annotations

import json

import numpy as np
import pytest
from click.testing import CliRunner

from chainsim.cli import cli
from chainsim.evidence import robustness as rb
from chainsim.scenario import load_scenario


def rows(n: int = 40) -> list[dict]:
    """Two checks: one agrees everywhere; the other fails where `loss` is below 0.8."""
    rng = np.random.default_rng(0)
    out = []
    for k in range(n):
        loss, other = float(np.exp(rng.uniform(np.log(0.5), np.log(2)))), float(rng.uniform())
        for check, mean in ((0, 0.3), (1, 0.2 if loss > 0.8 else -0.1)):
            out.append({"point": k, "proposition": 1, "check": check, "label": f"c{check}",
                        "sign": +1, "mean": mean, "ci_low": mean - 0.05,
                        "ci_high": mean + 0.05, "x.loss": loss, "x.other": other})
    return out


def test_summary_counts_agreeing_points_and_flags_the_short_check() -> None:
    data = rows()
    summary = rb.summarize(data)
    assert summary[0]["sign_agrees"] == 1.0 and summary[0]["meets_target"]
    failing = sum(r["x.loss"] <= 0.8 for r in data if r["check"] == 1)
    assert summary[1]["sign_agrees"] == pytest.approx(1 - failing / 40)
    assert not summary[1]["meets_target"]
    assert summary[1]["ci_excludes_zero"] == summary[1]["sign_agrees"]  # narrow CIs here


def test_discovery_finds_the_parameter_behind_the_failures() -> None:
    pytest.importorskip("sklearn")
    found = rb.discover(rows(), (1, 1), ["loss", "other"])
    assert found["boxes"], found
    box = found["boxes"][0]
    assert box["conditions"][0].startswith("loss <=")
    cut = float(box["conditions"][0].split("<=")[1])
    assert 0.7 < cut < 0.9 and box["share_of_failures"] == 1.0


def test_discovery_says_when_nothing_fails() -> None:
    assert rb.discover(rows(), (1, 0), ["loss", "other"])["note"] == "every point agrees"


def test_design_is_a_latin_hypercube_of_log_uniform_multipliers() -> None:
    params = [rb.Parameter("a", ("technology.absorption",), 0.5, 2.0),
              rb.Parameter("b", ("buyers.*.monitoring_cost",), 0.5, 1.5)]
    x = rb.design(params, 8, seed=1)
    u = np.log(x[:, 0] / 0.5) / np.log(4.0)
    assert sorted(np.floor(u * 8).astype(int)) == list(range(8))  # one point per stratum
    assert (x[:, 1] >= 0.5).all() and (x[:, 1] < 1.5).all()


def test_point_overrides_scale_every_buyer_and_cap_shares() -> None:
    sc = load_scenario("scenarios/sinos_valley.toml")
    params = [rb.Parameter("enc", ("buyers.*.encroachment_sensitivity",), 0.5, 1.5, cap=1.0),
              rb.Parameter("abs", ("technology.absorption",), 0.5, 2.0)]
    ov = rb.point_overrides(sc, params, [1.5, 2.0])
    assert "buyers.us-main.encroachment_sensitivity=1.0" in ov  # 0.9 x 1.5, capped
    assert "buyers.eu-importers.encroachment_sensitivity=0.75" in ov
    assert f"technology.absorption={sc.technology.absorption * 2.0!r}" in ov
    assert len(ov) == len(sc.buyers) + 1


def test_shipped_ranges_load() -> None:
    names = [p.name for p in rb.load_ranges()]
    assert {"loss", "governance_cost", "spillover", "investment_cost", "encroachment",
            "stake_scale", "absorption"} <= set(names)


def test_robustness_command_small(tmp_path) -> None:
    result = CliRunner().invoke(cli, ["robustness", "--points", "2", "--replications", "2",
                                      "--proposition", "7", "--executor", "serial",
                                      "--json", "--out", str(tmp_path / "r")])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["runs"] == 2 * 2 * 2 and [c["proposition"] for c in data["checks"]] == [7]
    assert 0.0 <= data["checks"][0]["sign_agrees"] <= 1.0
    assert (tmp_path / "r" / "points.csv").is_file()
    assert data["seed"] == 20000 and data["run"]["seed"] == 20000
    page = (tmp_path / "r" / "robustness.md").read_text()
    assert page.startswith("`chainsim robustness") and "2 replications, seed 20000" in page
    assert "| 7 | network share at the end |" in page


def test_robustness_refuses_a_bad_ranges_file(tmp_path) -> None:
    bad = tmp_path / "r.toml"
    bad.write_text('[[parameters]]\nname = "x"\nfields = ["technology.absorption"]\n'
                   'low = 2.0\nhigh = 1.0\n')
    result = CliRunner().invoke(cli, ["robustness", "--ranges", str(bad)])
    assert result.exit_code == 2 and "needs 0 < low < high" in result.output


def test_headline_subset_equals_the_headline_metrics_it_names() -> None:
    import math

    from chainsim.engine.simulation import simulate
    from chainsim.evidence.runner import headline_subset
    from chainsim.results.summary import headline

    result = simulate(load_scenario("scenarios/sinos_valley.toml",
                                    ["simulation.horizon_years=3"]))
    full = headline(result)
    sub = headline_subset(result, ["cluster.sinos.process_gain", "fair:sinos@1971-03",
                                   "cluster.china.buyer_investment"])
    assert sub and all(sub[k] == full[k] or (math.isnan(sub[k]) and math.isnan(full[k]))
                       for k in sub)
    assert set(headline_subset(result, ["buyer.us-main.units"])) == set(full)


def _library_load(file: str, overrides) -> object:
    from chainsim.library import library_dir

    return load_scenario(str(library_dir() / file), list(overrides))


def test_a_configuration_the_design_does_not_touch_runs_once_for_all_points() -> None:
    """Issue 13 item 6: a scenario runs once over the design. A parameter of the Italian
    cluster leaves P7's Taiwanese configurations the same at every point, so 2 points
    need the runs of one; the second point reads the first's."""
    params = [rb.Parameter("it", ("clusters.italy.spillover",), 0.5, 2.0)]
    props = rb.default_props([7])
    factors = np.array([[0.7], [1.4]])
    tasks, alias = rb.build_tasks(props, params, factors, 2, 20000, _library_load)
    assert len(tasks) == 2 * 2  # two configurations x two replications, not x two points
    assert alias[(1, "taiwan_spillover_0")] == (0, "taiwan_spillover_0")
    # The check's own cause is set on top of the point's: the spillover factor changes
    # neither configuration; absorption changes both.
    same = [rb.Parameter("tw", ("clusters.taiwan.spillover",), 0.5, 2.0)]
    assert len(rb.build_tasks(props, same, factors, 2, 20000, _library_load)[0]) == 4
    touched = [rb.Parameter("ab", ("technology.absorption",), 0.5, 2.0)]
    tasks, alias = rb.build_tasks(props, touched, factors, 2, 20000, _library_load)
    assert len(tasks) == 2 * 2 * 2
    assert alias[(1, "taiwan_spillover_0")] == (1, "taiwan_spillover_0")


def test_tasks_run_longest_first_and_come_back_in_order() -> None:
    from chainsim.evidence.runner import MetricTask, expected_cost, run_tasks

    sc = _library_load("taiwan_notebooks.toml", [])
    tasks = [MetricTask(f"h{h}", sc, 1, 0, h) for h in (0.5, 2.0, 1.0)]
    assert expected_cost(tasks[1]) > expected_cost(tasks[2]) > expected_cost(tasks[0])
    out = run_tasks(tasks, executor_kind="serial")
    events = [o["_cpu_events"] for o in out]
    assert events[0] < events[2] < events[1]  # each result is its own task's


def test_discovery_says_where_scattered_failures_are_most_frequent() -> None:
    pytest.importorskip("sklearn")
    data = rows(100)
    for r in data:  # one point in twelve fails, whatever its parameters: no majority
        if r["check"] == 1:
            r["mean"] = -0.1 if r["point"] % 12 == 0 else 0.2
    found = rb.discover(data, (1, 1), ["loss", "other"])
    assert found["boxes"] == []
    assert found["note"].startswith("no box where most points fail: the 9 failing points")
    assert " of 100 are most frequent where " in found["note"]
