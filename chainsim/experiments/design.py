"""Experimental designs: named variants, factorial grids and Latin hypercubes.

Every design turns into a list of points, each a list of `dotted.key=value` overrides
that `chainsim.scenario.apply_overrides` applies to the base scenario, so a point is
validated exactly like `--set`. Parsing errors raise `DesignError` with one line per
problem, naming the option and the text at fault.
"""

from __future__ import annotations

import itertools
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}$")
MAX_POINTS = 100_000  # refused before any scenario is built (see chainsim.limits)


class DesignError(ValueError):
    """Options that do not describe a design; carries one message per problem."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass(frozen=True)
class Point:
    """One configuration of a design: a name, its overrides and the parameter values."""

    name: str
    overrides: tuple[str, ...]
    params: dict[str, Any] = field(default_factory=dict, hash=False, compare=True)


def _top_level(text: str, sep: str) -> tuple[list[int], int, str]:
    """Scan `text` once: the positions of `sep` outside brackets, braces and quotes, and
    the bracket depth and open quote left at its end."""
    cuts, depth, quote = [], 0, ""
    for i, ch in enumerate(text):
        if quote:
            if ch == quote and text[i - 1] != "\\":
                quote = ""
        elif ch in "\"'":
            quote = ch
        elif ch in "[{":
            depth += 1
        elif ch in "]}":
            depth -= 1
        elif ch == sep and depth == 0:
            cuts.append(i)
    return cuts, depth, quote


def split_top_level(text: str, sep: str = ",") -> list[str]:
    """Split on `sep` outside brackets, braces and quotes, so TOML arrays, inline tables
    and quoted strings stay whole: `a=[1,2],b="x,y"` -> ['a=[1,2]', 'b="x,y"']."""
    cuts, _, _ = _top_level(text, sep)
    bounds = [-1, *cuts, len(text)]
    return [text[a + 1:b].strip() for a, b in zip(bounds, bounds[1:], strict=False)]


def unbalanced(text: str) -> str | None:
    """What is left open in `text` (a quote, bracket or brace), or None: an unclosed
    quote would otherwise swallow the separators after it into one value."""
    _, depth, quote = _top_level(text, ",")
    if quote:
        return f"unclosed quote {quote}"
    return None if depth == 0 else "unbalanced brackets or braces"


def parse_variant(spec: str) -> tuple[str, tuple[str, ...]]:
    """`name:key=value[,key=value]` -> (name, overrides)."""
    name, sep, rest = spec.partition(":")
    name = name.strip()
    if not sep or not rest.strip():
        raise DesignError([f"--variant {spec!r}: expected name:key=value[,key=value...]"])
    if not NAME.match(name):
        raise DesignError([f"--variant {spec!r}: name {name!r} must be letters, digits, "
                           "'_', '-' or '.' (at most 64, not starting with a symbol)"])
    if unbalanced(rest):
        raise DesignError([f"--variant {spec!r}: {unbalanced(rest)}"])
    items = split_top_level(rest)
    bad = [item for item in items if "=" not in item or not item.partition("=")[0].strip()]
    if bad:
        raise DesignError([f"--variant {name}: {item!r} is not key=value" for item in bad])
    return name, tuple(items)


def parse_grid(specs: list[str] | tuple[str, ...]) -> list[tuple[str, list[str]]]:
    """`key=v1,v2,...` factors, in the order given; values stay TOML text."""
    factors: list[tuple[str, list[str]]] = []
    problems: list[str] = []
    for spec in specs:
        key, sep, rest = spec.partition("=")
        key = key.strip()
        values = split_top_level(rest) if sep else []
        if sep and unbalanced(rest):
            problems.append(f"--grid {spec!r}: {unbalanced(rest)}")
        elif not sep or not key or not values or any(v == "" for v in values):
            problems.append(f"--grid {spec!r}: expected key=v1,v2[,...] with no empty value")
        elif key in (k for k, _ in factors):
            problems.append(f"--grid {key}: given twice")
        elif len(set(values)) != len(values):
            problems.append(f"--grid {key}: a value is repeated")
        else:
            factors.append((key, values))
    if problems:
        raise DesignError(problems)
    return factors


def parse_range(specs: list[str] | tuple[str, ...]) -> list[tuple[str, float, float]]:
    """`key=lo:hi` ranges for a Latin hypercube; finite bounds with lo < hi."""
    ranges: list[tuple[str, float, float]] = []
    problems: list[str] = []
    for spec in specs:
        key, sep, rest = spec.partition("=")
        key = key.strip()
        lo_text, colon, hi_text = rest.partition(":")
        try:
            lo, hi = float(lo_text), float(hi_text)
        except ValueError:
            lo = hi = math.nan
        if not sep or not key or not colon or not (math.isfinite(lo) and math.isfinite(hi)):
            problems.append(f"--range {spec!r}: expected key=low:high with two finite numbers")
        elif lo >= hi:
            problems.append(f"--range {key}: low {lo:g} must be below high {hi:g}")
        elif key in (k for k, _, _ in ranges):
            problems.append(f"--range {key}: given twice")
        else:
            ranges.append((key, lo, hi))
    if problems:
        raise DesignError(problems)
    return ranges


def factorial(factors: list[tuple[str, list[str]]]) -> list[Point]:
    """Every combination of the factors' values (the last factor varies fastest)."""
    n = math.prod(len(v) for _, v in factors)
    if n > MAX_POINTS:
        raise DesignError([f"--grid: {n:,} points exceed the limit of {MAX_POINTS:,}"])
    keys = [k for k, _ in factors]
    points = []
    for i, combo in enumerate(itertools.product(*(v for _, v in factors))):
        overrides = tuple(f"{k}={v}" for k, v in zip(keys, combo, strict=True))
        params = {k: _value(v) for k, v in zip(keys, combo, strict=True)}
        points.append(Point(f"p{i:04d}", overrides, params))
    return points


def latin_hypercube(ranges: list[tuple[str, float, float]], n: int, seed: int,
                    integer_keys: frozenset[str] = frozenset()) -> list[Point]:
    """`n` points of a Latin hypercube over the ranges (scipy.stats.qmc), reproducible
    from `seed`. Keys whose current value is an integer are rounded to integers."""
    from scipy.stats import qmc

    if not 1 <= n <= MAX_POINTS:
        raise DesignError([f"--lhs {n}: the number of points must be 1 to {MAX_POINTS:,}"])
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(0x1A5,)))
    try:
        sampler = qmc.LatinHypercube(d=len(ranges), rng=rng)
    except TypeError:  # scipy < 1.15 calls it `seed`
        sampler = qmc.LatinHypercube(d=len(ranges), seed=rng)
    unit = sampler.random(n)
    lows = [lo for _, lo, _ in ranges]
    highs = [hi for _, _, hi in ranges]
    scaled = qmc.scale(unit, lows, highs)
    points = []
    for i, row in enumerate(scaled):
        params: dict[str, Any] = {}
        for (key, _, _), x in zip(ranges, row, strict=True):
            params[key] = int(round(float(x))) if key in integer_keys else float(x)
        overrides = tuple(f"{k}={v!r}" for k, v in params.items())
        points.append(Point(f"p{i:04d}", overrides, params))
    return points


def lookup(raw: dict[str, Any], dotted: str) -> Any:
    """The value at a dotted path of a raw scenario (list items by index or id), or None."""
    node: Any = raw
    for part in dotted.split("."):
        if isinstance(node, list):
            if part.lstrip("-").isdigit() and -len(node) <= int(part) < len(node):
                node = node[int(part)]
                continue
            node = next((i for i in node if isinstance(i, dict) and i.get("id") == part), None)
        elif isinstance(node, dict):
            node = node.get(part)
        else:
            return None
        if node is None:
            return None
    return node


def integer_keys(raw: dict[str, Any], keys: list[str]) -> frozenset[str]:
    """The keys whose current value in the scenario is an integer (not a bool)."""
    out = set()
    for key in keys:
        value = lookup(raw, key)
        if isinstance(value, int) and not isinstance(value, bool):
            out.add(key)
    return frozenset(out)


def _value(text: str) -> Any:
    """A grid value as the scenario will read it (TOML), for tables and JSON."""
    import tomllib

    try:
        return tomllib.loads(f"v = {text}")["v"]
    except tomllib.TOMLDecodeError:
        return text


def read_design(path: str | Path) -> list[Point]:
    """An external design (SALib, EMA Workbench, a spreadsheet) as points: a CSV file
    whose header holds dotted scenario keys and each row one point's values, written as
    `--set` values. A column named `point` names the rows (default p0000, p0001, ...)."""
    import csv

    where = str(path)
    try:
        with open(path, newline="", encoding="utf-8") as fh:
            rows = list(csv.reader(fh))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise DesignError([f"--design {where}: cannot read: {exc}"]) from None
    if len(rows) < 2:
        raise DesignError([f"--design {where}: needs a header of scenario keys and at "
                           "least one row"])
    header = [h.strip() for h in rows[0]]
    problems = _csv_problems(where, header, rows[1:])
    if problems:
        raise DesignError(problems)
    keys = [(i, h) for i, h in enumerate(header) if h != "point"]
    named = header.index("point") if "point" in header else None
    points = []
    for n, row in enumerate(rows[1:]):
        values = [(k, row[i].strip()) for i, k in keys]
        name = row[named].strip() if named is not None else f"p{n:04d}"
        points.append(Point(name, tuple(f"{k}={v}" for k, v in values),
                            {k: _value(v) for k, v in values}))
    return points


def _csv_problems(where: str, header: list[str], rows: list[list[str]]) -> list[str]:
    problems = [f"--design {where}: column {i + 1} has no key" for i, h in enumerate(header)
                if not h]
    problems += [f"--design {where}: row {n}: {len(r)} values for {len(header)} columns"
                 for n, r in enumerate(rows, start=2) if len(r) != len(header)]
    if len(rows) > MAX_POINTS:
        problems.append(f"--design {where}: {len(rows):,} points exceed the limit of "
                        f"{MAX_POINTS:,}")
    return problems
