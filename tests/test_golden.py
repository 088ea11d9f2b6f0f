"""Every shipped scenario runs for a short horizon and matches its stored summary."""

from __future__ import annotations

import json

import pytest

from tests.golden_scenarios import SCENARIOS, figures, golden_path

REFRESH = "refresh deliberately with: .venv/bin/python -m tests.golden_scenarios --update"


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_scenario_matches_its_golden_summary(path):
    target = golden_path(path)
    assert target.exists(), f"no golden summary for {path.name}; {REFRESH}"
    expected = json.loads(target.read_text())
    actual = figures(path)
    assert actual.keys() == expected.keys(), REFRESH
    differ = {k: (expected[k], actual[k]) for k in actual
              if not _close(expected[k], actual[k])}
    assert not differ, f"{len(differ)} figures changed, e.g. {list(differ.items())[:3]}; {REFRESH}"


def _close(a, b) -> bool:
    if a is None or b is None:
        return a is b
    return a == pytest.approx(b, rel=1e-7, abs=1e-9)
