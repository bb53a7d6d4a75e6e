"""batch_gc: the collector tuned for a run, then put back as it was, even when the run fails."""

from __future__ import annotations

import gc

import pytest

from cors_probe.probe.loop import RUN_GEN0, batch_gc


def test_the_collector_is_tuned_inside_and_put_back_after() -> None:
    before = gc.get_threshold()
    with batch_gc():
        assert gc.get_threshold() == (RUN_GEN0, *before[1:])
        assert gc.get_freeze_count() > 0
        assert gc.isenabled()
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0


def test_put_back_when_the_run_fails() -> None:
    before = gc.get_threshold()
    with pytest.raises(KeyboardInterrupt), batch_gc():
        raise KeyboardInterrupt
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0


def test_cyclic_garbage_made_during_a_run_is_still_collected() -> None:
    class Node:
        other: object = None

    with batch_gc():
        first, second = Node(), Node()
        first.other, second.other = second, first
        del first, second
        assert gc.collect() >= 2
