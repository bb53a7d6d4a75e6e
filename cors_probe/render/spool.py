"""Each check's JSON, written to a temporary file as it arrives and read back in file order.

A run of thousands of checks would otherwise hold every full report (headers, exchanges,
findings) until the end; this keeps the run's memory flat however many checks it has.
"""

from __future__ import annotations

import tempfile
import threading
from collections.abc import Iterator


class Spool:
    def __init__(self) -> None:
        self._file = tempfile.TemporaryFile(mode="w+b")  # noqa: SIM115 (closed by close())
        self._where: dict[int, tuple[int, int]] = {}
        self._lock = threading.Lock()

    def write(self, index: int, text: str) -> None:
        data = text.encode("utf-8")
        with self._lock:
            offset = self._file.seek(0, 2)
            self._file.write(data)
            self._where[index] = (offset, len(data))

    def __len__(self) -> int:
        return len(self._where)

    def in_order(self) -> Iterator[str]:
        with self._lock:
            places = [self._where[i] for i in sorted(self._where)]
        for offset, size in places:
            self._file.seek(offset)
            yield self._file.read(size).decode("utf-8")

    def close(self) -> None:
        self._file.close()

    def __enter__(self) -> Spool:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()
