"""The library lifecycle called directly: `chainsim.replicate`, `compare`, `sweep`,
`run` and `run_scenario` return result objects; the public names match docs/api.md."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

import chainsim
from chainsim.experiments.design import DesignError
from chainsim.experiments.lifecycle import Execution, ExperimentFailed

ROOT = Path(__file__).resolve().parent.parent
SINOS = ROOT / "scenarios" / "sinos_valley.toml"
SHORT = ("simulation.start_year=1989", "shocks.0.year=1990", "shocks.1.year=1990")


def test_all_is_the_documented_api() -> None:
    text = (ROOT / "docs" / "api.md").read_text()
    section = text.split("## Public names", 1)[1]
    documented = set(re.findall(r"^\| `([A-Za-z_]+)` \|", section, flags=re.M))
    assert documented == set(chainsim.__all__)
    for name in chainsim.__all__:
        assert getattr(chainsim, name) is not None


def test_replicate_returns_cis_and_the_configuration_as_run(tmp_path: Path) -> None:
    result = chainsim.replicate(SINOS, 2, horizon_years=1, overrides=SHORT, seed=5,
                                out=tmp_path / "reps")
    config = result.configuration
    assert config.scenario.simulation.seed == 5
    assert config.scenario.simulation.horizon_years == 1.0
    assert list(result.experiment.metrics["replication"]) == [0, 1]
    cell = result.summary()["clusters"]["sinos"]["process_gain"]
    assert set(cell) == {"mean", "ci_low", "ci_high", "n"} and cell["n"] == 2
    assert result.out == tmp_path / "reps"
    assert "summary.json" in result.experiment.files
    saved = json.loads((tmp_path / "reps" / "summary.json").read_text())
    assert saved["clusters"]["sinos"]["process_gain"] == cell


def test_compare_pairs_the_focal_clusters_of_different_files(tmp_path: Path) -> None:
    # A copy of Sinos whose focal cluster is renamed: the first clusters (sinos and
    # valley) pair up, china with china; no metric has to be named.
    text = SINOS.read_text().replace('"sinos"', '"valley"').replace("sinos.", "valley.")
    renamed = tmp_path / "renamed.toml"
    renamed.write_text(text)
    cmp = chainsim.compare([SINOS, renamed], replications=2, horizon_years=1,
                           overrides=SHORT)
    assert [p.label for p in cmp.pairs] == ["sinos=valley", "china"]
    assert cmp.metrics[0] == "cluster.sinos=valley.price_decline"
    block = cmp.summary()["metrics"]["cluster.sinos=valley.process_gain"]
    assert block["columns"] == {"sinos_valley": "cluster.sinos.process_gain",
                                "renamed": "cluster.valley.process_gain"}
    (diff,) = block["differences"]
    assert diff["mean"] == 0.0 and diff["n"] == 2  # the same model under CRN


def test_compare_pairs_by_hand_and_keeps_the_order_of_metric_globs() -> None:
    cmp = chainsim.compare({"a": SINOS, "b": SINOS}, replications=2, horizon_years=1,
                           overrides=SHORT, pairs=["sinos=china"],
                           metrics=["*.product_gain", "*.process_gain"])
    assert cmp.metrics[:2] == ["cluster.sinos=china.product_gain",
                               "cluster.sinos.product_gain"]
    assert cmp.metrics.index("cluster.china.process_gain") > cmp.metrics.index(
        "cluster.china.product_gain")
    table = cmp.differences()
    row = table[table["metric"] == "cluster.sinos=china.process_gain"].iloc[0]
    samples = cmp.experiment.metrics
    a = samples[samples["config"] == "a"]["cluster.sinos.process_gain"].to_numpy()
    b = samples[samples["config"] == "b"]["cluster.china.process_gain"].to_numpy()
    assert row["mean"] == pytest.approx((b - a).mean())


@pytest.mark.parametrize(("kwargs", "fragment"), [
    ({"pairs": ["sinos"]}, "--pair 'sinos': give one cluster id per configuration"),
    ({"pairs": ["sinos=italy"]}, "b has no cluster 'italy' (its clusters: sinos, china)"),
    ({"metrics": ["cluster.nowhere.*"]}, "--metric 'cluster.nowhere.*': matches no metric"),
])
def test_compare_refuses_bad_pairs_and_metrics_before_running(kwargs, fragment) -> None:
    with pytest.raises(DesignError) as info:
        chainsim.compare({"a": SINOS, "b": SINOS}, replications=1, **kwargs)
    assert any(fragment in p for p in info.value.problems), info.value.problems


def test_compare_with_variants_names_the_baseline_base() -> None:
    cmp = chainsim.compare([SINOS], variants={"weak": ["clusters.sinos.spillover=0"]},
                           replications=2, horizon_years=1, overrides=SHORT,
                           metrics=["cluster.sinos.process_gain"])
    assert [c.name for c in cmp.configurations] == ["base", "weak"]
    assert cmp.configurations[1].overrides[-1] == "clusters.sinos.spillover=0"
    assert cmp.metrics == ["cluster.sinos.process_gain"]


def test_sweep_returns_points_with_their_parameters() -> None:
    sw = chainsim.sweep(SINOS, grid=["buyers.us-main.count=1,2"], replications=1,
                        horizon_years=1, overrides=SHORT,
                        metrics=["cluster.sinos.process_gain"])
    assert [c.params for c in sw.configurations] == [{"buyers.us-main.count": 1},
                                                     {"buyers.us-main.count": 2}]
    table = sw.table()
    assert list(table["param.buyers.us-main.count"]) == [1, 2]
    assert set(table["metric"]) == {"cluster.sinos.process_gain"}
    assert sw.summary()["design"]["kind"] == "grid"
    with pytest.raises(DesignError):
        chainsim.sweep(SINOS, grid=["a=1"], lhs=2)


def test_a_failing_replication_raises_experiment_failed(tmp_path: Path, monkeypatch) -> None:
    import chainsim.experiments.runner as runner

    def broken(*args, **kwargs):
        raise ValueError("boom")

    monkeypatch.setattr(runner, "simulate", broken)
    with pytest.raises(ExperimentFailed) as info:
        chainsim.replicate(SINOS, 2, horizon_years=1, out=tmp_path / "x",
                           execution=Execution("serial"))
    assert "boom" in str(info.value) and info.value.out == tmp_path / "x"


def test_library_names_work_wherever_a_file_does() -> None:
    assert chainsim.scenario_library()["sinos_valley"].name == "sinos_valley.toml"
    by_name = chainsim.run_scenario("sinos_valley", horizon_years=1)
    by_path = chainsim.run_scenario(SINOS, horizon_years=1)
    default = chainsim.run_scenario(horizon_years=1)
    assert json.dumps(by_name) == json.dumps(by_path) == json.dumps(default)  # NaN == NaN
    assert chainsim.run("sinos_valley", horizon_years=1).scenario.simulation.name


def test_every_public_name_has_a_home() -> None:
    assert set(chainsim.__all__) == {"__version__", *chainsim._HOMES}


def test_run_with_out_writes_its_files_and_a_failed_save_is_experiment_failed(
        tmp_path: Path, monkeypatch) -> None:
    import chainsim.experiments.outputs as outputs

    result = chainsim.run(SINOS, horizon_years=1, out=tmp_path / "one", log=tmp_path / "l")
    assert (tmp_path / "one" / "records" / "links.parquet").is_file()
    assert (tmp_path / "l").read_text().count("\n") == len(result.decisions)

    def full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(outputs, "_publish", full)
    with pytest.raises(ExperimentFailed, match="No space left on device"):
        chainsim.run(SINOS, horizon_years=1, out=tmp_path / "two")
    assert not (tmp_path / "two" / "summary.json").exists()


def test_a_horizon_too_short_to_record_is_a_scenario_error_not_a_crash():
    """A horizon of one recording period or less records nothing (issue 14 item 17): the
    library refuses it as the CLI does, naming the horizon, instead of failing later."""
    import pytest

    import chainsim
    from chainsim.scenario import ScenarioError

    with pytest.raises(ScenarioError, match="horizon_years: 0.25 years"):
        chainsim.run_scenario(horizon_years=0.25)
    with pytest.raises(ScenarioError, match="not longer than one recording period"):
        chainsim.run("sinos_valley", horizon_years=0.2)
