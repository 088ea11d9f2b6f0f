"""Bad input through the CLI never hurts (issue 6, item 4).

Valid scenario files are mutated (wrong types, negative numbers, NaN and infinity, missing
and unknown keys, dangling references, empty files, invalid TOML, binary garbage, absurd
sizes, directories, missing files, unwritable outputs) and handed to `chainsim run` and
`chainsim validate`. Every case must exit with status 2, print one `error: FILE: path:
message` line per problem naming the file and the field, show no traceback, and leave
every file as it was: no output directory created, nothing in an existing one touched.
Absurd sizes are refused with a message stating the limit, before anything is built.
"""

from __future__ import annotations

import copy
import hashlib
import os
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from chainsim.cli import cli
from chainsim.engine.simulation import simulate
from chainsim.limits import (
    MAX_DECISIONS,
    MAX_FILE_BYTES,
    MAX_FIRM_PERIODS,
    MAX_FIRMS_PER_GROUP,
    MAX_HORIZON_YEARS,
    MAX_LINKS,
    MAX_ORDERS,
    MAX_PROBLEMS_SHOWN,
    MAX_TOTAL_FIRMS,
)
from chainsim.scenario import ScenarioError, parse_scenario
from chainsim.scenario.paths import Namer
from tests.strategies import scenarios, to_toml

CHAINSIM = str(Path(sys.executable).parent / "chainsim")

BASE: dict[str, Any] = {
    "simulation": {"name": "fuzz base", "start_year": 2000, "horizon_years": 1, "seed": 3,
                   "seasons_per_year": 2, "period_days": 90},
    "clusters": [
        {"id": "home", "wage": 1.0, "firms": [
            {"id": "lead", "role": "lead", "count": 2, "capacity": 200.0,
             "process": {"dist": "uniform", "low": 0.2, "high": 0.4}},
            {"id": "spoke", "role": "spoke", "count": 4, "capacity": 80.0,
             "supplies": ["lead"]},
        ]},
        {"id": "away", "wage": 0.3, "firms": [{"id": "rival", "capacity": 300.0}]},
    ],
    "buyers": [{"id": "buyer", "demand": 20000.0, "order_size": 5000.0,
                "seasonality": [0.6, 0.4]}],
    "links": [{"buyer": "buyer", "firms": ["lead"], "governance": "quasi_hierarchy"}],
    "fairs": [{"id": "fair", "months": [3]}],
    "shocks": [{"year": 2000.5, "kind": "entrant", "cluster": "away"}],
}


def mutate(*changes: tuple[str, Any]) -> dict[str, Any]:
    """BASE with dotted-path changes; the value DELETE removes the key."""
    raw = copy.deepcopy(BASE)
    for dotted, value in changes:
        *parents, last = dotted.split(".")
        node: Any = raw
        for part in parents:
            node = node[int(part)] if isinstance(node, list) else node[part]
        key: Any = int(last) if isinstance(node, list) else last
        if value is DELETE:
            del node[key]
        else:
            node[key] = value
    return raw


DELETE = object()

# (case id, TOML document, fragments that must appear in one error line besides the file)
MUTATIONS: list[tuple[str, dict[str, Any], tuple[str, ...]]] = [
    ("wrong type", mutate(("simulation.horizon_years", "ten")),
     ("simulation.horizon_years",)),
    ("wrong type in list", mutate(("buyers.0.seasonality", ["a", "b"])),
     ("buyers.buyer.seasonality.0",)),
    ("table for number", mutate(("clusters.0.wage", {"x": 1})), ("clusters.home.wage",)),
    ("negative price", mutate(("buyers.0.price", -1.0)), ("buyers.buyer.price",)),
    ("negative count", mutate(("clusters.0.firms.0.count", -3)),
     ("clusters.home.firms.lead.count",)),
    ("negative capacity", mutate(("clusters.0.firms.1.capacity", -80.0)),
     ("clusters.home.firms.spoke.capacity", "positive")),
    ("zero capacity", mutate(("clusters.0.firms.1.capacity", 0.0)),
     ("clusters.home.firms.spoke.capacity",)),
    ("NaN wage", mutate(("clusters.0.wage", float("nan"))), ("clusters.home.wage", "finite")),
    ("NaN cash", mutate(("clusters.0.firms.0.cash", float("nan"))),
     ("clusters.home.firms.lead.cash", "finite")),
    ("NaN in distribution", mutate(("clusters.0.firms.0.process",
                                    {"dist": "uniform", "low": float("nan"), "high": 1.0})),
     ("clusters.home.firms.lead.process",)),
    ("NaN shock year", mutate(("shocks.0.year", float("nan"))), ("shocks.0.year", "finite")),
    ("inf demand", mutate(("buyers.0.demand", float("inf"))), ("buyers.buyer.demand", "finite")),
    ("-inf cash", mutate(("clusters.1.firms.0.cash", float("-inf"))),
     ("clusters.away.firms.rival.cash",)),
    ("inf entry year", mutate(("clusters.1.active_from_year", float("inf"))),
     ("clusters.away.active_from_year",)),
    ("missing id", mutate(("clusters.0.id", DELETE)), ("clusters.0.id", "missing")),
    ("missing buyers", mutate(("buyers", DELETE)), ("buyers", "missing")),
    ("missing shock target", mutate(("shocks.0.cluster", DELETE)), ("shocks.0",)),
    ("unknown key", mutate(("clusters.0.wages", 1.0)), ("clusters.home.wages", "unknown key")),
    ("unknown table", mutate(("simulaton", {"seed": 1})), ("simulaton", "unknown key")),
    ("unknown distribution", mutate(("clusters.0.firms.0.capacity", {"dist": "pareto"})),
     ("clusters.home.firms.lead.capacity",)),
    ("unknown governance", mutate(("links.0.governance", "feudal")), ("links.0.governance",)),
    ("unknown rule", mutate(("rules", {"governance": "hs1999"})),
     ("rules.governance", "hs2000")),
    ("dangling link buyer", mutate(("links.0.buyer", "nobody")), ("links.0.buyer", "nobody")),
    ("dangling link firm", mutate(("links.0.firms", ["ghost"])), ("links.0.firms.0", "ghost")),
    ("link to a spoke", mutate(("links.0.firms", ["spoke"])), ("links.0.firms.0", "spoke")),
    ("link to an entrant", mutate(("links.0.firms", ["rival"])), ("links.0.firms.0",)),
    ("dangling supplies", mutate(("clusters.0.firms.1.supplies", ["ghost"])),
     ("clusters.home.firms.spoke.supplies.0",)),
    ("dangling shock cluster", mutate(("shocks.0.cluster", "atlantis")),
     ("shocks.0.cluster", "atlantis")),
    ("duplicate link", mutate(("links", [BASE["links"][0], BASE["links"][0]])),
     ("links.1.firms.0", "already links")),
    ("duplicate firm id", mutate(("clusters.1.firms.0.id", "lead")),
     ("clusters.away.firms.lead.id", "duplicate")),
    ("buyer named like a firm", mutate(("buyers.0.id", "rival"), ("links.0.buyer", "rival")),
     ("buyers.rival.id",)),
    ("no fair months", mutate(("fairs.0.months", [])), ("fairs.fair.months",)),
    ("seasonality mismatch", mutate(("buyers.0.seasonality", [1.0])),
     ("buyers.buyer.seasonality",)),
    ("shock before start", mutate(("shocks.0.year", 1999.0)), ("shocks.0.year",)),
    ("review every second", mutate(("buyers.0.review_interval_years", 1e-9)),
     ("buyers.buyer.review_interval_years", "1 day")),
    ("billion firms", mutate(("clusters.0.firms.1.count", 10**9)),
     ("clusters.home.firms.spoke.count", f"{MAX_FIRMS_PER_GROUP}")),
    ("million-year horizon", mutate(("simulation.horizon_years", 10**6)),
     ("simulation.horizon_years", f"{MAX_HORIZON_YEARS}")),
    ("too many firms in all", mutate(("clusters.0.firms", [
        {"id": f"g{k}", "count": MAX_FIRMS_PER_GROUP} for k in range(3)])),
     ("clusters", f"{MAX_TOTAL_FIRMS:,}")),
    ("too many firm records", mutate(("clusters.0.firms.1.count", MAX_FIRMS_PER_GROUP),
                                     ("simulation.horizon_years", 400)),
     ("clusters", f"{MAX_FIRM_PERIODS:,}")),
    ("too many links", mutate(
        ("clusters.0.firms", [{"id": f"g{k}", "count": 50_000} for k in range(4)]),
        ("buyers", [{"id": f"b{k}"} for k in range(6)]),
        ("links", [{"buyer": f"b{k}", "firms": [f"g{j}" for j in range(4)]}
                   for k in range(6)]),
        ("fairs", []), ("simulation.period_days", 360)),
     ("links", f"{MAX_LINKS:,}")),
    ("too many orders", mutate(("buyers.0.order_size", 1e-6)),
     ("buyers", f"{MAX_ORDERS:,}")),
    ("too many decisions", mutate(("buyers.0.review_interval_years", 0.003),
                                  ("clusters.0.firms.0.count", 3000),
                                  ("simulation.horizon_years", 300),
                                  ("simulation.period_days", 360)),
     ("simulation.horizon_years", f"{MAX_DECISIONS:,}")),
    ("absurd number", mutate(("buyers.0.retail_price", 1e300)),
     ("buyers.buyer.retail_price", "1e+15")),
    ("absurd integer", mutate(("fairs.0.background_exhibitors", 10**18)),
     ("fairs.fair.background_exhibitors", "1e+15")),
    ("seed too large", mutate(("simulation.seed", 2**64)), ("simulation.seed",)),
    ("lognormal overflow", mutate(("clusters.0.firms.0.capacity",
                                   {"dist": "lognormal", "mean": 500.0, "sd": 1.0})),
     ("clusters.home.firms.lead.capacity", "lognormal")),
]

# (case id, file bytes, fragment of the message); the file itself is named in the line.
RAW_FILES: list[tuple[str, bytes, str]] = [
    ("empty", b"", "empty file"),
    ("blank", b"\n   \n\t\n", "empty file"),
    ("invalid TOML", b"[simulation\nseed = 1\n", "invalid TOML"),
    ("unclosed string", b'[[clusters]]\nid = "a\n', "invalid TOML"),
    ("duplicate table", b"[simulation]\nseed = 1\n[simulation]\nseed = 2\n", "invalid TOML"),
    ("binary garbage", bytes(range(256)) * 8, "not UTF-8"),
    ("NUL bytes", b"[simulation]\x00\x00\n", "NUL"),
    ("deep nesting", b"x = " + b"[" * 5000 + b"]" * 5000, "nested"),
    ("moderate nesting", b"x = " + b"[" * 200 + b"]" * 200, "nested"),
    ("huge integer", b"[simulation]\nseed = " + b"9" * 5000 + b"\n", "invalid TOML"),
    ("JSON not TOML", b'{"simulation": {"seed": 1}}', "invalid TOML"),
    ("top-level array", b"clusters = 5\nbuyers = []\n", "clusters"),
]


# -- running the CLI and watching the disk -----------------------------------------------


def snapshot(root: Path) -> dict[str, tuple[int, str]]:
    """Every file and directory under root, with its size and content hash."""
    out: dict[str, tuple[int, str]] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames:
            out[os.path.relpath(Path(dirpath, name), root) + "/"] = (0, "")
        for name in filenames:
            p = Path(dirpath, name)
            if p.is_file():
                data = p.read_bytes()
                out[os.path.relpath(p, root)] = (len(data), hashlib.sha1(data).hexdigest())
            else:
                out[os.path.relpath(p, root)] = (-1, "special")
    return out


def invoke(args: list[str]):
    return CliRunner().invoke(cli, args, catch_exceptions=True)


def assert_refused(result, file: str | None, *fragments: str) -> list[str]:
    """Exit 2, no traceback, only `error: ` lines on stderr, one naming the file and every
    fragment; nothing on stdout."""
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        f"{type(result.exception).__name__}: {result.exception}\n{result.stderr}")
    assert result.exit_code == 2, (result.exit_code, result.stdout, result.stderr)
    assert "Traceback" not in result.output
    lines = result.stderr.splitlines()
    assert lines and all(line.startswith("error: ") for line in lines), result.stderr
    assert result.stdout == "", result.stdout
    wanted = ([f"error: {file}"] if file else []) + list(fragments)
    assert any(all(w in line for w in wanted) for line in lines), (wanted, lines)
    return lines


@pytest.fixture
def workspace(tmp_path: Path):
    """A directory holding the input, an existing --out directory with a result in it,
    and a regular file to put unwritable paths under."""
    out = tmp_path / "out"
    out.mkdir()
    (out / "summary.json").write_text('{"precious": true}\n')
    (tmp_path / "regular").write_text("not a directory\n")
    return tmp_path


def run_and_validate(ws: Path, scenario: Path, extra: list[str], *fragments: str,
                     name_file: bool = True) -> None:
    """`validate` and `run` (into an existing --out, and into a new one) all refuse, and
    nothing on disk changes."""
    before = snapshot(ws)
    file = str(scenario) if name_file else None
    assert_refused(invoke(["validate", str(scenario), *extra]), file, *fragments)
    assert_refused(invoke(["run", str(scenario), *extra, "--out", str(ws / "out")]), file,
                   *fragments)
    assert_refused(invoke(["run", str(scenario), *extra, "--out", str(ws / "new"), "--log",
                           str(ws / "new.jsonl"), "--json"]), file, *fragments)
    assert snapshot(ws) == before


# -- the cases ----------------------------------------------------------------------------


def test_the_base_scenario_is_valid():
    scenario = parse_scenario(BASE, "base")
    simulate(scenario)


@pytest.mark.parametrize(("raw", "fragments"), [(m[1], m[2]) for m in MUTATIONS],
                         ids=[m[0] for m in MUTATIONS])
def test_mutated_scenario_is_refused(workspace: Path, raw, fragments):
    path = workspace / "scenario.toml"
    path.write_text(to_toml(raw))
    started = time.perf_counter()
    run_and_validate(workspace, path, [], *fragments)
    assert time.perf_counter() - started < 20  # refused before anything is built


@pytest.mark.parametrize(("data", "fragment"), [(r[1], r[2]) for r in RAW_FILES],
                         ids=[r[0] for r in RAW_FILES])
def test_unreadable_file_is_refused(workspace: Path, data: bytes, fragment: str):
    path = workspace / "scenario.toml"
    path.write_bytes(data)
    run_and_validate(workspace, path, [], fragment)


def test_directory_missing_file_and_device_are_refused(workspace: Path):
    run_and_validate(workspace, workspace / "out", [], "is a directory")
    run_and_validate(workspace, workspace / "no-such.toml", [], "no such file")
    run_and_validate(workspace, workspace / "regular" / "x.toml", [], "no such file")
    if Path("/dev/zero").exists():
        assert_refused(invoke(["validate", "/dev/zero"]), "/dev/zero", "not a regular file")


def test_oversized_file_is_refused_unread(workspace: Path):
    path = workspace / "huge.toml"
    with path.open("wb") as fh:  # sparse: no disk space used
        fh.truncate(MAX_FILE_BYTES + 1)
    started = time.perf_counter()
    run_and_validate(workspace, path, [], f"{MAX_FILE_BYTES:,}")
    assert time.perf_counter() - started < 10


def test_many_problems_are_counted_not_flooded(workspace: Path):
    raw = mutate(("clusters.0.firms", [{"id": f"g{k}", "count": -1} for k in range(300)]))
    path = workspace / "scenario.toml"
    path.write_text(to_toml(raw))
    lines = assert_refused(invoke(["validate", str(path)]), str(path), "count")
    assert len(lines) == MAX_PROBLEMS_SHOWN + 1
    # 300 bad counts, and the link to the lead group that the new groups replaced
    assert "251 more problems" in lines[-1]


SET_CASES = [
    # An item is named by its id, however the user chose it.
    (["--set", "buyers.0.price=-1"], ("buyers.buyer.price",)),
    (["--set", "buyers.buyer.price=nan"], ("buyers.buyer.price", "finite")),
    (["--set", "buyers.buyer.pric=9"], ("buyers.buyer.pric", "did you mean 'price'")),
    (["--set", "buyers.buyer.demand=true"], ("buyers.buyer.demand", "a number, got true")),
    (["--set", "clusters.home.firms.lead.cash='5'"],
     ("clusters.home.firms.lead.cash", "a number")),
    (["--set", "nonsense"], ("--set nonsense", "dotted.key=value")),
    (["--set", "=3"], ("dotted.key=value",)),
    (["--set", "clusters.99.wage=1"], ("clusters.99.wage", "out of range")),
    (["--set", "clusters.atlantis.wage=1"], ("clusters.atlantis.wage", "no item with id")),
    (["--set", "clusters.²=1"], ("clusters.²",)),
    (["--set", "clusters..wage=1"], ("clusters..wage", "empty part")),
    (["--set", "simulation.seed.x=1"], ("simulation.seed.x", "not a table")),
    (["--set", "simulation.horizon_years=1e6"], ("simulation.horizon_years", "500")),
    (["--set", "clusters.0.firms.0.count=1000000000"], ("clusters.home.firms.lead.count",)),
    (["--set", "simulation.nonsense=1"], ("simulation.nonsense", "unknown key")),
    (["--set", "clusters=5"], ("clusters",)),
    (["--set", "links.0.buyer=ghost"], ("links.0.buyer", "ghost")),
    (["--set", "simulation.seed=" + "9" * 5000], ("simulation.seed",)),
    (["--set", "simulation.name=" + "[" * 3000], ("simulation.name", "nested")),
    (["--set", "simulation.name=" + "[" * 3000 + "]" * 3000], ("simulation.name",)),
    (["--set", "buyers.0.price=1", "--set", "buyers.0.demand=-5"], ("buyers.buyer.demand",)),
]


@pytest.mark.parametrize(("extra", "fragments"), SET_CASES,
                         ids=[" ".join(c[0])[:40] for c in SET_CASES])
def test_bad_set_is_refused(workspace: Path, extra: list[str], fragments: tuple[str, ...]):
    path = workspace / "scenario.toml"
    path.write_text(to_toml(BASE))
    run_and_validate(workspace, path, extra, *fragments)


ARG_CASES = [
    (["run", "{file}", "--seed", "abc"], "--seed"),
    # The option the user typed, not the scenario field it overrides (issue 14 item 5).
    (["run", "{file}", "--seed", "-1"], "error: --seed -1: "),
    (["run", "{file}", "--horizon", "-1"], "error: --horizon -1: "),
    (["run", "{file}", "--horizon", "nan"], "error: --horizon nan: "),
    (["run", "{file}", "--horizon", "inf"], "error: --horizon inf: "),
    (["run", "{file}", "--horizon", "1e6"], "500"),
    (["run", "{file}", "--horizon", "-1", "--replications", "2"], "error: --horizon -1: "),
    (["compare", "{file}", "{file}", "--horizon", "-2"], "error: --horizon -2: "),
    (["sweep", "{file}", "--grid", "simulation.seed=1,2", "--horizon", "-2"],
     "error: --horizon -2: "),
    (["run", "{file}", "--horizon", "ten"], "--horizon"),
    (["run", "{file}", "--bogus"], "--bogus"),
    (["run"], "FILE"),
    (["run", "{file}", "{file}"], "extra argument"),
    (["run", "{file}", "--out", "{ws}/regular"], "must be a directory"),
    (["run", "{file}", "--out", "{ws}/regular/sub"], "regular/sub"),
    (["run", "{file}", "--log", "{ws}/regular/log.jsonl"], "regular"),
    (["validate"], "FILES"),
    (["validate", "{file}", "--bogus"], "--bogus"),
    (["schema", "extra"], "extra"),
    (["no-such-command"], "no-such-command"),
]


@pytest.mark.parametrize(("args", "fragment"), ARG_CASES,
                         ids=[" ".join(c[0][0:1] + c[0][2:])[:40] for c in ARG_CASES])
def test_bad_arguments_are_refused(workspace: Path, args: list[str], fragment: str):
    path = workspace / "scenario.toml"
    path.write_text(to_toml(BASE))
    args = [a.replace("{file}", str(path)).replace("{ws}", str(workspace)) for a in args]
    before = snapshot(workspace)
    result = invoke(args)
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        result.exception)
    assert result.exit_code == 2, (result.stdout, result.stderr)
    assert "Traceback" not in result.output
    assert fragment in result.stderr, result.stderr
    assert snapshot(workspace) == before


def test_log_that_is_a_directory_is_refused_before_the_run(workspace: Path):
    path = workspace / "scenario.toml"
    path.write_text(to_toml(BASE))
    before = snapshot(workspace)
    result = invoke(["run", str(path), "--log", str(workspace / "out")])
    assert result.exit_code == 2 and "--log" in result.stderr, result.stderr
    assert snapshot(workspace) == before


def test_log_under_a_file_names_the_log_option(workspace: Path):
    path = workspace / "scenario.toml"
    path.write_text(to_toml(BASE))
    result = invoke(["run", str(path), "--log", str(workspace / "regular" / "log.jsonl")])
    assert result.exit_code == 2
    assert "--out" not in result.stderr and "--log" in result.stderr, result.stderr


# -- random mutations of generated scenarios ----------------------------------------------

BAD_VALUES = (
    "text", "", -1, -1.0, 0, 0.0, float("nan"), float("inf"), float("-inf"), 10**9, 1e300,
    -1e300, 1e-300, 2**70, True, [], [1, 2], {}, {"dist": "uniform"}, {"x": 1},
    "nobody",
)


def _leaves(node: Any, path: tuple = ()) -> list[tuple]:
    if isinstance(node, dict):
        return [path] + [p for k, v in node.items() for p in _leaves(v, (*path, k))]
    if isinstance(node, list):
        return [path] + [p for i, v in enumerate(node) for p in _leaves(v, (*path, i))]
    return [path]


@st.composite
def mutated_scenarios(draw: st.DrawFn) -> tuple[dict[str, Any], str, tuple]:
    raw = draw(scenarios(max_clusters=2, max_buyers=3, max_years=1.5))
    paths = [p for p in _leaves(raw) if p]
    path = draw(st.sampled_from(paths))
    kind = draw(st.sampled_from(("replace", "delete", "unknown")))
    parent = raw
    for part in path[:-1]:
        parent = parent[part]
    if kind == "replace":
        parent[path[-1]] = draw(st.sampled_from(BAD_VALUES))
    elif kind == "delete":
        del parent[path[-1]]
    elif isinstance(parent, dict):
        parent[f"{path[-1]}_typo"] = 1
    else:
        kind = "delete"
        del parent[path[-1]]
    return raw, kind, path


@settings(max_examples=30)
@given(mutated_scenarios())
def test_random_mutations_are_refused_or_run(tmp_path_factory, case):
    """Whatever one mutation does to a valid scenario, `validate` either accepts it (and then
    it runs without breaking an invariant) or refuses it cleanly, naming the file."""
    raw, kind, path = case
    folder = tmp_path_factory.mktemp("fuzz")
    file = folder / "scenario.toml"
    file.write_text(to_toml(raw))
    result = invoke(["validate", str(file)])
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        f"{type(result.exception).__name__}: {result.exception}")
    assert "Traceback" not in result.output
    if result.exit_code == 0:
        assert result.stdout.startswith(f"ok: {file}")
        simulate(parse_scenario(raw, str(file)))
        return
    assert result.exit_code == 2, result.output
    lines = result.stderr.splitlines()
    assert lines and all(re.match(rf"error: {re.escape(str(file))}(: |$)", line)
                         for line in lines), lines
    if kind == "unknown":
        dotted = Namer(raw).path((*path[:-1], f"{path[-1]}_typo"))
        assert any(dotted in line and "unknown key" in line for line in lines), lines
    with pytest.raises(ScenarioError):
        parse_scenario(raw, str(file))


# -- the real executable ------------------------------------------------------------------


@pytest.mark.parametrize("case", ["garbage", "billion", "missing", "unwritable"])
def test_real_process_exits_2_without_traceback(workspace: Path, case: str):
    path = workspace / "scenario.toml"
    out = ["--out", str(workspace / "new")]
    if case == "garbage":
        path.write_bytes(os.urandom(4096) + b"\xff")
    elif case == "billion":
        path.write_text(to_toml(mutate(("clusters.0.firms.1.count", 10**9))))
    elif case == "missing":
        path = workspace / "missing.toml"
    else:
        path.write_text(to_toml(BASE))
        out = ["--out", str(workspace / "regular" / "sub")]
    before = snapshot(workspace)
    proc = subprocess.run([CHAINSIM, "run", str(path), *out], capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout
    assert proc.stderr.startswith("error: "), proc.stderr
    assert snapshot(workspace) == before
