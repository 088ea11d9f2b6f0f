"""Scenario validation as a user meets it (issues 11 and 14): every problem of a file in
one pass, numbers that are numbers, paths that name items by the id the user wrote, runs
too short to record, and sizes that multiply beyond what a run can hold."""

from __future__ import annotations

import ast
import copy
import datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from chainsim import limits
from chainsim.cli import cli
from chainsim.scenario import (
    Problem,
    ScenarioError,
    apply_overrides,
    horizon_problem,
    parse_scenario,
)
from chainsim.scenario.paths import Namer
from tests.strategies import to_toml

ROOT = Path(__file__).resolve().parent.parent

BASE: dict[str, Any] = {
    "simulation": {"start_year": 2000, "horizon_years": 2},
    "clusters": [
        {"id": "home", "firms": [
            {"id": "lead", "count": 2},
            {"id": "spoke", "role": "spoke", "count": 3, "supplies": ["lead"]}]},
        {"id": "away", "firms": [{"id": "rival"}]}],
    "buyers": [{"id": "us-main"}, {"id": "us-other"}],
    "links": [{"buyer": "us-main", "firms": ["lead"]}, {"buyer": "us-other", "firms": ["lead"]}],
}


def problems(raw: Any) -> list[Problem]:
    with pytest.raises(ScenarioError) as info:
        parse_scenario(raw, "s.toml")
    assert all(p.source == "s.toml" for p in info.value.problems)
    return info.value.problems


def lines(raw: Any) -> list[str]:
    return [f"{p.path}: {p.message}" for p in problems(raw)]


def at(raw: Any, path: str) -> str:
    """The one problem at `path`."""
    found = [p.message for p in problems(raw) if p.path == path]
    assert len(found) == 1, (path, lines(raw))
    return found[0]


def base(**sections: Any) -> dict[str, Any]:
    raw = copy.deepcopy(BASE)
    raw.update(sections)
    return raw


# -- one pass: field problems and problems across the file together -------------------------


def test_field_and_reference_problems_are_reported_in_one_pass():
    raw = base()
    raw["buyers"][0]["price"] = -9.0  # a field problem ...
    raw["links"][1]["buyer"] = "us-otherr"  # ... and a dangling reference
    raw["clusters"][0]["firms"][1]["supplies"] = ["ghost"]
    raw["shocks"] = [{"year": 1999, "kind": "volatility", "cluster": "home", "level": "high"}]
    assert sorted(lines(raw)) == sorted([
        "buyers.us-main.price: input should be greater than 0 (got -9.0)",
        "links.1.buyer: no buyer with id 'us-otherr'",
        "clusters.home.firms.spoke.supplies.0: 'ghost' is not a lead firm of cluster 'home'",
        "shocks.0.level: must be a number, got 'high' (a string)",
        "shocks.0.year: 1999 is before the start year 2000",
    ])


def test_items_left_out_keep_their_place_and_raise_nothing_more():
    """An item whose required field is invalid is left out of the checks across the file;
    the items after it are still reported at their own index."""
    raw = base(links=[{"buyer": "us-main", "firms": ["lead"], "governance": "feudal"},
                      {"firms": ["lead"]},  # no buyer: left out
                      {"buyer": "ghost", "firms": ["lead"]}])
    raw["clusters"].append({"firms": [{"id": "x"}]})  # a cluster without an id
    found = lines(raw)
    assert "links.1.buyer: required field is missing" in found
    assert "links.2.buyer: no buyer with id 'ghost'" in found
    assert "clusters.2.id: required field is missing" in found
    assert len(found) == 4 and any(f.startswith("links.0.governance: ") for f in found), found


def test_an_invalid_top_level_gives_only_its_own_problem():
    assert lines(base(clusters=5)) == ["clusters: input should be a valid tuple (got 5)"]


# -- numbers are numbers ----------------------------------------------------------------------

FULL: dict[str, Any] = {  # every section, so that every numeric field appears once
    "simulation": {"start_year": 2000, "horizon_years": 2},
    "clusters": [{
        "id": "home", "active_from_year": 2000.0,
        "policy_network": {"enabled": True},
        "firms": [
            {"id": "lead", "capacity": {"dist": "triangular", "low": 1.0, "mode": 2.0,
                                        "high": 3.0},
             "cash": {"dist": "normal", "mean": 5.0, "sd": 1.0}},
            {"id": "spoke", "role": "spoke"}]}],
    "buyers": [{"id": "us-main", "seasonality": [0.5, 0.5]}],
    "links": [{"buyer": "us-main", "firms": ["lead"]}],
    "fairs": [{"id": "gds", "from_year": 2000.0}],
    "shocks": [{"year": 2001.0, "kind": "devaluation", "cluster": "home", "factor": 0.5},
               {"year": 2001.0, "kind": "volatility", "cluster": "home", "level": 0.5}],
}


def _numeric_leaves(node: Any, loc: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every number of a validated scenario's dump, by location (lists by index)."""
    if isinstance(node, dict):
        return [leaf for k, v in node.items() for leaf in _numeric_leaves(v, (*loc, k))]
    if isinstance(node, list):
        return [leaf for i, v in enumerate(node) for leaf in _numeric_leaves(v, (*loc, i))]
    return [loc] if isinstance(node, int | float) and not isinstance(node, bool) else []


def _set(raw: dict[str, Any], loc: tuple[Any, ...], value: Any) -> dict[str, Any]:
    out = copy.deepcopy(raw)
    node: Any = out
    for part in loc[:-1]:
        node = node[part]
    node[loc[-1]] = value
    return out


NUMERIC = _numeric_leaves(parse_scenario(FULL).model_dump(mode="json"))


def test_the_full_scenario_has_every_kind_of_numeric_field():
    assert len(NUMERIC) > 100
    fields = {loc[-1] for loc in NUMERIC}
    assert {"cash", "monitoring_cost", "candidates", "mode", "sd", "factor", "level",
            "from_year", "active_from_year", "months", "seed"} <= fields | {
        loc[-2] for loc in NUMERIC}


@pytest.mark.parametrize("value", [True, False, "5", datetime.date(2001, 1, 1)],
                         ids=["true", "false", "string", "date"])
def test_no_numeric_field_takes_a_boolean_a_string_or_a_date(value: Any):
    full = parse_scenario(FULL).model_dump(mode="json")
    accepted = []
    for loc in NUMERIC:
        raw = _set(full, loc, value)
        try:
            parse_scenario(raw, "s.toml")
        except ScenarioError as exc:
            path = Namer(raw).path(loc)
            assert [p.path for p in exc.problems if "must be" in p.message] == [path], (
                loc, [str(p) for p in exc.problems])
        else:
            accepted.append(loc)
    assert not accepted


def test_integers_are_fine_for_reals_and_reals_are_not_integers():
    raw = base()
    raw["buyers"][0]["price"] = 9  # an integer for a real: fine
    assert parse_scenario(raw).buyers[0].price == 9.0
    raw["clusters"][0]["firms"][0]["count"] = 2.0
    assert at(raw, "clusters.home.firms.lead.count") == "must be an integer, got 2.0"


def test_true_or_false_is_not_a_number_and_a_number_is_not_true_or_false():
    raw = base()
    raw["buyers"][0]["monitoring_cost"] = True
    raw["clusters"][0]["institutions"] = {"collective_stand": 1}
    found = lines(raw)
    assert "buyers.us-main.monitoring_cost: must be a number, got true (a boolean)" in found
    assert ("clusters.home.institutions.collective_stand: must be true or false, got 1"
            in found)


def test_set_values_are_held_to_the_same_rules():
    raw = apply_overrides(BASE, ["buyers.us-main.scouting.candidates=true",
                                 "clusters.home.firms.lead.cash=1979-05-27",
                                 "buyers.us-other.demand='100'"], "s.toml")
    assert sorted(lines(raw)) == [
        "buyers.us-main.scouting.candidates: must be an integer, got true (a boolean)",
        "buyers.us-other.demand: must be a number, got '100' (a string)",
        "clusters.home.firms.lead.cash: must be a number, got 1979-05-27 (a date or time)",
    ]


def test_a_value_just_over_the_magnitude_limit_is_shown_exactly():
    raw = base()
    raw["buyers"][0]["retail_price"] = 1e15 + 0.125
    message = at(raw, "buyers.us-main.retail_price")
    assert message.startswith("1000000000000000.1 exceeds the limit of 1e+15"), message
    raw["buyers"][0]["retail_price"] = 1e15
    parse_scenario(raw)


# -- paths name items as the user wrote them --------------------------------------------------


def test_set_problems_name_the_item_by_id_whichever_way_it_was_chosen():
    for key in ("buyers.us-main.pric", "buyers.0.pric"):
        raw = apply_overrides(BASE, [f"{key}=9"], "s.toml")
        assert lines(raw) == ["buyers.us-main.pric: unknown key; did you mean 'price'?"]


def test_every_section_with_ids_names_its_items_by_id():
    raw = base(fairs=[{"id": "gds", "months": [13]}])
    raw["clusters"][1]["wage"] = -1.0
    raw["clusters"][0]["firms"][1]["capacity"] = -5.0
    raw["buyers"][1]["scouting"] = {"noise": 50.0}
    found = {p.path for p in problems(raw)}
    assert found == {"fairs.gds.months.0", "clusters.away.wage",
                     "clusters.home.firms.spoke.capacity", "buyers.us-other.scouting.noise"}


def test_items_without_a_unique_valid_id_are_named_by_index():
    raw = base(buyers=[{"id": "us-main"}, {"id": "us-main", "price": -1.0},
                       {"id": "bad id", "price": -1.0}], links=[])
    found = {p.path for p in problems(raw)}
    assert {"buyers.1.id", "buyers.1.price", "buyers.2.id", "buyers.2.price"} == found


# -- a run must be longer than one recording period --------------------------------------------


@pytest.mark.parametrize(("years", "days"), [(0.25, 90), (0.1, 90), (7 / 360, 7)])
def test_a_horizon_of_one_period_or_less_is_refused(years: float, days: int):
    raw = base(simulation={"start_year": 2000, "horizon_years": years, "period_days": days})
    message = at(raw, "simulation.horizon_years")
    assert "not longer than one recording period" in message
    assert horizon_problem(years, days) == message


def test_a_horizon_just_over_one_period_is_accepted():
    assert horizon_problem(0.26, 90) is None
    parse_scenario(base(simulation={"start_year": 2000, "horizon_years": 0.26}))


def test_the_horizon_option_goes_through_the_same_check(tmp_path: Path):
    path = tmp_path / "s.toml"
    path.write_text(to_toml(BASE))
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["run", str(path), "--horizon", "0.25", "--out", str(out)])
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("error: --horizon 0.25: ")  # the option the user typed
    assert "recording period" in result.stderr
    assert not out.exists()


# -- sizes that multiply ---------------------------------------------------------------------


def test_devaluations_whose_product_overflows_are_refused():
    shock = {"year": 2001, "kind": "devaluation", "cluster": "home", "factor": 1e15}
    raw = base(shocks=[dict(shock) for _ in range(21)])
    found = problems(raw)
    assert [p.path for p in found] == ["shocks.1.factor"], [str(p) for p in found]
    assert "10^30" in found[0].message and "product" in found[0].message
    parse_scenario(base(shocks=[dict(shock, factor=1e14)]))  # one is within the limit
    down = dict(shock, factor=1e-15)
    assert [p.path for p in problems(base(shocks=[down, down]))] == ["shocks.1.factor"]
    up = dict(shock, factor=1e14)
    parse_scenario(base(shocks=[up, down, up, down]))  # they cancel out in time order


def test_contact_rates_beyond_the_buyers_to_meet_are_refused():
    raw = base(fairs=[{"id": "gds", "contact_rate": 1e15}])
    assert f"{limits.MAX_CONTACT_RATE:,}" in at(raw, "fairs.gds.contact_rate")


def test_fair_contacts_over_the_run_are_bounded():
    raw = base(fairs=[{"id": "gds", "contact_rate": 10_000.0, "months": list(range(1, 13))}])
    raw["buyers"].append({"id": "met", "arrival": "fair"})
    raw["clusters"][0]["firms"][0]["count"] = 100
    assert f"{limits.MAX_FAIR_CONTACTS:,}" in at(raw, "fairs")
    raw["buyers"].pop()  # without buyers to meet, no contacts are drawn
    parse_scenario(raw)


def test_many_fairs_are_refused():
    raw = base(fairs=[{"id": f"f{k}"} for k in range(limits.MAX_FAIRS + 1)])
    assert f"{limits.MAX_FAIRS:,}" in at(raw, "fairs")


def test_fair_records_are_bounded():
    raw = base(fairs=[{"id": f"f{k}", "months": list(range(1, 13))} for k in range(200)],
               simulation={"start_year": 2000, "horizon_years": 250})
    assert f"{limits.MAX_FAIR_RECORDS:,}" in at(raw, "fairs")


# -- the package: small checkers, no import cycle ----------------------------------------------


def _imports(path: Path) -> set[str]:
    """Modules of chainsim imported anywhere in a file, inside TYPE_CHECKING or not."""
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith(
                "chainsim"):
            out.add(node.module)
        elif isinstance(node, ast.Import):
            out |= {a.name for a in node.names if a.name.startswith("chainsim")}
    return out


def test_the_scenario_package_has_no_import_cycle():
    folder = ROOT / "chainsim" / "scenario"
    graph = {f"chainsim.scenario.{p.stem}": _imports(p) for p in folder.glob("*.py")
             if p.stem != "__init__"}
    graph = {m: {d for d in deps if d in graph and d != m} for m, deps in graph.items()}
    state: dict[str, int] = {}

    def visit(module: str, trail: list[str]) -> None:
        if state.get(module) == 2:
            return
        assert state.get(module) != 1, " -> ".join([*trail, module])
        state[module] = 1
        for dep in sorted(graph[module]):
            visit(dep, [*trail, module])
        state[module] = 2

    for module in sorted(graph):
        visit(module, [])
    assert {"chainsim.scenario.load", "chainsim.scenario.checks"} <= set(graph)


def test_links_made_at_fairs_count_towards_link_records():
    raw = base(fairs=[{"id": "gds", "contact_rate": 100.0}],
               simulation={"start_year": 2000, "horizon_years": 100, "period_days": 7})
    raw["clusters"][0]["firms"][0]["count"] = 1000
    raw["buyers"].append({"id": "met", "arrival": "fair", "count": 1000})
    message = at(raw, "links")
    assert "made at fairs and by scouting" in message
    assert f"{limits.MAX_LINK_PERIODS:,}" in message


def test_links_added_by_scouting_count_towards_link_records():
    raw = base(simulation={"start_year": 2000, "horizon_years": 100, "period_days": 7})
    raw["buyers"][1].update(count=100, scouting={"interval_years": 0.01})
    assert "by scouting" in at(raw, "links")
    raw["buyers"][1]["scouting"]["enabled"] = False
    parse_scenario(raw)


def test_money_per_unit_is_bounded_where_its_factors_multiply():
    raw = base(technology={"supplier_margin": 1e15})
    assert "x (1 + supplier_margin)" in at(raw, "clusters.home")
    raw = base(technology={"quality_premium": 1e3})
    raw["buyers"][0]["price"] = 1e13
    assert "quality_premium" in at(raw, "buyers.us-main.price")
    shock = {"year": 2001, "kind": "devaluation", "cluster": "away", "factor": 1e15}
    raw = base(shocks=[shock])  # a wage of 1e15 makes a unit cost more than 1e15
    assert "highest wage after devaluations" in at(raw, "clusters.away")
    raw["clusters"][1]["wage"] = 1e-3
    parse_scenario(raw)


def test_a_buyer_of_own_collections_that_pays_for_no_design_is_refused():
    raw = base()
    raw["buyers"][0].update(product_definition="supplier", buys_designs=0.0)
    assert "product_definition is \"supplier\"" in at(raw, "buyers.us-main.buys_designs")
