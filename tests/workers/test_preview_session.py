"""The dictation session hands the open utterance's audio to a preview listener."""

from __future__ import annotations

import re
import threading
from pathlib import Path
from typing import Any

import numpy as np

from app.audio.capture import RATE, CaptureEvent
from app.audio.session import DictationConfig, DictationSession, SessionSummary
from app.core.dictation.endpointing import Utterance
from tests.support.espeak import compose, synthesize
from tests.support.fake_stream import FakeBackend, FakeDevice


class PreviewRecorder:
    def __init__(self) -> None:
        self.events: list[tuple[Any, ...]] = []
        self.done = threading.Event()

    def utterance(self, utt: Utterance) -> None:
        self.events.append(("utterance", utt))

    def capture_event(self, event: CaptureEvent) -> None:
        self.events.append(("event", event))

    def stopped(self, summary: SessionSummary) -> None:
        self.done.set()

    def preview(self, samples: np.ndarray, start: bool) -> None:
        self.events.append(("preview", samples.copy(), start))

    def preview_end(self) -> None:
        self.events.append(("end",))


def test_preview_pieces_are_the_utterances_own_audio_in_order(tmp_path: Path) -> None:
    a = synthesize("the quick brown fox jumps over the lazy dog")
    b = synthesize("hello world, this is a test")
    speech = compose([0.6, a, 1.5, b, 1.0])
    backend = FakeBackend(FakeDevice("mic", speech.audio), speed=4)
    rec = PreviewRecorder()
    cfg = DictationConfig(journal_dir=tmp_path, max_seconds=speech.duration)
    session = DictationSession(rec, cfg, backend=backend)
    session.start()
    assert session.wait(30)
    kinds = [e[0] for e in rec.events]
    # per utterance: previews (the first one starts it), the utterance, then the end
    groups = "".join({"preview": "p", "utterance": "u", "end": "e"}[k] for k in kinds)
    assert re.fullmatch(r"(p{2,}ue){2}", groups), groups
    utts = [e[1] for e in rec.events if e[0] == "utterance"]
    pieces: list[list[tuple[np.ndarray, bool]]] = [[], []]
    k = 0
    for event in rec.events:
        if event[0] == "preview":
            pieces[k].append((event[1], event[2]))
        elif event[0] == "end":
            k += 1
    for utt, parts in zip(utts, pieces, strict=True):
        assert [start for _, start in parts] == [True] + [False] * (len(parts) - 1)
        # ~0.5 s each (16 frames of 512 samples), the first includes the pre-roll
        assert {len(p) for p, _ in parts} == {16 * 512}
        heard = np.concatenate([p for p, _ in parts])
        # the same samples from the same start (the utterance's pre-roll); the preview also
        # heard the pause that ended it, the utterance keeps only its tail
        common = min(len(heard), len(utt.audio))
        assert common > len(utt.audio) - RATE // 2  # at most one interval not yet previewed
        np.testing.assert_array_equal(heard[:common], utt.audio[:common])


def test_listeners_without_preview_methods_get_no_previews(tmp_path: Path) -> None:
    class Plain:
        def __init__(self) -> None:
            self.utts: list[Utterance] = []

        def utterance(self, utt: Utterance) -> None:
            self.utts.append(utt)

        def capture_event(self, event: CaptureEvent) -> None:
            pass

        def stopped(self, summary: SessionSummary) -> None:
            pass

    speech = compose([0.3, synthesize("hello there"), 0.8])
    backend = FakeBackend(FakeDevice("mic", speech.audio), speed=4)
    plain = Plain()
    cfg = DictationConfig(journal_dir=tmp_path, max_seconds=speech.duration)
    session = DictationSession(plain, cfg, backend=backend)
    session.start()
    assert session.wait(30)
    assert len(plain.utts) == 1


def test_preview_switched_off_sends_no_preview_audio(tmp_path: Path) -> None:
    speech = compose([0.6, synthesize("hello world, this is a test"), 1.0])
    backend = FakeBackend(FakeDevice("mic", speech.audio), speed=4)
    rec = PreviewRecorder()
    cfg = DictationConfig(journal_dir=tmp_path, max_seconds=speech.duration, preview=False)
    session = DictationSession(rec, cfg, backend=backend)
    session.start()
    assert session.wait(30)
    assert [e[0] for e in rec.events] == ["utterance"]
