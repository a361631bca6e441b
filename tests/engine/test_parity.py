"""The adapter's staged greedy path gives exactly mlx-audio's own generate() output."""

from __future__ import annotations

import pytest

from app.core.transcript import Task, TaskSpec
from app.engine.loader import load_engine
from app.engine.model.prompt import generate_kwargs
from app.engine.strict_call import checked_call
from tests.engine.helpers import mlx_audio_tokens, noise

SPECS = [
    TaskSpec(),
    TaskSpec(source_language="de"),
    TaskSpec(Task.TRANSLATE, None, "fr"),
    TaskSpec(keywords=("Granite", "MLX")),
]
MAX_TOKENS = 80


@pytest.fixture(scope="module")
def f32_engine(tiny_model_f32_dir):
    engine = load_engine(str(tiny_model_f32_dir))
    engine.speed = None  # the plain path is the reference
    return engine


def _check_parity(engine, seconds: float, seed: int) -> None:
    audio = noise(seconds, seed)
    engine.max_tokens = MAX_TOKENS
    try:
        outputs = engine.run(audio, SPECS)
    finally:
        engine.max_tokens = 4096
    for spec, out in zip(SPECS, outputs, strict=True):
        expected = mlx_audio_tokens(engine.model, audio, spec, MAX_TOKENS)
        assert out.tokens == expected, spec
        assert out.tokens, "the tiny model should say something"
        reference = checked_call(
            engine.model.generate, audio, max_tokens=MAX_TOKENS, **generate_kwargs(spec)
        )
        assert out.text == reference.text
        assert out.timing.generated_tokens == reference.generation_tokens
        assert out.timing.prompt_tokens == reference.prompt_tokens


@pytest.mark.parametrize(("seconds", "seed"), [(1.0, 1), (2.5, 2)])
def test_float32_matches_mlx_audio_exactly(f32_engine, seconds, seed):
    _check_parity(f32_engine, seconds, seed)


@pytest.mark.parametrize(("seconds", "seed"), [(1.0, 1), (2.5, 2)])
def test_8bit_matches_mlx_audio(tiny_engine, seconds, seed):
    _check_parity(tiny_engine, seconds, seed)


def test_chunked_prefill_gives_the_same_logits(f32_engine):
    import mlx.core as mx

    encoded = f32_engine.encode(noise(1.0, 5))
    ids = f32_engine.build_prompt(encoded.n_audio_tokens, TaskSpec())
    embeddings = f32_engine.embed_prompt(ids, encoded)
    whole = f32_engine.prefill(embeddings, f32_engine.make_cache())
    chunked_cache = f32_engine.make_cache()
    chunked = f32_engine.prefill(embeddings, chunked_cache, step=7)
    assert chunked_cache[0].offset == len(ids)
    assert mx.allclose(whole, chunked, atol=1e-4).item()
    assert f32_engine.next_token(whole) == f32_engine.next_token(chunked)


@pytest.mark.parametrize("model", ["float32", "8bit"])
def test_default_fast_engine_matches_mlx_audio(request, model):
    """The app's default engine (shared prefix + speculative) gives mlx-audio's tokens too."""
    from app.engine.runner import SpeedOptions

    engine = request.getfixturevalue("f32_engine" if model == "float32" else "tiny_engine")
    engine.speed = SpeedOptions()
    try:
        _check_parity(engine, 2.5, 3)
    finally:
        engine.speed = None
