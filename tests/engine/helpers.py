"""Test helpers for the engine tests: test audio and mlx-audio's own greedy decoding."""

from __future__ import annotations

from typing import Any

import numpy as np

from app.core.transcript import TaskSpec
from app.engine.model.prompt import generate_kwargs


def noise(seconds: float, seed: int = 0) -> np.ndarray:
    """Speech-like test audio: a few harmonics with a slow envelope plus noise, float32."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(16000 * seconds)) / 16000
    tone = sum(np.sin(2 * np.pi * f * t) / k for k, f in enumerate((180, 360, 720), start=1))
    envelope = 0.5 + 0.5 * np.sin(2 * np.pi * 2.5 * t)
    audio = 0.2 * envelope * tone + 0.02 * rng.standard_normal(t.shape)
    return audio.astype(np.float32)


def mlx_audio_tokens(model: Any, audio: np.ndarray, spec: TaskSpec, max_tokens: int) -> list[int]:
    """The token ids mlx-audio's ``Model.generate()`` produces, driven step by step.

    Mirrors ``generate()`` (non-streaming, non-speculative, temperature 0) line for line:
    its prompt resolution, front end, projector, prompt and embedding builders, and
    ``generate_step`` with ``make_sampler(0.0)`` stopping at the tokenizer's EOS.
    """
    import mlx.core as mx
    from mlx_audio.lm.generate import generate_step
    from mlx_audio.lm.sample_utils import make_sampler
    from mlx_audio.stt.models.granite_speech.granite_speech import _resolve_prompt

    kwargs = generate_kwargs(spec)
    prompt = _resolve_prompt(
        "asr",
        None,
        kwargs.get("language"),
        source_language=kwargs.get("source_language"),
        hotwords=kwargs.get("hotwords"),
    )
    input_features, num_audio_tokens = model._extract_features(model._load_audio(audio))
    audio_features = model.get_audio_features(input_features)
    mx.eval(audio_features)
    prompt_ids = model._build_prompt(num_audio_tokens, prompt)
    inputs_embeds = model._build_inputs_embeds(prompt_ids, audio_features)
    mx.eval(inputs_embeds)
    tokens: list[int] = []
    for token, _ in generate_step(
        prompt=prompt_ids,
        input_embeddings=inputs_embeds.squeeze(0),
        model=model,
        max_tokens=max_tokens,
        sampler=make_sampler(0.0),
        logits_processors=[],
        prefill_step_size=2048,
    ):
        if token == model._tokenizer.eos_token_id:
            break
        tokens.append(token)
    return tokens
