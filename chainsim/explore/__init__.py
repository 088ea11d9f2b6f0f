"""`chainsim explore`: a local web app to change a scenario's key parameters and watch
the chain respond (docs/explore.md).

`serve` starts it on the loopback address and a free port; the page is built by
`chainsim.explore.app` (Dash, the `explore` extra) from the report's own figures, and
the logic it calls lives in `chainsim.explore.session`.
"""

from __future__ import annotations

import socket
from collections.abc import Callable


def free_port(host: str) -> int:
    """A port nobody listens on now (the OS picks it)."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def choices() -> dict[str, str]:
    """The shipped scenarios, name -> 'name: title'."""
    from chainsim.library import scenario_library, title

    return {name: f"{name}: {title(path)}" if title(path) else name
            for name, path in scenario_library().items()}


def serve(source: str, host: str = "127.0.0.1", port: int | None = None,
          announce: Callable[[str], None] = print) -> None:
    """Build the app for `source` and serve it until interrupted; `announce` gets the
    address once the port is known."""
    from chainsim.explore.app import build

    offered = choices()
    if source not in offered:
        offered = {**offered, source: source}
    app = build(source, offered)
    port = port or free_port(host)
    shown = f"[{host}]" if ":" in host else host
    announce(f"http://{shown}:{port}/")
    app.run(host=host, port=port, debug=False)


__all__ = ["choices", "free_port", "serve"]
