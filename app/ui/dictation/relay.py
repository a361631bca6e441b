"""The session's listener on the GUI side: its callbacks (on the session's consumer thread) are
re-emitted as signals, which Qt queues to the controller on the GUI thread. Which optional
listener methods it has (live preview, eager utterances) decides what the session sends."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QObject, Signal

from app.audio.capture import CaptureEvent
from app.audio.session import SessionSummary
from app.core.dictation.endpointing import Utterance


class Relay(QObject):
    """DictationListener living on the GUI thread; its signals are emitted on the consumer
    thread and therefore queued to the controller."""

    utteranceReady = Signal(object)
    captureEvent = Signal(object)
    sessionStopped = Signal(object)
    previewAudio = Signal(object, bool)  # new samples of the open utterance, its first piece
    previewEnded = Signal()
    eagerReady = Signal(object)  # the open utterance as it would be committed
    eagerRetracted = Signal(int)  # its index: speech resumed

    def utterance(self, utt: Utterance) -> None:
        self.utteranceReady.emit(utt)

    def capture_event(self, event: CaptureEvent) -> None:
        self.captureEvent.emit(event)

    def stopped(self, summary: SessionSummary) -> None:
        self.sessionStopped.emit(summary)


class _PreviewRelay(Relay):
    """A relay that also asks the session for live-preview audio."""

    def preview(self, samples: np.ndarray, start: bool) -> None:
        self.previewAudio.emit(samples, start)

    def preview_end(self) -> None:
        self.previewEnded.emit()


class _EagerRelay(Relay):
    """A relay that also asks the session for eager utterances."""

    def eager(self, utt: Utterance) -> None:
        self.eagerReady.emit(utt)

    def eager_retracted(self, index: int) -> None:
        self.eagerRetracted.emit(index)


class _EagerPreviewRelay(_EagerRelay, _PreviewRelay):
    pass


def make_relay(parent: QObject, *, preview: bool, eager: bool) -> Relay:
    kinds: dict[tuple[bool, bool], type[Relay]] = {
        (False, False): Relay,
        (True, False): _PreviewRelay,
        (False, True): _EagerRelay,
        (True, True): _EagerPreviewRelay,
    }
    return kinds[preview, eager](parent)
