"""The EMA Workbench example of docs/experiments.md, run as written there (a smaller
design): chainsim.run_scenario with replications and time series as outcomes."""

from __future__ import annotations

import numpy as np
import pytest

import chainsim

ema = pytest.importorskip("ema_workbench")


def test_run_scenario_replications_and_series() -> None:
    one = chainsim.run_scenario("taiwan_notebooks", horizon_years=2)
    two = chainsim.run_scenario("taiwan_notebooks", horizon_years=2, replications=2,
                                series=["series.year", "series.taiwan.network"])
    again = chainsim.run_scenario("taiwan_notebooks", horizon_years=2, replication=1)
    key = "cluster.taiwan.design_gain"
    assert two[key] == pytest.approx((one[key] + again[key]) / 2)
    assert set(two) == set(one) | {"series.year", "series.taiwan.network"}
    assert two["series.taiwan.network"].shape == two["series.year"].shape
    assert len(two["series.year"]) == 7  # quarterly periods, the last one not recorded


def test_ema_workbench_example() -> None:
    from ema_workbench import (
        Model,
        RealParameter,
        ScalarOutcome,
        TimeSeriesOutcome,
        perform_experiments,
    )
    from ema_workbench.analysis import prim

    def taiwan(spillover=0.1, absorption=3e-6):
        out = chainsim.run_scenario(
            "taiwan_notebooks", horizon_years=2, replications=2,
            series=["series.year", "series.taiwan.network"],
            clusters__taiwan__spillover=spillover, technology__absorption=absorption)
        return {"design_gain": out["cluster.taiwan.design_gain"],
                "network": out["series.taiwan.network"]}

    model = Model("taiwan", function=taiwan)
    model.uncertainties = [RealParameter("spillover", 0.05, 0.2),
                           RealParameter("absorption", 1.5e-6, 6e-6)]
    model.outcomes = [ScalarOutcome("design_gain"), TimeSeriesOutcome("network")]
    experiments, outcomes = perform_experiments(model, scenarios=4)
    assert outcomes["network"].shape == (4, 7)
    assert np.isfinite(outcomes["design_gain"]).all()
    x = experiments[["spillover", "absorption"]].astype(float)  # PRIM wants floats
    y = outcomes["design_gain"] > np.median(outcomes["design_gain"])
    assert prim.Prim(x, y, threshold=0.5).find_box() is not None
