"""Live preview through the Qt bridge with the app's real loader and the tiny random model."""

from __future__ import annotations

import numpy as np
import pytest

from app.core.transcript import TaskSpec
from app.engine.base import SAMPLE_RATE
from tests.support import espeak

TIMEOUT_MS = 300_000


@pytest.mark.slow
def test_preview_text_arrives_through_the_bridge_with_the_tiny_model(qtbot, tiny_bridge) -> None:
    speech = espeak.synthesize("Granite speech runs on the device.")
    half = SAMPLE_RATE // 2
    pieces = [speech.audio[i : i + half] for i in range(0, len(speech.audio), half)]
    bridge = tiny_bridge
    texts: list[tuple[int, str]] = []
    bridge.previewText.connect(lambda stream, text: texts.append((stream, text)))
    # An utterance queued first runs first; the preview follows (coalesced if it waited).
    finished: list[int] = []
    bridge.jobFinished.connect(lambda job, _r: finished.append(job))
    job = bridge.submit_audio(speech.audio, 0.0, [TaskSpec(source_language="en")])
    with qtbot.waitSignal(bridge.previewText, timeout=TIMEOUT_MS) as first:
        bridge.submit_preview(5, pieces[0], reset=True)
    assert finished == [job]
    assert first.args[0] == 5 and isinstance(first.args[1], str)
    for piece in pieces[1:]:
        with qtbot.waitSignal(bridge.previewText, timeout=TIMEOUT_MS):
            bridge.submit_preview(5, piece)
    # Random weights: garbage characters, but text, and the whole audio was previewed.
    assert texts[-1][1].strip()
    audio_s, compute_s, updates = bridge.preview_cost
    assert updates == len(pieces)
    assert audio_s == pytest.approx(len(speech.audio) / SAMPLE_RATE)
    print(
        f"tiny-model preview: {audio_s:.2f} s of audio in {updates} updates of 0.5 s, "
        f"{compute_s / audio_s:.2f} s compute per audio second"
    )
    bridge.end_preview(5)
    with qtbot.waitSignal(bridge.jobFinished, timeout=TIMEOUT_MS):
        bridge.submit_audio(np.zeros(SAMPLE_RATE, np.float32), 0.0, [TaskSpec()])
    assert all(stream == 5 for stream, _ in texts)
