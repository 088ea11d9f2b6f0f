"""The scenario library: the shipped scenario files, found by name.

The files live in the checkout's top-level `scenarios/` directory (where the README runs
them from) and are copied into the wheel as the package data `chainsim/scenarios/`
(pyproject.toml, hatch `force-include`). `library_dir` finds the installed copy through
`importlib.resources` and falls back to the checkout, so an editable install and a plain
`pip install .` read the same files; `chainsim run sinos_valley` takes a library name
wherever a scenario file is expected.
"""

from __future__ import annotations

import tomllib
from importlib import resources
from pathlib import Path

SUFFIX = ".toml"


def library_dir() -> Path:
    """The directory holding the shipped scenarios (installed package data, else the
    checkout's `scenarios/`)."""
    installed = Path(str(resources.files("chainsim"))) / "scenarios"
    if installed.is_dir():
        return installed
    return Path(__file__).resolve().parent.parent / "scenarios"


def scenario_library() -> dict[str, Path]:
    """Every shipped scenario, name (the file's stem) -> path, sorted by name."""
    root = library_dir()
    if not root.is_dir():
        return {}
    return {p.stem: p for p in sorted(root.glob(f"*{SUFFIX}"))}


def library_path(name: str) -> Path:
    """The path of a shipped scenario by name (`sinos_valley` or `sinos_valley.toml`);
    KeyError lists the names."""
    stem = name.removesuffix(SUFFIX)
    library = scenario_library()
    if stem not in library:
        raise KeyError(f"no scenario {name!r} in the library; known: {', '.join(library)}")
    return library[stem]


def resolve(source: str | Path) -> Path:
    """A scenario file as given, or else the library scenario of that name, or else the
    path unchanged (so loading reports it missing)."""
    path = Path(source)
    if path.exists() or path.parent != Path("."):
        return path
    try:
        return library_path(str(source))
    except KeyError:
        return path


def title(path: Path) -> str:
    """A scenario's `simulation.name`, or '' when it cannot be read."""
    try:
        with path.open("rb") as fh:
            return str(tomllib.load(fh).get("simulation", {}).get("name", ""))
    except (OSError, tomllib.TOMLDecodeError):
        return ""
