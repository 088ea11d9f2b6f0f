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
    DIR/.lock                       held by the run writing DIR (`DirectoryLock`)

One run at a time: a run holds an exclusive lock on `DIR/.lock` from its checks to its
last file, and a second run into DIR is refused. A finished replication is a directory
written under a temporary name and renamed into place in one step, with an
`identity.json` saying which experiment it belongs to; `--resume` reuses it only if that
identity (configuration, scenario fingerprint, overrides, seed, replication index,
chainsim version) is this experiment's, and reruns it otherwise, or if it is damaged.
The tables, summary and final manifest are written into a staging directory first and
renamed into place only when all are written, so a full disk leaves the previous state
(manifest "running", finished replications saved), never a half-written set.
"""

from __future__ import annotations

import errno
import json
import os
import platform
import shutil
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from chainsim.experiments.runner import (
    SERIES_TABLES,
    Configuration,
    Experiment,
    StoredSeries,
    fingerprint,
)
from chainsim.output import OutputError, prepare_dir, write_csv, write_json, write_parquet

MANIFEST = "manifest.json"
CACHE = "replications"
LOCK = ".lock"
IDENTITY = "identity.json"
PACKAGES = ("chainsim", "simpy", "numpy", "pandas", "pydantic", "pyarrow", "scipy", "click",
            "rich")
OUTPUT_FILES = ("summary.json", "summary.csv", "summary.parquet", "comparison.csv",
                "replications.parquet", "series")
# What a single run (`chainsim run FILE --out DIR`) writes; an experiment refuses a
# directory holding these without a manifest, and a single run refuses an experiment's.
SINGLE_RUN_FILES = ("summary.json", "scenario.json", "decisions.jsonl")
ROW_GROUP_ROWS = 16_384  # series rows per Parquet row group when streaming (bounds memory)
_READ_ERRORS = (OSError, ValueError, KeyError, TypeError, pa.ArrowException)

__all__ = ["DirectoryLock", "OutputDir", "ReplicationStore", "fingerprint", "open_output",
           "prepare_output", "write_outputs"]


class DirectoryLock:
    """An exclusive lock on `DIR/.lock` for one run, released when the run ends or its
    process dies (the kernel drops it, so SIGKILL leaves no stale lock).

    Written with `fcntl.flock` (`msvcrt.locking` on Windows) rather than the `filelock`
    package: filelock falls back to a marker file where flock is unsupported, which a
    killed run leaves behind and which then refuses every `--resume`, and it truncates
    the lock file on open, so the holder's process id cannot be kept in it for the
    message a refused run prints. The lock file is opened after any worker pool is
    started, so no worker process inherits it.
    """

    def __init__(self, directory: str | Path):
        self.path = Path(directory) / LOCK
        self._fd: int | None = None

    def acquire(self) -> None:
        """Take the lock or raise OutputError naming DIR and the run holding it."""
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            _lock(fd)
        except OSError as exc:
            holder = os.read(fd, 64).decode(errors="replace").strip()
            os.close(fd)
            if exc.errno not in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
                raise OutputError(f"{self.path.parent}: cannot lock {LOCK} "
                                  f"({exc.strerror or exc})") from None
            who = f" (process {holder})" if holder.isdigit() else ""
            raise OutputError(f"{self.path.parent}: another chainsim run{who} is writing "
                              "here; wait for it to finish or choose another --out"
                              ) from None
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            fd, self._fd = self._fd, None
            try:
                os.ftruncate(fd, 0)
            except OSError:
                pass
            os.close(fd)  # closing drops the lock

    def __del__(self) -> None:
        self.release()

    def __enter__(self) -> DirectoryLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def _lock(fd: int) -> None:
    """Lock `fd` exclusively without waiting; OSError (EAGAIN/EACCES) if held."""
    try:
        import fcntl
    except ImportError:  # Windows
        import msvcrt

        msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        return
    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)


class ReplicationStore:
    """Finished replications on disk, one directory each, renamed into place when done.

    Each holds `metrics.parquet`, the series tables and `identity.json`. A replication is
    reused only if its identity is the one asked for and its files read back; anything
    else (another experiment's, damaged, a file where a directory belongs) is removed and
    counted in `discarded`, and the replication runs again.
    """

    def __init__(self, root: str | Path):
        self.root = Path(root)
        self.discarded = 0

    def path(self, config: str, replication: int) -> Path:
        return self.root / config / f"r{replication:06d}"

    def load_metrics(self, config: str, replication: int,
                     identity: dict[str, Any] | None = None) -> pd.DataFrame | None:
        """The one-row metrics frame of a saved replication that proves `identity`
        (plus its index) and whose tables all read back; None if it must run."""
        where = self.path(config, replication)
        if not (where.exists() or where.is_symlink()):
            return None
        metrics = self._check(where, config, replication, identity or {})
        if metrics is None:
            self.discarded += 1
            _remove(where)
        return metrics

    def _check(self, where: Path, config: str, replication: int,
               identity: dict[str, Any]) -> pd.DataFrame | None:
        if where.is_symlink() or where.parent.is_symlink() or not where.is_dir():
            return None
        try:
            saved = json.loads((where / IDENTITY).read_text())
            if saved != {**identity, "config": config, "replication": replication}:
                return None
            metrics = pd.read_parquet(where / "metrics.parquet")
            if len(metrics) != 1:
                return None
            row = metrics.iloc[0]
            if (row["config"] != config
                    or int(row["replication"]) != replication
                    or ("seed" in identity and int(row["seed"]) != identity["seed"])):
                return None
            for name in SERIES_TABLES:
                pq.read_schema(where / f"{name}.parquet")
        except _READ_ERRORS:
            return None
        return metrics

    def load(self, config: str, replication: int,
             identity: dict[str, Any] | None = None) -> dict[str, pd.DataFrame] | None:
        """Every saved frame of a replication (metrics and series), or None."""
        metrics = self.load_metrics(config, replication, identity)
        if metrics is None:
            return None
        return {"metrics": metrics, **{name: self.read_table(config, replication, name)
                                       for name in SERIES_TABLES}}

    def read_table(self, config: str, replication: int, name: str) -> pd.DataFrame:
        return pd.read_parquet(self.path(config, replication) / f"{name}.parquet")

    def read_arrow(self, config: str, replication: int, name: str) -> pa.Table:
        return pq.read_table(self.path(config, replication) / f"{name}.parquet")

    def save(self, config: str, replication: int, frames: dict[str, pd.DataFrame],
             identity: dict[str, Any] | None = None) -> None:
        final = self.path(config, replication)
        if final.parent.is_symlink():  # never write through a link out of --out
            final.parent.unlink()
        if final.parent.exists() and not final.parent.is_dir():
            final.parent.unlink()  # a file where the configuration's folder belongs
        final.parent.mkdir(parents=True, exist_ok=True)
        tmp = final.parent / f".{final.name}-{uuid.uuid4().hex[:8]}.tmp"
        tmp.mkdir()
        try:
            for name, frame in frames.items():
                frame.to_parquet(tmp / f"{name}.parquet", index=False)
            (tmp / IDENTITY).write_text(json.dumps(
                {**(identity or {}), "config": config, "replication": replication}) + "\n")
            _remove(final)
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


def _remove(path: Path) -> None:
    """Remove a file, a link (not what it points to) or a directory tree, if present."""
    if path.is_symlink() or path.is_file():
        path.unlink()
    elif path.is_dir():
        shutil.rmtree(path)


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


class OutputDir:
    """An experiment's `--out`, locked for one run: its replication store, the manifest
    of the running experiment, and `write` for the tables at the end. Use it as a
    context manager (`open_output`) so the lock is released however the run ends."""

    def __init__(self, path: Path, store: ReplicationStore, manifest: dict[str, Any],
                 lock: DirectoryLock):
        self.path, self.store, self.manifest, self.lock = path, store, manifest, lock

    def write(self, exp: Experiment, summary: dict[str, Any]) -> list[str]:
        return write_outputs(self.path, exp, summary, self.manifest)

    def close(self) -> None:
        self.lock.release()

    def __enter__(self) -> OutputDir:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _refuse_foreign(out: Path) -> None:
    """Refuse, before writing anything, a directory whose contents chainsim's experiment
    did not write (or a single run's)."""
    if not out.is_dir():
        return
    manifest_path, cache = out / MANIFEST, out / CACHE
    has_manifest = manifest_path.is_file() and _read_manifest(manifest_path) is not None
    if (manifest_path.exists() or cache.exists() or cache.is_symlink()) and not has_manifest:
        raise OutputError(f"{out}: holds files not written by chainsim (manifest.json "
                          "missing or foreign); choose another --out")
    if not has_manifest and any((out / name).exists() for name in SINGLE_RUN_FILES):
        raise OutputError(f"{out}: holds the output of a single run (chainsim run without "
                          "--replications); choose another --out")


def _check_resume(out: Path, old: dict[str, Any], kind: str, seed: int,
                  current: dict[str, str]) -> None:
    """Refuse a resume into a different experiment (exit 2, nothing written). Each
    saved replication is checked again on its own when it is read (`ReplicationStore`)."""
    from chainsim import __version__

    prefix = f"{out}: --resume:"
    hint = "; run without --resume to start over"
    if old.get("kind") != kind:
        raise OutputError(f"{prefix} the saved experiment is a {old.get('kind')!r}, not a "
                          f"{kind!r}")
    configs = old.get("configurations")
    if not isinstance(configs, list) or not all(isinstance(c, dict) for c in configs):
        raise OutputError(f"{prefix} {MANIFEST}: 'configurations' is not a list of "
                          f"objects (damaged manifest){hint}")
    if old.get("seed") != seed:
        raise OutputError(f"{prefix} seed {seed} differs from the saved experiment's "
                          f"({old.get('seed')!r}){hint}")
    versions = old.get("versions")
    saved_version = versions.get("chainsim") if isinstance(versions, dict) else None
    if saved_version != __version__:
        raise OutputError(f"{prefix} chainsim {__version__} differs from the saved "
                          f"experiment's ({saved_version!r}){hint}")
    saved = {c.get("name"): c.get("fingerprint") for c in configs}
    changed = [n for n, fp in current.items() if n in saved and saved[n] != fp]
    if changed:
        raise OutputError(
            f"{prefix} configuration {changed[0]!r} differs from the saved experiment "
            f"(scenario, overrides, seed or horizon changed){hint}")


def _start_afresh(out: Path) -> None:
    """Clear our own earlier experiment's cache and tables (not resuming)."""
    for name in (CACHE, *OUTPUT_FILES):
        _remove(out / name)


def open_output(
    out_dir: str | Path,
    kind: str,
    configurations: list[Configuration],
    seed: int,
    replications: int,
    resume: bool,
    command: list[str] | None = None,
    execution: dict[str, Any] | None = None,
    design: dict[str, Any] | None = None,
) -> OutputDir:
    """Lock the output directory, check it, decide what a resume may reuse, and write
    the manifest of a running experiment. Raises OutputError (naming DIR) before
    anything but the lock file is written when the directory cannot be used, holds a
    different experiment, or another run holds it."""
    if not str(out_dir).strip():
        raise OutputError("--out: empty path; give a directory")
    out = Path(out_dir)
    _refuse_foreign(out)
    out = prepare_dir(out)
    lock = DirectoryLock(out)
    lock.acquire()
    try:
        _refuse_foreign(out)  # again, now that no other run can change it
        manifest_path, cache = out / MANIFEST, out / CACHE
        old = _read_manifest(manifest_path) if manifest_path.is_file() else None
        current = {c.name: fingerprint(c) for c in configurations}
        if resume and old is not None:
            _check_resume(out, old, kind, seed, current)
        if cache.is_symlink():  # never write the cache through a link out of --out
            cache.unlink()
        if not resume and old is not None:
            _start_afresh(out)
        store = ReplicationStore(cache)
        store.clean_partial()
        manifest = _running_manifest(kind, configurations, current, seed, replications,
                                     command, execution, design)
        write_json(manifest_path, manifest)
    except BaseException:
        lock.release()
        raise
    return OutputDir(out, store, manifest, lock)


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
    """`open_output` as (path, store, manifest); the lock is held as long as the store
    lives (or the process). Prefer `open_output` as a context manager."""
    output = open_output(out_dir, kind, configurations, seed, replications, resume,
                         command, execution, design)
    output.store.lock = output.lock  # type: ignore[attr-defined]
    return output.path, output.store, output.manifest


def _running_manifest(kind: str, configurations: list[Configuration],
                      current: dict[str, str], seed: int, replications: int,
                      command: list[str] | None, execution: dict[str, Any] | None,
                      design: dict[str, Any] | None) -> dict[str, Any]:
    return {
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


def write_outputs(out: Path, exp: Experiment, summary: dict[str, Any],
                  manifest: dict[str, Any]) -> list[str]:
    """Write the experiment's tables, summary and final manifest; return the files.

    Everything is written into a staging directory inside `out` and renamed into place
    only once all of it is written (renaming needs no space), the manifest last, so a
    full disk leaves the previous state. Raises `SaveFailed` (one line) on a write
    error."""
    from chainsim.experiments.runner import SaveFailed

    stage = out / f".staging-{uuid.uuid4().hex[:8]}"
    try:
        stage.mkdir()
        files = _write_tables(stage, exp)
        write_json(stage / "summary.json", summary)
        files.append("summary.json")
        final = {**manifest, "status": "complete", "finished": _now(),
                 "wall_seconds": round(exp.wall_seconds, 3),
                 "replications_reused": exp.reused,
                 "replications_run": len(exp.metrics) - exp.reused,
                 "events": exp.total_events(),
                 "files": [*files, "replications/<config>/r<NNNNNN>/"]}
        write_json(stage / MANIFEST, final)
        _publish(stage, out)
    except OSError as exc:
        raise SaveFailed(f"{out}: cannot write {_written_name(exc)}: "
                         f"{exc.strerror or exc}; nothing was half-written") from None
    finally:
        shutil.rmtree(stage, ignore_errors=True)
    return files


def _written_name(exc: OSError) -> str:
    """The output file an OSError was about (`.summary.csv.ab12.tmp` -> summary.csv)."""
    if not getattr(exc, "filename", None):
        return "the tables"
    name = Path(exc.filename).name
    if name.startswith(".") and name.endswith(".tmp"):
        name = name[1:].rsplit(".", 2)[0]
    return name


def _write_tables(stage: Path, exp: Experiment) -> list[str]:
    files = []
    params = pd.DataFrame([{"config": c.name, **{f"param.{k}": v for k, v in c.params.items()}}
                           for c in exp.configurations])
    per_rep = exp.metrics
    if len(params.columns) > 1:
        per_rep = per_rep.merge(params, on="config", how="left")
        cols = ["config", *params.columns[1:],
                *[c for c in per_rep.columns if c != "config" and c not in params.columns]]
        per_rep = per_rep[cols]
    write_parquet(stage / "replications.parquet", per_rep)
    files.append("replications.parquet")
    (stage / "series").mkdir()
    for name in SERIES_TABLES:
        _write_series(stage / "series" / f"{name}.parquet", exp.series, name)
        files.append(f"series/{name}.parquet")
    table = exp.summary_table()
    write_csv(stage / "summary.csv", table)
    write_parquet(stage / "summary.parquet", table)
    files += ["summary.csv", "summary.parquet"]
    if exp.kind == "compare":
        write_csv(stage / "comparison.csv", exp.comparison_table())
        files.append("comparison.csv")
    return files


def _write_series(path: Path, series: Any, name: str) -> None:
    """One series table: streamed replication by replication from the store (so memory
    does not grow with replications) when every part has the same schema; otherwise,
    or when the series are in memory, stacked and written whole."""
    if isinstance(series, StoredSeries) and _stream_parquet(path, series.tables(name)):
        return
    write_parquet(path, series[name] if name in series else pd.DataFrame())


def _stream_parquet(path: Path, tables: Iterator[pa.Table]) -> bool:
    """Write the tables as one Parquet file; False (and no file) if schemas differ."""
    writer, schema, buffer, rows = None, None, [], 0
    try:
        for table in tables:
            if schema is None:
                schema = table.schema
                writer = pq.ParquetWriter(path, schema)
            elif not table.schema.equals(schema, check_metadata=False):
                writer.close()
                writer = None
                path.unlink()
                return False
            buffer.append(table)
            rows += table.num_rows
            if rows >= ROW_GROUP_ROWS:
                writer.write_table(pa.concat_tables(buffer))
                buffer, rows = [], 0
        if writer is None:
            return False
        if buffer:
            writer.write_table(pa.concat_tables(buffer))
    finally:
        if writer is not None:
            writer.close()
    return True


def _publish(stage: Path, out: Path) -> None:
    """Rename the staged files into `out`, the manifest last (renames need no space)."""
    for entry in sorted(stage.iterdir(), key=lambda p: p.name == MANIFEST):
        target = out / entry.name
        if entry.is_dir():
            if target.exists() or target.is_symlink():
                os.rename(target, stage / f".old-{entry.name}")  # removed with the stage
            os.rename(entry, target)
        else:
            os.replace(entry, target)


def output_state(out: str | Path) -> str:
    """One line on what an experiment's `--out` holds now, for a run that stopped:
    `out: 12 of 40 replications saved (manifest: running)`."""
    out = Path(out)
    manifest = _read_manifest(out / MANIFEST) if (out / MANIFEST).is_file() else None
    if manifest is None:
        return f"{out}: no experiment saved yet"
    configs = manifest.get("configurations")
    replications = manifest.get("replications")
    saved = ReplicationStore(out / CACHE).finished()
    total = (f" of {len(configs) * replications:,}" if isinstance(configs, list)
             and isinstance(replications, int) else "")
    return (f"{out}: {saved:,}{total} replications saved (manifest: "
            f"{manifest.get('status', 'unknown')})")


# -- a single run's --out ----------------------------------------------------------------


def prepare_run_output(out_dir: str | Path) -> Path:
    """Check, before a single run starts, that `out_dir` can take its files: not an
    experiment's directory (its summary.json would then contradict the manifest) nor a
    foreign one; create it. Raises OutputError naming it."""
    if not str(out_dir).strip():
        raise OutputError("--out: empty path; give a directory")
    out = Path(out_dir)
    if (out / MANIFEST).exists() or (out / CACHE).exists():
        raise OutputError(f"{out}: holds a replicated experiment (manifest.json); a single "
                          "run would mix its files in: choose another --out")
    return prepare_dir(out)


def write_run_output(out: Path, writers: dict[str, Callable[[Path], Any]]) -> list[str]:
    """Write a single run's files (`name -> write(path)`) under the directory's lock,
    staged and renamed into place together, so a full disk or a concurrent run leaves
    no mixed or half-written set. Raises OutputError if an experiment took the directory
    meanwhile or another run holds it, `SaveFailed` on a write error."""
    from chainsim.experiments.runner import SaveFailed

    with DirectoryLock(out):
        prepare_run_output(out)
        stage = out / f".staging-{uuid.uuid4().hex[:8]}"
        try:
            stage.mkdir()
            for name, write in writers.items():
                write(stage / name)
            _publish(stage, out)
        except OSError as exc:
            raise SaveFailed(f"{out}: cannot write {_written_name(exc)}: "
                             f"{exc.strerror or exc}; nothing was half-written") from None
        finally:
            shutil.rmtree(stage, ignore_errors=True)
    return list(writers)
