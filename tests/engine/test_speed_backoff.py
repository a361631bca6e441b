"""Drafts that keep failing stop being computed (``DraftBackoff``), with a probe now and then;
the tokens never change."""

from __future__ import annotations

import pytest

from app.core.transcript import TaskSpec
from app.engine.loader import load_engine
from app.engine.model.speculative import DraftBackoff, SpeculativeStats
from app.engine.runner import SpeedOptions, run_chunk
from tests.engine.helpers import noise


def _outcome(*, accepted: int = 0, drafted: bool = True) -> SpeculativeStats:
    stats = SpeculativeStats(accepted=accepted)
    stats.drafted = drafted
    return stats


def test_drafting_pauses_after_misses_and_probes_every_nth_chunk():
    backoff = DraftBackoff(pause_after=2, probe_every=3)
    decisions = []
    for _ in range(9):
        use = backoff.use_draft()
        decisions.append(use)
        if use:
            backoff.record(_outcome())
    assert decisions == [True, True, False, False, True, False, False, True, False]
    assert backoff.paused and backoff.skipped == 5 and backoff.drafted == 4


def test_a_probe_with_an_accepted_token_resumes_drafting():
    backoff = DraftBackoff(pause_after=2, probe_every=2)
    for _ in range(2):
        assert backoff.use_draft()
        backoff.record(_outcome())
    assert backoff.paused
    assert [backoff.use_draft(), backoff.use_draft()] == [False, True]
    backoff.record(_outcome(accepted=3))
    assert not backoff.paused
    assert all(backoff.use_draft() for _ in range(5))


def test_one_hit_resets_the_miss_count():
    backoff = DraftBackoff(pause_after=2, probe_every=4)
    for accepted in (0, 1, 0, 2, 0):
        assert backoff.use_draft()
        backoff.record(_outcome(accepted=accepted))
    assert not backoff.paused and backoff.skipped == 0


def test_a_draft_never_computed_does_not_count():
    backoff = DraftBackoff(pause_after=1, probe_every=2)
    for _ in range(4):
        assert backoff.use_draft()
        backoff.record(_outcome(drafted=False))  # EOS came first: no draft, no verdict
    assert not backoff.paused and backoff.drafted == 0


def test_bad_settings_are_refused():
    with pytest.raises(ValueError):
        DraftBackoff(pause_after=0)
    with pytest.raises(ValueError):
        DraftBackoff(probe_every=0)


@pytest.fixture(scope="module")
def f32_engine(tiny_model_f32_dir):
    engine = load_engine(str(tiny_model_f32_dir))
    engine.speed = None  # the plain path is the reference
    return engine


@pytest.fixture(scope="module")
def chunks(f32_engine):
    audios = [noise(2.0, seed) for seed in range(20, 26)]
    plain = [f32_engine.run(audio, [TaskSpec()])[0].tokens for audio in audios]
    assert all(len(tokens) >= 2 for tokens in plain)  # so every chunk reaches its draft
    return audios, plain


def test_a_failing_draft_pauses_and_the_tokens_stay_exact(f32_engine, chunks):
    audios, plain = chunks
    never = [f32_engine.audio_token_id] * 8  # the model never predicts it
    backoff = DraftBackoff(pause_after=2, probe_every=3)
    outs = [
        run_chunk(f32_engine, audio, [TaskSpec()], draft=never, backoff=backoff)[0]
        for audio in audios
    ]
    assert [o.tokens for o in outs] == plain
    # chunks 1-2 draft and miss, 3-4 skip, 5 probes (and misses), 6 skips
    assert backoff.drafted == 3 and backoff.skipped == 3


def test_a_draft_that_helps_never_pauses(f32_engine, chunks):
    audios, plain = chunks
    backoff = DraftBackoff(pause_after=1, probe_every=100)
    outs = [
        run_chunk(f32_engine, audio, [TaskSpec()], draft=oracle, backoff=backoff)[0]
        for audio, oracle in zip(audios, plain, strict=True)
    ]
    assert [o.tokens for o in outs] == plain
    assert backoff.drafted == len(audios) and backoff.skipped == 0


def test_the_option_turns_the_backoff_off(f32_engine, chunks):
    audios, plain = chunks
    never = [f32_engine.audio_token_id] * 8
    backoff = DraftBackoff(pause_after=1, probe_every=100)
    options = SpeedOptions(draft_backoff=False)
    outs = [
        run_chunk(f32_engine, audio, [TaskSpec()], options=options, draft=never, backoff=backoff)
        for audio in audios
    ]
    assert [o[0].tokens for o in outs] == plain
    assert backoff.drafted == backoff.skipped == 0  # never consulted


def test_run_uses_the_engines_own_backoff(tiny_model_f32_dir, chunks):
    audios, plain = chunks
    engine = load_engine(str(tiny_model_f32_dir))  # default speed-ups, CTC drafts
    engine.draft_backoff = DraftBackoff(pause_after=1, probe_every=100)
    outs = [engine.run(audio, [TaskSpec()])[0].tokens for audio in audios]
    assert outs == plain
    backoff = engine.draft_backoff
    assert backoff.drafted + backoff.skipped == len(audios)
