"""CtcPreview: blockwise character CTC preview with bounded re-encoding per update."""

from __future__ import annotations

import numpy as np
import pytest

from app.core.errors import UsageError
from app.engine.model import ctc
from app.engine.preview import CtcPreview
from tests.engine.helpers import noise


def _feed(preview: CtcPreview, audio: np.ndarray, step: int) -> list[str]:
    return [preview.feed(audio[i : i + step]) for i in range(0, audio.shape[0], step)]


def test_short_utterance_equals_the_whole_ctc_decode(tiny_engine):
    audio = noise(2.0, 1)
    preview = CtcPreview(tiny_engine)
    texts = _feed(preview, audio, 8000)
    expected = ctc.ctc_text(tiny_engine, tiny_engine.encode(audio))
    assert texts[-1] == preview.text == expected
    assert expected


def test_work_per_update_is_bounded(tiny_engine):
    """Each update encodes at most the open block plus one closed block."""
    audio = noise(10.0, 2)
    step = 16000  # 1 s updates
    preview = CtcPreview(tiny_engine, block_seconds=4.0, context_blocks=1)
    updates = 0
    for i in range(0, audio.shape[0], step):
        before = preview.encoded_s
        preview.feed(audio[i : i + step])
        updates += 1
        assert preview.encoded_s - before <= 8.0 + 1e-9  # at most one closed + the open block
    assert preview.audio_s == pytest.approx(10.0)
    # a full re-encode per update would cost 1 + 2 + ... + 10 = 55 s
    assert preview.encoded_s < sum(float(k) for k in range(1, updates + 1))
    assert preview.text


def test_closed_blocks_are_kept(tiny_engine):
    audio = noise(9.0, 3)
    preview = CtcPreview(tiny_engine, block_seconds=4.0)
    preview.feed(audio[:64000])  # closes block 1
    first = preview.text
    preview.feed(audio[64000:128000])  # closes block 2 (context: block 1)
    assert preview.text.startswith(first[: max(0, len(first) - 2)])
    encoded = preview.encoded_s
    preview.feed(audio[128000:])  # 1 s open block, re-encoded with 4 s context
    assert preview.encoded_s - encoded == pytest.approx(5.0)


def test_min_new_seconds_skips_tiny_updates(tiny_engine):
    preview = CtcPreview(tiny_engine, min_new_seconds=1.0)
    audio = noise(3.0, 4)
    _feed(preview, audio, 4000)  # 0.25 s feeds: a decode every 4th
    assert preview.encoded_s == pytest.approx(1.0 + 2.0 + 3.0)
    preview.reset()
    assert preview.text == "" and preview.encoded_s == 0.0
    assert preview.feed(np.zeros(100, dtype=np.float32)) == ""  # too short to encode yet


def test_bad_input(tiny_engine):
    with pytest.raises(UsageError):
        CtcPreview(tiny_engine, context_blocks=0)
    with pytest.raises(UsageError):
        CtcPreview(tiny_engine, block_seconds=0.01)
    with pytest.raises(UsageError):
        CtcPreview(tiny_engine).feed(np.zeros(100, dtype=np.float64))
