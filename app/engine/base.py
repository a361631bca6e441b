"""The small interface the rest of the app uses to run a speech model.

Plain data in (mono float32 16 kHz numpy), plain data out (strings and dataclasses). An engine
object is created, used and dropped on one thread: the model thread in ``app.workers``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np
import numpy.typing as npt

from app.core.transcript import TaskSpec, Timing

SAMPLE_RATE = 16_000
DEFAULT_MODEL = "mlx-community/granite-4.0-1b-speech-8bit"

Audio = npt.NDArray[np.float32]
#: on_partial(task_index, text_so_far): the whole text decoded so far for that task.
PartialCallback = Callable[[int, str], None]
#: on_progress(bytes_done, bytes_total) while a model downloads.
DownloadProgress = Callable[[int, int], None]


class CancelToken:
    """Cooperative cancellation, checked by the engine between tokens."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()


@dataclass
class TaskOutput:
    """The text one task produced for one chunk."""

    text: str
    timing: Timing = field(default_factory=Timing)
    tokens: list[int] = field(default_factory=list)


class SpeechEngine(Protocol):
    """A loaded model. All methods run on the thread that created the engine."""

    @property
    def name(self) -> str: ...

    def run(
        self,
        audio: Audio,
        specs: Sequence[TaskSpec],
        *,
        on_partial: PartialCallback | None = None,
        cancel: CancelToken | None = None,
    ) -> list[TaskOutput]:
        """Run every task in ``specs`` on one chunk (≤ about 5 minutes); one output per spec.

        Raises ``CancelledError`` when ``cancel`` is set, and the typed errors of
        ``app.core.errors`` for unsupported languages, too-short audio and out-of-memory.
        """
        ...
