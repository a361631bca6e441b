"""Encode once + shared audio-prefix KV cache: same tokens as the plain path, less prefill."""

from __future__ import annotations

from typing import Any

import mlx.core as mx
import pytest

from app.core.transcript import Task, TaskSpec
from app.engine.loader import load_engine
from app.engine.model import prefill
from app.engine.model.prefix_cache import SharedPrefix, copy_cache, prefill_suffix
from app.engine.runner import GraniteEngine, SpeedOptions, run_chunk
from tests.engine.helpers import noise

MEETING = [
    TaskSpec(),
    TaskSpec(Task.TRANSLATE, None, "fr"),
    TaskSpec(Task.TRANSLATE, None, "de"),
    TaskSpec(keywords=("Granite", "MLX")),
    TaskSpec(source_language="de"),
]
NO_SPEC = SpeedOptions(speculative=False)


@pytest.fixture(scope="module")
def f32_engine(tiny_model_f32_dir):
    engine = load_engine(str(tiny_model_f32_dir))
    engine.speed = None  # the plain path is the reference
    return engine


@pytest.fixture(params=["float32", "8bit"])
def engine(request):
    return request.getfixturevalue("f32_engine" if request.param == "float32" else "tiny_engine")


class CountingEngine(GraniteEngine):
    def __init__(self, model) -> None:
        super().__init__(model, "counting")
        self.encodes = 0

    def encode(self, audio):
        self.encodes += 1
        return super().encode(audio)


@pytest.mark.parametrize(("seconds", "seed"), [(1.0, 1), (3.7, 2)])
def test_shared_prefix_gives_identical_tokens(engine, seconds, seed):
    audio = noise(seconds, seed)
    plain = engine.run(audio, MEETING)
    fast = run_chunk(engine, audio, MEETING, options=NO_SPEC)
    assert [o.tokens for o in fast] == [o.tokens for o in plain]
    assert [o.text for o in fast] == [o.text for o in plain]
    assert all(o.tokens for o in plain)


def test_encoder_runs_once_for_transcript_and_translations(tiny_engine):
    engine = CountingEngine(tiny_engine.model)
    audio = noise(2.0, 3)
    outputs = run_chunk(engine, audio, MEETING)
    assert engine.encodes == 1
    frames = engine.features(audio)[0].shape[1]
    assert [o.timing.encoder_frames for o in outputs] == [frames] + [0] * (len(MEETING) - 1)
    assert sum(o.timing.encoder_frames for o in outputs) == frames


def test_prefill_tokens_for_thirty_seconds_three_tasks(tiny_engine):
    """Transcript + 2 translations of 30 s: ≤ 0.4x the prefill of three generate() calls."""
    specs = MEETING[:3]
    audio = noise(30.0, 4)
    encoded = tiny_engine.encode(audio)
    separate = sum(len(tiny_engine.build_prompt(encoded.n_audio_tokens, s)) for s in specs)
    outputs = run_chunk(tiny_engine, audio, specs)
    shared = sum(o.timing.prefill_tokens for o in outputs)
    assert [o.timing.prompt_tokens for o in outputs] == [
        len(tiny_engine.build_prompt(encoded.n_audio_tokens, s)) for s in specs
    ]
    assert shared <= 0.4 * separate, (shared, separate)
    assert (separate, shared) == (946, 340)  # the reference experiment


def _cache_arrays(cache: list[Any]) -> list[Any]:
    return [mx.array(c.keys[..., : c.offset, :]) for c in cache]


def test_forks_never_touch_the_shared_cache(f32_engine):
    encoded = f32_engine.encode(noise(1.5, 5))
    ids = f32_engine.build_prompt(encoded.n_audio_tokens, TaskSpec())
    shared = SharedPrefix.build(f32_engine, encoded, ids)
    before = _cache_arrays(shared.cache)
    offsets = [c.offset for c in shared.cache]
    results = []
    for _ in range(2):
        forked = shared.fork_for(ids)
        assert forked is not None
        cache, suffix = forked
        assert shared.ids + suffix == ids
        logits = prefill_suffix(f32_engine, suffix, cache)
        token = f32_engine.next_token(logits)
        for _step in range(3):
            token = f32_engine.next_token(f32_engine.step(token, cache))
        results.append(token)
        assert [c.offset for c in cache] == [len(ids) + 3] * len(cache)
    assert results[0] == results[1]
    assert [c.offset for c in shared.cache] == offsets
    for old, new in zip(before, _cache_arrays(shared.cache), strict=True):
        assert mx.array_equal(old, new).item()


def test_copy_cache_is_deep(f32_engine):
    encoded = f32_engine.encode(noise(1.0, 6))
    ids = f32_engine.build_prompt(encoded.n_audio_tokens, TaskSpec())
    cache = f32_engine.make_cache()
    f32_engine.prefill(f32_engine.embed_prompt(ids, encoded), cache)
    copy = copy_cache(cache)
    copy[0].keys[...] = 0.0
    assert mx.any(cache[0].keys[..., : cache[0].offset, :] != 0).item()
    with pytest.raises(TypeError):
        copy_cache([object()])


def test_prompt_that_does_not_share_the_prefix_falls_back(f32_engine):
    encoded = f32_engine.encode(noise(1.0, 7))
    ids = f32_engine.build_prompt(encoded.n_audio_tokens, TaskSpec())
    shared = SharedPrefix.build(f32_engine, encoded, ids)
    other = list(ids)
    other[0] = other[0] + 1
    assert shared.fork_for(other) is None
    assert shared.fork_for(shared.ids) is None  # nothing left to prefill


def test_prefill_last_equals_the_full_forward_bitwise(engine):
    encoded = engine.encode(noise(2.0, 8))
    ids = engine.build_prompt(encoded.n_audio_tokens, TaskSpec())
    embeddings = engine.embed_prompt(ids, encoded)
    full = engine.model(
        mx.zeros((1, len(ids)), dtype=mx.int32),
        cache=engine.make_cache(),
        input_embeddings=embeddings,
    )[:, -1, :]
    for step in (2048, 7):
        cache = engine.make_cache()
        last = prefill.prefill_last(engine, embeddings, cache, step=step)
        assert cache[0].offset == len(ids)
        if step == 2048:
            assert mx.array_equal(full, last).item()
        assert engine.next_token(full) == engine.next_token(last)
    filled = engine.make_cache()
    prefill.fill(engine, embeddings, filled, step=5)
    assert filled[0].offset == len(ids)
    assert prefill.fill_passes(len(ids), 5) == -(-len(ids) // 5)
    # prefill_last: every position but the last through fill, then the last one alone
    assert prefill.prefill_passes(len(ids), 5) == 1 + -(-(len(ids) - 1) // 5)
    assert prefill.prefill_passes(1) == 1 and prefill.prefill_passes(2) == 2


def test_engine_speed_option_and_run_batch(tiny_engine):
    engine = GraniteEngine(tiny_engine.model, "fast", speed=SpeedOptions())
    assert GraniteEngine(tiny_engine.model, "plain", speed=None).speed is None
    assert GraniteEngine(tiny_engine.model, "default").speed == SpeedOptions()  # on by default
    audio = noise(2.0, 9)
    fast = engine.run(audio, MEETING[:3])
    plain = tiny_engine.run(audio, MEETING[:3])
    assert [o.tokens for o in fast] == [o.tokens for o in plain]
    assert sum(o.timing.prefill_tokens for o in fast) < sum(o.timing.prefill_tokens for o in plain)
    [[transcript, translation]] = engine.run_batch([audio], MEETING[:2])
    assert [transcript.tokens, translation.tokens] == [o.tokens for o in plain[:2]]
