"""Where a problem is, said as the user wrote it; and the sound part of a flawed file.

A location is a tuple of keys and list indices into the raw document (the dict a TOML
file parses into). It is shown as a dotted path in which a list item that has an id is
named by it, as `--set` accepts it (`buyers.us-main.price`, `clusters.sinos.firms.lead`),
and an item without one, or whose id is not unique in its list, by its index from 0
(`links.1.buyer`).

`Salvage` takes out of a document every part that failed field validation (an invalid
value reverts to its default; an item whose required field is invalid is left out), so
that the checks across the file run in the same pass and every problem is reported at
once. `origins` maps each item of the resulting scenario back to its place in the file.
"""

from __future__ import annotations

import copy
import itertools
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

from pydantic import ValidationError

from chainsim.limits import MAX_NESTING
from chainsim.scenario.model import ID_MAX_LENGTH, ID_PATTERN, SALVAGE, Scenario

Loc = tuple[str | int, ...]

_ID = re.compile(ID_PATTERN)
_UNION_TAGS = {"float", "int", "str", "bool", "Distribution", "constrained-float"}
SALVAGE_ROUNDS = 8  # a repair can expose a required field: each round goes one level up


def is_union_tag(part: Any) -> bool:
    """Whether a part of a pydantic error location names a union branch, not a field."""
    return isinstance(part, str) and (
        part in _UNION_TAGS or "[" in part or part.startswith("constrained-")
    )


def field_loc(loc: Sequence[Any]) -> Loc:
    """A pydantic error location without its union-branch tags."""
    return tuple(p for p in loc if not is_union_tag(p))


def too_deep(value: Any) -> str | None:
    """The dotted path of the first place nested deeper than MAX_NESTING, or None."""
    # Each entry links to its parent's trail, so a path is only spelt out when needed.
    stack: list[tuple[Any, int, tuple[Any, ...]]] = [(value, 0, ())]
    while stack:
        node, depth, trail = stack.pop()
        items = (node.items() if isinstance(node, dict) else enumerate(node)
                 if isinstance(node, list) else ())
        for key, child in items:
            if depth >= MAX_NESTING:
                return _spelt((key, trail))
            if isinstance(child, dict | list):
                stack.append((child, depth + 1, (key, trail)))
    return None


def _spelt(trail: tuple[Any, ...]) -> str:
    parts: list[str] = []
    while trail:
        key, trail = trail
        parts.append(str(key))
    return ".".join(list(reversed(parts))[:MAX_NESTING])


class Namer:
    """Shows locations inside one raw document as dotted paths, naming items by id."""

    def __init__(self, raw: Any):
        self.raw = raw
        self._counts: dict[int, Counter[str]] = {}

    def path(self, loc: Iterable[str | int]) -> str:
        parts: list[str] = []
        node = self.raw
        for part in loc:
            if isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
                parts.append(self._label(node, part))
                node = node[part]
            else:
                parts.append(str(part))
                node = node.get(part) if isinstance(node, dict) else None
        return ".".join(parts)

    def _label(self, items: list[Any], index: int) -> str:
        item = items[index]
        ident = item.get("id") if isinstance(item, dict) else None
        if (isinstance(ident, str) and len(ident) <= ID_MAX_LENGTH and _ID.match(ident)
                and self._ids(items)[ident] == 1):
            return ident
        return str(index)

    def _ids(self, items: list[Any]) -> Counter[str]:
        key = id(items)
        if key not in self._counts:
            self._counts[key] = Counter(i["id"] for i in items
                                        if isinstance(i, dict) and isinstance(i.get("id"), str))
        return self._counts[key]


class Salvage:
    """A copy of a raw document from which invalid parts are taken out, round by round,
    until it validates (or it cannot: then only the field problems are reported)."""

    def __init__(self, raw: Any):
        self.data = raw  # copied before the first repair
        self.cut: dict[Loc, set[int]] = {}  # list location -> indices of items left out

    def scenario(self) -> Scenario | None:
        self.data = copy.deepcopy(self.data)
        for _ in range(SALVAGE_ROUNDS):
            try:
                return Scenario.model_validate(self._view(self.data, ()), context=SALVAGE)
            except ValidationError as exc:
                errors = [(self._original(field_loc(err["loc"])), err["type"])
                          for err in exc.errors(include_url=False)]
            done: list[Loc] = []
            for loc, kind in errors:
                if any(loc[: len(d)] == d for d in done):
                    continue  # already taken out with what holds it
                dropped = self._repair(loc, kind)
                if dropped is None:
                    return None
                done.append(dropped)
        return None

    def origins(self, scenario: Scenario) -> dict[int, Loc]:
        """`id()` of each cluster, firm group, buyer, link, fair and shock -> its location."""
        out: dict[int, Loc] = {}
        for loc, cluster in self._items(scenario.clusters, ("clusters",)):
            out[id(cluster)] = loc
            for firm_loc, firm in self._items(cluster.firms, (*loc, "firms")):
                out[id(firm)] = firm_loc
        for name in ("buyers", "links", "fairs", "shocks"):
            for loc, item in self._items(getattr(scenario, name), (name,)):
                out[id(item)] = loc
        return out

    def _items(self, items: Sequence[Any], loc: Loc) -> list[tuple[Loc, Any]]:
        gone = self.cut.get(loc)
        kept = itertools.count() if not gone else (i for i in itertools.count()
                                                   if i not in gone)
        return [((*loc, i), item) for i, item in zip(kept, items, strict=False)]

    def _view(self, node: Any, loc: Loc) -> Any:
        if isinstance(node, dict):
            return {k: self._view(v, (*loc, k)) for k, v in node.items()}
        if isinstance(node, list):
            gone = self.cut.get(loc, set())
            return [self._view(v, (*loc, i)) for i, v in enumerate(node) if i not in gone]
        return node

    def _original(self, loc: Loc) -> Loc:
        """A location in the validated view -> the same place in the document."""
        out: list[str | int] = []
        for part in loc:
            gone = self.cut.get(tuple(out))
            if isinstance(part, int) and gone:
                part = next(itertools.islice((i for i in itertools.count() if i not in gone),
                                             part, None))
            out.append(part)
        return tuple(out)

    def _get(self, loc: Loc) -> tuple[bool, Any]:
        node = self.data
        for part in loc:
            if isinstance(node, dict) and part in node:
                node = node[part]
            elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
                node = node[part]
            else:
                return False, None
        return True, node

    def _repair(self, loc: Loc, kind: str) -> Loc | None:
        """Take out what the error at `loc` is about; the location taken out, or None if
        nothing can be (an invalid top level)."""
        found, value = self._get(loc)
        if kind == "missing" or not found:
            return self._drop(loc[:-1])
        if loc and isinstance(loc[-1], int) and not isinstance(value, dict):
            return self._drop(loc[:-1])  # a bad element: its list reverts to the default
        return self._drop(loc)

    def _drop(self, loc: Loc) -> Loc | None:
        """Leave out the item at `loc` if it is a table in a list, else delete its key so
        the field's default applies; the location taken out."""
        if not loc:
            return None
        found, parent = self._get(loc[:-1])
        last = loc[-1]
        if isinstance(parent, list) and isinstance(last, int):
            if isinstance(parent[last], dict):
                self.cut.setdefault(loc[:-1], set()).add(last)
                return loc
            return self._drop(loc[:-1])
        if isinstance(parent, dict) and last in parent:
            del parent[last]
            return loc
        return self._drop(loc[:-1]) if found else None
