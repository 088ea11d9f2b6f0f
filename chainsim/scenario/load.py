"""Read a TOML scenario, apply `--set` overrides, and validate it.

Reading refuses anything that is not a modest regular UTF-8 TOML file; an override names
a field by dotted path, list items by index or id. Validation
(`chainsim.scenario.validate`) reports every problem at once, each naming the file and
the dotted path of the field.
"""

from __future__ import annotations

import copy
import stat
import tomllib
from pathlib import Path
from typing import Any

from chainsim.limits import MAX_FILE_BYTES, MAX_NESTING
from chainsim.scenario.model import Scenario
from chainsim.scenario.paths import too_deep
from chainsim.scenario.problems import Problem, ScenarioError
from chainsim.scenario.validate import parse_scenario

__all__ = ["Problem", "ScenarioError", "apply_overrides", "load_scenario", "parse_scenario",
           "read_toml"]


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
    deep = too_deep(raw)
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
    if too_deep(value) is not None:
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
