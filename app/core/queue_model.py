"""The file queue as plain data: one row per job, a small state machine and a smoothed ETA.

Pure Python with an injectable clock; ``app.ui.panels.queue_panel`` draws it.

States: ``queued → decoding → transcribing → done``; ``failed`` and ``cancelled`` can be
reached from any active state. Terminal rows ignore late events (a cancelled job's last
progress report must not bring it back). ``replace_job`` re-queues a failed/cancelled row under
a new job id (retry).

API::

    JobState (StrEnum); ACTIVE_STATES; TERMINAL_STATES
    QueueRow(path, job_id, state, progress, eta_s, error)   .name, .can_cancel, .can_retry
    QueueModel(clock=time.monotonic)
        .add(path, job_id) -> QueueRow; .row(job_id) -> QueueRow | None; .rows() -> list
        .set_decoding(job_id) -> bool; .set_progress(job_id, done, total) -> bool
        .set_finished(job_id, note="") -> bool; .set_failed(job_id, message) -> bool
        .set_cancelled(job_id) -> bool; .replace_job(old, new) -> bool
        .remove(job_id) -> bool; .clear_finished() -> list[int]
        .retry_row_for(path) -> QueueRow | None
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum

from app.core.errors import UsageError
from app.core.progress import EtaEstimator
from app.core.text.titles import source_name


class JobState(StrEnum):
    QUEUED = "queued"
    DECODING = "decoding"
    TRANSCRIBING = "transcribing"
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"


ACTIVE_STATES = frozenset({JobState.QUEUED, JobState.DECODING, JobState.TRANSCRIBING})
TERMINAL_STATES = frozenset({JobState.DONE, JobState.FAILED, JobState.CANCELLED})

_ALLOWED: dict[JobState, frozenset[JobState]] = {
    JobState.QUEUED: frozenset(
        {
            JobState.DECODING,
            JobState.TRANSCRIBING,
            JobState.DONE,
            JobState.FAILED,
            JobState.CANCELLED,
        }
    ),
    JobState.DECODING: frozenset(
        {JobState.TRANSCRIBING, JobState.DONE, JobState.FAILED, JobState.CANCELLED}
    ),
    JobState.TRANSCRIBING: frozenset({JobState.DONE, JobState.FAILED, JobState.CANCELLED}),
    JobState.DONE: frozenset(),
    JobState.FAILED: frozenset(),
    JobState.CANCELLED: frozenset(),
}


def can_transition(old: JobState, new: JobState) -> bool:
    return old == new or new in _ALLOWED[old]


@dataclass
class QueueRow:
    path: str
    job_id: int
    state: JobState = JobState.QUEUED
    #: Fraction done, 0..1.
    progress: float = 0.0
    eta_s: float | None = None
    error: str = ""
    #: A remark on a finished job, e.g. "No speech found."
    note: str = ""
    #: What the file gets, e.g. "Translate → French" (``app.core.text.titles.task_summary``).
    task: str = ""
    started_at: float | None = None
    eta: EtaEstimator = field(default_factory=EtaEstimator, repr=False)

    @property
    def name(self) -> str:
        return os.path.basename(self.path.rstrip("/\\")) or self.path

    @property
    def title(self) -> str:
        """What the row is called: the file's name ("Recording 1 Dec 03:54" for the app's
        own recordings) and its task."""
        name = source_name(self.path)
        return f"{name} — {self.task}" if self.task else name

    @property
    def can_cancel(self) -> bool:
        return self.state in ACTIVE_STATES

    @property
    def can_retry(self) -> bool:
        """Cancelled, or failed for a reason a second try might not meet again (a file that
        is not audio, or empty, fails the same way: no Retry for it)."""
        return self.state is JobState.CANCELLED or (
            self.state is JobState.FAILED and not about_the_file(self.name, self.error)
        )


def about_the_file(name: str, message: str) -> bool:
    """Whether ``message`` is the file's own problem: decoder errors name the file first
    ("talk.mp3 is not an audio or video file."), other failures arrive as "talk.mp3: …"."""
    return message.startswith(f"{name} ")


def name_once(name: str, message: str) -> str:
    """``name: message``, unless the message already starts with the file's name."""
    return message if message.startswith(name) else f"{name}: {message}"


class QueueModel:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._rows: list[QueueRow] = []

    def rows(self) -> list[QueueRow]:
        return list(self._rows)

    def row(self, job_id: int) -> QueueRow | None:
        for r in self._rows:
            if r.job_id == job_id:
                return r
        return None

    def add(self, path: str, job_id: int) -> QueueRow:
        if self.row(job_id) is not None:
            raise UsageError(f"Job {job_id} is already in the queue.")
        row = QueueRow(path=path, job_id=job_id)
        self._rows.append(row)
        return row

    def _move(self, job_id: int, state: JobState) -> QueueRow | None:
        row = self.row(job_id)
        if row is None or not can_transition(row.state, state):
            return None
        if row.started_at is None and state in (JobState.DECODING, JobState.TRANSCRIBING):
            row.started_at = self._clock()
        row.state = state
        return row

    def set_decoding(self, job_id: int) -> bool:
        return self._move(job_id, JobState.DECODING) is not None

    def set_progress(self, job_id: int, done: float, total: float) -> bool:
        """Record progress (any unit); a queued or decoding job becomes transcribing."""
        row = self.row(job_id)
        if row is None or row.state in TERMINAL_STATES:
            return False
        if row.state is not JobState.TRANSCRIBING:
            self._move(job_id, JobState.TRANSCRIBING)
        fraction = 0.0 if total <= 0 else min(1.0, max(0.0, done / total))
        row.progress = fraction
        started = row.started_at if row.started_at is not None else self._clock()
        row.eta_s = row.eta.update(self._clock() - started, fraction)
        return True

    def set_finished(self, job_id: int, note: str = "") -> bool:
        """Done; ``note`` (kept if a later call has none) says e.g. that no speech was found."""
        row = self._move(job_id, JobState.DONE)
        if row is None:
            return False
        row.progress, row.eta_s = 1.0, 0.0
        row.note = note or row.note
        return True

    def set_failed(self, job_id: int, message: str) -> bool:
        row = self._move(job_id, JobState.FAILED)
        if row is None:
            return False
        row.error = " ".join(message.split()) or "Failed."
        row.eta_s = None
        return True

    def set_cancelled(self, job_id: int) -> bool:
        row = self._move(job_id, JobState.CANCELLED)
        if row is None:
            return False
        row.eta_s = None
        return True

    def replace_job(self, old_job_id: int, new_job_id: int) -> bool:
        """Re-queue a row under a new job id (retry); ``False`` if ``old`` is unknown."""
        row = self.row(old_job_id)
        if row is None or (new_job_id != old_job_id and self.row(new_job_id) is not None):
            return False
        fresh = QueueRow(path=row.path, job_id=new_job_id)
        self._rows[self._rows.index(row)] = fresh
        return True

    def set_task(self, job_id: int, task: str) -> bool:
        row = self.row(job_id)
        if row is None:
            return False
        row.task = task
        return True

    def retry_row_for(self, path: str) -> QueueRow | None:
        """The most recent failed/cancelled row for ``path`` (what a re-add should reuse)."""
        for r in reversed(self._rows):
            if r.path == path and r.can_retry:
                return r
        return None

    def remove(self, job_id: int) -> bool:
        row = self.row(job_id)
        if row is None:
            return False
        self._rows.remove(row)
        return True

    def clear_finished(self) -> list[int]:
        """Drop done rows; returns their job ids."""
        gone = [r.job_id for r in self._rows if r.state is JobState.DONE]
        self._rows = [r for r in self._rows if r.state is not JobState.DONE]
        return gone
