"""The `chainsim` command: parse arguments, call the API, print. Nothing else lives here.

Subcommands are imported only when run (or when their own help is asked for), so
`chainsim --version`, `chainsim --help` and shell completion of command names load
click alone. A command is registered with one line in COMMANDS: its name, where it
lives and its one-line help (a test checks that each entry names a command).
"""

from __future__ import annotations

from importlib import import_module

import click

from chainsim import __version__

# name -> (module, attribute, one-line help shown by `chainsim --help`)
COMMANDS = {
    "run": ("chainsim.cli.run", "run_command",
            "Run a scenario, once or replicated, and print what happened."),
    "compare": ("chainsim.cli.compare", "compare_command",
                "Compare scenarios or variants, paired by replication."),
    "sweep": ("chainsim.cli.sweep", "sweep_command",
              "Sweep parameters over a grid or a Latin hypercube."),
    "propositions": ("chainsim.cli.propositions", "propositions_command",
                     "Test the paper's propositions as paired comparisons."),
    "report": ("chainsim.cli.report", "report_command",
               "Write an interactive HTML report of a run's or experiment's --out."),
    "explore": ("chainsim.cli.explore", "explore_command",
                "Change a scenario with sliders in a local web app and rerun it."),
    "patterns": ("chainsim.cli.patterns", "patterns_command",
                 "Check each case against the stylised facts the paper reports."),
    "robustness": ("chainsim.cli.robustness", "robustness_command",
                   "Test the propositions over a Latin hypercube of uncertain parameters."),
    "sensitivity": ("chainsim.cli.sensitivity", "sensitivity_command",
                    "Morris screening or Sobol indices of chosen outputs (SALib)."),
    "scenarios": ("chainsim.cli.validate", "scenarios_command",
                  "List the scenario library shipped with chainsim."),
    "validate": ("chainsim.cli.validate", "validate_command",
                 "Check scenario files without running them."),
    "schema": ("chainsim.cli.validate", "schema_command",
               "Print the JSON Schema of scenario files (for editors)."),
}


class LazyGroup(click.Group):
    """A group whose commands are imported on first use (click's documented pattern)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in COMMANDS:
            return None
        module, attribute, _ = COMMANDS[name]
        return getattr(import_module(module), attribute)

    def shell_complete(self, ctx: click.Context, incomplete: str) -> list:
        """Command names completed from COMMANDS, without importing any command."""
        from click.shell_completion import CompletionItem

        results = [CompletionItem(name, help=help_text)
                   for name, (_, _, help_text) in COMMANDS.items()
                   if name.startswith(incomplete)]
        return results + click.Command.shell_complete(self, ctx, incomplete)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The command list from COMMANDS, without importing any command."""
        rows = [(name, help_text) for name, (_, _, help_text) in COMMANDS.items()]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]},
             epilog="Shell completion: eval \"$(_CHAINSIM_COMPLETE=bash_source chainsim)\" "
                    "(zsh_source, fish_source for other shells; see the README).")
@click.version_option(__version__, prog_name="chainsim")
def cli() -> None:
    """Simulate global value chains and industrial clusters (Humphrey & Schmitz 2000)."""


def main() -> None:
    cli()
