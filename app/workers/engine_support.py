"""Plain helpers around the model thread: the listener protocol, the real engine factory,
one-line error messages and safe process/thread endings after MLX (no Qt here)."""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import threading
from collections.abc import Callable
from typing import NoReturn, Protocol

from app.core.errors import GraniteError
from app.core.segmentation import Chunk
from app.core.transcript import Segment, TranscriptResult
from app.engine.base import CancelToken, DownloadProgress, SpeechEngine

EngineFactory = Callable[[str, DownloadProgress, Callable[[], bool]], SpeechEngine]


class EngineListener(Protocol):
    """Called ON THE MODEL THREAD with plain data; implementations must be thread-safe."""

    def model_state(self, state: str, message: str) -> None: ...
    def download_progress(self, done: int, total: int) -> None: ...
    def job_progress(self, job_id: int, done: float, total: float) -> None: ...
    def job_partial(self, job_id: int, task_index: int, text: str, chunk: Chunk) -> None: ...
    def job_segment(self, job_id: int, task_index: int, segment: Segment) -> None: ...
    def job_finished(self, job_id: int, results: list[TranscriptResult]) -> None: ...
    def job_failed(self, job_id: int, message: str) -> None: ...


def park() -> None:
    """End a worker thread's work without ending the OS thread (daemon: dropped at exit).

    A thread that ever touched an MLX object (even by garbage-collecting one) runs MLX's
    thread-local destructors when it exits; they need the GIL, and if that happens while the
    interpreter is finalizing, Python ends the thread with a forced unwind through C++ code
    and the process aborts ("terminate called without an active exception"; 5 runs in 6 of
    the CLI here). ``join()`` returns before those destructors run, so joining cannot help.
    """
    threading.Event().wait()


def exit_process(code: int) -> NoReturn:
    """Flush stdio and the logs, then end the process without interpreter finalization.

    Use at the very end of a process whose model thread ran MLX (the CLI; the GUI after its
    event loop returned and everything is saved). Finalizing the interpreter while a worker
    thread that touched MLX is still running can abort the process (see ``park``).
    """
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    logging.shutdown()
    os._exit(code)


class _CheckToken(CancelToken):
    """A CancelToken that asks a callable (the loader takes tokens, factories get callables)."""

    def __init__(self, check: Callable[[], bool]) -> None:
        super().__init__()
        self._check = check

    @property
    def cancelled(self) -> bool:
        return self._check()


def default_engine_factory(
    spec: str, on_progress: DownloadProgress, cancel: Callable[[], bool]
) -> SpeechEngine:
    """The real engine: ``app.engine.loader.load_engine`` (downloads from the Hub if needed)."""
    from app.engine.loader import load_engine

    return load_engine(spec, on_progress=on_progress, cancel=_CheckToken(cancel))


def one_line_error(err: BaseException) -> str:
    """The user-facing line for an exception (typed errors carry their own)."""
    if isinstance(err, GraniteError):
        return str(err)
    detail = " ".join(str(err).split())
    return f"Unexpected error ({type(err).__name__}{': ' + detail if detail else ''})."
