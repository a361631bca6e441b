"""A live meeting recording (no Qt): microphone ("You") + system audio ("Others").

One consumer thread reads both sources, writes each to its own crash-safe journal (two WAVs
with sidecars that name the meeting and the track: flushed to the OS at least every second,
recovered after a kill like dictation's), runs one VAD + endpointer per track and hands every
finished utterance to ``MeetingListener.utterance`` as a ``MeetingUtterance`` while recording
goes on.

The mic track is judged against the system track by ``app.core.meeting.echo.EchoGate``
before its VAD: frames that are only the call leaking from the loudspeakers become silence
for segmentation, so the other side is never transcribed twice nor attributed to "You". The
journals keep the raw audio of both sources.

``stop()`` ends both captures, drains them and flushes the open utterances. A source that
fails ends the meeting with a ``CaptureEvent`` of kind ``error``; the audio so far is kept.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import numpy as np

from app.audio.capture import RATE, Audio, CaptureEvent
from app.audio.journal import RecordingJournal
from app.audio.meeting.system_audio import AudioSource
from app.audio.session import VadLike, default_vad
from app.core.dictation.endpointing import EndpointConfig, Endpointer, Utterance
from app.core.errors import GraniteError
from app.core.meeting.echo import EchoConfig, EchoGate
from app.core.meeting.model import MeetingUtterance, Side
from app.core.storage.recordings import RecordingInfo, new_recording_id

log = logging.getLogger(__name__)

#: the system track is considered stalled (mic frames judged without it) after this long
SYSTEM_STALL_S = 1.5


class MeetingListener(Protocol):
    """Called on the meeting's consumer thread."""

    def utterance(self, utt: MeetingUtterance) -> None: ...
    def capture_event(self, event: CaptureEvent) -> None: ...
    def stopped(self, summary: MeetingSummary) -> None: ...


@dataclass(frozen=True)
class MeetingConfig:
    endpoint: EndpointConfig = field(default_factory=EndpointConfig)
    echo: EchoConfig | None = field(default_factory=EchoConfig)  # None: no echo gate
    journal_dir: Path | None = None
    max_seconds: float | None = None


@dataclass(frozen=True)
class MeetingSummary:
    meeting_id: str
    tracks: dict[Side, RecordingInfo | None]
    seconds: float
    utterances: int
    echo_frames: int
    overflows: int
    error: str = ""


class _Track:
    """One side: its source, journal, VAD and endpointer."""

    def __init__(self, side: Side, source: AudioSource, journal: RecordingJournal,
                 vad: VadLike, cfg: EndpointConfig) -> None:  # fmt: skip
        self.side, self.source, self.journal, self.vad = side, source, journal, vad
        self.endpointer = Endpointer(cfg)
        self.frame_n = cfg.frame_samples
        self.pending = np.zeros(0, np.float32)
        self.samples = 0
        self.ended = False
        self.last_data = time.monotonic()

    def take(self, chunk: Audio) -> None:
        self.journal.write(chunk)
        self.samples += len(chunk)
        self.pending = np.concatenate([self.pending, chunk]) if len(self.pending) else chunk
        self.last_data = time.monotonic()

    def frames(self) -> list[Audio]:
        usable = len(self.pending) - len(self.pending) % self.frame_n
        out = [self.pending[i : i + self.frame_n] for i in range(0, usable, self.frame_n)]
        self.pending = self.pending[usable:]
        return out

    def last_frame(self) -> Audio | None:
        if not len(self.pending):
            return None
        frame = np.zeros(self.frame_n, np.float32)
        frame[: len(self.pending)] = self.pending
        self.pending = np.zeros(0, np.float32)
        return frame


class MeetingSession:
    def __init__(
        self,
        listener: MeetingListener,
        mic: AudioSource,
        system: AudioSource,
        config: MeetingConfig | None = None,
        *,
        vad_factory: Callable[[], VadLike] = default_vad,
    ) -> None:
        self._listener = listener
        self._sources = {Side.YOU: mic, Side.OTHERS: system}
        self.config = config or MeetingConfig()
        self.config.endpoint.validate()
        self._vad_factory = vad_factory
        self.meeting_id = new_recording_id()
        self._tracks: dict[Side, _Track] = {}
        self._gate: EchoGate | None = None
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self._done = threading.Event()
        self._done.set()
        self.utterances = 0
        self.summary: MeetingSummary | None = None

    # --- control (any thread) ----------------------------------------------------------
    def start(self) -> None:
        """Open both journals and start both captures (one-line ``GraniteError`` if not)."""
        cfg = self.config
        tracks: dict[Side, _Track] = {}
        try:
            for side, source in self._sources.items():
                journal = RecordingJournal(cfg.journal_dir, rate=RATE, device=source.name)
                journal.info.extra.update(meeting=self.meeting_id, track=side.value)
                journal.info.save()
                tracks[side] = _Track(side, source, journal, self._vad_factory(), cfg.endpoint)
            for side in tracks:
                self._sources[side].start()
        except GraniteError:
            for track in tracks.values():
                track.source.close()
                track.journal.discard()
            raise
        self._tracks = tracks
        self._gate = EchoGate(cfg.echo) if cfg.echo is not None else None
        self._stop.clear()
        self._done.clear()
        self._thread = threading.Thread(target=self._run, name="granite-meeting", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()

    def wait(self, timeout: float | None = None) -> bool:
        return self._done.wait(timeout)

    @property
    def recording(self) -> bool:
        return not self._done.is_set()

    @property
    def journal_paths(self) -> dict[Side, Path]:
        return {side: t.journal.path for side, t in self._tracks.items()}

    def source_name(self, side: Side) -> str:
        return self._sources[side].name

    # --- consumer thread ---------------------------------------------------------------
    def _run(self) -> None:
        error = ""
        try:
            self._loop()
        except GraniteError as err:
            error = str(err)
        except Exception as err:  # never die silently on the consumer thread
            log.exception("meeting consumer failed")
            error = f"Recording failed: {type(err).__name__}: {' '.join(str(err).split())}"
        finally:
            self._finish(error)

    def _loop(self) -> None:
        limit = None if self.config.max_seconds is None else round(self.config.max_seconds * RATE)
        you, others = self._tracks[Side.YOU], self._tracks[Side.OTHERS]
        stopping = False
        while not (you.ended and others.ended):
            if not stopping and (self._stop.is_set() or (limit and you.samples >= limit)):
                stopping = True
                for t in (you, others):
                    t.source.stop()
            for track in (others, you):
                if not track.ended:
                    self._read(track, limit)
            self._segment(others, others.frames())
            self._judge_mic(you, others)
        self._segment(others, [f for f in [others.last_frame()] if f is not None])
        self._judge_mic(you, others, final=True)
        for track in (others, you):
            self._emit(track.side, track.endpointer.flush())

    def _read(self, track: _Track, limit: int | None) -> None:
        chunk = track.source.read(0.02)
        if chunk is None:
            track.ended = True
            return
        if limit is not None:
            chunk = chunk[: max(0, limit - track.samples)]
        if len(chunk):
            track.take(chunk)
            if track.side is Side.OTHERS and self._gate is not None:
                self._gate.push_system(chunk)

    def _judge_mic(self, you: _Track, others: _Track, final: bool = False) -> None:
        frames = you.frames()
        if final and (last := you.last_frame()) is not None:
            frames.append(last)
        gate = self._gate
        if gate is None:
            self._segment(you, frames)
            return
        stalled = others.ended or time.monotonic() - others.last_data > SYSTEM_STALL_S
        held: list[Audio] = []
        for i, frame in enumerate(frames):
            if not (final or gate.can_judge(system_ended=stalled)):
                held = frames[i:]
                break
            gated, _echo = gate.frame(frame)
            self._segment(you, [gated])
        if held:  # back in front of what is pending: judged once the system track caught up
            you.pending = np.concatenate([*held, you.pending])

    def _segment(self, track: _Track, frames: list[Audio]) -> None:
        for frame in frames:
            frame = np.ascontiguousarray(frame)
            self._emit(track.side, track.endpointer.push(frame, track.vad.probability(frame)))

    def _emit(self, side: Side, utts: list[Utterance]) -> None:
        for utt in utts:
            self.utterances += 1
            self._listener.utterance(MeetingUtterance(side, utt))

    def _finish(self, error: str) -> None:
        infos: dict[Side, RecordingInfo | None] = {}
        overflows = 0
        for side, track in self._tracks.items():
            track.source.close()
            overflows += track.source.overflows
            try:
                infos[side] = track.journal.close()
            except (OSError, GraniteError) as err:
                log.warning("closing the %s track failed: %s", side.value, err)
                infos[side] = None
        if error:
            self._listener.capture_event(CaptureEvent("error", error))
        you = self._tracks[Side.YOU]
        self.summary = MeetingSummary(
            self.meeting_id,
            infos,
            you.samples / RATE,
            self.utterances,
            self._gate.echo_frames if self._gate else 0,
            overflows,
            error,
        )
        try:
            self._listener.stopped(self.summary)
        finally:
            self._done.set()
