"""Validate a parsed scenario document into a frozen Scenario, reporting every problem.

Two kinds of problems come out of one pass: pydantic's field-by-field problems
(`chainsim.scenario.fields`) and the checks across the file (`chainsim.scenario.checks`,
`chainsim.scenario.sizes`). When fields are invalid, the checks run on what is sound
(`chainsim.scenario.paths.Salvage`), so a dangling reference is reported beside a bad
number rather than after it is fixed. Paths name list items by id where they have one.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from chainsim.limits import MAX_NESTING
from chainsim.scenario.checks import CHECKERS, Index
from chainsim.scenario.fields import field_problems
from chainsim.scenario.model import Scenario
from chainsim.scenario.paths import Loc, Namer, Salvage, too_deep
from chainsim.scenario.problems import Problem, ScenarioError
from chainsim.scenario.sizes import check_sizes


def parse_scenario(raw: dict[str, Any], source: str = "<scenario>") -> Scenario:
    """Validate a parsed TOML document into a frozen Scenario, or raise ScenarioError."""
    deep = too_deep(raw)
    if deep is not None:
        raise ScenarioError([Problem(source, deep, f"nested more than {MAX_NESTING} levels "
                                                   "deep")])
    namer = Namer(raw)
    salvage = Salvage(raw)
    try:
        scenario = Scenario.model_validate(raw)
    except ValidationError as exc:
        problems = field_problems(exc, namer, source)
        sound = salvage.scenario()
        if sound is not None:
            problems += _unique(problems, check_scenario(sound, salvage.origins(sound), namer,
                                                         source))
        raise ScenarioError(problems) from None
    problems = check_scenario(scenario, salvage.origins(scenario), namer, source)
    if problems:
        raise ScenarioError(problems)
    return scenario


def check_scenario(s: Scenario, origin: dict[int, Loc], namer: Namer,
                   source: str) -> list[Problem]:
    """Every finding of every checker, as problems naming the file and the field."""
    ix = Index(s, origin)
    found: list[Problem] = []
    for checker in (*CHECKERS, check_sizes):
        found += [Problem(source, namer.path(loc), message) for loc, message in checker(s, ix)]
    return found


def _unique(first: list[Problem], more: list[Problem]) -> list[Problem]:
    """`more` without problems at a path `first` already reports: one line per field."""
    taken = {p.path for p in first}
    return [p for p in more if p.path not in taken]
