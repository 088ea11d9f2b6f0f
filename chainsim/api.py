"""The public entry points: one run, replications, comparisons and sweeps, each returning
a result object (tables, CIs, the configurations as run); and `run_scenario`, one run as
a flat dict of headline metrics for other experiment tools.

The command line calls these and prints; everything it can do is done here, with the same
files under `out` (docs/experiments.md). Bad input raises before anything runs:
`ScenarioError` (a scenario, override, seed or horizon), `DesignError` (variants, pairs,
metrics, a grid or ranges), `OutputError` (`out`), `ExecutorUnavailable`; a failing
replication raises `ExperimentFailed`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from chainsim.experiments import comparison as cmp
from chainsim.experiments import sweep as sw
from chainsim.experiments.design import DesignError
from chainsim.experiments.lifecycle import (
    Execution,
    Replications,
    check_runs,
    execute,
    load_configuration,
    run_settings,
)
from chainsim.experiments.runner import DEFAULT_METRICS, match_metrics
from chainsim.library import library_dir, resolve
from chainsim.scenario import (
    Scenario,
    ScenarioError,
    apply_overrides,
    horizon_problem,
    load_scenario,
    parse_scenario,
)
from chainsim.scenario.load import read_toml
from chainsim.scenario.problems import Problem

if TYPE_CHECKING:
    from chainsim.engine.simulation import RunResult

DEFAULT_SCENARIO = library_dir() / "sinos_valley.toml"  # the headline case (H&S 4.2)

Source = Scenario | str | Path


def run(scenario: Source, seed: int | None = None, replication: int = 0,
        horizon_years: float | None = None, overrides: Sequence[str] = (),
        out: str | Path | None = None, log: str | Path | None = None) -> RunResult:
    """Run one replication of a scenario (a validated object, a TOML file or a library
    name such as "sinos_valley"): the recorded tables, the decision log and the scenario
    as run. With `out`, its files (`save_run`, docs/metrics.md); with `log`, the decision
    log as JSON lines. Both are checked before the run."""
    from chainsim.engine.simulation import simulate
    from chainsim.experiments.lifecycle import ExperimentFailed, prepare_run, save_run, write_log
    from chainsim.experiments.runner import SaveFailed

    if not isinstance(scenario, Scenario):
        scenario = load_scenario(resolve(scenario), overrides)
    elif overrides:
        raw = apply_overrides(scenario.model_dump(mode="json"), overrides, "<scenario>")
        scenario = parse_scenario(raw)
    check_horizon(scenario, horizon_years)
    out_path = prepare_run(out, log)
    result = simulate(scenario, seed=seed, replication=replication, horizon_years=horizon_years)
    if out_path is not None:
        try:
            save_run(out_path, result)
        except SaveFailed as exc:  # a full disk: nothing was half-written
            raise ExperimentFailed(str(exc), None) from None
    if log is not None:
        write_log(log, result)
    return result


def replicate(scenario: Source, replications: int, *, seed: int | None = None,
              horizon_years: float | None = None, overrides: Sequence[str] = (),
              execution: Execution | None = None, out: str | Path | None = None,
              resume: bool = False, command: list[str] | None = None) -> Replications:
    """Replications 0..N-1 of one scenario (common random numbers); every headline
    metric as a mean with its 95% CI. With `out`, the files of docs/experiments.md."""
    config = load_configuration("run", scenario, overrides, seed, horizon_years)
    exp = execute("run", [config], replications, seed=seed, horizon_years=horizon_years,
                  execution=execution, out=out, resume=resume, command=command)
    return Replications(exp)


def compare(scenarios: Sequence[Source] | Mapping[str, Source], *,
            variants: Sequence[str] | Mapping[str, Sequence[str]] | None = None,
            metrics: Sequence[str] = (), pairs: Sequence[str] = (),
            replications: int = cmp.DEFAULT_REPLICATIONS, seed: int | None = None,
            horizon_years: float | None = None, overrides: Sequence[str] = (),
            execution: Execution | None = None, out: str | Path | None = None,
            resume: bool = False, command: list[str] | None = None) -> cmp.Comparison:
    """Compare configurations under common random numbers, paired by replication.

    `scenarios`: two or more files or scenario objects (named by file stem, or by the
    keys of a mapping); or one, with `variants` (`name:key=value,...` texts or a mapping
    name -> overrides) and the file itself as the baseline `base`. `metrics`: globs
    (default: price decline, gains, functional upgrading and fair share of every cluster
    pair); `pairs`: `id_a=id_b` cluster pairs across configurations (default: each
    file's first cluster, and clusters with the same id; `chainsim.experiments.comparison`).
    The first configuration is the baseline; beyond two, CIs are Bonferroni-widened and
    p-values Holm-adjusted.
    """
    sources = cmp.named_sources(scenarios)
    if variants:
        if len(sources) != 1:
            raise DesignError([f"--variant: give exactly one FILE to vary (got "
                               f"{len(sources)})"])
        specs = cmp.variant_specs(sources[0][1], variants, overrides)
    else:
        if len(sources) < 2:
            raise DesignError(["compare: give two or more scenario files, or one file with "
                               "--variant NAME:KEY=VALUE"])
        specs = [(name, source, list(overrides)) for name, source in sources]
    configs = cmp.load_configurations(specs, seed, horizon_years)
    cluster_pairs = cmp.cluster_pairs(configs, pairs)
    aliases = cmp.aliases(cluster_pairs)
    chosen = _chosen(list(metrics), cmp.candidate_metrics(configs, cluster_pairs), aliases)

    def summarize(exp: Any) -> dict[str, Any]:
        return cmp.comparison_json(exp, _recorded(chosen, metrics, exp, configs,
                                                  cluster_pairs), cluster_pairs)

    exp = execute("compare", configs, replications, seed=seed, horizon_years=horizon_years,
                  execution=execution, out=out, resume=resume, summarize=summarize,
                  command=command, aliases=aliases)
    return cmp.Comparison(exp, _recorded(chosen, metrics, exp, configs, cluster_pairs),
                          cluster_pairs)


def _chosen(patterns: list[str], candidates: list[str],
            aliases: dict[str, dict[str, str]]) -> list[str]:
    """The metrics the globs select before the run; DesignError for globs matching none."""
    if not patterns:
        return []
    selected, unmatched = cmp.select_metrics(candidates, patterns, aliases)
    problems = cmp.metric_problems(unmatched)
    if problems:
        raise DesignError(problems)
    return selected


def _recorded(chosen: list[str], patterns: Sequence[str], exp: Any, configs: Any,
              pairs: Any) -> list[str]:
    """The metrics shown: the defaults, or the globs matched against what was recorded
    (order counts by refusal reason exist only once they happen)."""
    if not patterns:
        return cmp.default_metrics(pairs)
    candidates = cmp.candidate_metrics(configs, pairs, exp.metric_names())
    return cmp.select_metrics(candidates, list(patterns), exp.aliases)[0] or chosen


def sweep(scenario: str | Path, *, grid: Sequence[str] = (), lhs: int | None = None,
          ranges: Sequence[str] = (), design_seed: int | None = None,
          metrics: Sequence[str] = (), replications: int = sw.DEFAULT_REPLICATIONS,
          seed: int | None = None, horizon_years: float | None = None,
          overrides: Sequence[str] = (), execution: Execution | None = None,
          out: str | Path | None = None, resume: bool = False,
          command: list[str] | None = None, design_file: str | None = None) -> sw.Sweep:
    """Sweep parameters of a scenario file: `grid` (`key=v1,v2`, every combination),
    `lhs` points of a Latin hypercube over `ranges` (`key=low:high`), or the rows of an
    external design, `design_file` (CSV: dotted keys as header). Every point runs
    replications 0..N-1 with the same seed (common random numbers)."""
    factors, bounds = sw.parse_design(grid, lhs, ranges, design_seed, design_file)
    scenario = resolve(scenario)
    points, design = sw.build_design(scenario, factors, bounds, lhs, design_seed, seed,
                                     overrides, design_file)
    check_runs(replications, len(points))
    configs = sw.load_points(scenario, points, overrides, run_settings(seed, horizon_years))
    patterns = list(metrics) or list(DEFAULT_METRICS)
    known = sorted(cmp.candidate_metrics(configs[:1], cmp.default_pairs(configs[:1])))
    if metrics:
        unmatched = [p for p in patterns if not match_metrics(known, [p])]
        if cmp.metric_problems(unmatched):
            raise DesignError(cmp.metric_problems(unmatched))

    def chosen(exp: Any) -> list[str]:
        return exp.select(patterns)

    exp = execute("sweep", configs, replications, seed=seed, horizon_years=horizon_years,
                  execution=execution, out=out, resume=resume, design=design,
                  summarize=lambda e: sw.Sweep(e, chosen(e), design).summary(),
                  command=command)
    return sw.Sweep(exp, chosen(exp), design)


def check_horizon(scenario: Scenario, horizon_years: float | None,
                  source: str = "<scenario>") -> None:
    """A horizon given outside the file must be long enough to record, like one in it."""
    if horizon_years is None:
        return
    problem = horizon_problem(horizon_years, scenario.simulation.period_days)
    if problem is not None:
        raise ScenarioError([Problem(source, "horizon_years", problem)])


def run_scenario(scenario: str | Path | None = None, seed: int | None = None,
                 replication: int = 0, horizon_years: float | None = None,
                 replications: int = 1, series: bool | Sequence[str] = False,
                 **params: Any) -> dict[str, Any]:
    """Run and return the headline metrics as a flat dict of floats.

    Keyword parameters are dotted scenario keys with `__` for the dots, so EMA Workbench or
    SALib can drive chainsim with plain names::

        run_scenario("scenarios/sinos_valley.toml", seed=3,
                     buyers__us_main__encroachment_sensitivity=0.2)

    Ids containing '-' are written with '_' in parameter names and matched either way.
    `replications` > 1 runs replications `replication`, `replication + 1`, ... and
    returns the mean of each metric (NaNs left out). `series=True` adds every cluster
    series as a per-period array, `series.<cluster>.<column>` (docs/metrics.md), and
    `series.year`; a list of such names keeps only those (EMA Workbench's
    `TimeSeriesOutcome`).
    """
    from chainsim.engine.simulation import simulate
    from chainsim.experiments.series import cluster_series
    from chainsim.results.summary import headline

    path = DEFAULT_SCENARIO if scenario is None else resolve(scenario)
    raw = read_toml(path)
    overrides = [f"{_dotted(raw, key)}={_toml(value)}" for key, value in params.items()]
    loaded = parse_scenario(apply_overrides(raw, overrides, str(path)), str(path))
    check_horizon(loaded, horizon_years, str(path))
    runs: list[dict[str, Any]] = []
    for r in range(replication, replication + max(1, int(replications))):
        result = simulate(loaded, seed=seed, replication=r, horizon_years=horizon_years)
        out: dict[str, Any] = dict(headline(result))
        if series:
            table = cluster_series(result.tables, [c.id for c in loaded.clusters],
                                   float(loaded.simulation.start_year),
                                   loaded.technology.ladder)
            out.update(_series_outcomes(table, series))
        runs.append(out)
    return runs[0] if len(runs) == 1 else _mean_of_runs(runs)


def _mean_of_runs(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Each metric's (or series') mean over replications, NaNs left out (NaN if all are)."""
    import warnings

    import numpy as np

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # a metric NaN in every run
        return {k: np.nanmean(np.stack([np.asarray(r[k], dtype=float) for r in runs]), axis=0)
                if isinstance(runs[0][k], np.ndarray)
                else float(np.nanmean([r[k] for r in runs])) for k in runs[0]}


def _series_outcomes(table: Any, wanted: bool | Sequence[str]) -> dict[str, Any]:
    """`series.<cluster>.<column>` -> per-period array, and `series.year`."""
    out: dict[str, Any] = {}
    for cluster, rows in table.groupby("cluster", sort=False):
        out.setdefault("series.year", rows["year"].to_numpy(float))
        for col in rows.columns:
            if col not in ("period", "time", "year", "cluster"):
                out[f"series.{cluster}.{col}"] = rows[col].to_numpy(float)
    if wanted is True:
        return out
    return {k: out[k] for k in wanted}


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
