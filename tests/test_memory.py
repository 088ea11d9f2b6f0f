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


def test_a_worker_keeps_its_freeze_and_still_frees_each_world():
    """A pool worker freezes what it inherited (experiments/executors.py); a run must
    neither undo that freeze nor freeze its own world for good."""
    scenario = tiny()
    gc.collect()
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        first = simulate(scenario, keep_world=True)
        assert gc.get_freeze_count() > frozen // 2  # refcounting may free a few
        world = weakref.ref(first.world)
        del first
        simulate(scenario)
        assert world() is None
    finally:
        gc.unfreeze()


def _frozen_in_worker() -> int:
    return gc.get_freeze_count()


def test_pool_workers_freeze_what_they_inherit():
    from chainsim.experiments.executors import open_executor

    with open_executor("process", workers=1) as pool:
        assert pool.submit(_frozen_in_worker).result() > 0
