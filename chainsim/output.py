"""Writing results: atomically (temp file, then rename), so no file is ever half-written."""

from __future__ import annotations

import json
import math
import os
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pandas as pd


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


_UMASK = _umask()


class OutputError(Exception):
    """An output location that cannot be used; the message names it."""


def prepare_dir(path: str | Path, option: str = "--out") -> Path:
    """Create the output directory if needed and prove it writable, before any run starts."""
    out = Path(path)
    if out.exists() and not out.is_dir():
        raise OutputError(f"{out}: {option} must be a directory, and this is a file")
    try:
        out.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(dir=out, prefix=".probe-")
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise OutputError(f"{out}: cannot write here ({exc.strerror or exc})") from None
    return out


def prepare_file(path: str | Path, option: str) -> Path:
    """Check, before any run starts, that a file can be written at `path`: its directory
    exists and is writable, and the path is not a directory. Creates nothing."""
    target = Path(path)
    parent = target.resolve().parent
    if target.is_dir():
        raise OutputError(f"{target}: {option} must name a file, and this is a directory")
    if not parent.is_dir():
        raise OutputError(f"{target}: {option}: the directory {parent} does not exist")
    if not os.access(parent, os.W_OK):
        raise OutputError(f"{target}: {option}: cannot write in {parent}")
    return target


def atomic_write(path: str | Path, write: Callable[[Path], None]) -> Path:
    """Call `write(tmp)` on a temporary path beside `path`, then rename it into place."""
    target = Path(path)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    os.close(fd)
    try:
        write(Path(tmp))
        os.chmod(tmp, 0o666 & ~_UMASK)  # mkstemp makes 0600; give the usual permissions
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


def to_json(data: Any, indent: int | None = 2) -> str:
    """Strict JSON: NaN and infinities become null, numpy scalars plain numbers."""
    return json.dumps(finite(data), indent=indent, default=_jsonable, allow_nan=False)


def finite(value: Any) -> Any:
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [finite(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, str):
        return finite(value.item())
    return value


def write_json(path: str | Path, data: Any) -> Path:
    text = to_json(data) + "\n"
    return atomic_write(path, lambda p: p.write_text(text))


def write_jsonl(path: str | Path, rows: Iterable[dict[str, Any]]) -> Path:
    def write(p: Path) -> None:
        with p.open("w") as fh:
            for row in rows:
                fh.write(to_json(row, indent=None) + "\n")

    return atomic_write(path, write)


def write_parquet(path: str | Path, frame: pd.DataFrame) -> Path:
    return atomic_write(path, lambda p: frame.to_parquet(p, index=False))


def write_csv(path: str | Path, frame: pd.DataFrame) -> Path:
    return atomic_write(path, lambda p: frame.to_csv(p, index=False))


def _jsonable(value: Any) -> Any:
    if hasattr(value, "item"):
        return value.item()
    if isinstance(value, set | tuple):
        return list(value)
    return str(value)
