"""A process that runs many replications (a worker of `chainsim robustness`) must not keep
the worlds of earlier runs alive: each is a web of reference cycles."""

from __future__ import annotations

import gc
import weakref

from chainsim.engine.simulation import simulate
from tests.helpers import tiny


def test_a_new_run_frees_the_world_of_the_last():
    scenario = tiny()
    first = simulate(scenario, keep_world=True)
    world = weakref.ref(first.world)
    del first
    gc.disable()  # only the run itself may collect it
    try:
        simulate(scenario)
        assert world() is None
    finally:
        gc.enable()
