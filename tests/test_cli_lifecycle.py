"""The command line as a new user meets it: comparing files with different clusters,
library names, the library listing, `validate --json`, a start-up that loads click only,
and the wheel that carries the scenario library."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from chainsim.cli import COMMANDS, cli

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ROOT / "scenarios"
SERIAL = ["--executor", "serial", "--quiet"]
HEAVY = ("pandas", "scipy", "pyarrow", "numpy", "pydantic", "simpy", "matplotlib")


def invoke(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_compare_of_files_with_different_clusters_pairs_their_focal_clusters() -> None:
    result = invoke("compare", str(SCENARIOS / "sinos_valley.toml"),
                    str(SCENARIOS / "italian_district.toml"), "--horizon", "1",
                    "--replications", "2", *SERIAL, "--json")
    assert result.exit_code == 0, result.stderr
    assert "--metric" not in result.stderr
    out = json.loads(result.stdout)
    assert out["pairs"][0] == {"name": "sinos=italy", "clusters": {
        "sinos_valley": "sinos", "italian_district": "italy"}}
    assert list(out["metrics"])[0] == "cluster.sinos=italy.price_decline"
    assert "cluster.sinos=italy.fair_share" in out["metrics"]


def test_a_bad_pair_is_blamed_on_pair() -> None:
    result = invoke("compare", "sinos_valley", "italian_district", "--pair", "sinos=itali",
                    *SERIAL)
    assert result.exit_code == 2
    assert result.stderr.startswith("error: --pair 'sinos=itali': italian_district has no "
                                    "cluster 'itali' (its clusters: italy)")


def test_library_names_and_the_library_listing() -> None:
    listing = invoke("scenarios")
    assert listing.exit_code == 0
    names = [line.split()[0] for line in listing.stdout.splitlines()[:-1]]
    assert names == sorted(p.stem for p in SCENARIOS.glob("*.toml"))
    assert any(line.split(None, 1) == ["sinos_valley", "Sinos Valley shoes, 1970-2000"]
               for line in listing.stdout.splitlines())
    as_json = json.loads(invoke("scenarios", "--json").stdout)
    assert {e["name"] for e in as_json} == set(names)
    run = invoke("run", "sinos_valley", "--horizon", "1", "--json")
    assert run.exit_code == 0, run.stderr
    assert json.loads(run.stdout)["scenario"].startswith("Sinos Valley")


def test_validate_json_and_singular_counts(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text((SCENARIOS / "ludhiana_knitwear.toml").read_text() +
                   "\n[unknown_table]\nx = 1\n")
    text = invoke("validate", "ludhiana_knitwear")
    assert text.exit_code == 0 and ": 1 cluster, " in text.stdout
    result = invoke("validate", "ludhiana_knitwear", str(bad), "--json")
    assert result.exit_code == 2
    ok, failed = json.loads(result.stdout)
    assert ok["ok"] and ok["clusters"] == 1 and ok["problems"] == []
    assert not failed["ok"] and failed["problems"][0]["field"] == "unknown_table"


def test_every_registered_command_is_the_command_of_that_name() -> None:
    ctx = click.Context(cli)
    for name in COMMANDS:
        command = cli.get_command(ctx, name)
        assert isinstance(command, click.Command) and command.name == name


@pytest.mark.parametrize(("args", "env"), [
    (["--version"], {}), (["--help"], {}),
    ([], {"_CHAINSIM_COMPLETE": "bash_complete", "COMP_WORDS": "chainsim ru",
          "COMP_CWORD": "1"}),
])
def test_version_help_and_completion_load_click_only(args: list[str], env: dict) -> None:
    code = ("import sys; from chainsim.cli import cli\n"
            f"try:\n    cli({args!r}, prog_name='chainsim')\nexcept SystemExit:\n    pass\n"
            f"print([m for m in {(*HEAVY, 'chainsim.cli.run')!r} if m in sys.modules])")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True, env={**os.environ, **env})
    lines = done.stdout.strip().splitlines()
    assert lines[-1] == "[]"
    if env:
        assert lines[0] == "plain,run"


def test_help_texts_show_no_absolute_path() -> None:
    for name in COMMANDS:
        text = invoke(name, "--help").stdout
        assert str(ROOT) not in text and "site-packages" not in text, name


def test_the_wheel_carries_the_scenario_library(tmp_path: Path) -> None:
    builders = pytest.importorskip("hatchling.builders.wheel")
    (wheel,) = builders.WheelBuilder(str(ROOT)).build(directory=str(tmp_path),
                                                      versions=["standard"])
    names = set(zipfile.ZipFile(wheel).namelist())
    shipped = {f"chainsim/scenarios/{p.name}" for p in SCENARIOS.glob("*.toml")}
    assert shipped and shipped <= names
    assert "chainsim/py.typed" in names
