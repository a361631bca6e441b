"""A live dictation session (no Qt): microphone → journal + VAD → endpointer → utterances.

One consumer thread reads the capture, writes every sample to the crash-safe journal, runs
the streaming VAD over 512-sample frames and feeds the endpointer. Each finished utterance is
handed to ``DictationListener.utterance`` at once (on the consumer thread) while recording
continues; the owner submits it to the model thread (the GUI controller through the
EngineBridge, the headless command straight to the EngineThread), reading the current task
and keywords at that moment.

``stop(tail=True)`` (push-to-talk release, record toggle) ends the recording as soon as the
open utterance's tail (``tail_s`` after its last speech frame) has arrived: at once when speech
had already ended that long before the request, else when the word in progress has ended and
its tail arrived (at most ``release_grace_s`` more than ``tail_s`` after the request); then it
flushes the open utterance (audio the consumer drains after that point is journaled, not
transcribed: a key released after the tail gives exactly the eager utterance). Errors end the
session with a one-line ``CaptureEvent`` of kind ``error``; the audio captured so far stays in
the journal.

Live preview: a listener that also has ``preview(samples, start)`` and ``preview_end()`` gets,
while an utterance is open, its new audio about every ``preview_interval_s`` of audio
(``start`` on the first piece: it begins with the pre-roll, as the utterance will; audio of
the pause alone is held back until speech resumes, see ``PreviewFeed``), and
``preview_end()`` once the utterance closed (after its ``utterance`` call, or when it was too
short to be one). After a forced cut (``max_chunk_s``) the preview restarts from the next
frame: the approximate text then misses the few frames the cut left open.

Eager endpointing: a listener that also has ``eager(utt)`` and ``eager_retracted(index)`` gets
the open utterance as soon as its tail has arrived (``app.core.dictation.endpointing``), before
the pause completes, and a retraction if speech resumes; the final ``utterance(utt)`` then has
``utt.confirms_eager`` when it is that same utterance (no second run needed). Listeners without
these methods see final utterances only (and must ignore ``confirms_eager``).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import numpy as np

from app.audio.capture import RATE, AudioCapture, CaptureEvent, Level
from app.audio.devices import AudioBackend, SoundDeviceBackend, resolve_device
from app.audio.journal import RecordingJournal
from app.audio.listeners import EagerListener, PreviewFeed
from app.core.dictation.endpointing import (
    Eager,
    EndpointConfig,
    Endpointer,
    EndpointEvent,
    Utterance,
)
from app.core.errors import GraniteError
from app.core.storage.recordings import RecordingInfo

log = logging.getLogger(__name__)


class VadLike(Protocol):
    def reset(self) -> None: ...
    def probability(self, frame: np.ndarray) -> float: ...


def default_vad() -> VadLike:
    from app.audio.vad import Vad

    return Vad()


class DictationListener(Protocol):
    """Called on the session's consumer thread."""

    def utterance(self, utt: Utterance) -> None: ...
    def capture_event(self, event: CaptureEvent) -> None: ...
    def stopped(self, summary: SessionSummary) -> None: ...


@dataclass(frozen=True)
class DictationConfig:
    device: str | int | None = None  # None: the system default, re-read at every start
    endpoint: EndpointConfig = field(default_factory=EndpointConfig)
    journal_dir: Path | None = None  # None: app.core.storage.recordings.recordings_dir()
    max_seconds: float | None = None  # stop by itself after this much audio
    preview_interval_s: float = 0.5  # live preview: audio between updates (if listened to)
    release_grace_s: float = 0.6  # stop(tail=True) mid-word: longest wait for the word's end
    preview: bool = True  # False: no live preview audio, even to a listener that takes it


@dataclass(frozen=True)
class SessionSummary:
    recording: RecordingInfo | None
    seconds: float
    utterances: int
    overflows: int
    error: str = ""


class DictationSession:
    def __init__(
        self,
        listener: DictationListener,
        config: DictationConfig | None = None,
        *,
        backend: AudioBackend | None = None,
        vad_factory: Callable[[], VadLike] = default_vad,
    ) -> None:
        self._listener = listener
        self.config = config or DictationConfig()
        self.config.endpoint.validate()
        self._backend: AudioBackend = backend or SoundDeviceBackend()
        self._vad_factory = vad_factory
        self._capture: AudioCapture | None = None
        self._journal: RecordingJournal | None = None
        self._thread: threading.Thread | None = None
        self._stop_requested = threading.Event()
        self._stop_tail = True
        self._done = threading.Event()
        self._done.set()
        self.samples = 0
        self.utterances = 0
        self.stop_at_samples: int | None = None  # where a stop request ends the recording
        self.summary: SessionSummary | None = None

    # --- control (any thread) ----------------------------------------------------------
    def start(self) -> None:
        """Open the device and the journal and start recording. Raises a one-line
        ``GraniteError`` (``AudioDeviceError``, ``RecordingError``) when it cannot."""
        if self.recording:
            return
        if self.config.device is None:
            self._backend.refresh()  # follow a changed system default between recordings
        device = resolve_device(self._backend, self.config.device)
        vad = self._vad_factory()
        capture = AudioCapture(self._backend, device, on_event=self._listener.capture_event)
        journal = RecordingJournal(self.config.journal_dir, rate=RATE, device=device.name)
        try:
            capture.start()
        except GraniteError:
            journal.discard()
            raise
        self._capture, self._journal = capture, journal
        self.samples = self.utterances = 0
        self.stop_at_samples = None
        self.summary = None
        self._stop_requested.clear()
        self._done.clear()
        self._thread = threading.Thread(
            target=self._run, args=(capture, journal, vad), name="granite-dictation", daemon=True
        )
        self._thread.start()

    def stop(self, tail: bool = True) -> None:
        """Finish recording (returns at once; ``wait()`` or the listener's ``stopped``)."""
        self._stop_tail = tail
        self._stop_requested.set()

    def wait(self, timeout: float | None = None) -> bool:
        return self._done.wait(timeout)

    @property
    def recording(self) -> bool:
        return not self._done.is_set()

    @property
    def level(self) -> Level:
        return self._capture.level if self._capture else Level()

    @property
    def overflows(self) -> int:
        cap = self._capture
        return cap.overflows + cap.dropped_blocks if cap else 0

    @property
    def seconds(self) -> float:
        return self.samples / RATE

    @property
    def device_name(self) -> str:
        return self._capture.device.name if self._capture else ""

    @property
    def journal_path(self) -> Path | None:
        return self._journal.path if self._journal else None

    # --- consumer thread ---------------------------------------------------------------
    def _run(self, capture: AudioCapture, journal: RecordingJournal, vad: VadLike) -> None:
        cfg = self.config.endpoint
        frame_n = cfg.frame_samples
        endpointer = Endpointer(cfg)
        feed = self._preview_feed()
        eager = self._eager_listener()
        pending = np.zeros(0, np.float32)
        limit = None if self.config.max_seconds is None else round(self.config.max_seconds * RATE)
        stop_at: int | None = None
        stopped = False  # decided: blocks drained after this do not move the stop point
        error = ""
        try:
            while True:
                chunk = capture.read(0.1)
                if chunk is None:
                    break
                if limit is not None:
                    chunk = chunk[: max(0, limit - self.samples)]
                if stopped:  # captured after the stop point (a lagging consumer's backlog):
                    self.samples += len(chunk)  # kept in the journal, not transcribed
                    journal.write(chunk)
                    continue
                if len(chunk):
                    self.samples += len(chunk)
                    pending = np.concatenate([pending, chunk]) if len(pending) else chunk
                    usable = len(pending) - len(pending) % frame_n
                    try:
                        for i in range(0, usable, frame_n):
                            frame = np.ascontiguousarray(pending[i : i + frame_n])
                            was_open = endpointer.in_speech
                            prob = vad.probability(frame)
                            emitted = self._emit(endpointer.step(frame, prob), eager)
                            if feed is not None:
                                speech = prob >= cfg.threshold
                                feed.frame(frame, was_open, endpointer.in_speech, emitted, speech)
                    finally:  # after the endpointing: a journal flush never delays its events
                        journal.write(chunk)
                    pending = pending[usable:]
                if limit is not None and self.samples >= limit:
                    capture.stop()
                elif stop_at is None and self._stop_requested.is_set():
                    tail = self._stop_tail and endpointer.in_speech
                    grace = cfg.tail_s + self.config.release_grace_s if tail else 0.0
                    stop_at = self.samples + round(grace * RATE)
                    self.stop_at_samples = stop_at
                if (
                    stop_at is not None
                    and not stopped
                    and (self.samples >= stop_at or endpointer.tail_frames_missing == 0)
                ):
                    stopped = True
                    self.stop_at_samples = min(stop_at, self.samples)
                    capture.stop()
            if len(pending):  # the last partial frame, padded with silence
                frame = np.zeros(frame_n, np.float32)
                frame[: len(pending)] = pending
                self._emit(endpointer.step(frame, vad.probability(frame)), eager)
            self._emit(endpointer.flush_events(), eager)
            if feed is not None:
                feed.end()
        except GraniteError as err:
            error = str(err)
        except Exception as err:  # never die silently on the consumer thread
            log.exception("dictation consumer failed")
            error = f"Recording failed: {type(err).__name__}: {' '.join(str(err).split())}"
        finally:
            self._end(capture, journal, error)

    def _end(self, capture: AudioCapture, journal: RecordingJournal, error: str) -> None:
        """Close the device and the journal, then report the summary (consumer thread)."""
        capture.close()
        info = self._close_journal(journal)
        if error:
            self._listener.capture_event(CaptureEvent("error", error))
        self.summary = SessionSummary(info, self.seconds, self.utterances, self.overflows, error)
        log.info(
            "dictation stopped: %.1f s, %d utterance(s), %d overflow(s)",
            self.seconds,
            self.utterances,
            self.overflows,
        )
        try:
            self._listener.stopped(self.summary)
        finally:
            self._done.set()

    def _preview_feed(self) -> PreviewFeed | None:
        listener = self._listener
        if not self.config.preview:
            return None
        if not (hasattr(listener, "preview") and hasattr(listener, "preview_end")):
            return None
        cfg = self.config
        return PreviewFeed(listener, cfg.endpoint, cfg.preview_interval_s)  # type: ignore[arg-type]

    def _eager_listener(self) -> EagerListener | None:
        listener = self._listener
        if hasattr(listener, "eager") and hasattr(listener, "eager_retracted"):
            return listener  # type: ignore[return-value]
        return None

    def _emit(self, events: list[EndpointEvent], eager: EagerListener | None) -> bool:
        """Hand the events on; True when a final utterance was among them."""
        final = False
        for event in events:
            if isinstance(event, Utterance):
                final = True
                self.utterances += 1
                self._listener.utterance(event)
            elif eager is None:
                continue
            elif isinstance(event, Eager):
                eager.eager(event.utterance)
            else:
                eager.eager_retracted(event.index)
        return final

    @staticmethod
    def _close_journal(journal: RecordingJournal) -> RecordingInfo | None:
        try:
            return journal.close()
        except (OSError, GraniteError) as err:
            log.warning("closing the recording failed: %s", err)
            return None
