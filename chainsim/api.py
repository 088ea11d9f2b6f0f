"""The public entry points: run a scenario file or object, get records or headline metrics."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from chainsim.engine.simulation import RunResult, simulate
from chainsim.results.summary import headline
from chainsim.scenario import Scenario, apply_overrides, load_scenario, parse_scenario
from chainsim.scenario.load import read_toml

DEFAULT_SCENARIO = Path(__file__).resolve().parent.parent / "scenarios" / "sinos_valley.toml"


def run(scenario: Scenario | str | Path, seed: int | None = None, replication: int = 0,
        horizon_years: float | None = None, overrides: list[str] | tuple[str, ...] = ()
        ) -> RunResult:
    """Run one replication of a scenario (a validated object or a TOML file)."""
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario, overrides)
    elif overrides:
        raw = apply_overrides(scenario.model_dump(mode="json"), overrides, "<scenario>")
        scenario = parse_scenario(raw)
    return simulate(scenario, seed=seed, replication=replication, horizon_years=horizon_years)


def run_scenario(scenario: str | Path | None = None, seed: int | None = None,
                 replication: int = 0, horizon_years: float | None = None,
                 **params: Any) -> dict[str, float]:
    """Run once and return the headline metrics as a flat dict of floats.

    Keyword parameters are dotted scenario keys with `__` for the dots, so EMA Workbench or
    SALib can drive chainsim with plain names::

        run_scenario("scenarios/sinos_valley.toml", seed=3,
                     buyers__us_main__encroachment_sensitivity=0.2)

    Ids containing '-' are written with '_' in parameter names and matched either way.
    """
    path = DEFAULT_SCENARIO if scenario is None else Path(scenario)
    raw = read_toml(path)
    overrides = [f"{_dotted(raw, key)}={_toml(value)}" for key, value in params.items()]
    loaded = parse_scenario(apply_overrides(raw, overrides, str(path)), str(path))
    result = simulate(loaded, seed=seed, replication=replication, horizon_years=horizon_years)
    return headline(result)


def _dotted(raw: dict[str, Any], key: str) -> str:
    """Turn `buyers__us_main__price` into `buyers.us-main.price` using the ids in the file."""
    parts, node, out = key.split("__"), raw, []
    for part in parts:
        if isinstance(node, list):
            ids = {str(item.get("id", "")): item for item in node if isinstance(item, dict)}
            match = next((i for i in ids if i.replace("-", "_") == part or i == part), part)
            out.append(match)
            node = ids.get(match, {})
        else:
            out.append(part)
            node = node.get(part, {}) if isinstance(node, dict) else {}
    return ".".join(out)


def _toml(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return repr(float(value)) if isinstance(value, float) else str(value)
