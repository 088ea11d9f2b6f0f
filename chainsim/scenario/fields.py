"""Field-by-field problems: pydantic's validation errors, one plain line per field.

Union branches of one field (a number or a distribution) are merged into the complaint
that matches what was written; a misspelt key gets the closest known key.
"""

from __future__ import annotations

import datetime
import difflib
import math
import typing
from typing import Any

from pydantic import BaseModel, ValidationError

from chainsim.scenario.model import Scenario
from chainsim.scenario.paths import Loc, Namer, field_loc, is_union_tag
from chainsim.scenario.problems import Problem

_EXPECTED = {"float_type": "a number", "int_type": "an integer", "bool_type": "true or false",
             "string_type": "text in quotes"}


def field_problems(exc: ValidationError, namer: Namer, source: str) -> list[Problem]:
    """One problem per field: union branches of the same field are merged into one line."""
    by_loc: dict[Loc, list[dict[str, Any]]] = {}
    for detail in exc.errors(include_url=False):
        by_loc.setdefault(field_loc(detail["loc"]), []).append(dict(detail))
    problems = []
    for loc, errs in by_loc.items():
        err = _best_error(errs)
        # A table or list with problems inside it is not also wrong as a whole (pydantic
        # calls a list too short when its items are invalid, a table not a number when it
        # is a distribution with a bad parameter): say only what is wrong inside.
        if isinstance(err.get("input"), dict | list | tuple) and any(
                other[: len(loc)] == loc and other != loc for other in by_loc):
            continue
        problems.append(Problem(source, namer.path(loc), _message(err)))
    return problems


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


# Keys an older scenario file may still carry, with what replaced them.
RETIRED = {
    "teaches": "no longer a setting: what a buyer teaches follows from the link's "
               "governance now and the buyer's requirements (docs/model.md, teaching)",
}


def _message(err: dict[str, Any]) -> str:
    kind = err["type"]
    given = err.get("input")
    if kind == "extra_forbidden":
        retired = RETIRED.get(str(err["loc"][-1]))
        return retired if retired else "unknown key" + _suggestion(err["loc"])
    if kind == "missing":
        return "required field is missing"
    if kind in _EXPECTED:
        return f"must be {_EXPECTED[kind]}, got {written(given)}"
    if kind == "too_short" and isinstance(given, list | tuple) and not given:
        n = err.get("ctx", {}).get("min_length", 1)
        return f"needs at least {n} item{'s' if n != 1 else ''}, got none"
    if isinstance(given, float) and not math.isfinite(given):
        return f"must be a finite number, got {given}"
    msg = err["msg"] or kind
    if msg.startswith("Value error, "):
        return msg[len("Value error, "):]  # our own validators say what they were given
    msg = msg[0].lower() + msg[1:]
    if not isinstance(given, dict | list) and given is not None:
        return f"{msg} (got {written(given)})"
    return msg


def written(value: Any) -> str:
    """A value as it reads in TOML, with its kind where that is the point."""
    if isinstance(value, bool):
        return f"{str(value).lower()} (a boolean)"
    if isinstance(value, datetime.date | datetime.time):
        return f"{value.isoformat()} (a date or time)"
    if isinstance(value, str):
        return _shorten(repr(value), 60) + " (a string)"
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "an array"
    return _shorten(repr(value), 60)


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _suggestion(loc: tuple[Any, ...]) -> str:
    """`; did you mean 'x'?` for a misspelt key, or the known keys of its table."""
    fields = _fields_at([p for p in loc[:-1] if not is_union_tag(p)])
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
