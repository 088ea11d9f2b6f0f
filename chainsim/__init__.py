"""chainsim: global value chains and industrial clusters as a discrete-event simulation.

After Humphrey & Schmitz (2000), "Governance and upgrading: linking industrial cluster and
global value chain research", IDS Working Paper 120.
"""

__version__ = "0.1.0"

from chainsim.api import run, run_scenario  # noqa: E402
from chainsim.engine.simulation import RunResult, simulate  # noqa: E402
from chainsim.results.summary import headline, summarize  # noqa: E402
from chainsim.scenario import Scenario, ScenarioError, load_scenario  # noqa: E402

__all__ = [
    "RunResult",
    "Scenario",
    "ScenarioError",
    "__version__",
    "headline",
    "load_scenario",
    "run",
    "run_scenario",
    "simulate",
    "summarize",
]
