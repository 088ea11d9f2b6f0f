"""--resume reuses only what proves it belongs to this experiment: every saved replication
carries its identity (configuration, scenario fingerprint, overrides, seed, replication
index, chainsim version) and is rerun when that identity or its files do not hold; a
manifest that describes another experiment, or is damaged, is refused with one line."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from chainsim.experiments.outputs import open_output
from chainsim.experiments.runner import (
    Configuration,
    replicated_summary,
    resolve_configurations,
    run_experiment,
)
from chainsim.output import OutputError
from tests.helpers import tiny

N = 2
_FRESH: dict = {}


@pytest.fixture(scope="module")
def base():
    return tiny()


@pytest.fixture(scope="module")
def cheap():
    return tiny(clusters__0__wage=0.5)


def fresh(configs: list[Configuration], seed: int | None = None):
    """An uninterrupted run without --out (computed once per experiment)."""
    key = (tuple((c.name, c.scenario.model_dump_json()) for c in configs), seed)
    if key not in _FRESH:
        _FRESH[key] = run_experiment(configs, N, seed=seed)
    return _FRESH[key]


def run_into(out: Path, configs: list[Configuration], resume: bool, seed: int | None = None,
             kind: str = "compare"):
    seed, resolved = resolve_configurations(configs, seed)
    with open_output(out, kind, resolved, seed, N, resume) as output:
        exp = run_experiment(resolved, N, store=output.store, kind=kind)
        output.write(exp, replicated_summary(exp))
    return exp, output.store


def tables(exp) -> dict[str, pd.DataFrame]:
    return {"metrics": exp.metrics.drop(columns="wall_seconds"),
            **{name: exp.series[name] for name in exp.series}}


def assert_same(exp, fresh) -> None:
    a, b = tables(exp), tables(fresh)
    for name in a:
        pd.testing.assert_frame_equal(a[name], b[name], check_exact=True)


def entry(out: Path, config: str, r: int) -> Path:
    return out / "replications" / config / f"r{r:06d}"


def edit_manifest(out: Path, **changes) -> None:
    path = out / "manifest.json"
    data = json.loads(path.read_text())
    data.update(changes)
    path.write_text(json.dumps(data))


def test_a_replication_copied_from_a_run_with_another_seed_is_rerun(tmp_path, base) -> None:
    out, other = tmp_path / "out", tmp_path / "other"
    configs = [Configuration("run", base)]
    run_into(out, configs, False, kind="run")
    run_into(other, configs, False, seed=99, kind="run")
    shutil.rmtree(entry(out, "run", 1))
    shutil.copytree(entry(other, "run", 1), entry(out, "run", 1))
    exp, store = run_into(out, configs, True, kind="run")
    assert exp.reused == N - 1 and store.discarded == 1
    assert_same(exp, fresh(configs))


def test_a_duplicated_replication_is_rerun(tmp_path, base) -> None:
    out = tmp_path / "out"
    configs = [Configuration("run", base)]
    run_into(out, configs, False, kind="run")
    shutil.rmtree(entry(out, "run", 1))
    shutil.copytree(entry(out, "run", 0), entry(out, "run", 1))
    exp, store = run_into(out, configs, True, kind="run")
    assert exp.reused == N - 1 and store.discarded == 1
    assert sorted(exp.metrics["replication"]) == list(range(N))
    assert_same(exp, fresh(configs))


def test_a_configuration_absent_from_the_manifest_is_checked_entry_by_entry(
        tmp_path, base, cheap) -> None:
    out = tmp_path / "out"
    run_into(out, [Configuration("a", base), Configuration("b", base)], False)
    manifest = json.loads((out / "manifest.json").read_text())
    edit_manifest(out, configurations=manifest["configurations"][:1])  # b forgotten
    changed = [Configuration("a", base), Configuration("b", cheap)]  # b edited
    exp, store = run_into(out, changed, True)
    assert exp.reused == N and store.discarded == N  # only a's replications reused
    assert_same(exp, fresh(changed))


def test_an_empty_manifest_with_another_seed_is_refused_and_entries_still_checked(
        tmp_path, base) -> None:
    out = tmp_path / "out"
    configs = [Configuration("run", base)]
    run_into(out, configs, False, kind="run")
    edit_manifest(out, configurations=[])
    before = (out / "manifest.json").read_text()
    with pytest.raises(OutputError, match="seed"):
        run_into(out, configs, True, seed=99, kind="run")
    assert (out / "manifest.json").read_text() == before
    edit_manifest(out, seed=99)  # a manifest edited to agree: the entries still say seed 7
    exp, store = run_into(out, configs, True, seed=99, kind="run")
    assert exp.reused == 0 and store.discarded == N
    assert_same(exp, fresh(configs, 99))


@pytest.mark.parametrize("change", [
    {"configurations": {"name": "run"}}, {"configurations": ["run"]},
    {"configurations": None}, {"versions": {"chainsim": "9.9.9"}}, {"versions": []},
])
def test_a_damaged_or_foreign_manifest_is_refused_on_resume(tmp_path, base,
                                                            change) -> None:
    out = tmp_path / "out"
    configs = [Configuration("run", base)]
    run_into(out, configs, False, kind="run")
    edit_manifest(out, **change)
    with pytest.raises(OutputError, match="--resume: .*(configurations|chainsim)"):
        run_into(out, configs, True, kind="run")


def damage_metrics_missing(e: Path) -> None:
    (e / "metrics.parquet").unlink()


def damage_entry_is_a_file(e: Path) -> None:
    shutil.rmtree(e)
    e.write_text("not a replication")


def damage_config_dir_is_a_file(e: Path) -> None:
    shutil.rmtree(e.parent)
    e.parent.write_text("not a configuration")


def damage_identity_garbage(e: Path) -> None:
    (e / "identity.json").write_text("{not json")


def damage_identity_missing(e: Path) -> None:
    (e / "identity.json").unlink()


def damage_series_truncated(e: Path) -> None:
    data = (e / "clusters.parquet").read_bytes()
    (e / "clusters.parquet").write_bytes(data[: len(data) // 2])


def damage_metrics_empty(e: Path) -> None:
    pd.DataFrame({"config": pd.Series(dtype=object)}).to_parquet(e / "metrics.parquet")


def damage_link_outside(e: Path) -> None:
    outside = e.parent.parent.parent.parent / "elsewhere"
    shutil.copytree(e, outside)
    shutil.rmtree(e)
    e.symlink_to(outside, target_is_directory=True)


@pytest.mark.parametrize("damage", [
    damage_metrics_missing, damage_entry_is_a_file, damage_config_dir_is_a_file,
    damage_identity_garbage, damage_identity_missing, damage_series_truncated,
    damage_metrics_empty, damage_link_outside,
], ids=lambda f: f.__name__.removeprefix("damage_"))
def test_a_damaged_entry_is_rerun(tmp_path, base, damage) -> None:
    out = tmp_path / "out"
    configs = [Configuration("run", base)]
    run_into(out, configs, False, kind="run")
    damage(entry(out, "run", 1))
    exp, _ = run_into(out, configs, True, kind="run")
    assert exp.reused in (0, N - 1)  # the configuration's folder may be gone whole
    assert_same(exp, fresh(configs))
    assert not entry(out, "run", 1).is_symlink()
    assert json.loads((out / "manifest.json").read_text())["status"] == "complete"
