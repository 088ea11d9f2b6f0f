"""The `chainsim` command: parse arguments, call the API, print. Nothing else lives here."""

from __future__ import annotations

import click

from chainsim import __version__
from chainsim.cli.compare import compare_command
from chainsim.cli.patterns import patterns_command
from chainsim.cli.propositions import propositions_command
from chainsim.cli.report import report_command
from chainsim.cli.run import run_command
from chainsim.cli.sweep import sweep_command
from chainsim.cli.validate import schema_command, validate_command


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="chainsim")
def cli() -> None:
    """Simulate global value chains and industrial clusters (Humphrey & Schmitz 2000)."""


cli.add_command(run_command)
cli.add_command(validate_command)
cli.add_command(schema_command)
cli.add_command(compare_command)
cli.add_command(sweep_command)
cli.add_command(propositions_command)
cli.add_command(report_command)
cli.add_command(patterns_command)


def main() -> None:
    cli()
