"""Global sensitivity of chosen outputs to the parameters the paper does not fix: Morris
elementary effects (screening) and Sobol indices, with SALib (the optional `sensitivity`
extra) and its bootstrap confidence intervals.

The parameters and their ranges are those of `chainsim/evidence/ranges.toml`, sampled as
log multipliers. Each sample point runs replications 0..R-1 with the same seed (common
random numbers across points, so differences between points are not sampling noise of
the streams), in parallel on the project's executors; the output at a point is the mean
over its replications.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from chainsim.evidence import specs
from chainsim.evidence.robustness import Parameter, point_overrides
from chainsim.evidence.runner import MetricTask, run_tasks
from chainsim.scenario import Scenario

METHODS = ("morris", "sobol")
SALIB_MESSAGE = "chainsim sensitivity needs SALib: pip install 'chainsim[sensitivity]'"


class SensitivityUnavailable(RuntimeError):
    """SALib is not installed."""


def problem(params: Sequence[Parameter]) -> dict[str, Any]:
    """SALib's problem: each parameter as its log multiplier."""
    return {"num_vars": len(params), "names": [p.name for p in params],
            "bounds": [[float(np.log(p.low)), float(np.log(p.high))] for p in params]}


def sample(method: str, params: Sequence[Parameter], n: int, seed: int) -> np.ndarray:
    """The design in log multipliers: Morris trajectories (n (d + 1) points) or Saltelli's
    Sobol sample without second-order terms (n (d + 2) points, n a power of 2)."""
    salib = _salib()
    prob = problem(params)
    if method == "morris":
        return salib.sample.morris.sample(prob, n, num_levels=4, seed=seed)
    return salib.sample.sobol.sample(prob, n, calc_second_order=False, seed=seed)


def analyze(method: str, params: Sequence[Parameter], x: np.ndarray, y: np.ndarray,
            seed: int, resamples: int = 1000) -> list[dict[str, Any]]:
    """Per parameter: Morris mu*, its 95% bootstrap CI half-width and sigma; or Sobol
    S1 and ST with their 95% bootstrap half-widths."""
    salib = _salib()
    prob = problem(params)
    if method == "morris":
        r = salib.analyze.morris.analyze(prob, x, y, num_resamples=resamples,
                                         conf_level=0.95, seed=seed)
        keys = ("mu_star", "mu_star_conf", "sigma", "mu")
    else:
        r = salib.analyze.sobol.analyze(prob, y, calc_second_order=False,
                                        num_resamples=resamples, conf_level=0.95, seed=seed)
        keys = ("S1", "S1_conf", "ST", "ST_conf")
    return [{"parameter": name, **{k: float(r[k][i]) for k in keys}}
            for i, name in enumerate(prob["names"])]


def _salib() -> Any:
    try:
        import SALib.analyze.morris
        import SALib.analyze.sobol
        import SALib.sample.morris
        import SALib.sample.sobol  # noqa: F401
    except ImportError as exc:
        raise SensitivityUnavailable(SALIB_MESSAGE) from exc
    return SALib


def run_design(scenario: Scenario, load: Any, params: Sequence[Parameter], x: np.ndarray,
               outputs: Sequence[str], replications: int, seed: int, **execution: Any
               ) -> np.ndarray:
    """Each output at each design point (rows of log multipliers): the mean over the
    point's replications. Returns points x outputs."""
    head = tuple(o for o in outputs if specs.parse(o) is None)
    dated = tuple(o for o in outputs if specs.parse(o) is not None)
    tasks = []
    for k, row in enumerate(np.exp(x)):
        sc = load(point_overrides(scenario, params, row))
        tasks += [MetricTask(str(k), sc, seed, r, sc.simulation.horizon_years,
                             headline=head, specs=dated) for r in range(replications)]
    results = run_tasks(tasks, description=f"{len(x)} points x {replications} replications",
                        **execution)
    y = np.full((len(x), replications, len(outputs)), np.nan)
    for task, res in zip(tasks, results, strict=True):
        y[int(task.config), task.replication] = [res[o] for o in outputs]
    return np.nanmean(y, axis=1)
