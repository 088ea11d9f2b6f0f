"""What the explorer does, without the web: the controls a scenario offers, a rerun with
the user's settings, and a paired comparison of two settings.

Every setting becomes a `--set` override (`buyers.us-main.count=3`), so a rerun is
exactly `chainsim run FILE --set ...` and bad input gives the same one-line messages as
the CLI (`error: FILE: dotted.path: message`). Nothing here imports Dash, so the logic
is tested directly (tests/test_explore.py) and the app module only lays it out.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from chainsim.report.data import Output, config_of


@dataclass
class Control:
    """One slider, selector or switch: the dotted path it sets, its label, the value in
    the file and its range (a selector has `options`, a switch neither)."""

    path: str
    label: str
    value: Any
    low: float | None = None
    high: float | None = None
    step: float | None = None
    options: list[str] = field(default_factory=list)
    kind: str = "slider"  # slider, select or switch


@dataclass
class Rerun:
    """A finished rerun (`output`) or the problems that stopped it (`errors`, one line
    each, as the CLI prints them); with timings in seconds."""

    output: Output | None = None
    errors: list[str] = field(default_factory=list)
    simulate_seconds: float = 0.0
    simulate_cpu: float = 0.0  # CPU seconds of the thread that simulated
    events: int = 0


def _value(v: Any) -> str:
    """A value as a --set right-hand side (TOML)."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, str):
        return '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(v, float) and v.is_integer() and abs(v) < 1e15:
        return repr(v)
    return str(v)


def _span(value: float, low: float, high: float) -> tuple[float, float]:
    """A slider range that holds the file's value."""
    return min(low, value), max(high, value)


def controls(scenario: Any) -> list[Control]:
    """The key parameters of a scenario (H&S's levers: buyers, failure losses,
    spillovers, the entrant, the governance rule, institutions, the horizon), each with
    the file's value."""
    from chainsim.rules import RULES

    sim, out = scenario.simulation, []
    buyer = next((b for b in scenario.buyers if b.arrival == "initial"), scenario.buyers[0])
    out.append(Control(f"buyers.{buyer.id}.count", f"buyers in group {buyer.id}",
                       buyer.count, 1, max(10, buyer.count), 1))
    loss = float(buyer.loss_per_failed_order)
    out.append(Control(f"buyers.{buyer.id}.loss_per_failed_order",
                       f"loss per failed order ({buyer.id})", loss, 0,
                       max(4 * loss, 100_000.0), max(1000.0, round(loss / 40, -3) or 1000.0)))
    cluster = scenario.clusters[0]
    out.append(Control(f"clusters.{cluster.id}.spillover", f"spillover rate ({cluster.id})",
                       float(cluster.spillover), *_span(float(cluster.spillover), 0, 0.3), 0.01))
    entrant = next(((i, s) for i, s in enumerate(scenario.shocks) if s.kind == "entrant"), None)
    if entrant is not None:
        i, shock = entrant
        low, high = _span(float(shock.year), sim.start_year, sim.start_year + 60)
        out.append(Control(f"shocks.{i}.year", f"entrant year ({shock.cluster})",
                           float(shock.year), low, high, 1))
        wage = next(c.wage for c in scenario.clusters if c.id == shock.cluster)
        out.append(Control(f"clusters.{shock.cluster}.wage", f"entrant wage ({shock.cluster})",
                           float(wage), *_span(float(wage), 0.05, 2.0), 0.05))
    out.append(Control("rules.governance", "governance rule", scenario.rules.governance,
                       options=sorted(RULES["governance"]), kind="select"))
    inst = cluster.institutions
    for name in ("technology_centre", "business_association"):
        out.append(Control(f"clusters.{cluster.id}.institutions.{name}",
                           f"{name.replace('_', ' ')} ({cluster.id})",
                           float(getattr(inst, name)), 0, 1, 0.05))
    out.append(Control(f"clusters.{cluster.id}.institutions.collective_stand",
                       f"collective fair stand ({cluster.id})", bool(inst.collective_stand),
                       kind="switch"))
    out.append(Control("simulation.horizon_years", "horizon (years)",
                       float(sim.horizon_years), *_span(float(sim.horizon_years), 1, 60), 1))
    return out


def overrides(values: dict[str, Any], file_values: dict[str, Any],
              extra: str = "") -> list[str]:
    """The --set overrides of the settings that differ from the file, then the user's
    own lines (KEY=VALUE, one a line; blank lines and `#` comments skipped)."""
    out = []
    for path, value in values.items():
        base = file_values.get(path)
        if value is None or _same(value, base):
            continue
        if isinstance(base, bool):
            value = bool(value)
        elif isinstance(base, int) and not isinstance(base, bool):
            value = int(round(float(value)))
        out.append(f"{path}={_value(value)}")
    for line in extra.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            out.append(line)
    return out


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, int | float) and isinstance(b, int | float) and not isinstance(a, bool):
        return math.isclose(float(a), float(b), rel_tol=1e-12, abs_tol=1e-12)
    return a == b


def load(source: str, sets: list[str]) -> tuple[Any, list[str]]:
    """The validated scenario, or None and the problems as the CLI prints them."""
    from chainsim.library import resolve
    from chainsim.scenario import ScenarioError, load_scenario

    try:
        return load_scenario(resolve(source), sets), []
    except ScenarioError as exc:
        return None, [f"error: {p}" for p in exc.problems]


def rerun(source: str, sets: list[str], series: bool = True) -> Rerun:
    """Run the scenario once with the overrides; problems become one-line messages and
    never an exception (the app keeps running). `series=False` leaves the per-period
    series for later (`chainsim.report.single.add_series`): the network needs none."""
    from chainsim.engine.simulation import simulate
    from chainsim.report.single import from_result

    scenario, errors = load(source, sets)
    if scenario is None:
        return Rerun(errors=errors)
    started, cpu = time.perf_counter(), time.thread_time()
    try:
        result = simulate(scenario)
    except Exception as exc:  # a defect, not input: say it, keep serving
        return Rerun(errors=[f"error: the run failed ({type(exc).__name__}: {exc}); "
                             "please report it"])
    seconds, cpu = time.perf_counter() - started, time.thread_time() - cpu
    output = from_result(result, source=str(source), overrides=sets, metrics=False,
                         series=series)
    return Rerun(output=output, simulate_seconds=seconds, simulate_cpu=cpu,
                 events=result.events)


AS_WRITTEN, CHANGED = "as written", "changed"


def paired(source: str, sets: list[str], replications: int) -> Rerun:
    """Replications 0..n-1 of the file as written and of the changed settings under
    common random numbers, as a comparison `Output` (paired differences, CIs)."""
    from chainsim.experiments.runner import Configuration, run_experiment

    base, errors = load(source, [])
    changed, more = load(source, sets)
    if base is None or changed is None:
        return Rerun(errors=errors + more)
    if not 1 <= replications <= 50:
        return Rerun(errors=[f"error: replications {replications}: must be between 1 and "
                             "50 here (use chainsim compare for more)"])
    started = time.perf_counter()
    configs = [Configuration(AS_WRITTEN, base, str(source)),
               Configuration(CHANGED, changed, str(source), tuple(sets))]
    try:
        exp = run_experiment(configs, replications, kind="compare")
    except Exception as exc:
        return Rerun(errors=[f"error: the comparison failed ({type(exc).__name__}: {exc})"])
    out = Output(path=Path("."), kind="compare", configs=[
        config_of(c.name, c.scenario.model_dump(mode="json"), str(source), list(c.overrides))
        for c in exp.configurations],
        manifest={"tool": "chainsim", "kind": "compare", "replications": replications,
                  "seed": exp.seed})
    out.summary = exp.summary_table()
    out.comparison = exp.comparison_table()
    out.replications = exp.metrics
    out.series = exp.series
    return Rerun(output=out, simulate_seconds=time.perf_counter() - started,
                 events=exp.total_events())


def decisions(output: Output, kind: str | None = None, agent: str | None = None,
              limit: int = 300) -> pd.DataFrame:
    """The run's decision log filtered by kind and agent: year, kind, agent and the
    numbers behind each decision (one column per field)."""
    log = output.run.decisions if output.run is not None else []
    rows = [d for d in log if (not kind or d.get("decision") == kind)
            and (not agent or d.get("agent") == agent)]
    frame = pd.DataFrame(rows[:limit])
    if frame.empty:
        return frame
    start = output.run.start_year
    frame.insert(0, "year", (start + frame.pop("time").astype(float) / 360).round(2))
    frame = frame.rename(columns={"decision": "kind"})
    return frame.dropna(axis=1, how="all")
