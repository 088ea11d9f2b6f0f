"""Scenario files: TOML in, validated frozen objects out."""

from chainsim.scenario.load import (
    Problem,
    ScenarioError,
    apply_overrides,
    load_scenario,
    parse_scenario,
)
from chainsim.scenario.model import Scenario

__all__ = [
    "Problem",
    "Scenario",
    "ScenarioError",
    "apply_overrides",
    "load_scenario",
    "parse_scenario",
]
