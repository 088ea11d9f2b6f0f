"""`chainsim validate FILE...`, `chainsim schema` and `chainsim scenarios`."""

from __future__ import annotations

import json
import sys
from typing import Any

import click

from chainsim.cli.common import EXIT_BAD_INPUT, OneLineCommand, echo_problems, set_option


def plural(n: int, word: str) -> str:
    """`1 cluster`, `2 clusters`."""
    return f"{n:,} {word}" if n == 1 else f"{n:,} {word}s"


def check_file(path: str, overrides: list[str]) -> dict[str, Any]:
    """One file's verdict: ok with its counts, or its problems."""
    from chainsim.library import resolve
    from chainsim.scenario import ScenarioError, load_scenario

    try:
        scenario = load_scenario(resolve(path), overrides)
    except ScenarioError as exc:
        return {"file": path, "ok": False,
                "problems": [{"field": p.path, "message": p.message, "text": str(p)}
                             for p in exc.problems]}
    return {"file": path, "ok": True, "name": scenario.simulation.name,
            "clusters": len(scenario.clusters),
            "firms": sum(f.count for c in scenario.clusters for f in c.firms),
            "buyers": sum(b.count for b in scenario.buyers), "problems": []}


@click.command("validate", cls=OneLineCommand)
@click.argument("files", nargs=-1, required=True, type=click.Path())
@set_option
@click.option("--json", "as_json", is_flag=True,
              help="Print one JSON object per file (a list) to stdout.")
def validate_command(files: tuple[str, ...], overrides: tuple[str, ...],
                     as_json: bool) -> None:
    """Check scenario files (or library names) without running them; one line per
    problem, exit status 2 if any."""
    verdicts = [check_file(path, list(overrides)) for path in files]
    if as_json:
        click.echo(json.dumps(verdicts, indent=2))
    else:
        for v in verdicts:
            if v["ok"]:
                click.echo(f"ok: {v['file']}: {plural(v['clusters'], 'cluster')}, "
                           f"{plural(v['firms'], 'firm')}, {plural(v['buyers'], 'buyer')}")
            else:
                echo_problems([p["text"] for p in v["problems"]])
    if any(not v["ok"] for v in verdicts):
        sys.exit(EXIT_BAD_INPUT)


@click.command("schema", cls=OneLineCommand)
def schema_command() -> None:
    """Print the JSON Schema of scenario files (for editors)."""
    from chainsim.scenario import Scenario

    schema = Scenario.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "chainsim scenario"
    click.echo(json.dumps(schema, indent=2))


@click.command("scenarios", cls=OneLineCommand)
@click.option("--json", "as_json", is_flag=True, help="Print name, title and path as JSON.")
def scenarios_command(as_json: bool) -> None:
    """List the scenario library shipped with chainsim: names to use wherever a scenario
    file is expected (chainsim run sinos_valley)."""
    from chainsim.library import scenario_library, title

    library = scenario_library()
    if as_json:
        click.echo(json.dumps([{"name": n, "title": title(p), "path": str(p)}
                               for n, p in library.items()], indent=2))
        return
    width = max((len(n) for n in library), default=0)
    for name, path in library.items():
        click.echo(f"{name:<{width}}  {title(path)}")
    if library:
        click.echo(f"({plural(len(library), 'scenario')} in {next(iter(library.values())).parent})")
