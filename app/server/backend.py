"""What the routes need from the model thread: submit an uploaded file, cancel it, and tell
bad input (unreadable audio: HTTP 400) from a server failure (500).

``EngineBackend`` wraps the ``EngineThread`` the server was given (the command line makes its
own). Uploads are file jobs, so a live-dictation utterance on the same thread always goes first.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Protocol

from app.core.chunking.segmentation import Chunk, SegmentationConfig
from app.core.errors import AudioDecodeError, AudioTooShortError, UsageError
from app.core.transcript import TaskSpec
from app.engine.base import SAMPLE_RATE, Audio
from app.workers.engine_thread import EngineThread
from app.workers.files.pipeline import CancelCheck

#: The longest upload sent as one piece (``chunking_strategy=none``): the model's window.
MAX_WHOLE_S = 300.0
_BAD_INPUT = (AudioDecodeError, AudioTooShortError, UsageError)


class Backend(Protocol):
    def submit(self, path: str, spec: TaskSpec, whole: bool) -> int: ...
    def cancel(self, job_id: int) -> None: ...
    def bad_input(self, path: str) -> bool: ...


class InputCheck:
    """Remembers the paths whose upload was bad input (unreadable audio, too long to send as
    one piece), told by the file jobs' ``on_failed``: the jobs keep the app's own decoder and
    splitter, so uploads stream like any file (first chunks on the model while the rest
    decodes)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._bad: set[str] = set()

    def _mark(self, path: str) -> None:
        with self._lock:
            self._bad.add(path)

    def failed(self, path: str) -> Callable[[BaseException], None]:
        """``on_failed`` for the job of ``path``."""

        def heard(err: BaseException) -> None:
            if isinstance(err, _BAD_INPUT):
                self._mark(path)

        return heard

    def bad_input(self, path: str) -> bool:
        with self._lock:
            return path in self._bad

    def forget(self, path: str) -> None:
        with self._lock:
            self._bad.discard(path)


def one_piece(audio: Audio, cfg: SegmentationConfig, cancel: CancelCheck) -> list[Chunk]:
    """One chunk: the whole upload (``chunking_strategy=none``)."""
    seconds = len(audio) / SAMPLE_RATE
    if seconds > MAX_WHOLE_S:
        raise UsageError(
            f"{seconds:.0f} s is too long for chunking_strategy=none "
            f"(at most {MAX_WHOLE_S:.0f} s); use auto."
        )
    return [Chunk(0.0, seconds)]


class EngineBackend:
    def __init__(self, thread: EngineThread, check: InputCheck, seg_cfg: SegmentationConfig):
        self._thread = thread
        self._check = check
        self._cfg = seg_cfg

    def submit(self, path: str, spec: TaskSpec, whole: bool) -> int:
        """A file job for the upload at ``path``: the app's streaming pipeline, or the whole
        upload as one chunk (``chunking_strategy=none``: its one chunk ends where the file
        ends, so it is decoded whole first)."""
        return self._thread.submit_file(
            path,
            [spec],
            self._cfg,
            splitter=one_piece if whole else None,
            on_failed=self._check.failed(path),
        )

    def cancel(self, job_id: int) -> None:
        self._thread.cancel(job_id)

    def bad_input(self, path: str) -> bool:
        bad = self._check.bad_input(path)
        self._check.forget(path)
        return bad
