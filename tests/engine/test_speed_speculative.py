"""Exact speculative decoding from the character CTC draft: identical tokens, fewer passes."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

from app.core.errors import CancelledError
from app.core.transcript import Task, TaskSpec
from app.engine.base import CancelToken
from app.engine.loader import load_engine
from app.engine.model import ctc
from app.engine.model.speculative import (
    DraftLookup,
    DraftSource,
    SpeculativeStats,
    speculative_decode,
)
from app.engine.runner import SpeedOptions, run_chunk
from tests.engine.helpers import noise

K = 8


@pytest.fixture(scope="module")
def f32_engine(tiny_model_f32_dir):
    engine = load_engine(str(tiny_model_f32_dir))
    engine.speed = None  # the plain path is the reference
    return engine


@pytest.fixture(params=["float32", "8bit"])
def engine(request):
    return request.getfixturevalue("f32_engine" if request.param == "float32" else "tiny_engine")


def _prefilled(engine: Any, audio: Any) -> tuple[Any, list[Any]]:
    encoded = engine.encode(audio)
    ids = engine.build_prompt(encoded.n_audio_tokens, TaskSpec())
    cache = engine.make_cache()
    logits = engine.prefill(engine.embed_prompt(ids, encoded), cache)
    return logits, cache


def _speculate(
    engine: Any, audio: Any, draft: DraftSource, **kwargs: Any
) -> tuple[Any, SpeculativeStats]:
    logits, cache = _prefilled(engine, audio)
    stats = SpeculativeStats()
    result = speculative_decode(
        engine,
        logits,
        cache,
        draft,
        max_new_tokens=kwargs.pop("max_new", 4096),
        stats=stats,
        **kwargs,
    )
    return result, stats


@pytest.mark.parametrize(("seconds", "seed"), [(2.0, 1), (6.0, 2)])
def test_oracle_draft_needs_about_n_over_k_passes(engine, seconds, seed):
    audio = noise(seconds, seed)
    [plain] = engine.run(audio, [TaskSpec()])
    n = len(plain.tokens)
    assert n > 10
    result, stats = _speculate(engine, audio, plain.tokens, num_draft=K)
    assert result.tokens == plain.tokens
    # n tokens: the first comes from the prefill, the second from a plain step (the draft's
    # shadow check hits), then k+1 per pass (k accepted + 1 bonus); EOS is the last bonus
    assert result.forward_passes == 1 + math.ceil((n - 1) / (K + 1))
    assert stats.accepted == stats.proposed >= n - 1 - result.forward_passes  # all accepted
    # plain: two prefill passes (all but the last position, then the last), then one pass per
    # token (incl. the EOS step)
    assert plain.timing.forward_passes - 2 == n


@pytest.mark.parametrize("corruption", ["every_third", "shifted", "reversed", "garbage", "empty"])
def test_corrupted_draft_gives_identical_tokens(engine, corruption):
    audio = noise(4.0, 3)
    [plain] = engine.run(audio, [TaskSpec()])
    good = plain.tokens
    rng = np.random.default_rng(0)
    draft = {
        "every_third": [t + 1 if i % 3 == 0 else t for i, t in enumerate(good)],
        "shifted": good[2:] + good[:2],
        "reversed": good[::-1],
        "garbage": rng.integers(3, 400, size=3 * len(good)).tolist(),
        "empty": [],
    }[corruption]
    result, stats = _speculate(engine, audio, draft, num_draft=K)
    assert result.tokens == good
    assert result.text == plain.text
    assert result.forward_passes <= len(good)
    assert stats.accepted < len(good)


def test_ctc_draft_path_is_exact(engine):
    specs = [TaskSpec(), TaskSpec(Task.TRANSLATE, None, "fr"), TaskSpec(keywords=("Granite",))]
    for seconds, seed in ((1.0, 4), (5.0, 5)):
        audio = noise(seconds, seed)
        plain = engine.run(audio, specs)
        fast = run_chunk(engine, audio, specs)
        assert [o.tokens for o in fast] == [o.tokens for o in plain]


def test_max_new_tokens_is_respected(f32_engine):
    audio = noise(3.0, 6)
    [plain] = f32_engine.run(audio, [TaskSpec()])
    for limit in (1, 5, K + 1, len(plain.tokens) - 1):
        result, _ = _speculate(f32_engine, audio, plain.tokens, max_new=limit)
        assert result.tokens == plain.tokens[:limit]


def test_translation_is_not_speculative_and_the_option_turns_it_off(f32_engine):
    audio = noise(3.0, 7)
    oracle = f32_engine.run(audio, [TaskSpec()])[0].tokens
    on = run_chunk(f32_engine, audio, [TaskSpec()], draft=oracle)[0]
    off = run_chunk(
        f32_engine, audio, [TaskSpec()], draft=oracle, options=SpeedOptions(speculative=False)
    )[0]
    translation = run_chunk(
        f32_engine, audio, [TaskSpec(Task.TRANSLATE, None, "fr")], draft=oracle
    )[0]
    assert on.tokens == off.tokens == oracle
    assert on.timing.forward_passes < off.timing.forward_passes == len(oracle) + 2
    assert translation.timing.forward_passes == translation.timing.generated_tokens + 2


def test_partials_and_cancel(f32_engine):
    audio = noise(3.0, 8)
    [plain] = f32_engine.run(audio, [TaskSpec()])
    seen: list[str] = []
    result, _ = _speculate(f32_engine, audio, plain.tokens, on_text=seen.append)
    assert seen and seen[-1] == result.text
    token = CancelToken()
    token.cancel()
    with pytest.raises(CancelledError):
        _speculate(f32_engine, audio, plain.tokens, cancel=token)


def test_draft_lookup_resyncs_after_a_correction():
    lookup = DraftLookup([10, 11, 12, 13, 14, 15])
    assert lookup.propose([10], 3) == [11, 12, 13]
    lookup.accept(1)  # 11 accepted, the model said 99 instead of 12
    assert lookup.propose([10, 11, 99], 3) == []  # 99 is nowhere in the draft
    assert lookup.propose([10, 11, 99, 13], 2) == [14, 15]  # the model rejoined the draft
    assert lookup.propose([1, 2], 0) == []
    assert DraftLookup([]).propose([1], 4) == []


def test_draft_lookup_does_not_go_back():
    lookup = DraftLookup([5, 6, 5, 7])
    assert lookup.propose([5], 1) == [6]
    lookup.accept(1)
    assert lookup.propose([5, 6, 5], 1) == [7]
    assert lookup.cursor == 3


def test_label_table():
    assert len(ctc.LABELS) == ctc.N_LABELS == 348
    assert ctc.LABELS[0] == ""
    assert ctc.LABELS[ord("a")] == "a" and ctc.LABELS[0xE9] == "é"
    assert ctc.LABELS[256] == "\u30a1" and ctc.LABELS[347] == chr(0x30A1 + 91)
    assert ctc.collapse([0, 104, 104, 0, 105, 105, 0, 0, 105]) == [104, 105, 105]
    assert ctc.labels_to_text([72, 105, 10, 32, 116, 104, 101, 114, 101]) == "Hi there"
    with pytest.raises(ValueError):
        ctc.labels_to_text([400])


def test_greedy_text_and_draft_tokens(tiny_engine):
    logits = np.full((1, 6, 348), -5.0, dtype=np.float32)
    for frame, label in enumerate([0, ord("h"), ord("h"), 0, ord("i"), 0]):
        logits[0, frame, label] = 5.0
    assert ctc.greedy_text(logits) == "hi"
    draft = ctc.text_to_draft(tiny_engine, "hello there")
    assert tiny_engine.decode_text(draft) == "hello there"
    assert tiny_engine.eos_token_id not in draft
    encoded = tiny_engine.encode(noise(2.0, 9))
    assert ctc.ctc_logits(tiny_engine, encoded).shape == (1, encoded.encoder_frames, 348)
    assert ctc.draft_tokens(tiny_engine, encoded) == ctc.text_to_draft(
        tiny_engine, ctc.ctc_text(tiny_engine, encoded)
    )


def test_k_token_pass_equals_single_steps_bitwise(engine):
    """Why speculation is exact here: on MLX's CPU kernels (float32 and 8-bit quantized) a
    k-token pass computes each row exactly as a 1-token pass does. If an MLX upgrade (or the
    Metal qmv/qmm kernels) breaks this, this test says so before any token differs."""
    import mlx.core as mx

    audio = noise(3.0, 10)
    [plain] = engine.run(audio, [TaskSpec()])
    tokens = plain.tokens[:K]
    _, block_cache = _prefilled(engine, audio)
    block = engine.model(mx.array([tokens]), cache=block_cache)[0]
    _, step_cache = _prefilled(engine, audio)
    for i, token in enumerate(tokens):
        assert mx.array_equal(engine.step(token, step_cache)[0], block[i]).item(), i


def test_adaptive_draft_length_verifies_fewer_bad_tokens(f32_engine):
    audio = noise(4.0, 11)
    [plain] = f32_engine.run(audio, [TaskSpec()])
    bad = [t + 1 if i % 2 else t for i, t in enumerate(plain.tokens)]
    fixed, fixed_stats = _speculate(f32_engine, audio, bad, adaptive=False)
    adaptive, adaptive_stats = _speculate(f32_engine, audio, bad, adaptive=True)
    assert fixed.tokens == adaptive.tokens == plain.tokens
    assert adaptive_stats.proposed < fixed_stats.proposed


def test_hopeless_draft_backs_off(f32_engine):
    audio = noise(6.0, 12)
    [plain] = f32_engine.run(audio, [TaskSpec()])
    never = f32_engine.audio_token_id  # the model never predicts it
    draft = [t for token in plain.tokens for t in (token, never)]
    result, stats = _speculate(f32_engine, audio, draft)
    assert result.tokens == plain.tokens
    assert stats.accepted == 0
    assert stats.verify_passes <= len(plain.tokens) // 2
    fixed, fixed_stats = _speculate(f32_engine, audio, draft, adaptive=False)
    assert fixed.tokens == plain.tokens
    assert fixed_stats.verify_passes >= len(plain.tokens) - 1
    assert stats.proposed < fixed_stats.proposed / 4


def test_a_draft_that_never_matches_costs_no_extra_rows(f32_engine):
    """Every proposal would be rejected: the decoder stays in plain steps (shadow checks only)."""
    audio = noise(5.0, 13)
    [plain] = f32_engine.run(audio, [TaskSpec()])
    never = f32_engine.audio_token_id  # the model never predicts it
    draft = [t for token in plain.tokens for t in (token, never, never)]
    result, stats = _speculate(f32_engine, audio, draft)
    assert result.tokens == plain.tokens
    assert stats.proposed == stats.verify_passes == 0
    assert result.forward_passes == plain.timing.forward_passes - 2  # minus the prefill


def test_a_lazy_draft_is_computed_only_when_it_can_be_used(f32_engine):
    audio = noise(3.0, 14)
    [plain] = f32_engine.run(audio, [TaskSpec()])
    calls: list[int] = []

    def draft() -> list[int]:
        calls.append(1)
        return plain.tokens

    one, _ = _speculate(f32_engine, audio, draft, max_new=1)
    assert one.tokens == plain.tokens[:1] and calls == []  # the first token ended it
    full, stats = _speculate(f32_engine, audio, draft)
    assert full.tokens == plain.tokens and calls == [1] and stats.accepted > 0


def test_the_default_path_is_exact_with_a_lazy_ctc_draft(f32_engine):
    specs = [TaskSpec(), TaskSpec(Task.TRANSLATE, None, "de"), TaskSpec(source_language="fr")]
    audio = noise(4.0, 15)
    plain = f32_engine.run(audio, specs)
    fast = run_chunk(f32_engine, audio, specs, options=SpeedOptions())
    assert [o.tokens for o in fast] == [o.tokens for o in plain]
    assert [o.text for o in fast] == [o.text for o in plain]


@pytest.mark.parametrize("limit", [1, 2, 3, 7, 4096])
def test_queued_plain_steps_stop_exactly_and_hand_over_to_verifying(f32_engine, limit):
    """Plain steps are queued ahead only while no shadow hit can follow; a draft that knows
    pairs of tokens switches between queued plain steps and verifying passes."""
    audio = noise(5.0, 16)
    [plain] = f32_engine.run(audio, [TaskSpec()])
    never = f32_engine.audio_token_id
    draft = [t if i % 5 < 2 else never for i, t in enumerate(plain.tokens)]
    result, stats = _speculate(f32_engine, audio, draft, max_new=limit)
    assert result.tokens == plain.tokens[:limit]
    if limit == 4096:
        assert stats.shadow_hits > 0 and stats.verify_passes > 0 and stats.plain_passes > 0
