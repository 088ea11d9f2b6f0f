"""chainsim: global value chains and industrial clusters as a discrete-event simulation.

After Humphrey & Schmitz (2000), "Governance and upgrading: linking industrial cluster and
global value chain research", IDS Working Paper 120.

The public names (docs/api.md) are imported when first used, so `import chainsim` and
`chainsim --version` do not load pandas, scipy or pyarrow.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# public name -> the module defining it
_HOMES = {
    "run": "chainsim.api",
    "replicate": "chainsim.api",
    "compare": "chainsim.api",
    "sweep": "chainsim.api",
    "run_scenario": "chainsim.api",
    "scenario_library": "chainsim.library",
    "Execution": "chainsim.experiments.lifecycle",
    "Replications": "chainsim.experiments.lifecycle",
    "ExperimentFailed": "chainsim.experiments.lifecycle",
    "Comparison": "chainsim.experiments.comparison",
    "Sweep": "chainsim.experiments.sweep",
    "Experiment": "chainsim.experiments.runner",
    "Configuration": "chainsim.experiments.runner",
    "DesignError": "chainsim.experiments.design",
    "ExecutorUnavailable": "chainsim.experiments.executors",
    "OutputError": "chainsim.output",
    "RunResult": "chainsim.engine.simulation",
    "simulate": "chainsim.engine.simulation",
    "headline": "chainsim.results.summary",
    "summarize": "chainsim.results.summary",
    "Scenario": "chainsim.scenario",
    "ScenarioError": "chainsim.scenario",
    "load_scenario": "chainsim.scenario",
}

__all__ = [
    "__version__",
    "Comparison",
    "Configuration",
    "DesignError",
    "Execution",
    "ExecutorUnavailable",
    "Experiment",
    "ExperimentFailed",
    "OutputError",
    "Replications",
    "RunResult",
    "Scenario",
    "ScenarioError",
    "Sweep",
    "compare",
    "headline",
    "load_scenario",
    "replicate",
    "run",
    "run_scenario",
    "scenario_library",
    "simulate",
    "summarize",
    "sweep",
]


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'chainsim' has no attribute {name!r}")
    value = getattr(import_module(home), name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_HOMES})


if TYPE_CHECKING:
    from chainsim.api import compare, replicate, run, run_scenario, sweep
    from chainsim.engine.simulation import RunResult, simulate
    from chainsim.experiments.comparison import Comparison
    from chainsim.experiments.design import DesignError
    from chainsim.experiments.executors import ExecutorUnavailable
    from chainsim.experiments.lifecycle import Execution, ExperimentFailed, Replications
    from chainsim.experiments.runner import Configuration, Experiment
    from chainsim.experiments.sweep import Sweep
    from chainsim.library import scenario_library
    from chainsim.output import OutputError
    from chainsim.results.summary import headline, summarize
    from chainsim.scenario import Scenario, ScenarioError, load_scenario
