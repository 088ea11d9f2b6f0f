"""Morris and Sobol through SALib on a function with known answers, and a small
`chainsim sensitivity`."""

from __future__ import annotations

import json

import numpy as np
import pytest
from click.testing import CliRunner

from chainsim.cli import cli
from chainsim.evidence.robustness import Parameter

pytest.importorskip("SALib")

from chainsim.evidence import sensitivity as sa  # noqa: E402

PARAMS = [Parameter("a", ("technology.absorption",), 0.5, 2.0),
          Parameter("b", ("clusters.*.spillover",), 0.5, 2.0)]


def toy(x: np.ndarray) -> np.ndarray:
    return 3.0 * x[:, 0]  # depends on a only


def test_morris_ranks_the_parameter_that_matters() -> None:
    x = sa.sample("morris", PARAMS, 8, seed=1)
    rows = {r["parameter"]: r for r in sa.analyze("morris", PARAMS, x, toy(x), seed=1)}
    assert rows["a"]["mu_star"] > 0 and rows["b"]["mu_star"] == pytest.approx(0.0)
    assert rows["a"]["mu_star_conf"] >= 0


def test_sobol_total_index_of_an_idle_parameter_is_zero() -> None:
    x = sa.sample("sobol", PARAMS, 64, seed=1)
    rows = {r["parameter"]: r for r in sa.analyze("sobol", PARAMS, x, toy(x), seed=1)}
    assert rows["a"]["ST"] == pytest.approx(1.0, abs=0.05)
    assert rows["b"]["ST"] == pytest.approx(0.0, abs=1e-9)


def test_sensitivity_command_small(tmp_path) -> None:
    ranges = tmp_path / "r.toml"
    ranges.write_text("".join(
        f'[[parameters]]\nname = "{p.name}"\nfields = ["{p.fields[0]}"]\nlow = 0.5\n'
        'high = 2.0\n' for p in PARAMS))
    result = CliRunner().invoke(cli, [
        "sensitivity", "taiwan_notebooks", "--samples", "2", "--replications", "1",
        "--ranges", str(ranges), "--executor", "serial", "--json",
        "--output", "cluster.taiwan.design_gain", "--out", str(tmp_path / "s")])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["points"] == 2 * 3
    rows = data["outputs"]["cluster.taiwan.design_gain"]
    assert [r["parameter"] for r in rows] == ["a", "b"]
    assert (tmp_path / "s" / "design.csv").is_file()


def test_sobol_needs_a_power_of_two() -> None:
    result = CliRunner().invoke(cli, ["sensitivity", "--method", "sobol", "--samples", "6"])
    assert result.exit_code == 2 and "power of 2" in result.output
