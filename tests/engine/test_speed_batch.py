"""Batched lockstep decoding of chunks: tokens equal decoding one chunk at a time."""

from __future__ import annotations

from typing import Any

import mlx.core as mx
import numpy as np
import pytest

from app.core.errors import AudioTooShortError, CancelledError, UsageError
from app.core.transcript import Task, TaskSpec
from app.engine.base import CancelToken
from app.engine.loader import load_engine
from app.engine.model.batch import BatchStats, decode_batch
from app.engine.runner import run_batch
from tests.engine.helpers import noise

SPECS = [TaskSpec(), TaskSpec(Task.TRANSLATE, None, "fr")]
LENGTHS = (1.0, 4.0, 2.5, 6.3, 0.4, 3.3)


@pytest.fixture(scope="module")
def f32_engine(tiny_model_f32_dir: Any) -> Any:
    engine = load_engine(str(tiny_model_f32_dir))
    engine.speed = None  # the plain path is the reference
    return engine


@pytest.fixture(params=["float32", "8bit"])
def engine(request: Any) -> Any:
    return request.getfixturevalue("f32_engine" if request.param == "float32" else "tiny_engine")


def _chunks() -> list[np.ndarray]:
    return [noise(s, i) for i, s in enumerate(LENGTHS)]


def test_batch_equals_one_by_one(engine):
    chunks = _chunks()
    single = [engine.run(c, SPECS) for c in chunks]
    stats = BatchStats()
    batched = run_batch(engine, chunks, SPECS, batch_size=4, stats=stats)
    assert [[o.tokens for o in row] for row in batched] == [[o.tokens for o in r] for r in single]
    assert [[o.text for o in row] for row in batched] == [[o.text for o in r] for r in single]
    assert stats.rows == [4, 2]
    # one prefix pass + per task (prefill + lockstep steps), per batch
    plain_passes = sum(o.timing.forward_passes for r in single for o in r)
    assert stats.forward_passes == sum(o.timing.forward_passes for r in batched for o in r)
    assert stats.forward_passes < 0.6 * plain_passes
    frames = [engine.features(c)[0].shape[1] for c in chunks]
    assert [[o.timing.encoder_frames for o in row] for row in batched] == [[f, 0] for f in frames]


def test_passes_follow_the_longest_chunk(f32_engine):
    chunks = _chunks()
    single = [f32_engine.run(c, [TaskSpec()])[0] for c in chunks]
    stats = BatchStats()
    out = run_batch(f32_engine, chunks, [TaskSpec()], batch_size=len(chunks), stats=stats)
    assert [row[0].tokens for row in out] == [o.tokens for o in single]
    longest = max(len(o.tokens) for o in single)
    # one task: a whole-prompt prefill (no shared prefix: it would be pure overhead; all but the
    # last position, then the last) + one step per token of the longest row (EOS step included)
    assert stats.forward_passes == 2 + longest
    lengths = [
        len(f32_engine.build_prompt(f32_engine.encode(c).n_audio_tokens, TaskSpec()))
        for c in chunks
    ]
    assert stats.prefill_positions == len(chunks) * max(lengths)
    # two tasks: the prefix is prefilled once, then each task's suffix
    two = BatchStats()
    run_batch(f32_engine, chunks, SPECS, batch_size=len(chunks), stats=two)
    assert (
        two.forward_passes > 1 + len(SPECS)
        and two.prefill_positions < len(SPECS) * stats.prefill_positions
    )


def test_padding_matters(f32_engine):
    """Sensitivity: ignoring the left padding (unmasked pad, wrong RoPE) changes the logits."""
    from mlx_audio.lm.models.cache import BatchKVCache

    encoded = [f32_engine.encode(noise(s, 1)) for s in (1.0, 3.0)]
    short = f32_engine.build_prompt(encoded[0].n_audio_tokens, TaskSpec())
    long = f32_engine.build_prompt(encoded[1].n_audio_tokens, TaskSpec())
    pad = len(long) - len(short)
    assert pad > 0
    rows = [f32_engine.embed_prompt(short, encoded[0]), f32_engine.embed_prompt(long, encoded[1])]
    padded = mx.concatenate(
        [mx.concatenate([mx.zeros((1, pad, rows[0].shape[2])), rows[0]], axis=1), rows[1]]
    )
    ids = mx.zeros(padded.shape[:2], dtype=mx.int32)
    single = f32_engine.prefill(rows[0], f32_engine.make_cache())
    layers = len(f32_engine.make_cache())
    right = f32_engine.model(ids, [BatchKVCache([pad, 0]) for _ in range(layers)], padded)
    wrong = f32_engine.model(ids, [BatchKVCache([0, 0]) for _ in range(layers)], padded)
    assert mx.array_equal(right[0, -1], single[0]).item()
    assert not mx.allclose(wrong[0, -1], single[0], atol=1e-3).item()


def test_decode_batch_partials_and_cancel(f32_engine):
    encoded = [f32_engine.encode(noise(s, 2)) for s in (1.0, 2.0)]
    seen: dict[tuple[int, int], str] = {}

    def partial(chunk: int, task: int, text: str) -> None:
        seen[(chunk, task)] = text

    out = decode_batch(f32_engine, encoded, SPECS, on_partial=partial)
    assert seen == {(c, t): out[c][t].text for c in range(2) for t in range(2)}
    token = CancelToken()
    token.cancel()
    with pytest.raises(CancelledError):
        decode_batch(f32_engine, encoded, SPECS, cancel=token)


def test_run_batch_inputs(f32_engine):
    assert run_batch(f32_engine, [], SPECS) == []
    assert run_batch(f32_engine, [noise(1.0)], []) == [[]]
    with pytest.raises(UsageError):
        run_batch(f32_engine, [noise(1.0)], SPECS, batch_size=0)
    with pytest.raises(AudioTooShortError):
        run_batch(f32_engine, [np.zeros(100, dtype=np.float32)], SPECS)


class RunOnly:
    """A SpeechEngine with ``run`` only (no ``run_batch``)."""

    name = "run-only"

    def __init__(self) -> None:
        from tests.support.fake_engine import FakeEngine

        self.fake = FakeEngine()

    def run(self, audio: Any, specs: Any, *, on_partial: Any = None, cancel: Any = None) -> Any:
        return self.fake.run(audio, specs, on_partial=on_partial, cancel=cancel)


def test_run_chunks_adapter(tiny_engine):
    from app.engine.runner import run_chunks

    chunks = [noise(1.0, 1), noise(2.0, 2)]
    batched = run_chunks(tiny_engine, chunks, SPECS, batch_size=2)
    single = run_chunks(tiny_engine, chunks, SPECS, batch_size=1)
    assert [[o.tokens for o in r] for r in batched] == [[o.tokens for o in r] for r in single]
    plain = RunOnly()
    seen: list[tuple[int, int]] = []
    out = run_chunks(plain, chunks, SPECS, on_partial=lambda c, t, _text: seen.append((c, t)))
    assert [len(r) for r in out] == [2, 2]
    assert len(plain.fake.calls) == 2
    assert {c for c, _ in seen} == {0, 1} and {t for _, t in seen} == {0, 1}
