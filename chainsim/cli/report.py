"""`chainsim report DIR`: an HTML report with figures of an experiment's `--out DIR`."""

from __future__ import annotations

import click

from chainsim.cli.common import bad_input
from chainsim.cli.run import OneLineCommand


@click.command("report", cls=OneLineCommand)
@click.argument("directory", type=click.Path(), metavar="DIR")
@click.option("--out", "out_dir", type=click.Path(), metavar="REPORT_DIR",
              help="Where to write report.html and the PNG figures (default: DIR/report).")
def report_command(directory: str, out_dir: str | None) -> None:
    """Write a self-contained HTML report (report.html, figures embedded, works offline)
    and one PNG per figure for DIR, the --out of chainsim run --replications N, compare,
    sweep or propositions: price index, upgrading by kind, governance mix and fair share
    over time with confidence bands, the headline table and, for compare, the paired
    differences."""
    from chainsim.report import build_report  # matplotlib loads only for this command

    command = ["chainsim", "report", directory, *(["--out", out_dir] if out_dir else [])]
    with bad_input():
        report = build_report(directory, out_dir, command=command)
    click.echo(f"report: {report.page}")
    for path in report.figures:
        click.echo(f"figure: {path}")
    for item in report.skipped:
        click.echo(f"not drawn: {item.title}: {item.reason}")
