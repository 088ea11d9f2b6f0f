"""User text (scenario names, paths, overrides, grid values) is printed as text: rich
markup in it neither crashes the output (`[/x]`) nor restyles it (`[blink red]`)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from chainsim.cli import cli

SINOS = Path(__file__).resolve().parent.parent / "scenarios" / "sinos_valley.toml"
SHORT = ["--set", "simulation.start_year=1989", "--set", "shocks.0.year=1990",
         "--set", "shocks.1.year=1990", "--horizon", "1", "--executor", "serial", "--quiet"]
MARKUP = "[/x][blink red]"


@pytest.fixture
def odd_file(tmp_path: Path) -> str:
    (tmp_path / "a[").mkdir()
    target = tmp_path / "a[" / "x].toml"  # the path reads .../a[/x].toml
    shutil.copy(SINOS, target)
    return str(target)


@pytest.mark.parametrize("extra", [[], ["--replications", "2"]])
def test_run_prints_markup_in_name_and_path_as_text(odd_file: str, extra: list[str]) -> None:
    result = CliRunner().invoke(cli, ["run", odd_file, *SHORT, *extra,
                                      "--set", f"simulation.name={MARKUP}"])
    assert result.exit_code == 0, result.output
    assert MARKUP in result.stdout
    assert "[/x].toml" in result.stdout


def test_compare_prints_markup_in_paths_and_overrides_as_text(odd_file: str) -> None:
    result = CliRunner().invoke(cli, ["compare", odd_file, str(SINOS), *SHORT,
                                      "--replications", "2",
                                      "--set", f"simulation.name={MARKUP}"])
    assert result.exit_code == 0, result.output
    assert MARKUP in result.stdout.replace("\n", "")


def test_sweep_prints_markup_in_grid_values_as_text() -> None:
    # Wide enough that the table shows whole cells.
    result = CliRunner(env={"COLUMNS": "400"}).invoke(
        cli, ["sweep", str(SINOS), *SHORT, "--replications", "1",
              "--grid", "simulation.name=[/x],[blink red]"])
    assert result.exit_code == 0, result.output
    assert "[blink red]" in result.stdout and "[/x]" in result.stdout
