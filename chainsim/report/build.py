"""`build_report`: read an experiment directory, draw the figures, write the page.

Order matters for bad input: the directory is read completely and the output location
checked (creating nothing) before any figure is drawn; the page is written last,
atomically (temporary file, then rename), so an interrupted report leaves nothing
half-written.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from chainsim.output import OutputError, atomic_write, prepare_dir
from chainsim.report.data import Output, ReportError, load_output
from chainsim.report.figures import Chart, Skipped, all_figures
from chainsim.report.html import render

PAGE = "report.html"
DEFAULT_DIR = "report"
# The PNG figures earlier versions wrote beside the page; a new report removes them (its
# figures live in the page, and each saves itself as PNG from its toolbar).
FIGURE_FILES = re.compile(r"^(price_index|upgrading_.+|governance|fair_share|comparison|"
                          r"sweep)\.png$")


@dataclass
class Report:
    """What `build_report` wrote."""

    page: Path
    figures: list[Chart]
    skipped: list[Skipped]
    output: Output


def check_target(path: Path) -> None:
    """Refuse an output location that cannot be used, creating nothing."""
    if path.exists():
        if not path.is_dir():
            raise ReportError(f"{path}: --out must be a directory, and this is a file")
        if not os.access(path, os.W_OK | os.X_OK):
            raise ReportError(f"{path}: cannot write here (permission denied)")
        return
    parent = path.absolute().parent
    while not parent.exists():
        parent = parent.parent
    if not parent.is_dir():
        raise ReportError(f"{path}: cannot create it ({parent} is a file)")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise ReportError(f"{path}: cannot create it (no write permission in {parent})")


def _write(path: Path, data: bytes) -> Path:
    """Write atomically, readable as the umask allows (a temporary file is 0600)."""
    mask = os.umask(0)
    os.umask(mask)

    def write(tmp: Path) -> None:
        tmp.write_bytes(data)
        os.chmod(tmp, 0o666 & ~mask)

    return atomic_write(path, write)


def build_report(source: str | Path, out: str | Path | None = None,
                 command: Sequence[str] | None = None) -> Report:
    """Write `report.html` for the experiment or single run in `source` (default
    output: SOURCE/report/). Raises ReportError, naming the path, for a directory that
    is not a finished chainsim experiment or run, or an unusable `out`."""
    data = load_output(source)
    target = Path(out) if out is not None else Path(source) / DEFAULT_DIR
    check_target(target)
    items = all_figures(data)
    page = render(data, items, command)
    try:
        target = prepare_dir(target)
    except OutputError as exc:
        raise ReportError(str(exc)) from None
    html = _write(target / PAGE, page.encode("utf-8"))
    for old in target.iterdir():
        if FIGURE_FILES.match(old.name) and old.is_file():
            old.unlink(missing_ok=True)
    return Report(page=html, figures=[i for i in items if isinstance(i, Chart)],
                  skipped=[i for i in items if isinstance(i, Skipped)], output=data)
