"""Checking and folding a large import's rows on a second core (domain.company_import).

Reading and folding a million names is a third of an import's CPU time, all of it before the
database is touched, and it is row by row: a worker process folds chunks of rows while this
one reads the next and folds the ones it does not hand over. Two chunks at most are with
the worker (it has the next while this process takes its last), so that when it is slow
(the machine busy) this process simply folds more itself; two threads send the chunks and
take the results off the pipes, so that neither side ever waits on the other. The results
are taken in the rows' order either way, folded by the same code (domain.company_folding):
the import does not depend on which process folded what.

The worker starts only once START_AFTER rows have been read (an import of a few thousand
rows never starts one), and ends with the reading: it reads its chunks from a pipe, and ends
when this process closes it or dies."""

from __future__ import annotations

import os
import queue
import subprocess
import sys
import threading
from collections import deque
from multiprocessing.connection import Connection
from types import TracebackType

from domain.company_folding import CompanyFolder, Row
from domain.errors import CompanyRefused

CHUNK = 10_000  # rows handed over at a time
START_AFTER = 100_000  # rows read before a worker is worth its start (about half a second)
IN_FLIGHT = 2  # chunks with the worker at a time: it has the next while we take its last

Raw = tuple[int, str, str]  # a row's line, code and name, as read
Result = Row | str  # the row folded, or why it is refused ("name: ...")


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
        # Plain tuples: what a NamedTuple costs to pickle would fall on both sides.
        results.send([r if isinstance(r, str) else tuple(r) for r in fold_chunk(folder, chunk)])


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
        self.sent = 0  # chunks with the worker
        self.pending: deque[tuple[list[Raw], list[Result] | None]] = deque()
        # Two threads of ours send the chunks and take the results off the pipes, so that
        # reading never waits on a pipe, nor the worker on us.
        self.outbox: queue.SimpleQueue[list[Raw] | None] = queue.SimpleQueue()
        self.results: queue.SimpleQueue[list[Result] | None] = queue.SimpleQueue()
        self.threads: list[threading.Thread] = []

    def add(self, chunk: list[Raw]) -> list[tuple[Raw, Result]]:
        self.rows += len(chunk)
        if self.conn is None and self.rows > self.start_after:
            self._start()
        while not self.results.empty():
            self._receive()
        if self.conn is not None and self.sent < IN_FLIGHT:
            self.outbox.put(chunk)
            self.sent += 1
            self.pending.append((chunk, None))
        else:
            self.pending.append((chunk, fold_chunk(self.folder, chunk)))
        return self._ready()

    def finish(self) -> list[tuple[Raw, Result]]:
        while self.sent:
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
        self.threads = [
            threading.Thread(target=self._give, args=(self.conn,), daemon=True),
            threading.Thread(target=self._take, args=(self.back,), daemon=True),
        ]
        for thread in self.threads:
            thread.start()

    def _give(self, conn: Connection) -> None:
        try:
            while (chunk := self.outbox.get()) is not None:
                conn.send(chunk)
        except OSError:  # the worker is gone: the receiver says so
            pass
        finally:
            conn.close()  # the worker ends

    def _take(self, back: Connection) -> None:
        try:
            while True:
                self.results.put(back.recv())
        except (EOFError, OSError):  # the worker is done, or gone
            self.results.put(None)

    def _receive(self) -> None:
        results = self.results.get()
        if results is None:
            raise RuntimeError("the folding worker process ended before its rows were folded")
        self.sent -= 1
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
        self.outbox.put(None)  # the sender closes the pipe: the worker ends, then the receiver
        if self.process is not None:
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        for thread in self.threads:
            thread.join()
        if self.back is not None:
            self.back.close()


if __name__ == "__main__":  # the worker: python -m domain.folding_worker IN OUT
    try:
        _serve(
            Connection(int(sys.argv[1]), writable=False),
            Connection(int(sys.argv[2]), readable=False),
        )
    except KeyboardInterrupt:  # Ctrl-C reaches the whole process group: the import says it
        pass
