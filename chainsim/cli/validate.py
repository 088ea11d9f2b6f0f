"""`chainsim validate FILE...` and `chainsim schema`."""

from __future__ import annotations

import json
import sys

import click

from chainsim.cli.common import EXIT_BAD_INPUT, echo_problems, set_option
from chainsim.cli.run import OneLineCommand
from chainsim.scenario import Scenario, ScenarioError, load_scenario


@click.command("validate", cls=OneLineCommand)
@click.argument("files", nargs=-1, required=True, type=click.Path())
@set_option
def validate_command(files: tuple[str, ...], overrides: tuple[str, ...]) -> None:
    """Check scenario files without running them; one line per problem."""
    problems = 0
    for path in files:
        try:
            scenario = load_scenario(path, list(overrides))
        except ScenarioError as exc:
            problems += len(exc.problems)
            echo_problems(exc.problems)
            continue
        firms = sum(f.count for c in scenario.clusters for f in c.firms)
        click.echo(f"ok: {path}: {len(scenario.clusters)} clusters, {firms} firms, "
                   f"{sum(b.count for b in scenario.buyers)} buyers")
    if problems:
        sys.exit(EXIT_BAD_INPUT)


@click.command("schema", cls=OneLineCommand)
def schema_command() -> None:
    """Print the JSON Schema of scenario files (for editors)."""
    schema = Scenario.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "chainsim scenario"
    click.echo(json.dumps(schema, indent=2))
