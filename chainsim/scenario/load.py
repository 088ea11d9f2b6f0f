"""Read a TOML scenario, apply `--set` overrides, validate, and report every problem at once.

Validation happens in two passes: pydantic checks types, ranges and unknown keys; then
`chainsim.scenario.checks` looks across the file (references, limits, impossible
combinations). Each problem names the file and the dotted path of the field.
"""

from __future__ import annotations

import copy
import math
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from chainsim.scenario.model import Scenario

_UNION_TAGS = {"float", "int", "str", "bool", "Distribution", "constrained-float"}


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a scenario: where, and what."""

    source: str
    path: str
    message: str

    def __str__(self) -> str:
        where = f"{self.source}: {self.path}" if self.path else self.source
        return f"{where}: {self.message}"


class ScenarioError(Exception):
    """A scenario that cannot run; carries every problem found."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


def load_scenario(path: str | Path, overrides: list[str] | tuple[str, ...] = ()) -> Scenario:
    """Read, override and validate one scenario file; raise ScenarioError listing problems."""
    source = str(path)
    raw = read_toml(path)
    raw = apply_overrides(raw, overrides, source)
    return parse_scenario(raw, source)


def read_toml(path: str | Path) -> dict[str, Any]:
    source = str(path)
    p = Path(path)
    if not p.exists():
        raise ScenarioError([Problem(source, "", "no such file")])
    if p.is_dir():
        raise ScenarioError([Problem(source, "", "is a directory, not a scenario file")])
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise ScenarioError([Problem(source, "", f"cannot read: {exc.strerror}")]) from None
    if len(data) > 50_000_000:
        raise ScenarioError([Problem(source, "", "file larger than the 50 MB limit")])
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ScenarioError(
            [Problem(source, "", f"not UTF-8 text (byte {exc.start}); is it a TOML file?")]
        ) from None
    if not text.strip():
        raise ScenarioError([Problem(source, "", "empty file: a scenario needs [[clusters]]")])
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError([Problem(source, "", f"invalid TOML: {exc}")]) from None


def apply_overrides(
    raw: dict[str, Any], overrides: list[str] | tuple[str, ...], source: str
) -> dict[str, Any]:
    """Return a copy of `raw` with each `dotted.key=value` set; list items by index or id."""
    if not overrides:
        return raw
    out = copy.deepcopy(raw)
    problems = []
    for item in overrides:
        key, sep, text = item.partition("=")
        key = key.strip()
        if not sep or not key:
            problems.append(Problem("--set", item, "expected dotted.key=value"))
            continue
        try:
            _set_path(out, key.split("."), _parse_value(text.strip()))
        except KeyError as exc:
            problems.append(Problem("--set", key, str(exc.args[0])))
    if problems:
        raise ScenarioError(problems)
    return out


def _parse_value(text: str) -> Any:
    """A TOML value (number, bool, string, array, inline table); bare words are strings."""
    try:
        return tomllib.loads(f"v = {text}")["v"]
    except tomllib.TOMLDecodeError:
        return text


def _set_path(node: Any, parts: list[str], value: Any) -> None:
    for depth, part in enumerate(parts):
        last = depth == len(parts) - 1
        if isinstance(node, list):
            index = _list_index(node, part)
            if last:
                node[index] = value
                return
            node = node[index]
        elif isinstance(node, dict):
            if last:
                node[part] = value
                return
            node = node.setdefault(part, {})
        else:
            raise KeyError(f"cannot set {part!r}: {'.'.join(parts[:depth])} is not a table")


def _list_index(items: list[Any], part: str) -> int:
    if part.lstrip("-").isdigit():
        index = int(part)
        if -len(items) <= index < len(items):
            return index
        raise KeyError(f"index {index} out of range (the list has {len(items)} items)")
    for index, item in enumerate(items):
        if isinstance(item, dict) and item.get("id") == part:
            return index
    known = [str(i.get("id")) for i in items if isinstance(i, dict) and "id" in i]
    raise KeyError(f"no item with id {part!r} (known: {', '.join(known) or 'none'})")


def parse_scenario(raw: dict[str, Any], source: str = "<scenario>") -> Scenario:
    """Validate a parsed TOML document into a frozen Scenario, or raise ScenarioError."""
    from chainsim.scenario.checks import check_scenario

    try:
        scenario = Scenario.model_validate(raw)
    except ValidationError as exc:
        raise ScenarioError(_pydantic_problems(exc, raw, source)) from None
    problems = check_scenario(scenario, source)
    if problems:
        raise ScenarioError(problems)
    return scenario


def _pydantic_problems(exc: ValidationError, raw: Any, source: str) -> list[Problem]:
    """One problem per field: union branches of the same field are merged into one line."""
    by_path: dict[str, list[dict[str, Any]]] = {}
    for err in exc.errors(include_url=False):
        loc = [str(p) for p in err["loc"] if not _is_union_tag(p)]
        by_path.setdefault(".".join(loc), []).append(err)
    problems = []
    for path, errs in by_path.items():
        err = _best_error(errs)
        problems.append(Problem(source, path, _message(err)))
    return problems


def _is_union_tag(part: Any) -> bool:
    return isinstance(part, str) and (
        part in _UNION_TAGS or "[" in part or part.startswith("constrained-")
    )


def _best_error(errs: list[dict[str, Any]]) -> dict[str, Any]:
    """Of several union branches failing, the one that matches the input's shape."""
    if len(errs) == 1:
        return errs[0]
    given = errs[0].get("input")
    if isinstance(given, dict):
        for err in errs:
            if "Distribution" in [str(p) for p in err["loc"]]:
                return err
    for err in errs:
        if "Distribution" not in [str(p) for p in err["loc"]]:
            return err
    return errs[0]


def _message(err: dict[str, Any]) -> str:
    kind = err["type"]
    given = err.get("input")
    if kind == "extra_forbidden":
        return "unknown key"
    if kind == "missing":
        return "required field is missing"
    msg = err["msg"]
    if msg.startswith("Value error, "):
        msg = msg[len("Value error, ") :]
    if isinstance(given, float) and not math.isfinite(given):
        return f"must be a finite number, got {given}"
    if not isinstance(given, dict | list) and given is not None:
        shown = repr(given)
        if len(shown) > 60:
            shown = shown[:57] + "..."
        return f"{msg[0].lower()}{msg[1:]} (got {shown})"
    return f"{msg[0].lower()}{msg[1:]}"
