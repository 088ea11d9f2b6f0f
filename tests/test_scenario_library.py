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
    # Export buyers: the initial buyers that define the product; the domestic and Latin
    # American buyers (who buy the firms' own collections) are the same in all three files.
    def exporters(raw):
        return [b for b in raw["buyers"] if b.get("arrival", "initial") == "initial"
                and b.get("product_definition", "buyer") != "supplier"]

    def export_demand(raw):
        return sum(b["demand"] for b in exporters(raw))

    def others(raw):
        return [b for b in raw["buyers"] if b not in exporters(raw)]

    one, five = load("sinos_one_buyer.toml"), load("sinos_five_buyers.toml")
    assert export_demand(one) == export_demand(five) == export_demand(load("sinos_valley.toml"))
    assert len(exporters(one)) == 1 and len(exporters(five)) == 5
    assert others(one) == others(five) == others(load("sinos_valley.toml"))
    assert one["clusters"] == five["clusters"] == load("sinos_valley.toml")["clusters"]


def test_a_partial_governance_table_keeps_the_other_defaults():
    from chainsim.scenario import load_scenario
    from chainsim.scenario.model import GovernanceTable

    s = load_scenario(SCENARIOS / "sinos_valley.toml",
                      ["governance.quasi_hierarchy.investment=0"])
    qh, default = s.governance.quasi_hierarchy, GovernanceTable().quasi_hierarchy
    assert qh.investment == 0
    assert qh.share_flexibility == 0.04  # the file's own partial table, kept by the --set
    mine = {"investment", "share_flexibility"}
    assert qh.model_dump(exclude=mine) == default.model_dump(exclude=mine)


def test_tighter_governance_never_moves_order_shares_faster():
    """In every shipped scenario a buyer moves its suppliers' order shares less, the
    tighter the link's governance (H&S 3, Table 4: tighter chains tie suppliers to them)."""
    from chainsim.scenario import load_scenario

    order = ("market", "modular", "network", "quasi_hierarchy", "hierarchy")
    for path in sorted(SCENARIOS.glob("*.toml")):
        table = load_scenario(path).governance
        flex = [getattr(table, g).share_flexibility for g in order]
        assert flex == sorted(flex, reverse=True), (path.name, dict(zip(order, flex, strict=True)))
