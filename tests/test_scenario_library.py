"""The scenario library: counterfactuals change one thing from Sinos Valley, and stay derived."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"


def load(name: str) -> dict:
    return tomllib.loads((SCENARIOS / name).read_text())


def test_counterfactuals_are_derived_from_the_current_template():
    done = subprocess.run([sys.executable, str(SCENARIOS / "derive_sinos_counterfactuals.py"),
                           "--check"], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_market_buyers_changes_only_who_defines_the_product_and_the_initial_governance():
    base, alt = load("sinos_valley.toml"), load("sinos_market_buyers.toml")
    base["simulation"].pop("name"), alt["simulation"].pop("name")
    assert {k: v for k, v in base.items() if k not in ("buyers", "links")} == {
        k: v for k, v in alt.items() if k not in ("buyers", "links")}
    # Buying the suppliers' own collections: who defines the product, and reselling them
    # under the suppliers' brands.
    collections = ("product_definition", "buys_brands")
    for b, a in zip(base["buyers"], alt["buyers"], strict=True):
        assert {k: v for k, v in b.items() if k not in collections} == {
            k: v for k, v in a.items() if k not in collections}
    assert {link["governance"] for link in alt["links"]} == {"market"}
    assert [{k: v for k, v in link.items() if k != "governance"} for link in base["links"]] == [
        {k: v for k, v in link.items() if k != "governance"} for link in alt["links"]]


def test_one_and_five_buyers_carry_the_same_export_demand():
    def export_demand(raw):
        return sum(b["demand"] for b in raw["buyers"] if b.get("arrival", "initial") == "initial")

    one, five = load("sinos_one_buyer.toml"), load("sinos_five_buyers.toml")
    assert export_demand(one) == export_demand(five) == export_demand(load("sinos_valley.toml"))
    assert sum(b.get("arrival", "initial") == "initial" for b in one["buyers"]) == 1
    assert sum(b.get("arrival", "initial") == "initial" for b in five["buyers"]) == 5
    assert one["clusters"] == five["clusters"] == load("sinos_valley.toml")["clusters"]


def test_a_partial_governance_table_keeps_the_other_defaults():
    from chainsim.scenario import load_scenario
    from chainsim.scenario.model import GovernanceTable

    s = load_scenario(SCENARIOS / "sinos_valley.toml",
                      ["governance.quasi_hierarchy.investment=0"])
    qh, default = s.governance.quasi_hierarchy, GovernanceTable().quasi_hierarchy
    assert qh.investment == 0
    assert qh.model_dump(exclude={"investment"}) == default.model_dump(exclude={"investment"})
