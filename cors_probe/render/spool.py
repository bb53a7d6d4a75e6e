"""Each check's JSON, written to a temporary file as it arrives and read back in file order.

A run of thousands of checks would otherwise hold every full report (headers, exchanges,
findings) until the end; this keeps the run's memory flat however many checks it has: what it
keeps per check is three machine integers (its index, offset and size), not Python objects.
"""

from __future__ import annotations

import tempfile
import threading
from array import array
from collections.abc import Iterator


class Spool:
    def __init__(self) -> None:
        self._file = tempfile.TemporaryFile(mode="w+b")  # noqa: SIM115 (closed by close())
        self._places = array("q")
        """(index, offset, size) of each entry, flat, in the order written."""
        self._lock = threading.Lock()

    def write(self, index: int, text: str) -> None:
        data = text.encode("utf-8")
        with self._lock:
            offset = self._file.seek(0, 2)
            self._file.write(data)
            self._places.extend((index, offset, len(data)))

    def __len__(self) -> int:
        """Entries written (an index written twice counts twice)."""
        return len(self._places) // 3

    def in_order(self) -> Iterator[str]:
        """Every entry, by index (an index written twice: the last one)."""
        with self._lock:
            places = self._places
            latest = {places[i]: i for i in range(0, len(places), 3)}
            order = [latest[index] for index in sorted(latest)]
        for at in order:
            self._file.seek(places[at + 1])
            yield self._file.read(places[at + 2]).decode("utf-8")

    def close(self) -> None:
        self._file.close()

    def __enter__(self) -> Spool:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()
