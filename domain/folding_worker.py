"""Checking and folding a large import's rows on a second core (domain.company_import).

Reading and folding a million names is a third of an import's CPU time, all of it before the
database is touched, and it is row by row: a worker process folds every other chunk of rows
while this one reads the next and folds its own. At most one chunk is with the worker at a
time, and a chunk is only sent to it when it has handed back the one before: neither side
ever waits to send while the other waits to send too, and when the worker is slow (the
machine busy) this process simply folds more itself. The results come back in the rows'
order either way, folded by the same code (domain.company_folding), so the import does not
depend on which process folded what.

The worker starts only once START_AFTER rows have been read (an import of a few thousand
rows never starts one), and ends with the reading: it reads its chunks from a pipe, and ends
when this process closes it or dies.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections import deque
from multiprocessing.connection import Connection
from types import TracebackType

from domain.company_folding import CompanyFolder, Folded
from domain.errors import CompanyRefused

CHUNK = 10_000  # rows handed over at a time
START_AFTER = 100_000  # rows read before a worker is worth its start (about half a second)

Raw = tuple[int, str, str]  # a row's line, code and name, as read
Result = Folded | str  # the row folded, or why it is refused ("name: ...")


def fold_chunk(folder: CompanyFolder, chunk: list[Raw]) -> list[Result]:
    results: list[Result] = []
    fold = folder.fold
    for _, code, name in chunk:
        try:
            results.append(fold(code, name))
        except CompanyRefused as exc:
            results.append(f"{exc.field}: {exc.message}")
    return results


def _serve(chunks: Connection, results: Connection) -> None:
    folder = CompanyFolder()
    while True:
        try:
            chunk = chunks.recv()
        except EOFError:  # the import is done with it, or gone
            return
        results.send(fold_chunk(folder, chunk))


class Folding:
    """Chunks of rows in (`add`), their results out, in order, as they are ready; `finish`
    gives the rest. A context manager: the worker, if one started, ends with the block."""

    def __init__(self, start_after: int = START_AFTER) -> None:
        self.folder = CompanyFolder()
        self.start_after = start_after
        self.rows = 0
        self.conn: Connection | None = None  # chunks to the worker
        self.back: Connection | None = None  # results from it
        self.process: subprocess.Popen[bytes] | None = None
        self.busy = False  # a chunk is with the worker
        self.pending: deque[tuple[list[Raw], list[Result] | None]] = deque()

    def add(self, chunk: list[Raw]) -> list[tuple[Raw, Result]]:
        self.rows += len(chunk)
        if self.conn is None and self.rows > self.start_after:
            self._start()
        if self.busy and self.back is not None and self.back.poll():
            self._receive()
        if self.conn is not None and not self.busy:
            self.conn.send(chunk)
            self.busy = True
            self.pending.append((chunk, None))
        else:
            self.pending.append((chunk, fold_chunk(self.folder, chunk)))
        return self._ready()

    def finish(self) -> list[tuple[Raw, Result]]:
        if self.busy:
            self._receive()
        return self._ready()

    def _start(self) -> None:
        # A process of its own (`python -m`), not multiprocessing's spawn: that imports the
        # caller's main module again, which a script without a main guard does not survive.
        theirs_in, mine_out = os.pipe()
        mine_in, theirs_out = os.pipe()
        self.process = subprocess.Popen(
            [sys.executable, "-m", __name__, str(theirs_in), str(theirs_out)],
            pass_fds=(theirs_in, theirs_out),
        )
        os.close(theirs_in)  # theirs alone now: either side sees the other end close
        os.close(theirs_out)
        self.conn = Connection(mine_out, readable=False)
        self.back = Connection(mine_in, writable=False)

    def _receive(self) -> None:
        assert self.back is not None
        results = self.back.recv()
        self.busy = False
        for at, (chunk, done) in enumerate(self.pending):
            if done is None:
                self.pending[at] = (chunk, results)
                return

    def _ready(self) -> list[tuple[Raw, Result]]:
        ready: list[tuple[Raw, Result]] = []
        while self.pending and self.pending[0][1] is not None:
            chunk, results = self.pending.popleft()
            assert results is not None and len(results) == len(chunk)
            ready += zip(chunk, results, strict=True)
        return ready

    def __enter__(self) -> Folding:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        for conn in (self.conn, self.back):
            if conn is not None:
                conn.close()
        if self.process is not None:
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


if __name__ == "__main__":  # the worker: python -m domain.folding_worker IN OUT
    try:
        _serve(
            Connection(int(sys.argv[1]), writable=False),
            Connection(int(sys.argv[2]), readable=False),
        )
    except KeyboardInterrupt:  # Ctrl-C reaches the whole process group: the import says it
        pass
