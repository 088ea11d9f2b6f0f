"""`chainsim sweep --design FILE.csv`: an external design's rows as points, under common
random numbers, and its problems as one line each."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from chainsim.cli import cli
from chainsim.experiments.design import DesignError, read_design


def test_rows_become_points(tmp_path) -> None:
    f = tmp_path / "d.csv"
    f.write_text("point,clusters.taiwan.spillover,technology.absorption\n"
                 "low,0.05,3e-6\nhigh,0.2,6e-6\n")
    points = read_design(f)
    assert [p.name for p in points] == ["low", "high"]
    assert points[1].overrides == ("clusters.taiwan.spillover=0.2",
                                   "technology.absorption=6e-6")
    assert points[1].params == {"clusters.taiwan.spillover": 0.2,
                                "technology.absorption": 6e-6}


def test_bad_design_files(tmp_path) -> None:
    f = tmp_path / "d.csv"
    f.write_text("a,,b\n1,2\n")
    with pytest.raises(DesignError) as err:
        read_design(f)
    assert any("column 2 has no key" in p for p in err.value.problems)
    assert any("row 2: 2 values for 3 columns" in p for p in err.value.problems)
    with pytest.raises(DesignError, match="cannot read"):
        read_design(tmp_path / "missing.csv")


def test_sweep_design_runs_each_row_with_common_random_numbers(tmp_path) -> None:
    f = tmp_path / "d.csv"
    f.write_text("clusters.taiwan.spillover\n0.1\n0.1\n")  # the same point twice
    result = CliRunner().invoke(cli, ["sweep", "taiwan_notebooks", "--design", str(f),
                                      "--replications", "2", "--horizon", "1",
                                      "--executor", "serial", "--json",
                                      "--metric", "cluster.taiwan.design_gain"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["design"]["kind"] == "external"
    a, b = (p["metrics"]["cluster.taiwan.design_gain"] for p in data["points"])
    assert a == b  # same replications, same streams: identical


def test_design_with_grid_is_refused(tmp_path) -> None:
    f = tmp_path / "d.csv"
    f.write_text("clusters.taiwan.spillover\n0.1\n")
    result = CliRunner().invoke(cli, ["sweep", "taiwan_notebooks", "--design", str(f),
                                      "--grid", "clusters.taiwan.spillover=0.1,0.2"])
    assert result.exit_code == 2
    assert "--design cannot be combined" in result.output
