"""Shared test configuration: Hypothesis profiles.

`ci` (the default) keeps the property tests fast and reproducible: few examples, a fixed
derandomised search, no deadline (simulations vary in length), and no shrinking: a
failure is reported as found (shrinking simulations can take minutes); rerun the test
with `CHAINSIM_HYPOTHESIS_PROFILE=dev` to shrink it to a small example. `thorough` searches far
more widely with fresh random examples each run; select it with
`CHAINSIM_HYPOTHESIS_PROFILE=thorough .venv/bin/python -m pytest tests/test_properties.py`.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, Phase, settings

_SLOW_OK = [HealthCheck.too_slow, HealthCheck.data_too_large]

settings.register_profile(
    "ci",
    max_examples=15,
    deadline=None,
    derandomize=True,
    print_blob=True,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    suppress_health_check=_SLOW_OK,
)
settings.register_profile(
    "thorough",
    max_examples=300,
    deadline=None,
    print_blob=True,
    suppress_health_check=_SLOW_OK,
)
# Like `ci` but random and shrinking, for working on a failure locally.
settings.register_profile(
    "dev",
    max_examples=40,
    deadline=None,
    print_blob=True,
    suppress_health_check=_SLOW_OK,
)
settings.load_profile(os.environ.get("CHAINSIM_HYPOTHESIS_PROFILE", "ci"))
