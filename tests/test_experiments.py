"""The experiment runner: designs, common random numbers, executors that agree, the --out
store and its resume checks. Short horizons keep each replication well under a second."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from chainsim.experiments import design as d
from chainsim.experiments.executors import open_executor
from chainsim.experiments.outputs import ReplicationStore, open_output, prepare_output
from chainsim.experiments.runner import (
    Configuration,
    ReplicationError,
    Task,
    comparison_summary,
    expected_metrics,
    match_metrics,
    nest,
    replicated_summary,
    resolve_configurations,
    run_experiment,
    run_replication,
)
from chainsim.output import OutputError
from chainsim.scenario import load_scenario

SINOS = Path(__file__).resolve().parent.parent / "scenarios" / "sinos_valley.toml"
# 1989 to mid-1991: the Chinese entrant (1991) arrives inside the run.
SHORT = ["simulation.start_year=1989", "shocks.1.year=1990", "simulation.horizon_years=2.5"]


@pytest.fixture(scope="module")
def base():
    return load_scenario(SINOS, SHORT)


@pytest.fixture(scope="module")
def cheap_china():
    return load_scenario(SINOS, [*SHORT, "clusters.china.wage=0.1"])


# -- designs ------------------------------------------------------------------------------


def test_split_top_level_keeps_arrays_tables_and_strings_whole() -> None:
    assert d.split_top_level('a=[1,2],b="x,y",c={p=1,q=2}, d=4') == [
        "a=[1,2]", 'b="x,y"', "c={p=1,q=2}", "d=4"]


def test_parse_variant() -> None:
    assert d.parse_variant("cheap:clusters.china.wage=0.1,buyers.0.demand=5") == (
        "cheap", ("clusters.china.wage=0.1", "buyers.0.demand=5"))
    for bad in ("nocolon", "x:", "x:wage", "bad name:a=1", ":a=1"):
        with pytest.raises(d.DesignError):
            d.parse_variant(bad)


def test_factorial_grid_last_factor_fastest() -> None:
    points = d.factorial(d.parse_grid(["a=1,2", "b=x,y,z"]))
    assert len(points) == 6
    assert points[0].overrides == ("a=1", "b=x")
    assert points[1].overrides == ("a=1", "b=y")
    assert points[3].params == {"a": 2, "b": "x"}
    assert [p.name for p in points] == [f"p{i:04d}" for i in range(6)]


@pytest.mark.parametrize("spec", ["a", "a=", "=1,2", "a=1,,2", "a=1,1"])
def test_parse_grid_rejects(spec: str) -> None:
    with pytest.raises(d.DesignError):
        d.parse_grid([spec])
    with pytest.raises(d.DesignError, match="twice"):
        d.parse_grid(["a=1,2", "a=3,4"])


@pytest.mark.parametrize("spec", ["a=1", "a=2:1", "a=1:1", "a=x:2", "a=0:inf", "=0:1"])
def test_parse_range_rejects(spec: str) -> None:
    with pytest.raises(d.DesignError):
        d.parse_range([spec])


def test_latin_hypercube_is_stratified_reproducible_and_rounds_integers() -> None:
    ranges = d.parse_range(["x=0:10", "k=1:9"])
    points = d.latin_hypercube(ranges, 8, seed=3, integer_keys=frozenset({"k"}))
    again = d.latin_hypercube(ranges, 8, seed=3, integer_keys=frozenset({"k"}))
    other = d.latin_hypercube(ranges, 8, seed=4, integer_keys=frozenset({"k"}))
    assert [p.params for p in points] == [p.params for p in again]
    assert [p.params for p in points] != [p.params for p in other]
    xs = sorted(p.params["x"] for p in points)
    # one point in each eighth of [0, 10]
    assert [math.floor(x / 1.25) for x in xs] == list(range(8))
    assert all(isinstance(p.params["k"], int) and 1 <= p.params["k"] <= 9 for p in points)
    assert points[0].overrides[1] == f"k={points[0].params['k']}"


def test_lookup_and_integer_keys() -> None:
    raw = {"clusters": [{"id": "sinos", "wage": 1.0, "firms": [{"id": "a", "count": 8}]}],
           "simulation": {"seed": 3, "flag": True}}
    assert d.lookup(raw, "clusters.sinos.firms.a.count") == 8
    assert d.lookup(raw, "clusters.0.wage") == 1.0
    assert d.lookup(raw, "clusters.nope.wage") is None
    keys = ["clusters.sinos.firms.a.count", "clusters.0.wage", "simulation.flag"]
    assert d.integer_keys(raw, keys) == {"clusters.sinos.firms.a.count"}


# -- one replication ----------------------------------------------------------------------


def test_worker_returns_headline_and_small_series(base) -> None:
    out = run_replication(Task("base", base, 5, 1, 2.5))
    assert out.replication == 1 and out.seed == 5 and out.events > 0
    assert set(out.series) == {"clusters", "buyers", "governance", "markets"}
    periods = out.series["governance"]["period"].nunique()
    # at most one row per period, cluster and buyers' market
    assert len(out.series["markets"]) <= periods * len(base.clusters) * len(
        {b.market for b in base.buyers})
    assert len(out.series["clusters"]) == periods * len(base.clusters)
    # one row per buyer agent: a group of `count` buyers has as many (the Sinos Valley's
    # domestic retailers and Latin American importers)
    assert len(out.series["buyers"]) == periods * sum(b.count for b in base.buyers)
    # the metric names are known before a run (for --metric checks)
    reasons = {k for k in out.metrics if k.startswith("orders.refused_")}
    assert set(out.metrics) - reasons == set(expected_metrics(base))


def test_worker_failure_names_configuration_and_replication(base, monkeypatch) -> None:
    import chainsim.experiments.runner as runner

    def broken(*args, **kwargs):
        raise ZeroDivisionError("boom")

    monkeypatch.setattr(runner, "simulate", broken)
    with pytest.raises(ReplicationError, match=r"'base', replication 3 .*ZeroDivisionError"):
        run_replication(Task("base", base, 5, 3, 1.0))


# -- common random numbers and executors --------------------------------------------------


def strip_wall(exp) -> pd.DataFrame:
    return exp.metrics.drop(columns="wall_seconds")


def test_common_random_numbers(base, cheap_china) -> None:
    configs = [Configuration("a", base), Configuration("same", base),
               Configuration("cheap", cheap_china)]
    exp = run_experiment(configs, 3, horizon_years=1.0)
    a, same = (exp.metrics[exp.metrics["config"] == n].drop(columns=["config", "wall_seconds"])
               .reset_index(drop=True) for n in ("a", "same"))
    pd.testing.assert_frame_equal(a, same)  # same scenario, same streams: same numbers
    units = exp.samples("cluster.sinos.units")["a"]
    assert len(set(units)) == 3  # replications differ
    # the paired difference of identical configurations is exactly zero, CI [0, 0]
    cmp = {c["config"]: c for c in exp.comparisons(["cluster.sinos.units"])[
        "cluster.sinos.units"]}
    assert cmp["same"]["mean"] == 0.0 and cmp["same"]["ci_low"] == cmp["same"]["ci_high"] == 0
    assert cmp["cheap"]["p_holm"] is not None  # three configurations: Holm-adjusted
    summary = comparison_summary(exp, exp.select(["cluster.sinos.price_decline"]))
    assert "Holm" in summary["correction"]
    assert set(summary["metrics"]["cluster.sinos.price_decline"]["configurations"]) == {
        "a", "same", "cheap"}


def test_serial_process_and_dask_give_identical_results(base, cheap_china) -> None:
    pytest.importorskip("distributed")
    configs = [Configuration("base", base), Configuration("cheap", cheap_china)]
    results = {}
    for kind in ("serial", "process", "dask"):
        with open_executor(kind, workers=2) as ex:
            results[kind] = run_experiment(configs, 2, horizon_years=1.0, executor=ex,
                                           batch_size=1)
    for kind in ("process", "dask"):
        pd.testing.assert_frame_equal(strip_wall(results[kind]), strip_wall(results["serial"]))
        for name, table in results["serial"].series.items():
            pd.testing.assert_frame_equal(results[kind].series[name], table)


def test_seed_and_horizon_apply_to_every_configuration(base, cheap_china) -> None:
    seed, configs = resolve_configurations(
        [Configuration("a", base), Configuration("b", cheap_china)], None, 1.5)
    assert seed == base.simulation.seed
    assert {c.scenario.simulation.horizon_years for c in configs} == {1.5}
    assert {c.scenario.simulation.seed for c in configs} == {seed}
    with pytest.raises(ValueError, match="unique"):
        run_experiment([Configuration("a", base), Configuration("a", base)], 1)


# -- summaries ----------------------------------------------------------------------------


def test_nest_and_match_metrics() -> None:
    flat = {"cluster.sinos.price_decline": 1, "buyer.us-main.units": 2, "orders.placed": 3,
            "links.quasi_hierarchy_share": 4}
    assert nest(flat) == {"clusters": {"sinos": {"price_decline": 1}},
                          "buyers": {"us-main": {"units": 2}}, "orders": {"placed": 3},
                          "links": {"quasi_hierarchy_share": 4}}
    assert match_metrics(list(flat), ["cluster.*", "orders.placed"]) == [
        "cluster.sinos.price_decline", "orders.placed"]


def test_replicated_summary_has_ci_objects(base) -> None:
    exp = run_experiment([Configuration("run", base)], 3, horizon_years=1.0)
    out = replicated_summary(exp)
    for key in ("scenario", "seed", "version", "events", "wall_seconds", "clusters", "buyers"):
        assert key in out
    cell = out["clusters"]["sinos"]["process_gain"]
    assert set(cell) == {"mean", "ci_low", "ci_high", "n"} and cell["n"] == 3
    assert cell["ci_low"] <= cell["mean"] <= cell["ci_high"]
    values = exp.metrics["cluster.sinos.process_gain"]
    assert cell["mean"] == pytest.approx(values.mean())
    assert out["events"] == int(exp.metrics["events"].sum())
    json.dumps(out, allow_nan=False)


# -- the --out store ----------------------------------------------------------------------


def test_store_saves_atomically_and_loads_identical_frames(tmp_path: Path, base) -> None:
    from chainsim.experiments.runner import replication_frames

    frames = replication_frames(run_replication(Task("run", base, 1, 0, 1.0)))
    store = ReplicationStore(tmp_path / "replications")
    assert store.load("run", 0) is None
    store.save("run", 0, frames)
    back = store.load("run", 0)
    assert set(back) == set(frames)
    for name, frame in frames.items():
        pd.testing.assert_frame_equal(back[name], frame)
    # a crash mid-write leaves only a temporary directory, which is not a replication
    (tmp_path / "replications" / "run" / ".r000001-dead.tmp").mkdir()
    assert store.load("run", 1) is None and store.finished() == 1
    store.clean_partial()
    assert not list((tmp_path / "replications" / "run").glob(".*"))


def test_prepare_output_refuses_foreign_or_different_experiments(tmp_path: Path, base,
                                                                 cheap_china) -> None:
    seed, configs = resolve_configurations([Configuration("run", base)])
    foreign = tmp_path / "foreign"
    (foreign / "replications").mkdir(parents=True)
    with pytest.raises(OutputError, match="not written by chainsim"):
        prepare_output(foreign, "run", configs, seed, 2, resume=False)

    out = tmp_path / "out"
    prepare_output(out, "run", configs, seed, 2, resume=False)
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["status"] == "running" and manifest["seed"] == seed
    assert manifest["configurations"][0]["scenario"]["simulation"]["seed"] == seed
    for package in ("chainsim", "simpy", "numpy", "pandas", "pydantic", "pyarrow"):
        assert manifest["versions"][package]

    _, changed = resolve_configurations([Configuration("run", cheap_china)])
    with pytest.raises(OutputError, match="differs from the saved"):
        prepare_output(out, "run", changed, seed, 2, resume=True)
    with pytest.raises(OutputError, match="not a 'compare'"):
        prepare_output(out, "compare", configs, seed, 2, resume=True)
    # without --resume the directory is taken over: the cache is cleared
    (out / "replications" / "run" / "r000000").mkdir(parents=True)
    prepare_output(out, "run", changed, seed, 2, resume=False)
    assert not (out / "replications").exists()


def test_outputs_resume_reuses_saved_replications(tmp_path: Path, base) -> None:
    seed, configs = resolve_configurations([Configuration("run", base)], None, 1.0)
    with open_output(tmp_path, "run", configs, seed, 3, resume=False) as output:
        first = run_experiment(configs, 2, store=output.store)
    assert first.reused == 0 and output.store.finished() == 2
    with open_output(tmp_path, "run", configs, seed, 3, resume=True) as output:
        exp = run_experiment(configs, 3, store=output.store)
        assert exp.reused == 2
        output.write(exp, replicated_summary(exp))
    out = output.path
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["status"] == "complete" and manifest["replications_reused"] == 2
    for name in ("replications.parquet", "series/clusters.parquet", "series/buyers.parquet",
                 "series/governance.parquet", "summary.csv", "summary.parquet",
                 "summary.json"):
        assert (out / name).is_file(), name
    fresh = run_experiment(configs, 3)
    pd.testing.assert_frame_equal(strip_wall(exp), strip_wall(fresh))
    saved = pd.read_parquet(out / "replications.parquet")
    assert saved["replication"].tolist() == [0, 1, 2]
    summary = pd.read_csv(out / "summary.csv")
    assert set(summary.columns) == {"config", "metric", "mean", "ci_low", "ci_high", "n"}
    assert np.isfinite(summary["mean"]).any()
