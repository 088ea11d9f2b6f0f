"""`chainsim explore [SCENARIO]`: the local web app (chainsim.explore)."""

from __future__ import annotations

import importlib.util

import click

from chainsim.cli.common import bad_input, fail
from chainsim.cli.run import OneLineCommand

LOOPBACK = ("127.0.0.1", "localhost", "::1")


@click.command("explore", cls=OneLineCommand)
@click.argument("scenario", required=False, default="sinos_valley", metavar="[SCENARIO]")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on (the loopback address: only this machine).")
@click.option("--port", type=click.IntRange(0, 65535), default=0, show_default=True,
              help="Port to listen on (0: a free one).")
def explore_command(scenario: str, host: str, port: int) -> None:
    """Start a local web app to change SCENARIO's key parameters with sliders (buyers,
    failure loss, spillovers, entrant year and wage, governance rule, institutions,
    horizon, any --set), rerun it and watch the chain as a network, the series, the
    decision log, and the paired difference from the file as written. SCENARIO is a
    library name (default sinos_valley) or a file. Needs the explore extra:
    pip install -e '.[explore]'."""
    if importlib.util.find_spec("dash") is None:
        fail("chainsim explore needs Dash, in the explore extra: "
             "pip install -e '.[explore]' (or pip install 'chainsim[explore]')")
    from chainsim.explore import serve
    from chainsim.explore.session import load

    with bad_input():
        loaded, problems = load(scenario, [])
    if loaded is None:
        fail([p.removeprefix("error: ") for p in problems])
    if host not in LOOPBACK:
        click.echo(f"note: --host {host}: anyone who can reach this address can run "
                   "simulations here", err=True)
    serve(scenario, host, port or None,
          announce=lambda url: click.echo(f"chainsim explore: {url} (Ctrl-C stops it)"))
