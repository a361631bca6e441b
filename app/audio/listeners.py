"""Optional parts of a dictation session's listener (duck-typed, called on the consumer thread):
the live preview feed and eager utterances. See ``app.audio.session``."""

from __future__ import annotations

from collections import deque
from typing import Protocol

import numpy as np

from app.core.dictation.endpointing import EndpointConfig, Utterance


class PreviewListener(Protocol):
    """Optional listener methods (duck-typed), called on the consumer thread."""

    def preview(self, samples: np.ndarray, start: bool) -> None: ...
    def preview_end(self) -> None: ...


class EagerListener(Protocol):
    """Optional listener methods (duck-typed), called on the consumer thread."""

    def eager(self, utt: Utterance) -> None: ...
    def eager_retracted(self, index: int) -> None: ...


class PreviewFeed:
    """Follows the endpointer frame by frame and hands the open utterance's audio on.

    A piece goes out once it holds ``interval_s`` of audio and at least one speech frame:
    pieces of pause only are held (added to the next piece if speech resumes, dropped when
    the utterance ends), so no preview update occupies the model thread while the tail and
    the pause run, which is when the eager or final run of the utterance wants it.
    """

    def __init__(self, listener: PreviewListener, cfg: EndpointConfig, interval_s: float) -> None:
        self._out = listener
        self._history: deque[np.ndarray] = deque(maxlen=max(1, cfg.frames(cfg.pre_roll_s)))
        self._every = max(1, cfg.frames(interval_s))
        self._parts: list[np.ndarray] = []
        self._open = False
        self._started = False
        self._speech = False  # a speech frame among ``_parts``

    def frame(
        self, frame: np.ndarray, was_open: bool, now_open: bool, emitted: bool, speech: bool = True
    ) -> None:
        if was_open and (emitted or not now_open):
            self.end()
        if now_open and not self._open:
            self._open, self._started = True, False
            self._parts = [] if was_open else list(self._history)
        if self._open:
            self._parts.append(frame)
            self._speech = self._speech or speech
            if len(self._parts) >= self._every and self._speech:
                self._send()
        self._history.append(frame)

    def _send(self) -> None:
        self._out.preview(np.concatenate(self._parts), not self._started)
        self._parts, self._started, self._speech = [], True, False

    def end(self) -> None:
        if self._open:
            self._open, self._parts, self._speech = False, [], False
            if self._started:
                self._out.preview_end()
