"""Reading, overriding and validating scenarios: every problem found, named and explained;
the format documented field by field (docs/scenario-format.md)."""

from __future__ import annotations

import copy
import re
import typing
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from pydantic import BaseModel

from chainsim import limits
from chainsim.scenario import Problem, ScenarioError, apply_overrides, load_scenario
from chainsim.scenario import parse_scenario as parse
from chainsim.scenario.load import read_toml
from chainsim.scenario.model import Scenario
from tests.strategies import scenarios, to_toml

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = sorted((ROOT / "scenarios").glob("*.toml"))
DOC = ROOT / "docs" / "scenario-format.md"

SMALL: dict[str, Any] = {
    "simulation": {"start_year": 2000, "horizon_years": 2},
    "clusters": [{"id": "home", "firms": [
        {"id": "lead", "count": 2},
        {"id": "spoke", "role": "spoke", "count": 3, "supplies": ["lead"]}]}],
    "buyers": [{"id": "buyer"}],
    "links": [{"buyer": "buyer", "firms": ["lead"]}],
}


def small(**changes: Any) -> dict[str, Any]:
    """SMALL with changes given as dotted keys written with `__` (list items by index)."""
    raw = copy.deepcopy(SMALL)
    for dotted, value in changes.items():
        *parents, last = dotted.split("__")
        node: Any = raw
        for part in parents:
            node = node[int(part)] if isinstance(node, list) else node.setdefault(part, {})
        node[int(last) if isinstance(node, list) else last] = value
    return raw


def problems(raw: Any) -> list[Problem]:
    with pytest.raises(ScenarioError) as info:
        parse(raw, "s.toml")
    assert all(p.source == "s.toml" for p in info.value.problems)
    return info.value.problems


def lines(raw: Any) -> list[str]:
    return [f"{p.path}: {p.message}" for p in problems(raw)]


def one(raw: Any, path: str, *fragments: str) -> str:
    """The problem at `path`; it must contain every fragment."""
    found = [p for p in problems(raw) if p.path == path]
    assert found, (path, lines(raw))
    assert all(f in found[0].message for f in fragments), found[0].message
    return found[0].message


# -- the shipped scenarios and the generated ones -----------------------------------------


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_shipped_scenarios_are_valid(path: Path):
    load_scenario(path)


def test_small_is_valid():
    parse(SMALL)


@given(scenarios())
def test_generated_scenarios_are_valid_and_survive_toml(raw):
    import tomllib

    assert tomllib.loads(to_toml(raw)) == raw
    parse(raw)


# -- reading files ---------------------------------------------------------------------


@pytest.mark.parametrize(("content", "fragment"), [
    (b"", "empty file"),
    (b"\xef\xbb\xbf", "empty file"),  # a byte-order mark alone
    (b"\xff\xfe[", "not UTF-8"),
    (b"a = \x00", "NUL"),
    (b"a = [1,", "invalid TOML"),
    (b"a = " + b"[" * 3000 + b"]" * 3000, "nested"),
    (b"a = " + b"[" * 60 + b"]" * 60, "nested more than 50"),
    (b"a = " + b"7" * 5000, "invalid TOML"),
])
def test_unreadable_content(tmp_path: Path, content: bytes, fragment: str):
    path = tmp_path / "s.toml"
    path.write_bytes(content)
    with pytest.raises(ScenarioError) as info:
        read_toml(path)
    (problem,) = info.value.problems
    assert problem.source == str(path) and fragment in problem.message


def test_byte_order_mark_is_accepted(tmp_path: Path):
    path = tmp_path / "s.toml"
    path.write_bytes(b"\xef\xbb\xbf" + to_toml(SMALL).encode())
    assert read_toml(path) == SMALL


def test_not_a_file(tmp_path: Path):
    cases = {tmp_path: "is a directory", tmp_path / "nope.toml": "no such file",
             tmp_path / "f" / "x.toml": "no such file", Path("/dev/null"): "not a regular"}
    (tmp_path / "f").write_text("")
    for path, fragment in cases.items():
        with pytest.raises(ScenarioError) as info:
            read_toml(path)
        assert fragment in str(info.value), (path, str(info.value))


def test_oversized_file_is_not_read(tmp_path: Path):
    path = tmp_path / "big.toml"
    with path.open("wb") as fh:
        fh.truncate(limits.MAX_FILE_BYTES + 1)
    with pytest.raises(ScenarioError, match="50,000,000"):
        read_toml(path)


# -- --set -------------------------------------------------------------------------------


def test_overrides_by_index_id_and_negative_index():
    raw = apply_overrides(SMALL, ["clusters.home.firms.spoke.count=5",
                                  "clusters.home.firms.lead.capacity=7.5",
                                  "buyers.-1.price=9", "simulation.name=plain words",
                                  "buyers.buyer.seasonality=[0.5, 0.5]",
                                  "rules.governance=ghs2005", "fairs=[]"], "s.toml")
    assert raw["clusters"][0]["firms"][1]["count"] == 5
    assert raw["clusters"][0]["firms"][0]["capacity"] == 7.5
    assert raw["buyers"][0]["price"] == 9
    assert raw["simulation"]["name"] == "plain words"
    assert raw["buyers"][0]["seasonality"] == [0.5, 0.5]
    assert raw["rules"] == {"governance": "ghs2005"}  # a missing table is created
    assert SMALL["buyers"][0] == {"id": "buyer"}  # the input is not changed
    parse(raw)


@pytest.mark.parametrize(("item", "path", "fragment"), [
    ("nonsense", "", "expected dotted.key=value"),
    ("=1", "", "expected dotted.key=value"),
    ("clusters.9.wage=1", "clusters.9.wage", "index 9 out of range (the list has 1 items)"),
    ("clusters.mars.wage=1", "clusters.mars.wage", "no item with id 'mars' (known: home)"),
    ("clusters.٣.wage=1", "clusters.٣.wage", "no item with id"),  # not an ASCII index
    ("clusters.²=1", "clusters.²", "no item with id"),
    ("simulation..seed=1", "simulation..seed", "empty part"),
    ("simulation.start_year.x=1", "simulation.start_year.x", "is not a table"),
    ("simulation.seed=" + "1" * 5000, "simulation.seed", "invalid TOML"),
])
def test_bad_overrides_name_the_file_key_and_item(item: str, path: str, fragment: str):
    with pytest.raises(ScenarioError) as info:
        apply_overrides(SMALL, [item], "s.toml")
    (problem,) = info.value.problems
    assert (problem.source, problem.path) == ("s.toml", path)
    assert fragment in problem.message and "--set " in problem.message


def test_every_bad_override_is_reported_at_once():
    with pytest.raises(ScenarioError) as info:
        apply_overrides(SMALL, ["a", "clusters.5.x=1", "buyers.buyer.price=3"], "s.toml")
    assert len(info.value.problems) == 2


# -- field by field (pydantic) -------------------------------------------------------------


def test_unknown_keys_suggest_the_closest_or_list_the_known():
    assert "did you mean 'capacity'" in one(small(clusters__0__firms__0__capacty=1),
                                            "clusters.home.firms.lead.capacty", "unknown key")
    assert "did you mean 'interval_years'" in one(
        small(buyers__0__scouting={"intervall": 1}), "buyers.buyer.scouting.intervall")
    assert "known keys:" in one(small(zzz=1), "zzz", "unknown key")


def test_a_number_or_a_distribution_gives_one_problem():
    assert lines(small(clusters__0__firms__0__capacity="big")) == [
        "clusters.home.firms.lead.capacity: must be a number, got 'big' (a string)"]
    one(small(clusters__0__firms__0__capacity={"dist": "uniform", "low": 1}),
        "clusters.home.firms.lead.capacity", "uniform needs high")
    one(small(clusters__0__firms__0__process={"dist": "triangular", "low": 0, "mode": 2,
                                              "high": 1}),
        "clusters.home.firms.lead.process", "mode must lie between")


def test_empty_lists_and_missing_fields():
    assert lines(small(clusters__0__firms=[])) == [
        "clusters.home.firms: needs at least 1 item, got none"]
    one(small(clusters__0__firms__0={"count": 1}), "clusters.home.firms.0.id", "missing")
    assert lines(["not", "a", "table"])[0].startswith(": input should be")


def test_invalid_items_are_not_also_called_too_few():
    assert lines(small(buyers=[{"id": 3}])) == [
        "buyers.0.id: must be text in quotes, got 3"]


def test_non_finite_numbers_anywhere():
    nan, inf = float("nan"), float("inf")
    one(small(clusters__0__wage=nan), "clusters.home.wage", "finite")
    one(small(clusters__0__firms__0__cash=inf), "clusters.home.firms.lead.cash", "finite")
    one(small(clusters__0__firms__0__capacity=nan), "clusters.home.firms.lead.capacity", "finite")
    one(small(clusters__0__active_from_year=nan), "clusters.home.active_from_year", "finite")
    one(small(fairs=[{"id": "f", "from_year": -inf}]), "fairs.f.from_year", "finite")
    one(small(shocks=[{"year": nan, "kind": "volatility", "cluster": "home", "level": 0.1}]),
        "shocks.0.year", "finite")


def test_magnitudes_beyond_the_limit():
    one(small(buyers__0__retail_price=1e16), "buyers.buyer.retail_price", "1e+15")
    one(small(clusters__0__firms__0__cash=-1e16), "clusters.home.firms.lead.cash", "1e+15")
    parse(small(simulation__seed=2**62))  # the seed is an identifier, not a quantity


# -- across the file (checks.py) ---------------------------------------------------------


def test_capacity_must_be_positive_and_lognormals_bounded():
    one(small(clusters__0__firms__0__capacity=0.0), "clusters.home.firms.lead.capacity", "positive")
    one(small(clusters__0__firms__0__capacity={"dist": "lognormal", "mean": 40, "sd": 1}),
        "clusters.home.firms.lead.capacity", "lognormal draws would exceed")
    parse(small(clusters__0__firms__0__capacity={"dist": "lognormal", "mean": 40, "sd": 1,
                                                 "high": 1e4}))
    parse(small(clusters__0__firms__0__capacity={"dist": "normal", "mean": -5, "sd": 1}))


def test_expanded_firm_ids_must_not_clash():
    raw = small(clusters__0__firms=[{"id": "lead", "count": 2}, {"id": "lead-1"}])
    one(raw, "clusters", "'lead-1' is used twice")
    raw = small(clusters__0__firms=[{"id": "lead", "count": 12}, {"id": "lead-1"}])
    parse(raw)  # a group of twelve is lead-01 ... lead-12


def test_buyers_and_firms_need_distinct_ids():
    raw = small(buyers=[{"id": "lead-1"}], links=[{"buyer": "lead-1", "firms": ["lead"]}])
    one(raw, "buyers.lead-1.id", "has a firm's id")
    raw = small(buyers=[{"id": "lead", "count": 2}], links=[])
    one(raw, "buyers.lead.id", "'lead-1' has a firm's id")
    raw = small(buyers=[{"id": "buyer", "count": 2}, {"id": "buyer-2"}])
    one(raw, "buyers.buyer-2.id", "member of buyer group 'buyer'")
    parse(small(buyers=[{"id": "buyer", "count": 10}, {"id": "buyer-1"}]))  # buyer-01 ...


def test_duplicate_ids():
    one(small(clusters=[SMALL["clusters"][0], {"id": "home", "firms": [{"id": "x"}]}]),
        "clusters.1.id", "duplicate cluster id")
    one(small(buyers=[{"id": "buyer"}, {"id": "buyer"}]), "buyers.1.id", "duplicate")
    one(small(fairs=[{"id": "f"}, {"id": "f"}]), "fairs.1.id", "duplicate fair id")
    one(small(clusters__0__firms__1__id="lead"), "clusters.home.firms.1.id", "duplicate firm")


def test_references():
    one(small(links=[{"buyer": "ghost", "firms": ["lead"]}]), "links.0.buyer", "'ghost'")
    one(small(links=[{"buyer": "buyer", "firms": ["ghost"]}]), "links.0.firms.0", "'ghost'")
    one(small(links=[{"buyer": "buyer", "firms": ["spoke"]}]), "links.0.firms.0", "spoke")
    one(small(clusters__0__firms__1__supplies=["ghost"]), "clusters.home.firms.spoke.supplies.0")
    one(small(clusters__0__firms__1__supplies=["lead", "lead"]),
        "clusters.home.firms.spoke.supplies.1", "listed twice")
    one(small(clusters__0__firms__0__supplies=["lead"]), "clusters.home.firms.lead.supplies.0",
        "only spoke")
    one(small(shocks=[{"year": 2001, "kind": "market_loss", "buyer": "ghost"}]),
        "shocks.0.buyer", "'ghost'")
    one(small(rules={"governance": "hs1999"}), "rules.governance", "ghs2005, hs2000")


def test_one_link_per_buyer_and_firm():
    one(small(links=[{"buyer": "buyer", "firms": ["lead", "lead"]}]), "links.0.firms.1",
        "already links to 'lead' in links.0")
    one(small(links=[{"buyer": "buyer", "firms": ["lead"]},
                     {"buyer": "buyer", "firms": ["lead"], "governance": "network"}]),
        "links.1.firms.0", "one governance type")


def test_entrants_cannot_be_linked_at_the_start():
    raw = small(clusters=[*SMALL["clusters"], {"id": "new", "firms": [{"id": "n"}]}],
                links=[{"buyer": "buyer", "firms": ["n"]}],
                shocks=[{"year": 2001, "kind": "entrant", "cluster": "new"}])
    one(raw, "links.0.firms.0", "enters in 2001")


def test_fairs_seasons_shocks_and_intervals():
    one(small(fairs=[{"id": "f", "months": []}]), "fairs.f.months", "at least one month")
    one(small(fairs=[{"id": "f", "months": [3, 9, 3]}]), "fairs.f.months.2", "twice")
    one(small(buyers__0__seasonality=[1.0]), "buyers.buyer.seasonality", "seasons_per_year is 2")
    one(small(buyers__0__seasonality=[0.0, 0.0]), "buyers.buyer.seasonality", "all zero")
    one(small(shocks=[{"year": 1999, "kind": "volatility", "cluster": "home",
                       "level": 0.2}]), "shocks.0.year", "before the start year")
    parse(small(shocks=[{"year": 2050, "kind": "volatility", "cluster": "home",
                         "level": 0.2}]))  # after the end: never happens
    one(small(buyers__0__review_interval_years=0.001), "buyers.buyer.review_interval_years",
        "1 day")
    one(small(buyers__0__scouting={"interval_years": 1e-6}),
        "buyers.buyer.scouting.interval_years", "1 day")
    parse(small(buyers__0__scouting={"interval_years": 1e-6, "enabled": False}))
    one(small(clusters__0__policy_network={"enabled": True, "proposal_interval_years": 1e-4}),
        "clusters.home.policy_network.proposal_interval_years", "1 day")
    one(small(buyers__0__scouting={"noise": 50}), "buyers.buyer.scouting.noise", "limit of 5")


# -- limits --------------------------------------------------------------------------------


@pytest.mark.parametrize(("raw", "path", "limit"), [
    (small(clusters__0__firms__0__count=10**9), "clusters.home.firms.lead.count",
     f"{limits.MAX_FIRMS_PER_GROUP}"),
    (small(simulation__horizon_years=10**6), "simulation.horizon_years",
     f"{limits.MAX_HORIZON_YEARS}"),
    (small(clusters__0__firms=[{"id": f"g{k}", "count": 100_000} for k in range(3)]),
     "clusters", f"{limits.MAX_TOTAL_FIRMS:,}"),
    (small(clusters__0__firms__1__count=60_000, simulation__horizon_years=30),
     "clusters", f"{limits.MAX_FIRM_PERIODS:,}"),
    (small(buyers=[{"id": f"b{k}"} for k in range(limits.MAX_BUYERS + 1)], links=[]),
     "buyers", f"{limits.MAX_BUYERS:,}"),
    (small(clusters__0__firms__0__count=100_000, simulation__period_days=360,
           buyers=[{"id": f"b{k}", "scouting": {"enabled": False}} for k in range(11)],
           links=[{"buyer": f"b{k}", "firms": ["lead"]} for k in range(11)]),
     "links", f"{limits.MAX_LINKS:,}"),
    (small(clusters__0__firms__0__count=30_000, simulation__period_days=7,
           simulation__horizon_years=10,
           buyers=[{"id": f"b{k}", "scouting": {"enabled": False}} for k in range(2)],
           links=[{"buyer": f"b{k}", "firms": ["lead"]} for k in range(2)]),
     "links", f"{limits.MAX_LINK_PERIODS:,}"),
    (small(buyers__0__order_size=1e-3), "buyers", f"{limits.MAX_ORDERS:,}"),
    (small(clusters__0__firms__0__count=40_000, simulation__horizon_years=100,
           simulation__period_days=360, buyers__0__scouting={"enabled": False}),
     "simulation.horizon_years", f"{limits.MAX_DECISIONS:,}"),
])
def test_absurd_sizes_are_refused_stating_the_limit(raw, path: str, limit: str):
    message = one(raw, path)
    assert limit in message, message


def test_limits_are_documented():
    doc = DOC.read_text()
    for name in dir(limits):
        if name.isupper():
            value = getattr(limits, name)
            shown = {f"{value:,}", f"{value:g}", str(value), "10^15", "1 day", "50 levels"}
            assert any(s in doc for s in shown), name


# -- the documentation covers the format ----------------------------------------------------


def _models(model: type[BaseModel], seen: set[type]) -> None:
    if model in seen:
        return
    seen.add(model)
    for field in model.model_fields.values():
        stack = [field.annotation]
        while stack:
            ann = stack.pop()
            if isinstance(ann, type) and issubclass(ann, BaseModel):
                _models(ann, seen)
            stack.extend(typing.get_args(ann))


SECTIONS = {  # model -> the heading of docs/scenario-format.md that documents its fields
    "Scenario": "## Conventions", "Simulation": "`[simulation]`", "Rules": "`[rules]`",
    "Technology": "`[technology]`", "GovernanceTable": "`[governance.<type>]`",
    "GovernanceEffects": "`[governance.<type>]`", "Cluster": "`[[clusters]]`",
    "Institutions": "`[clusters.institutions]`", "PolicyNetwork": "`[clusters.policy_network]`",
    "Firm": "`[[clusters.firms]]`", "Distribution": "Distributions", "Buyer": "`[[buyers]]`",
    "Scouting": "`[buyers.scouting]`", "Link": "`[[links]]`", "Fair": "`[[fairs]]`",
    "Shock": "`[[shocks]]`",
}


def _section(doc: str, heading: str) -> str:
    """The text under the first heading containing `heading`, up to the next heading."""
    out, inside = [], False
    for line in doc.splitlines():
        if line.startswith("#"):
            if inside:
                break
            inside = heading in line
        elif inside:
            out.append(line)
    return "\n".join(out)


def test_every_field_is_documented_in_its_section():
    doc = DOC.read_text()
    models: set[type] = set()
    _models(Scenario, models)
    missing = []
    for model in models:
        assert model.__name__ in SECTIONS, f"no section for {model.__name__}; add one"
        text = _section(doc, SECTIONS[model.__name__])
        assert text, SECTIONS[model.__name__]
        documented = set(re.findall(r"`\[{0,2}([a-z_]+)", text))
        if model.__name__ == "GovernanceTable":
            documented |= set(re.findall(r"^\| ([a-z_]+) \|", text, re.M))
        missing += [f"{model.__name__}.{name}" for name in model.model_fields
                    if name not in documented]
    assert not missing, sorted(missing)


def test_every_rule_name_is_documented():
    from chainsim.rules import RULES

    text = _section(DOC.read_text(), "`[rules]`")
    missing = [f"{field}: {name}" for field, names in RULES.items() for name in names
               if f"`{name}`" not in text]
    assert not missing, missing
