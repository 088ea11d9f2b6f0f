"""Scenario files: TOML in, validated frozen objects out."""

from chainsim.scenario.load import apply_overrides, load_scenario
from chainsim.scenario.model import Scenario
from chainsim.scenario.problems import Problem, ScenarioError
from chainsim.scenario.sizes import horizon_problem
from chainsim.scenario.validate import parse_scenario

__all__ = [
    "Problem",
    "Scenario",
    "ScenarioError",
    "apply_overrides",
    "horizon_problem",
    "load_scenario",
    "parse_scenario",
]
