"""The explorer's logic without a browser (chainsim.explore.session): the controls a
scenario offers, settings as --set overrides, reruns, bad input as the CLI's one-line
messages, the decision-log filter and the paired comparison. The page itself:
tests/test_browser.py."""

from __future__ import annotations

import pytest

from chainsim.explore import free_port, session
from chainsim.scenario import load_scenario

SHORT = ["simulation.start_year=1989", "shocks.0.year=1990", "shocks.1.year=1990",
         "simulation.horizon_years=2"]


def test_controls_cover_the_key_parameters() -> None:
    scenario = load_scenario(session_path("sinos_valley"))
    paths = {c.path: c for c in session.controls(scenario)}
    assert {"buyers.us-main.count", "buyers.us-main.loss_per_failed_order",
            "clusters.sinos.spillover", "shocks.0.year", "clusters.china.wage",
            "rules.governance", "clusters.sinos.institutions.technology_centre",
            "clusters.sinos.institutions.collective_stand",
            "simulation.horizon_years"} <= set(paths)
    for c in paths.values():
        if c.kind == "slider":
            assert c.low <= c.value <= c.high, c
    assert "hs2000" in paths["rules.governance"].options


def session_path(name: str):
    from chainsim.library import library_path

    return library_path(name)


def test_only_changed_settings_become_overrides() -> None:
    file_values = {"buyers.us-main.count": 1, "clusters.sinos.spillover": 0.05,
                   "clusters.sinos.institutions.collective_stand": False,
                   "rules.governance": "hs2000", "simulation.horizon_years": 30.0}
    values = {**file_values, "buyers.us-main.count": 3.0, "simulation.horizon_years": 30,
              "clusters.sinos.institutions.collective_stand": True}
    assert session.overrides(values, file_values, "# a comment\n\nbuyers.us-main.price=9\n") \
        == ["buyers.us-main.count=3", "clusters.sinos.institutions.collective_stand=true",
            "buyers.us-main.price=9"]
    assert session.overrides(file_values, file_values) == []


def test_rerun_and_bad_input() -> None:
    good = session.rerun("sinos_valley", [*SHORT, "buyers.us-main.count=2"])
    assert good.errors == [] and good.output is not None
    assert good.output.kind == "single" and good.events > 0
    assert "us-main-1" in good.output.run.structure.buyer_ids  # two buyers now
    bad = session.rerun("sinos_valley", [*SHORT, "buyers.us-main.price=-1"])
    assert bad.output is None and len(bad.errors) == 1
    assert bad.errors[0].startswith("error: ") and "buyers.us-main.price" in bad.errors[0]
    missing = session.rerun("no/such/file.toml", [])
    assert missing.output is None and missing.errors[0].startswith("error: no/such/file.toml")


def test_decision_log_filters_by_kind_and_agent() -> None:
    out = session.rerun("sinos_valley", SHORT).output
    log = session.decisions(out, kind="governance", agent="us-main")
    assert len(log) > 0
    assert set(log["kind"]) == {"governance"} and set(log["agent"]) == {"us-main"}
    assert {"year", "expected_loss", "governance_cost"} <= set(log.columns)
    assert log["year"].between(1989, 1991).all()


def test_paired_comparison_of_two_settings() -> None:
    result = session.paired("sinos_valley", [*SHORT, "clusters.sinos.spillover=0.3"], 2)
    assert result.errors == []
    cmp = result.output.comparison
    row = cmp[(cmp["metric"] == "cluster.sinos.process_gain")
              & (cmp["config"] == session.CHANGED)]
    assert len(row) == 1 and row["n"].iloc[0] == 2
    refused = session.paired("sinos_valley", [*SHORT], 0)
    assert refused.errors and "replications 0" in refused.errors[0]


def test_free_port_is_free() -> None:
    import socket

    port = free_port("127.0.0.1")
    with socket.socket() as s:
        s.bind(("127.0.0.1", port))  # nobody holds it


def test_explore_command_without_dash_says_how(monkeypatch) -> None:
    import importlib.util

    from click.testing import CliRunner

    from chainsim.cli import cli

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == "dash" else real(name, *a))
    result = CliRunner().invoke(cli, ["explore"])
    assert result.exit_code == 2
    assert "pip install -e '.[explore]'" in result.stderr


def test_explore_command_refuses_a_bad_scenario(tmp_path) -> None:
    pytest.importorskip("dash")
    from click.testing import CliRunner

    from chainsim.cli import cli

    bad = tmp_path / "bad.toml"
    bad.write_text("[simulation]\nhorizon_years = -1\n")
    result = CliRunner().invoke(cli, ["explore", str(bad)])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert result.stderr.startswith(f"error: {bad}")
