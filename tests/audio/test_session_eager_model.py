"""Eager endpointing with the tiny model: the eager run IS the final run, token for token."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from app.audio.session import DictationConfig, DictationSession
from app.core.dictation.endpointing import Utterance
from app.core.transcript import TaskSpec
from tests.support.espeak import compose, synthesize
from tests.support.fake_stream import FakeBackend, FakeDevice


class _Plain:
    """A listener without eager methods: utterances only when the pause has completed."""

    def __init__(self) -> None:
        self.utts: list[Utterance] = []

    def utterance(self, utt: Utterance) -> None:
        self.utts.append(utt)

    def capture_event(self, event: object) -> None:
        pass

    def stopped(self, summary: object) -> None:
        pass


class _Eager(_Plain):
    def __init__(self) -> None:
        super().__init__()
        self.eager_utts: list[Utterance] = []
        self.retracted: list[int] = []

    def eager(self, utt: Utterance) -> None:
        self.eager_utts.append(utt)

    def eager_retracted(self, index: int) -> None:
        self.retracted.append(index)


def _record(listener: _Plain, audio: np.ndarray, tmp_path: Path) -> None:
    cfg = DictationConfig(journal_dir=tmp_path, max_seconds=len(audio) / 16_000)
    backend = FakeBackend(FakeDevice("mic", audio), speed=4)
    session = DictationSession(listener, cfg, backend=backend)
    session.start()
    assert session.wait(60)


@pytest.mark.slow
def test_eager_run_gives_the_tokens_of_a_run_at_the_full_pause(tiny_engine, tmp_path: Path):
    speech = compose([0.5, synthesize("send the report"), 0.6, synthesize("to the team"), 1.5])
    plain, eager = _Plain(), _Eager()
    _record(plain, speech.audio, tmp_path / "a")
    _record(eager, speech.audio, tmp_path / "b")
    (reference,) = plain.utts
    (final,) = eager.utts
    assert eager.retracted == [0]  # the short pause: the first eager utterance was replaced
    assert final.confirms_eager
    last_eager = eager.eager_utts[-1]
    assert (last_eager.start, last_eager.end) == (reference.start, reference.end)
    spec = [TaskSpec(source_language="en")]
    ref_out = tiny_engine.run(reference.audio, spec)[0]
    eager_out = tiny_engine.run(last_eager.audio, spec)[0]
    assert ref_out.tokens and eager_out.tokens == ref_out.tokens
    assert eager_out.text == ref_out.text
