"""bot.memory: what `dealbot run` and `dealbot console` do to the garbage collector at start-up."""

import gc

import pytest

from bot.memory import YOUNG_GENERATION_THRESHOLD, freeze_startup_objects


@pytest.fixture
def restored_gc():
    threshold = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*threshold)


def test_startup_objects_are_frozen_and_the_young_generation_waits_longer(restored_gc):
    _, older, oldest = gc.get_threshold()
    loaded_at_startup = {"a dict the collector tracks": []}
    assert any(obj is loaded_at_startup for obj in gc.get_objects())
    freeze_startup_objects()
    # frozen: in the permanent generation, which no collection (and get_objects) walks
    assert not any(obj is loaded_at_startup for obj in gc.get_objects())
    assert gc.get_threshold() == (YOUNG_GENERATION_THRESHOLD, older, oldest)


def test_the_collector_still_runs_on_its_own(restored_gc):
    freeze_startup_objects()
    assert gc.isenabled()  # cycles made after start-up are still collected, only less often
