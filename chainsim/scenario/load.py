"""Read a TOML scenario, apply `--set` overrides, validate, and report every problem at once.

Validation happens in two passes: pydantic checks types, ranges and unknown keys; then
`chainsim.scenario.checks` looks across the file (references, limits, impossible
combinations). Each problem names the file and the dotted path of the field.
"""

from __future__ import annotations

import copy
import difflib
import math
import stat
import tomllib
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from chainsim.limits import MAX_FILE_BYTES, MAX_NESTING
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
    """Read a TOML file into a dict; any reason it cannot be read is a ScenarioError.

    Only regular files are read (a FIFO or a device such as /dev/zero would never end),
    and at most `MAX_FILE_BYTES`; nesting is bounded so no input exhausts the stack.
    """
    source = str(path)

    def bad(message: str) -> ScenarioError:
        return ScenarioError([Problem(source, "", message)])

    try:
        p = Path(path)
        info = p.stat()
    except (FileNotFoundError, NotADirectoryError):
        raise bad("no such file") from None
    except (OSError, ValueError) as exc:
        raise bad(f"cannot read: {_reason(exc)}") from None
    if stat.S_ISDIR(info.st_mode):
        raise bad("is a directory, not a scenario file")
    if not stat.S_ISREG(info.st_mode):
        raise bad("not a regular file (a device, pipe or socket); give a TOML file")
    if info.st_size > MAX_FILE_BYTES:
        raise bad(f"{info.st_size:,} bytes, above the limit of {MAX_FILE_BYTES:,}")
    try:
        with p.open("rb") as fh:
            data = fh.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise bad(f"cannot read: {_reason(exc)}") from None
    if len(data) > MAX_FILE_BYTES:
        raise bad(f"larger than the limit of {MAX_FILE_BYTES:,} bytes")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise bad(f"not UTF-8 text (byte {exc.start}); is it a TOML file?") from None
    if not text.strip():
        raise bad("empty file: a scenario needs [[clusters]] and [[buyers]]")
    if "\0" in text:
        raise bad("contains NUL characters; is it a TOML file?")
    raw = _loads(text, source, "")
    deep = _too_deep(raw)
    if deep is not None:
        raise ScenarioError([Problem(source, deep, f"nested more than {MAX_NESTING} levels "
                                                   "deep")])
    return raw


def _loads(text: str, source: str, path: str) -> Any:
    """tomllib.loads, with every way it can fail turned into a Problem."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = f"invalid TOML: {exc}"
    except RecursionError:
        message = f"invalid TOML: nested more than {MAX_NESTING} levels deep"
    except ValueError as exc:  # e.g. an integer of more than 4,300 digits
        message = f"invalid TOML: {exc}"
    raise ScenarioError([Problem(source, path, _shorten(message, 300))]) from None


def _reason(exc: Exception) -> str:
    return (exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)) or \
        type(exc).__name__


def _too_deep(value: Any) -> str | None:
    """The dotted path of the first place nested deeper than MAX_NESTING, or None."""
    stack: list[tuple[Any, list[str]]] = [(value, [])]
    while stack:
        node, where = stack.pop()
        if len(where) > MAX_NESTING:
            return ".".join(where[:MAX_NESTING])
        if isinstance(node, dict):
            stack.extend((v, [*where, str(k)]) for k, v in node.items())
        elif isinstance(node, list):
            stack.extend((v, [*where, str(i)]) for i, v in enumerate(node))
    return None


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def apply_overrides(
    raw: dict[str, Any], overrides: list[str] | tuple[str, ...], source: str
) -> dict[str, Any]:
    """Return a copy of `raw` with each `dotted.key=value` set; list items by index or id.

    A problem with an override names the file, the key and the `--set` item, e.g.
    `s.toml: clusters.9.wage: --set clusters.9.wage=1: index 9 out of range (...)`.
    """
    if not overrides:
        return raw
    out = copy.deepcopy(raw)
    problems = []
    for item in overrides:
        key, sep, text = str(item).partition("=")
        key = key.strip()
        shown = _shorten(f"--set {item}", 80)
        if not sep or not key:
            problems.append(Problem(source, "", f"{shown}: expected dotted.key=value"))
            continue
        parts = key.split(".")
        if any(not part.strip() for part in parts):
            problems.append(Problem(source, key, f"{shown}: empty part in the dotted key"))
            continue
        try:
            value = _parse_value(text.strip(), source, key)
            _set_path(out, [part.strip() for part in parts], value)
        except KeyError as exc:
            problems.append(Problem(source, key, f"{shown}: {exc.args[0]}"))
        except ScenarioError as exc:
            problems.extend(Problem(p.source, p.path, f"{shown}: {p.message}")
                            for p in exc.problems)
    if problems:
        raise ScenarioError(problems)
    return out


def _parse_value(text: str, source: str = "--set", key: str = "") -> Any:
    """A TOML value (number, bool, string, array, inline table); bare words are strings."""
    try:
        value = tomllib.loads(f"v = {text}")["v"]
    except tomllib.TOMLDecodeError:
        return text
    except (RecursionError, ValueError):
        _loads(f"v = {text}", source, key)  # raises the matching problem
    if _too_deep(value) is not None:
        raise ScenarioError([Problem(source, key, f"nested more than {MAX_NESTING} levels "
                                                  "deep")])
    return value


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
    digits = part[1:] if part.startswith("-") else part
    if digits.isascii() and digits.isdigit():
        index = int(part)
        if -len(items) <= index < len(items):
            return index
        raise KeyError(f"index {index} out of range (the list has {len(items)} items)")
    for index, item in enumerate(items):
        if isinstance(item, dict) and item.get("id") == part:
            return index
    known = [str(i.get("id")) for i in items if isinstance(i, dict) and "id" in i]
    shown = ", ".join(known[:20]) + (", ..." if len(known) > 20 else "")
    raise KeyError(f"no item with id {part!r} (known: {shown or 'none'})")


def parse_scenario(raw: dict[str, Any], source: str = "<scenario>") -> Scenario:
    """Validate a parsed TOML document into a frozen Scenario, or raise ScenarioError."""
    from chainsim.scenario.checks import check_scenario

    deep = _too_deep(raw)
    if deep is not None:
        raise ScenarioError([Problem(source, deep, f"nested more than {MAX_NESTING} levels "
                                                   "deep")])
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
        # pydantic also calls a list too short when its only items are invalid: say only
        # what is wrong with the items.
        if err["type"] == "too_short" and any(p.startswith(f"{path}.") for p in by_path):
            continue
        problems.append(Problem(source, path, _message(err)))
    return problems


def _is_union_tag(part: Any) -> bool:
    return isinstance(part, str) and (
        part in _UNION_TAGS or "[" in part or part.startswith("constrained-")
    )


def _best_error(errs: list[dict[str, Any]]) -> dict[str, Any]:
    """Of several union branches failing, the one that matches the input's shape: the
    distribution's complaint for a table, the number's for anything else."""
    if len(errs) == 1:
        return errs[0]

    def is_distribution(err: dict[str, Any]) -> bool:
        return any("Distribution" in str(p) for p in err["loc"])

    given = errs[0].get("input")
    for err in errs:
        if is_distribution(err) == isinstance(given, dict):
            return err
    return errs[0]


def _message(err: dict[str, Any]) -> str:
    kind = err["type"]
    given = err.get("input")
    if kind == "extra_forbidden":
        return "unknown key" + _suggestion(err["loc"])
    if kind == "missing":
        return "required field is missing"
    if kind == "too_short" and isinstance(given, list | tuple) and not given:
        n = err.get("ctx", {}).get("min_length", 1)
        return f"needs at least {n} item{'s' if n != 1 else ''}, got none"
    msg = err["msg"] or kind
    if msg.startswith("Value error, "):
        msg = msg[len("Value error, ") :]
    msg = msg[0].lower() + msg[1:]
    if isinstance(given, float) and not math.isfinite(given):
        return f"must be a finite number, got {given}"
    if not isinstance(given, dict | list) and given is not None:
        return f"{msg} (got {_shorten(repr(given), 60)})"
    return msg


def _suggestion(loc: tuple[Any, ...]) -> str:
    """`; did you mean 'x'?` for a misspelt key, or the known keys of its table."""
    fields = _fields_at([p for p in loc[:-1] if not _is_union_tag(p)])
    if not fields:
        return ""
    close = difflib.get_close_matches(str(loc[-1]), fields, n=1)
    if close:
        return f"; did you mean {close[0]!r}?"
    shown = ", ".join(fields[:12]) + (", ..." if len(fields) > 12 else "")
    return f"; known keys: {shown}"


def _fields_at(loc: list[Any]) -> list[str]:
    """The field names of the model found at `loc` inside a Scenario, if any."""
    node: Any = Scenario
    for part in loc:
        node = _model_in(node)
        if node is None:
            return []
        if isinstance(part, int):
            continue  # an item of a tuple field: same model
        field = node.model_fields.get(str(part))
        if field is None:
            return []
        node = field.annotation
    model = _model_in(node)
    return list(model.model_fields) if model is not None else []


def _model_in(annotation: Any) -> Any:
    """The pydantic model inside an annotation such as `tuple[Firm, ...]` or `X | None`."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = _model_in(arg)
        if found is not None:
            return found
    return None
