"""The shape of the code: no function in the package longer than 60 lines or more complex
than 15 (McCabe), except at most three whose docstrings say why ("Long on purpose").
(Import cycles are checked in tests/test_scenario_checks.py.)"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "chainsim"
MAX_LINES, MAX_COMPLEXITY, MAX_EXEMPT = 60, 15, 3
EXEMPT_MARK = "Long on purpose"  # the docstring phrase that explains an exemption


def modules() -> dict[str, ast.Module]:
    return {str(p.relative_to(PACKAGE.parent)): ast.parse(p.read_text())
            for p in PACKAGE.rglob("*.py")}


def own_nodes(fn: ast.AST):
    """The nodes of a function's own body: nested functions and classes count on their own
    (as radon counts them)."""
    stack = list(ast.iter_child_nodes(fn))
    while stack:
        node = stack.pop()
        yield node
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef,
                                 ast.Lambda)):
            stack.extend(ast.iter_child_nodes(node))


def complexity(fn: ast.AST) -> int:
    """McCabe's number, counted as radon does: one plus each decision point."""
    n = 1
    for node in own_nodes(fn):
        if isinstance(node, (ast.If, ast.IfExp, ast.For, ast.AsyncFor, ast.While,
                             ast.ExceptHandler, ast.Assert, ast.match_case)):
            n += 1
        elif isinstance(node, ast.BoolOp):
            n += len(node.values) - 1
        elif isinstance(node, ast.comprehension):
            n += 1 + len(node.ifs)
    return n


def functions(tree: ast.Module):
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            yield node


def test_functions_are_short_and_simple():
    too_big, exempt = [], []
    for name, tree in modules().items():
        for fn in functions(tree):
            lines = fn.end_lineno - fn.lineno + 1
            cc = complexity(fn)
            if lines <= MAX_LINES and cc <= MAX_COMPLEXITY:
                continue
            where = f"{name}.{fn.name}: {lines} lines, complexity {cc}"
            doc = ast.get_docstring(fn) or ""
            (exempt if EXEMPT_MARK in doc else too_big).append(where)
    assert too_big == []
    assert len(exempt) <= MAX_EXEMPT, exempt


def test_the_complexity_count_counts_branches():
    tree = ast.parse("def f(x):\n    if x and x > 1:\n        return [y for y in x if y]\n"
                     "    def g(z):\n        return z if z else 0\n    return 0\n")
    f, g = functions(tree)
    assert (complexity(f), complexity(g)) == (5, 2)


def test_rules_never_write_to_what_they_are_given():
    """Views and decisions are plain dataclasses, read-only by contract (rules/__init__.py):
    no function in chainsim/rules assigns to an attribute of one of its parameters."""
    writes = []
    for name, tree in modules().items():
        if not name.startswith("chainsim/rules/"):
            continue
        for fn in ast.walk(tree):
            if not isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            params = {a.arg for a in (*fn.args.posonlyargs, *fn.args.args,
                                      *fn.args.kwonlyargs)} - {"self", "cls"}
            for node in ast.walk(fn):
                targets = (node.targets if isinstance(node, ast.Assign) else
                           [node.target] if isinstance(node, (ast.AugAssign, ast.AnnAssign))
                           else [])
                for t in targets:
                    if (isinstance(t, ast.Attribute) and isinstance(t.value, ast.Name)
                            and t.value.id in params):
                        writes.append(f"{name}:{node.lineno} {fn.name} sets {t.value.id}.{t.attr}")
    assert not writes, writes
