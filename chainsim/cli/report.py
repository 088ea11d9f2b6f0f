"""`chainsim report DIR`: an interactive, self-contained HTML report of an experiment's
or a single run's `--out DIR`."""

from __future__ import annotations

import click

from chainsim.cli.common import bad_input
from chainsim.cli.run import OneLineCommand


@click.command("report", cls=OneLineCommand)
@click.argument("directory", type=click.Path(), metavar="DIR")
@click.option("--out", "out_dir", type=click.Path(), metavar="REPORT_DIR",
              help="Where to write report.html (default: DIR/report).")
def report_command(directory: str, out_dir: str | None) -> None:
    """Write one self-contained, interactive HTML page (report.html: zoom, hover and
    toggle series; plotly.js inside, nothing fetched) for DIR, the --out of chainsim run
    (a single run or --replications N), compare, sweep or propositions: the chain as a
    network (single runs), price index, upgrading, governance per cluster, fair share,
    buyers, per-replication distributions, the headline table, paired differences and
    the scenario parameters."""
    from chainsim.report import build_report  # plotly loads only for this command

    command = ["chainsim", "report", directory, *(["--out", out_dir] if out_dir else [])]
    with bad_input():
        report = build_report(directory, out_dir, command=command)
    click.echo(f"report: {report.page}")
    click.echo(f"figures: {len(report.figures)} ({', '.join(c.name for c in report.figures)})"
               if report.figures else "figures: none")
    for item in report.skipped:
        click.echo(f"not drawn: {item.title}: {item.reason}", err=False)
    for note in report.output.notes:
        click.echo(f"note: {note}")
