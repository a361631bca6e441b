"""The decode thread: decodes and splits the next files ahead of the model thread (no Qt here).

The head file's decoding and VAD overlap a model load, the next file's the head's last chunks;
utterances never wait for them. A file job's ``prep`` goes WAITING -> RUNNING (queued here) ->
DONE (``prep_error`` holds what ``prepare`` raised).
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Sequence

from app.workers.jobs import FileJob, Job, Prep, cancel_check
from app.workers.process_exit import park

#: Files decoded ahead of the model (each holds its samples: 16 kHz float32, 230 MB per hour).
PREFETCH_FILES = 2


class Prefetcher:
    """Prepares file jobs on its own thread; ``cond`` is the engine thread's lock, notified
    whenever a preparation ends."""

    def __init__(self, cond: threading.Condition) -> None:
        self._cond = cond
        self._queue: queue.SimpleQueue[FileJob | None] = queue.SimpleQueue()
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._run, name="granite-decode", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def request(self, jobs: Sequence[Job]) -> None:
        """Queue the first ``PREFETCH_FILES`` live file jobs not yet prepared (lock held)."""
        files = [j for j in jobs if isinstance(j, FileJob) and not j.token.cancelled]
        for job in files[:PREFETCH_FILES]:
            if job.prep is Prep.WAITING:
                job.prep = Prep.RUNNING
                self._queue.put(job)

    def stop(self) -> None:
        """Stop once the files queued before are done (``shutdown`` cancels their jobs first,
        so their preparations end at their next cancel check)."""
        self._queue.put(None)

    def wait(self, timeout: float) -> bool:
        """Wait up to ``timeout`` seconds for the thread to stop; True if it has (or never
        started)."""
        return not self._thread.is_alive() or self._stopped.wait(timeout)

    @property
    def stopped(self) -> bool:
        return self._stopped.is_set()

    def _run(self) -> None:
        while (job := self._queue.get()) is not None:
            try:
                job.file.prepare(cancel_check(job.token))
            except BaseException as err:
                job.prep_error = err
            with self._cond:
                job.prep = Prep.DONE
                self._cond.notify_all()
            del job
        self._stopped.set()
        park()
