"""The `--out DIR` of an experiment: finished replications, tidy tables and a manifest.

Layout (documented in docs/experiments.md; `chainsim report DIR` reads it)::

    DIR/manifest.json               what ran: resolved scenarios, seeds, versions, command
    DIR/summary.json                the same JSON that --json prints
    DIR/summary.csv, summary.parquet  tidy: config, [param.*], metric, mean, ci_low, ci_high, n
    DIR/comparison.csv              compare only: paired differences vs the baseline
    DIR/replications.parquet        one row per configuration and replication, every metric
    DIR/series/clusters.parquet     per-period series with config and replication columns
    DIR/series/buyers.parquet
    DIR/series/governance.parquet
    DIR/replications/<config>/r000007/   one finished replication (the --resume cache)

Every file is written atomically (temporary file, then rename). A finished replication is
a directory written under a temporary name and renamed into place in one step, so after a
crash each replication is either complete or absent, and `--resume` reruns only the
absent ones. Tables are assembled from the same frames whether a replication ran now or
was read back, so a resumed experiment ends with the same tables as an uninterrupted one.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import shutil
import uuid
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import pandas as pd

from chainsim import __version__
from chainsim.experiments.runner import Configuration, Experiment
from chainsim.output import OutputError, prepare_dir, to_json, write_csv, write_json, write_parquet

MANIFEST = "manifest.json"
CACHE = "replications"
PACKAGES = ("chainsim", "simpy", "numpy", "pandas", "pydantic", "pyarrow", "scipy", "click",
            "rich")
OUTPUT_FILES = ("summary.json", "summary.csv", "summary.parquet", "comparison.csv",
                "replications.parquet", "series")


class ReplicationStore:
    """Finished replications on disk, one directory each, renamed into place when done."""

    def __init__(self, root: str | Path):
        self.root = Path(root)

    def path(self, config: str, replication: int) -> Path:
        return self.root / config / f"r{replication:06d}"

    def load(self, config: str, replication: int) -> dict[str, pd.DataFrame] | None:
        """The saved frames of a replication, or None if it has not finished."""
        where = self.path(config, replication)
        if not where.is_dir():
            return None
        try:
            return {p.stem: pd.read_parquet(p) for p in sorted(where.glob("*.parquet"))}
        except (OSError, ValueError):  # unreadable: run it again
            shutil.rmtree(where, ignore_errors=True)
            return None

    def save(self, config: str, replication: int, frames: dict[str, pd.DataFrame]) -> None:
        final = self.path(config, replication)
        final.parent.mkdir(parents=True, exist_ok=True)
        tmp = final.parent / f".{final.name}-{uuid.uuid4().hex[:8]}.tmp"
        tmp.mkdir()
        try:
            for name, frame in frames.items():
                frame.to_parquet(tmp / f"{name}.parquet", index=False)
            if final.exists():
                shutil.rmtree(final)
            os.rename(tmp, final)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise

    def finished(self) -> int:
        return sum(1 for _ in self.root.glob("*/r[0-9]*")) if self.root.is_dir() else 0

    def clean_partial(self) -> None:
        """Remove replications a crash left half-written (temporary directories)."""
        if self.root.is_dir():
            for tmp in self.root.glob("*/.r*.tmp"):
                shutil.rmtree(tmp, ignore_errors=True)


def fingerprint(config: Configuration) -> str:
    """Identity of a resolved configuration (scenario incl. seed and horizon, version)."""
    text = to_json({"scenario": config.scenario.model_dump(mode="json"),
                    "version": __version__}, indent=None)
    return hashlib.sha256(text.encode()).hexdigest()


def package_versions(extra: tuple[str, ...] = ()) -> dict[str, str]:
    out = {"python": platform.python_version()}
    for name in (*PACKAGES, *extra):
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _read_manifest(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and data.get("tool") == "chainsim" else None


def prepare_output(
    out_dir: str | Path,
    kind: str,
    configurations: list[Configuration],
    seed: int,
    replications: int,
    resume: bool,
    command: list[str] | None = None,
    execution: dict[str, Any] | None = None,
    design: dict[str, Any] | None = None,
) -> tuple[Path, ReplicationStore, dict[str, Any]]:
    """Check the output directory, decide what a resume may reuse, write the manifest of
    a running experiment. Raises OutputError (naming DIR) before anything is written when
    the directory cannot be used or holds a different experiment."""
    out = Path(out_dir)
    manifest_path = out / MANIFEST
    cache = out / CACHE
    old = _read_manifest(manifest_path) if manifest_path.is_file() else None
    if (manifest_path.exists() or cache.exists()) and old is None:
        raise OutputError(f"{out}: holds files not written by chainsim (manifest.json "
                          "missing or foreign); choose another --out")
    current = {c.name: fingerprint(c) for c in configurations}
    if resume and old is not None:
        if old.get("kind") != kind:
            raise OutputError(f"{out}: --resume: the saved experiment is a "
                              f"{old.get('kind')!r}, not a {kind!r}")
        saved = {c.get("name"): c.get("fingerprint") for c in old.get("configurations", [])}
        changed = [n for n, fp in current.items() if n in saved and saved[n] != fp]
        if changed:
            raise OutputError(
                f"{out}: --resume: configuration {changed[0]!r} differs from the saved "
                "experiment (scenario, overrides, seed or horizon changed); run without "
                "--resume to start over")
    out = prepare_dir(out)
    store = ReplicationStore(cache)
    if not resume and old is not None:  # start afresh over our own earlier experiment
        shutil.rmtree(cache, ignore_errors=True)
        for name in OUTPUT_FILES:
            target = out / name
            if target.is_dir():
                shutil.rmtree(target, ignore_errors=True)
            else:
                target.unlink(missing_ok=True)
    store.clean_partial()
    manifest = {
        "tool": "chainsim",
        "kind": kind,
        "status": "running",
        "started": _now(),
        "command": list(command) if command is not None else None,
        "seed": seed,
        "replications": replications,
        "replication_indices": f"0..{replications - 1}",
        "random_streams": "SeedSequence(seed, spawn_key=(replication, agent, purpose)); "
                          "replication r of every configuration shares its streams (CRN)",
        "execution": execution or {},
        "design": design,
        "versions": package_versions(("dask", "distributed")
                                     if (execution or {}).get("executor") == "dask" else ()),
        "configurations": [
            {"name": c.name, "source": c.source, "overrides": list(c.overrides),
             "params": c.params, "fingerprint": current[c.name],
             "horizon_years": c.scenario.simulation.horizon_years,
             "scenario": c.scenario.model_dump(mode="json")}
            for c in configurations
        ],
    }
    write_json(manifest_path, manifest)
    return out, store, manifest


def write_outputs(out: Path, exp: Experiment, summary: dict[str, Any],
                  manifest: dict[str, Any]) -> list[str]:
    """Write the experiment's tables, summary and final manifest; return the files."""
    files = []
    params = pd.DataFrame([{"config": c.name, **{f"param.{k}": v for k, v in c.params.items()}}
                           for c in exp.configurations])
    per_rep = exp.metrics
    if len(params.columns) > 1:
        per_rep = per_rep.merge(params, on="config", how="left")
        cols = ["config", *params.columns[1:],
                *[c for c in per_rep.columns if c != "config" and c not in params.columns]]
        per_rep = per_rep[cols]
    write_parquet(out / "replications.parquet", per_rep)
    files.append("replications.parquet")
    (out / "series").mkdir(exist_ok=True)
    for name, table in exp.series.items():
        write_parquet(out / "series" / f"{name}.parquet", table)
        files.append(f"series/{name}.parquet")
    table = exp.summary_table()
    write_csv(out / "summary.csv", table)
    write_parquet(out / "summary.parquet", table)
    files += ["summary.csv", "summary.parquet"]
    if exp.kind == "compare":
        write_csv(out / "comparison.csv", exp.comparison_table())
        files.append("comparison.csv")
    write_json(out / "summary.json", summary)
    files.append("summary.json")
    manifest = {**manifest, "status": "complete", "finished": _now(),
                "wall_seconds": round(exp.wall_seconds, 3),
                "replications_reused": exp.reused,
                "replications_run": len(exp.metrics) - exp.reused,
                "events": exp.total_events(),
                "files": [*files, "replications/<config>/r<NNNNNN>/"]}
    write_json(out / MANIFEST, manifest)
    return files
