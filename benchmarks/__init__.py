"""chainsim's benchmark suite (issue 7): opt-in, never collected by pytest.

Run it with ``.venv/bin/python -m benchmarks.run`` (``--quick`` for a one-minute smoke
version); profile the headline run with ``.venv/bin/python -m benchmarks.hotspots``.
See docs/benchmarks.md for what each measure means.
"""
