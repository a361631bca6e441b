"""Live endpointing: turn a stream of 512-sample frames + VAD probabilities into utterances.

Pure and synchronous: ``push(frame, prob)`` returns the utterances that ended with this frame
(usually none). An utterance starts ``pre_roll_s`` before the first speech frame (so the first
word is never clipped), ends ``tail_s`` after the last speech frame, and is emitted as soon as
``pause_s`` of non-speech has followed it. Speech runs longer than ``max_chunk_s`` are cut at
their quietest point within the last ``cut_search_s``. A burst with less than
``min_speech_s`` of speech frames (a click, a cough, noise) is dropped. Hysteresis: a frame
starts/continues speech at ``threshold``; only frames below ``neg_threshold`` count as pause.
``flush()`` (stop / push-to-talk release) emits the open utterance with the tail it has.

Eager endpointing (``step``): the committed end of an utterance is fixed by its last speech
frame (plus the tail), not by the pause. So as soon as the tail after the last speech frame has
arrived, ``step`` reports ``Eager(utterance)``: the open utterance exactly as it will be
committed if no speech frame comes before the pause completes (same index, start, end and
samples). Its owner may run the model on it at once. Then either the pause completes (or the
recording is flushed) and the final ``Utterance`` comes with ``confirms_eager=True`` (its audio
is the eager one's, sample for sample: no second run needed), or a speech frame (or a forced
cut) comes first and ``EagerRetracted(index)`` says the eager utterance will not be committed;
the utterance goes on and a later ``Eager``/``Utterance`` carries the longer one (same index).
``push`` is ``step`` keeping only the final utterances.

While too much eager work was dropped in this recording, the eager utterance comes later than
the tail (``app.core.dictation.eager_budget``: past the longest hesitation seen), with the same
audio; ``EndpointConfig.eager_budget`` sets it (``BudgetConfig(budget=1.0)``: always at the tail).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from app.core.dictation.eager_budget import BudgetConfig, EagerBudget
from app.core.errors import UsageError

Audio = npt.NDArray[np.float32]


@dataclass(frozen=True)
class EndpointConfig:
    rate: int = 16_000
    frame_samples: int = 512
    threshold: float = 0.5
    neg_threshold: float = 0.35
    pre_roll_s: float = 0.4
    tail_s: float = 0.4
    pause_s: float = 0.8
    min_speech_s: float = 0.2
    max_chunk_s: float = 30.0
    cut_search_s: float = 5.0
    eager_budget: BudgetConfig = field(default_factory=BudgetConfig)

    def validate(self) -> None:
        if not 0.0 < self.neg_threshold <= self.threshold < 1.0:
            raise UsageError("VAD thresholds must satisfy 0 < negative ≤ threshold < 1.")
        if self.pause_s <= 0 or self.tail_s < 0 or self.pre_roll_s < 0:
            raise UsageError("Pause must be positive; tail and pre-roll must not be negative.")
        if self.max_chunk_s < 2 * self.cut_search_s or self.cut_search_s <= 0:
            raise UsageError("The longest chunk must be at least twice the cut search window.")

    @property
    def frame_s(self) -> float:
        return self.frame_samples / self.rate

    def frames(self, seconds: float) -> int:
        return round(seconds / self.frame_s)


@dataclass(frozen=True)
class Utterance:
    """One stretch of speech: ``start``/``end`` in seconds from the start of the recording."""

    index: int
    start: float
    end: float
    audio: Audio
    forced_cut: bool = False  # ended because it reached max_chunk_s, not at a pause
    confirms_eager: bool = False  # identical to the last ``Eager`` reported with this index

    @property
    def duration(self) -> float:
        return self.end - self.start


@dataclass(frozen=True)
class Eager:
    """The open utterance as it will be committed if the pause completes without speech."""

    utterance: Utterance


@dataclass(frozen=True)
class EagerRetracted:
    """Speech resumed (or a forced cut came): the eager utterance ``index`` will not be final."""

    index: int


EndpointEvent = Utterance | Eager | EagerRetracted


class Endpointer:
    def __init__(self, config: EndpointConfig | None = None, start_time: float = 0.0) -> None:
        self.cfg = config or EndpointConfig()
        self.cfg.validate()
        self._t0 = start_time
        self.reset()

    def reset(self) -> None:
        c = self.cfg
        self._frame_no = 0  # frames pushed so far
        self._history: deque[Audio] = deque(maxlen=max(1, c.frames(c.pre_roll_s)))
        self._active = False
        self._frames: list[Audio] = []  # audio of the open utterance, frame by frame
        self._start_frame = 0  # frame number of self._frames[0]
        self._last_speech = 0  # frame number of the last speech frame (+1 = its end)
        self._speech_frames = 0
        self._pause_run = 0
        self._count = 0
        self._eager_end: int | None = None  # end frame of the outstanding eager utterance
        self._eager_s = 0.0  # its duration
        self.budget = EagerBudget(c.eager_budget)

    @property
    def in_speech(self) -> bool:
        return self._active

    @property
    def time(self) -> float:
        """Seconds of audio pushed so far (absolute, including ``start_time``)."""
        return self._t0 + self._frame_no * self.cfg.frame_s

    def push(self, frame: Audio, prob: float) -> list[Utterance]:
        """``step`` keeping only the final utterances."""
        return [e for e in self.step(frame, prob) if isinstance(e, Utterance)]

    def step(self, frame: Audio, prob: float) -> list[EndpointEvent]:
        c = self.cfg
        if len(frame) != c.frame_samples:
            raise UsageError(f"Endpointing needs frames of {c.frame_samples} samples.")
        n = self._frame_no
        self._frame_no += 1
        out: list[EndpointEvent] = []
        if not self._active:
            if prob >= c.threshold:
                self._open(n)
                self._frames.append(frame)
                self._mark_speech(n)
            else:
                self._history.append(frame)
            return out
        self._frames.append(frame)
        if prob >= c.threshold:
            out += self._retract((n - self._last_speech - 1) * c.frame_s)
            self._mark_speech(n)
        elif prob < c.neg_threshold:
            self._pause_run += 1
        if self._pause_run >= c.frames(c.pause_s):
            out += self._close(self._tail_end())
        elif len(self._frames) >= c.frames(c.max_chunk_s):
            out += self._retract()
            out += self._cut()
        elif prob < c.threshold:
            out += self._maybe_eager()
        return out

    def flush(self) -> list[Utterance]:
        """End of recording: emit the open utterance (with up to ``tail_s`` after its speech)."""
        return [e for e in self.flush_events() if isinstance(e, Utterance)]

    def flush_events(self) -> list[EndpointEvent]:
        """``flush`` with the eager events (a retraction when the flushed utterance differs)."""
        if not self._active:
            return []
        end = min(self._frame_no, self._tail_end())
        out: list[EndpointEvent] = [] if end == self._eager_end else self._retract()
        return out + self._close(end)

    @property
    def tail_frames_missing(self) -> int:
        """Frames still to come before the open utterance's tail is complete (0 when idle)."""
        return max(0, self._tail_end() - self._frame_no) if self._active else 0

    # --- internals ---------------------------------------------------------------------
    def _open(self, n: int) -> None:
        self._active = True
        self._frames = list(self._history)
        self._history.clear()
        self._start_frame = n - len(self._frames)
        self._speech_frames = 0
        self._pause_run = 0

    def _mark_speech(self, n: int) -> None:
        self._speech_frames += 1
        self._last_speech = n
        self._pause_run = 0

    def _tail_end(self) -> int:
        c = self.cfg
        return self._last_speech + 1 + c.frames(min(c.tail_s, c.pause_s))

    def _maybe_eager(self) -> list[EndpointEvent]:
        c = self.cfg
        end = self._tail_end()
        if self._eager_end is not None or self._frame_no < end:
            return []
        if c.frames(min(c.tail_s, c.pause_s)) >= c.frames(c.pause_s):
            return []  # the pause is no longer than the tail: nothing to gain
        keep = max(0, min(end - self._start_frame, len(self._frames)))
        wait = self.budget.wait_s(keep * c.frame_s, min(c.tail_s, c.pause_s))
        if self._frame_no < end + c.frames(wait):
            return []  # too much eager work was dropped lately: wait past the hesitations
        utt = self._make(self._frames[:keep], self._start_frame, forced=False, count=False)
        if utt is None:
            return []
        self._eager_end, self._eager_s = end, utt.duration
        return [Eager(utt)]

    def _retract(self, gap_s: float | None = None) -> list[EndpointEvent]:
        """Drop the outstanding eager utterance; ``gap_s``: the silence speech resumed after."""
        if self._eager_end is None:
            return []
        self._eager_end = None
        self.budget.dropped(self._eager_s, gap_s)
        return [EagerRetracted(self._count)]

    def _close(self, end_frame: int) -> list[EndpointEvent]:
        keep = max(0, min(end_frame - self._start_frame, len(self._frames)))
        confirms = end_frame == self._eager_end
        self._eager_end = None
        utt = self._make(self._frames[:keep], self._start_frame, forced=False, confirms=confirms)
        if utt is not None:
            self.budget.committed(utt.duration)
        rest = self._frames[keep:]
        self._active = False
        self._frames = []
        self._history.clear()
        self._history.extend(rest)
        return [utt] if utt is not None else []

    def _cut(self) -> list[EndpointEvent]:
        """The open utterance reached max_chunk_s: cut at its quietest frame window."""
        c = self.cfg
        frames = self._frames
        search = c.frames(c.cut_search_s)
        lo = len(frames) - search
        energy = np.array([float(np.mean(np.square(f, dtype=np.float64))) for f in frames[lo:]])
        score = np.convolve(energy, np.ones(3) / 3, mode="same") + 1e-3 * energy
        cut = lo + int(np.argmin(score)) + 1  # the quietest frame ends the head
        head = self._make(frames[:cut], self._start_frame, forced=True)
        if head is not None:
            self.budget.committed(head.duration)
        self._frames = frames[cut:]
        self._start_frame += cut
        # speech frames of the remainder are unknown per frame: count it as speech so far
        self._speech_frames = len(self._frames)
        return [head] if head is not None else []

    def _make(
        self,
        frames: list[Audio],
        start_frame: int,
        forced: bool,
        *,
        confirms: bool = False,
        count: bool = True,
    ) -> Utterance | None:
        c = self.cfg
        if not frames or self._speech_frames < c.frames(c.min_speech_s):
            return None
        audio = np.concatenate(frames).astype(np.float32, copy=False)
        start = self._t0 + start_frame * c.frame_s
        end = start + len(audio) / c.rate
        utt = Utterance(self._count, start, end, audio, forced, confirms and not forced)
        self._count += count
        return utt


#: The pause that ends an utterance, seconds: Preferences and ``listen --pause`` accept this.
PAUSE_RANGE = (0.2, 5.0)
#: Audio kept after the last speech (never more than the pause itself).
DEFAULT_TAIL_S = 0.4


def endpoint_config(pause_s: float, max_chunk_s: float = 30.0) -> EndpointConfig:
    """The endpointing settings for a pause length and a longest chunk: the one rule the window
    and ``listen`` share. Raises ``UsageError`` for a pause outside ``PAUSE_RANGE``."""
    lo, hi = PAUSE_RANGE
    if not lo <= pause_s <= hi:
        raise UsageError(f"The pause must be between {lo:g} and {hi:g} seconds.")
    cfg = EndpointConfig(
        pause_s=pause_s,
        tail_s=min(DEFAULT_TAIL_S, pause_s),
        max_chunk_s=max_chunk_s,
        cut_search_s=min(5.0, max_chunk_s / 2),
    )
    cfg.validate()
    return cfg
