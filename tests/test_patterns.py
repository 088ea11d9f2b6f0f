"""Pattern metrics on hand-made tables, the pattern checker on hand-made values (one
pattern passes, one fails), the shipped patterns file, and a small `chainsim patterns`."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from chainsim.cli import cli
from chainsim.evidence import metrics as em
from chainsim.evidence.patterns import (
    Case,
    Pattern,
    PatternError,
    PatternRun,
    check,
    check_all,
    horizons,
    load_patterns,
    summary,
)
from chainsim.evidence.runner import Term

LINK_COLUMNS = ["period", "link", "buyer", "firm", "cluster", "governance", "active",
                "share", "price", "units", "value", "sunk", "origin"]


def tables() -> em.RunTables:
    """Two years of four 90-day periods from 1990; cluster 0 ("a") with firms 0 and 1,
    buyers "main" (agent 0) and "other" (agent 1)."""
    periods = np.arange(8)
    flows = pd.DataFrame({"period": periods, "time": (periods + 1) * 90.0, "cluster": 0,
                          "failed": [0, 1, 0, 0, 0, 0, 0, 1],
                          "delivered": [4, 3, 4, 4, 4, 4, 4, 3]})
    links = []
    for p in periods:
        qh = "quasi_hierarchy" if p < 4 else "market"
        price = 10.0 if p < 4 else 8.0
        links.append((p, 0, 0, 0, 0, qh, True, 1.0, price, 90.0, 900.0, 0.0, "initial"))
        links.append((p, 1, 1, 0, 0, "market", True, 1.0, price, 10.0, 100.0, 0.0, "fair"))
        links.append((p, 2, 1, 1, 0, "market", True, 1.0, price, 100.0, 1000.0, 0.0, "fair"))
    firms = pd.DataFrame({
        "period": np.repeat(periods, 2), "time": np.repeat((periods + 1) * 90.0, 2),
        "firm": np.tile([0, 1], 8), "cluster": 0, "lead": True,
        "process": np.repeat(0.1 + 0.05 * periods, 2), "product": 0.3, "design": 0.1,
        "marketing": 0.1, "rung": np.tile([2, 1], 8)})
    fairs = pd.DataFrame({"time": [60.0, 240.0, 420.0], "fair": "gds", "cluster": 0,
                          "exhibitors": [3, 5, 7], "total": [100, 100, 100]})
    projects = pd.DataFrame({"time": [100.0, 500.0], "cluster": 0, "support": 0.2,
                             "funded": [False, True], "backers": 1, "voters": 2})
    return em.RunTables({"clusters": flows, "links": pd.DataFrame(links, columns=LINK_COLUMNS),
                         "firms": firms, "fairs": fairs, "projects": projects},
                        ("a",), ("main", "other"), 1990.0, 90.0)


def test_calendar_puts_each_period_in_the_year_of_its_midpoint() -> None:
    assert tables().period_year().tolist() == [1990] * 4 + [1991] * 4


def test_buyer_shares() -> None:
    rt = tables()
    assert em.buyer_output_share(rt, "a", ["main"], (1990, 1991)) == pytest.approx(0.45)
    # Firm 0 sells 90 of its 100 units to the main buyer; firm 1 never sells to it. Both
    # sell 100 a period: the largest half is firm 0 (ties to the lower id), all of them
    # sell 900 of 2,000 units to it.
    assert em.buyer_share_of_largest(rt, "a", "main", (1990, 1990), 0.5) == pytest.approx(0.9)
    assert em.buyer_share_of_largest(rt, "a", "main", (1990, 1990), 1.0) == pytest.approx(0.45)
    assert math.isnan(em.buyer_share_of_largest(rt, "a", "main", (2000, 2001)))
    assert math.isnan(em.buyer_output_share(rt, "a", ["main"], (2000, 2001)))
    with pytest.raises(KeyError, match="no buyer 'nobody'"):
        em.buyer_output_share(rt, "a", ["nobody"], (1990, 1991))


def test_buyer_share_of_largest_chooses_firms_by_size_not_by_the_buyer() -> None:
    """A buyer whose only supplier sells to it alone but is not among the largest firms
    takes none of the largest firms' output: the firms are not chosen by whom they sell
    to, so an exclusive supplier does not make the share 1 (issue 13)."""
    rt = tables()
    links = rt.tables["links"].copy()
    links.loc[links["link"] == 1, "units"] = 0.0  # firm 0 now sells to the main buyer alone
    links.loc[links["link"] == 2, "units"] = 300.0  # and firm 1 is the largest
    rt = em.RunTables({**rt.tables, "links": links}, rt.clusters, rt.buyers,
                      rt.start_year, rt.period_days)
    assert em.buyer_share_of_largest(rt, "a", "main", (1990, 1990), 0.5) == 0.0
    assert em.buyer_share_of_largest(rt, "a", "main", (1990, 1990), 1.0) == pytest.approx(
        90 / 390)


def test_governance_share_per_period_then_averaged() -> None:
    rt = tables()
    assert em.governance_share(rt, "a", "quasi_hierarchy", (1990, 1990)) == pytest.approx(1 / 3)
    assert em.governance_share(rt, "a", "quasi_hierarchy", (1990, 1991)) == pytest.approx(1 / 6)
    assert em.governance_share(rt, "a", "quasi_hierarchy", (1990, 1990),
                               buyers=["main"]) == 1.0


def test_price_change_between_years() -> None:
    assert em.price_change(tables(), "a", 1990, 1991) == pytest.approx(0.2)


def test_capability_rates() -> None:
    rt = tables()
    # Process rises 0.05 a period: 0.25 at the end of 1990, 0.45 at the end of 1991.
    assert em.capability_at(rt, "a", "process", 1990) == pytest.approx(0.25)
    assert em.capability_at(rt, "a", "process", 1985) == pytest.approx(0.1)  # first period
    assert em.capability_rate(rt, "a", "process", (1991, 1991)) == pytest.approx(0.2)
    assert em.rate_change(rt, "a", "process", (1990, 1990), (1991, 1991)) == pytest.approx(
        0.2 - 0.15)


def test_rung_fair_projects_failures() -> None:
    rt = tables()
    assert em.rung_share(rt, "a", 1991, ["odm", "obm"]) == 0.5
    assert em.fair_share(rt, "a", "gds", 1991, 3) == pytest.approx(0.07)
    assert math.isnan(em.fair_share(rt, "a", "gds", 1995, 3))
    assert em.projects_proposed(rt, "a", (1990, 1991)) == 2
    assert em.projects_funded(rt, "a", (1990, 1990)) == 0
    assert em.failure_share(rt, "a", (1991, 1991)) == pytest.approx(1 / 16)


def pattern(pid: str, low: float | None, high: float | None, versus: bool = False) -> Pattern:
    term = Term.of("fair_share", {"cluster": "a", "fair": "gds", "year": 1997, "month": 3})
    other = Case("b", Term.of("rung_share", {"cluster": "b", "year": 1999, "rungs": ["odm"]}))
    return Pattern(pid, "claim", "H&S 4.2", "1997", "why", Case("a", term),
                   other if versus else None, low, high)


def test_checker_passes_inside_the_band_and_fails_outside() -> None:
    good = check(pattern("good", 0.002, 0.009), [0.004, 0.005, 0.006])
    bad = check(pattern("bad", 0.25, 0.45), [0.12, 0.13, 0.14])
    assert good["verdict"] == "pass" and good["mean"] == pytest.approx(0.005)
    assert good["ci_low"] < 0.005 < good["ci_high"]
    assert bad["verdict"] == "fail" and bad["mean"] == pytest.approx(0.13)
    assert check(pattern("edge", 0.13, None), [0.13, 0.13])["verdict"] == "fail"  # strict
    assert check(pattern("none", 0.0, 1.0), [np.nan, np.nan])["verdict"] == "fail (no data)"
    assert summary([good, bad]) == {"patterns": 2, "pass": 1, "fail": 1,
                                    "cases": {"a": {"pass": 1, "fail": 1}}}


def test_versus_subtracts_the_same_replication_of_the_other_case() -> None:
    p = pattern("contrast", None, 0.0, versus=True)
    run = PatternRun(3, None, values={("a", p.main.term.key): np.array([0.1, 0.2, 0.3]),
                                      ("b", p.versus.term.key): np.array([0.3, 0.3, 0.3])})
    row = check_all([p], run)[0]
    assert row["mean"] == pytest.approx(-0.1) and row["verdict"] == "pass"


def test_shipped_patterns_cover_the_cases_and_cite_the_paper() -> None:
    patterns = load_patterns()
    cases = {p.case for p in patterns}
    assert cases == {"sinos_valley", "italian_district", "ludhiana_knitwear",
                     "taiwan_notebooks", "nordeste_fruit"}
    assert all(p.passage.startswith("H&S") for p in patterns)
    assert {"sinos-fair-1997", "italy-fair-1997", "sinos-main-buyer-cluster"} <= {
        p.id for p in patterns}


def test_horizon_stops_at_the_last_year_read() -> None:
    from chainsim.scenario import load_scenario

    sc = load_scenario("scenarios/italian_district.toml")
    p = pattern("fair", 0.1, 0.5)
    p = Pattern(p.id, p.claim, p.passage, p.period, p.tolerance,
                Case("italian_district", p.main.term), None, 0.1, 0.5)
    # The March 1997 fair of a run starting in 1990: 7.25 years, and one period more.
    assert horizons([p], {"italian_district": sc}) == {"italian_district": 7.5}


def test_bad_pattern_file_gives_one_line_per_problem(tmp_path) -> None:
    bad = tmp_path / "p.toml"
    bad.write_text('[[patterns]]\nid = "x"\ncase = "c"\nmetric = "nope"\nargs = {}\n'
                   'low = "high"\nextra = 1\n')
    with pytest.raises(PatternError) as err:
        load_patterns(bad)
    text = "\n".join(err.value.problems)
    assert "patterns.0.extra: unknown field" in text
    assert "patterns.0.metric: 'nope' is not a pattern metric" in text
    assert "patterns.0.low: a number is needed" in text
    assert "patterns.0.claim: missing" in text
    result = CliRunner().invoke(cli, ["patterns", "--patterns", str(bad)])
    assert result.exit_code == 2 and "Traceback" not in result.output


def test_patterns_command_small(tmp_path) -> None:
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["patterns", "taiwan_notebooks", "--replications", "2",
                                      "--executor", "serial", "--json", "--out", str(out)])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["summary"]["patterns"] == 4
    assert {r["verdict"] for r in data["patterns"]} <= {"pass", "fail", "fail (no data)"}
    assert all(r["n"] == 2 for r in data["patterns"])
    assert (out / "patterns.csv").is_file() and (out / "patterns.json").is_file()
    # The seed actually used (the file's, without --seed), and a run header on the page.
    assert data["seed"] == 20003 and data["seeds"] == {"taiwan_notebooks": 20003}
    assert data["run"]["replications"] == 2 and data["run"]["code"].startswith("chainsim")
    page = (out / "patterns.md").read_text()
    assert page.startswith("`chainsim patterns") and "seed 20003" in page
    assert "2 replications" in page and "| case | pattern |" in page


def test_patterns_command_refuses_unknown_case() -> None:
    result = CliRunner().invoke(cli, ["patterns", "atlantis"])
    assert result.exit_code == 2
    assert "atlantis: neither a scenario of the library nor a .toml file" in result.output


def test_markdown_table_has_a_row_per_pattern() -> None:
    from chainsim.cli.patterns import markdown_table

    rows = [check(pattern("good", 0.002, 0.009), [0.004, 0.005, 0.006]),
            check(pattern("bad", 0.25, 0.45), [0.12, 0.13, 0.14])]
    lines = markdown_table(rows).splitlines()
    assert len(lines) == 4 and lines[2].endswith("| pass |") and lines[3].endswith("| fail |")


def test_a_share_pattern_keeps_its_interval_inside_zero_to_one() -> None:
    """Issue 14 item 9: a small share's t interval reached below zero (the Sinos fair
    share's low end was -7.9e-05); a difference of shares stays in [-1, 1]."""
    small = check(pattern("small", 0.002, 0.009), [0.0, 0.0, 0.0, 0.004])
    assert small["ci_low"] == 0.0 < small["mean"] < small["ci_high"]
    versus = pattern("diff", -1.0, 1.0, versus=True)
    assert versus.bounds() == (-1.0, 1.0)
    wide = check(versus, [0.99, -0.99, 0.99, -0.99])
    assert -1.0 <= wide["ci_low"] and wide["ci_high"] <= 1.0


def test_a_pattern_naming_an_unknown_buyer_or_cluster_is_refused_before_running(tmp_path
                                                                                ) -> None:
    text = load_patterns_text().replace('buyers = ["us-main"], years = [1975, 1990]',
                                        'buyers = ["us-mian"], years = [1975, 1990]', 1)
    bad = tmp_path / "p.toml"
    bad.write_text(text.replace('cluster = "taiwan"', 'cluster = "taiwn"', 1))
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["patterns", "sinos_valley", "taiwan_notebooks",
                                      "--patterns", str(bad), "--out", str(out)])
    assert result.exit_code == 2 and "Traceback" not in result.output
    lines = [line for line in result.output.splitlines() if line.startswith("error:")]
    assert any("no buyer 'us-mian' in sinos_valley" in line for line in lines)
    assert any("no cluster 'taiwn' in taiwan_notebooks" in line for line in lines)
    assert all(str(bad) in line for line in lines)
    assert not out.exists()


def load_patterns_text() -> str:
    from chainsim.evidence.patterns import default_file

    return default_file().read_text()
