from __future__ import annotations

import numpy as np
import pytest

from app.core.dictation.eager_budget import BudgetConfig
from app.core.dictation.endpointing import (
    Eager,
    EagerRetracted,
    EndpointConfig,
    Endpointer,
    EndpointEvent,
    Utterance,
)
from app.core.errors import UsageError

CFG = EndpointConfig()
FS = CFG.frame_s
N = CFG.frame_samples
PRE = CFG.frames(CFG.pre_roll_s)
TAIL = CFG.frames(CFG.tail_s)
PAUSE = CFG.frames(CFG.pause_s)


def _frame(i: int, level: float = 0.1) -> np.ndarray:
    """Frame ``i`` carries its own index in every sample, so slices can be checked exactly."""
    f = np.full(N, level, np.float32)
    f[0] = i * 1e-6
    return f


def _run(
    probs: np.ndarray, ep: Endpointer | None = None, levels: np.ndarray | None = None
) -> tuple[Endpointer, list[tuple[int, Utterance]]]:
    ep = ep or Endpointer()
    out: list[tuple[int, Utterance]] = []
    for i, p in enumerate(probs):
        level = 0.1 if levels is None else levels[i]
        out += [(i, u) for u in ep.push(_frame(i, level), float(p))]
    return ep, out


def _frames_of(u: Utterance) -> list[int]:
    return [round(float(x) * 1e6) for x in u.audio[::N]]


def _speech(*spans: tuple[int, int], total: int) -> np.ndarray:
    p = np.zeros(total)
    for a, b in spans:
        p[a:b] = 0.9
    return p


def test_pre_roll_tail_and_emission_right_after_the_pause():
    probs = _speech((50, 100), total=200)
    _, out = _run(probs)
    assert len(out) == 1
    emitted_at, u = out[0]
    assert emitted_at == 99 + PAUSE  # as soon as the pause is long enough
    assert _frames_of(u) == list(range(50 - PRE, 100 + TAIL))
    assert u.start == pytest.approx((50 - PRE) * FS)
    assert u.end == pytest.approx((100 + TAIL) * FS)
    assert not u.forced_cut


def test_pre_roll_is_clipped_at_the_start_of_the_recording():
    _, out = _run(_speech((3, 40), total=100))
    assert _frames_of(out[0][1])[0] == 0
    assert out[0][1].start == 0.0


def test_start_time_offsets_every_time():
    ep = Endpointer(start_time=10.0)
    _, out = _run(_speech((50, 100), total=200), ep)
    assert out[0][1].start == pytest.approx(10.0 + (50 - PRE) * FS)


def test_short_pause_keeps_one_utterance_long_pause_splits():
    gap_short = PAUSE - 3
    _, out = _run(_speech((20, 60), (60 + gap_short, 100 + gap_short), total=300))
    assert len(out) == 1
    _, out = _run(_speech((20, 60), (60 + PAUSE + 10, 120 + PAUSE), total=300))
    assert [u.index for _, u in out] == [0, 1]
    first, second = out[0][1], out[1][1]
    assert first.end <= second.start  # no overlap, nothing counted twice
    assert _frames_of(second)[0] == 60 + PAUSE + 10 - PRE


def test_noise_and_clicks_produce_nothing():
    probs = np.zeros(400)
    probs[[30, 31, 32, 100, 101, 250]] = 0.95  # clicks shorter than min_speech_s
    probs[150:220] = 0.45  # hovering between the thresholds never starts speech
    _, out = _run(probs)
    assert out == []


def test_hysteresis_dips_between_thresholds_do_not_end_speech():
    probs = _speech((20, 200), total=300)
    probs[60 : 60 + 2 * PAUSE] = 0.4  # below threshold, above neg_threshold
    _, out = _run(probs)
    assert len(out) == 1
    assert _frames_of(out[0][1])[-1] == 199 + TAIL


def test_flush_emits_the_open_utterance_with_the_tail_it_has():
    ep, out = _run(_speech((20, 80), total=85))
    assert out == [] and ep.in_speech
    (u,) = ep.flush()
    assert _frames_of(u)[-1] == 84  # stop came 5 frames after speech: all of it kept
    assert ep.flush() == []
    ep2, _ = _run(_speech((20, 80), total=80 + PAUSE - 1))
    (u2,) = ep2.flush()
    assert _frames_of(u2)[-1] == 79 + TAIL


def test_flush_when_idle_or_only_noise_emits_nothing():
    ep, _ = _run(np.zeros(50))
    assert ep.flush() == []
    ep, _ = _run(_speech((45, 48), total=50))
    assert ep.flush() == []


def test_monologue_is_cut_at_its_quietest_point_before_max_chunk():
    total = CFG.frames(45.0)
    probs = _speech((10, total), total=total)
    levels = np.full(total, 0.3)
    quiet = CFG.frames(27.0)  # inside the last 5 s before the 30 s limit
    levels[quiet] = 0.001
    ep, out = _run(probs, levels=levels)
    assert len(out) == 1
    u = out[0][1]
    assert u.forced_cut
    assert u.duration <= CFG.max_chunk_s + 1e-9
    assert _frames_of(u)[-1] == quiet  # cut right after the quiet frame
    (rest,) = ep.flush()
    assert _frames_of(rest)[0] == quiet + 1  # contiguous: nothing lost, nothing doubled
    assert rest.start == pytest.approx(u.end)


def test_bad_frames_and_config_are_rejected():
    with pytest.raises(UsageError):
        Endpointer().push(np.zeros(100, np.float32), 0.9)
    with pytest.raises(UsageError):
        Endpointer(EndpointConfig(threshold=0.3, neg_threshold=0.5))
    with pytest.raises(UsageError):
        Endpointer(EndpointConfig(max_chunk_s=4.0))


def test_real_vad_on_espeak_puts_boundaries_in_the_pauses():
    from app.audio.vad import FRAME_SAMPLES, Vad
    from tests.support.espeak import compose, synthesize

    a = synthesize("the quick brown fox jumps over the lazy dog")
    b = synthesize("hello world, this is a test")
    speech = compose([0.5, a, 1.5, b, 1.2])
    vad = Vad()
    ep = Endpointer()
    utts: list[Utterance] = []
    audio = speech.audio
    for i in range(len(audio) // FRAME_SAMPLES):
        frame = np.ascontiguousarray(audio[i * FRAME_SAMPLES : (i + 1) * FRAME_SAMPLES])
        utts += ep.push(frame, vad.probability(frame))
    utts += ep.flush()
    assert len(utts) == 2
    words_a, words_b = speech.words[: len(a.words)], speech.words[len(a.words) :]
    assert utts[0].start <= words_a[0].start and utts[0].end >= words_a[-1].end
    assert utts[0].end < words_b[0].start
    assert words_a[-1].end < utts[1].start <= words_b[0].start
    assert utts[1].end >= words_b[-1].end


def test_endpoint_config_is_the_one_pause_rule() -> None:
    from app.core.dictation.endpointing import PAUSE_RANGE, endpoint_config
    from app.core.errors import UsageError

    cfg = endpoint_config(0.8)
    assert (cfg.pause_s, cfg.tail_s, cfg.max_chunk_s, cfg.cut_search_s) == (0.8, 0.4, 30.0, 5.0)
    short = endpoint_config(0.3, max_chunk_s=8.0)
    assert (short.tail_s, short.cut_search_s) == (0.3, 4.0)  # the tail never exceeds the pause
    for bad in (PAUSE_RANGE[0] / 2, PAUSE_RANGE[1] * 2):
        with pytest.raises(UsageError):
            endpoint_config(bad)


# --- eager endpointing -------------------------------------------------------------------
def _steps(probs: np.ndarray, ep: Endpointer | None = None) -> list[tuple[int, EndpointEvent]]:
    ep = ep or Endpointer()
    return [(i, e) for i, p in enumerate(probs) for e in ep.step(_frame(i), float(p))]


def test_eager_utterance_comes_once_the_tail_arrived_and_the_pause_confirms_it():
    events = _steps(_speech((50, 100), total=200))
    (i_eager, eager), (i_final, final) = events
    assert isinstance(eager, Eager) and isinstance(final, Utterance)
    assert i_eager == 99 + TAIL  # the frame that completes the tail
    assert i_final == 99 + PAUSE
    u = eager.utterance
    assert final.confirms_eager and not final.forced_cut
    assert (u.index, u.start, u.end) == (final.index, final.start, final.end)
    np.testing.assert_array_equal(u.audio, final.audio)  # sample for sample
    assert _frames_of(u) == list(range(50 - PRE, 100 + TAIL))


def test_eager_is_identical_to_the_plain_endpointer_utterance():
    probs = _speech((20, 60), (60 + PAUSE - 3, 100 + PAUSE), (200, 260), total=420)
    _, plain = _run(probs)
    finals = [e for _, e in _steps(probs) if isinstance(e, Utterance)]
    assert [(u.start, u.end) for _, u in plain] == [(u.start, u.end) for u in finals]
    for (_, a), b in zip(plain, finals, strict=True):
        np.testing.assert_array_equal(a.audio, b.audio)


def test_speech_resuming_retracts_the_eager_utterance_and_the_longer_one_follows():
    gap = PAUSE - 3  # longer than the tail, shorter than the pause
    always = Endpointer(EndpointConfig(eager_budget=BudgetConfig(budget=1.0)))
    events = _steps(_speech((20, 60), (60 + gap, 100 + gap), total=300), always)
    kinds = [type(e).__name__ for _, e in events]
    assert kinds == ["Eager", "EagerRetracted", "Eager", "Utterance"]
    first, retracted, second, final = (e for _, e in events)
    assert isinstance(first, Eager) and isinstance(retracted, EagerRetracted)
    assert isinstance(second, Eager) and isinstance(final, Utterance)
    assert retracted.index == first.utterance.index == final.index == 0
    assert events[1][0] == 60 + gap  # retracted on the first speech frame
    assert final.confirms_eager and final.end == second.utterance.end > first.utterance.end


def test_hysteresis_dips_do_not_retract_and_short_gaps_give_no_eager():
    probs = _speech((20, 100), total=300)
    probs[100 : 100 + TAIL + 2] = 0.4  # between the thresholds: not speech, not pause
    events = _steps(probs)
    assert [type(e).__name__ for _, e in events] == ["Eager", "Utterance"]
    events = _steps(_speech((20, 60), (60 + TAIL - 1, 100), total=110))
    assert [type(e).__name__ for _, e in events] == []  # gap shorter than the tail


def test_flush_after_an_eager_utterance_confirms_it_and_before_the_tail_does_not():
    ep = Endpointer()
    events = _steps(_speech((20, 80), total=80 + TAIL + 2), ep)
    ((_, eager),) = events
    assert isinstance(eager, Eager)
    (final,) = ep.flush_events()
    assert isinstance(final, Utterance) and final.confirms_eager
    np.testing.assert_array_equal(final.audio, eager.utterance.audio)
    ep = Endpointer()
    assert _steps(_speech((20, 80), total=85), ep) == []
    assert ep.tail_frames_missing == TAIL - 5
    (short,) = ep.flush_events()
    assert isinstance(short, Utterance) and not short.confirms_eager


def test_a_forced_cut_retracts_the_eager_utterance():
    cfg = EndpointConfig(max_chunk_s=10.0, pause_s=2.0)
    total = cfg.frames(10.0) + 5
    probs = np.full(total, 0.9)
    quiet = cfg.frames(10.0) - cfg.frames(0.4) - 2
    probs[quiet:] = 0.0
    ep = Endpointer(cfg)
    events = _steps(probs, ep)
    kinds = [type(e).__name__ for _, e in events]
    # the head is cut; the rest (still open) gets its own eager utterance at once
    assert kinds == ["Eager", "EagerRetracted", "Utterance", "Eager"]
    head, rest = events[2][1], events[3][1]
    assert isinstance(head, Utterance) and head.forced_cut and not head.confirms_eager
    assert isinstance(rest, Eager) and rest.utterance.index == head.index + 1
    (final,) = ep.flush_events()
    assert isinstance(final, Utterance) and final.confirms_eager
    assert final.start == pytest.approx(head.end)


def test_no_eager_when_the_pause_is_not_longer_than_the_tail():
    cfg = EndpointConfig(pause_s=0.3, tail_s=0.4)
    events = _steps(_speech((20, 60), total=200), Endpointer(cfg))
    assert [type(e).__name__ for _, e in events] == ["Utterance"]
    assert isinstance(events[0][1], Utterance) and not events[0][1].confirms_eager


def test_after_a_dropped_eager_run_the_next_eager_waits_past_the_hesitation_same_audio():
    gap = TAIL + 4  # a hesitation just past the tail
    probs = _speech((20, 60), (60 + gap, 100 + gap), (200, 230), total=400)
    ep = Endpointer()
    events = _steps(probs, ep)
    kinds = [type(e).__name__ for _, e in events]
    assert kinds == ["Eager", "EagerRetracted", "Eager", "Utterance", "Eager", "Utterance"]
    assert ep.budget.longest_gap == pytest.approx(gap * FS)
    # over budget (one dropped run, nothing kept yet): it waits gap + margin past the speech
    wait = CFG.frames(gap * FS + CFG.eager_budget.margin_s - CFG.tail_s)
    assert wait > 0 and TAIL + wait > gap  # past the silence that was a hesitation
    assert events[2][0] == 100 + gap - 1 + TAIL + wait
    # still over budget for the short third utterance: it waits too
    assert events[4][0] == 229 + TAIL + wait
    # the audio is the pause's utterance, sample for sample
    for (_, eager), (_, final) in (events[2:4], events[4:6]):
        assert isinstance(eager, Eager) and isinstance(final, Utterance)
        assert final.confirms_eager
        np.testing.assert_array_equal(eager.utterance.audio, final.audio)
    _, plain = _run(probs)
    assert [u.end for _, u in plain] == [e.end for _, e in events if isinstance(e, Utterance)]


def test_once_enough_was_committed_the_eager_run_starts_at_the_tail_again():
    gap = TAIL + 4
    spans = [(20, 60), (60 + gap, 100 + gap)] + [(200 + 100 * k, 260 + 100 * k) for k in range(6)]
    ep = Endpointer()
    events = _steps(_speech(*spans, total=900), ep)
    eager_at = [i for i, e in events if isinstance(e, Eager)][1:]
    waits = [at - (b - 1 + TAIL) for at, (_, b) in zip(eager_at, spans[1:], strict=True)]
    assert waits[0] > 0 and waits[-1] == 0  # waits while over budget, not once under it
    assert ep.budget.share <= CFG.eager_budget.budget


def test_a_hesitation_as_long_as_the_pause_turns_eager_off_while_over_budget():
    gap = PAUSE - 2
    probs = _speech((20, 60), (60 + gap, 100 + gap), total=300)
    events = _steps(probs)
    kinds = [type(e).__name__ for _, e in events]
    assert kinds == ["Eager", "EagerRetracted", "Utterance"]  # the pause commits, one run
    final = events[-1][1]
    assert isinstance(final, Utterance) and not final.confirms_eager
