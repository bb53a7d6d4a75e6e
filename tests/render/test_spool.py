"""The JSON spool: entries written as checks finish, in any order, read back in file order."""

from __future__ import annotations

import pytest

from cors_probe.render.spool import Spool


@pytest.mark.parametrize(
    ("written", "read"),
    [
        ([], []),
        ([(0, "a")], ["a"]),
        ([(2, "c"), (0, "a"), (1, "b")], ["a", "b", "c"]),
        ([(1, "b"), (0, "ä – ✔")], ["ä – ✔", "b"]),  # sizes in bytes, not characters
        ([(0, "old"), (1, "b"), (0, "new")], ["new", "b"]),  # the last write of an index
    ],
    ids=["empty", "one", "out-of-order", "non-ascii", "rewritten"],
)
def test_entries_come_back_in_index_order(written: list[tuple[int, str]], read: list[str]) -> None:
    with Spool() as spool:
        for index, text in written:
            spool.write(index, text)
        assert list(spool.in_order()) == read
        assert len(spool) == len(written)
