"""Queue rows: state machine, progress, smoothed ETA, retry by job replacement."""

from __future__ import annotations

import pytest

from app.core.errors import UsageError
from app.core.progress import EtaEstimator
from app.core.queue_model import JobState, QueueModel, can_transition
from tests.support.clock import FakeClock


def state(q: QueueModel, job_id: int) -> JobState:
    row = q.row(job_id)
    assert row is not None
    return row.state


def test_happy_path_and_eta() -> None:
    clock = FakeClock(100.0)
    q = QueueModel(clock)
    row = q.add("/music/talk.mp3", 7)
    assert row.name == "talk.mp3" and row.state is JobState.QUEUED and row.can_cancel
    assert q.set_decoding(7)
    assert state(q, 7) is JobState.DECODING
    clock.now += 10
    assert q.set_progress(7, 25, 100)
    assert state(q, 7) is JobState.TRANSCRIBING
    assert row.progress == 0.25
    # 10 s for 25 % → 30 s left.
    assert row.eta_s == pytest.approx(30.0)
    clock.now += 10
    q.set_progress(7, 50, 100)
    # Raw estimate 20 s; previous 30 s counted down by 10 s is 20 s: they agree.
    assert row.eta_s == pytest.approx(20.0)
    assert q.set_finished(7)
    assert state(q, 7) is JobState.DONE and row.progress == 1.0 and row.eta_s == 0.0
    assert not row.can_cancel and not row.can_retry


def test_eta_is_smoothed_against_jumps() -> None:
    eta = EtaEstimator(alpha=0.3)
    assert eta.update(0.5, 0.5) is None  # too early
    assert eta.update(10.0, 0.005) is None  # too little progress
    first = eta.update(10.0, 0.5)
    assert first == pytest.approx(10.0)
    # A stall: 10 s later still 50 % → raw says 20 s, countdown says 0 s; blended in between.
    second = eta.update(20.0, 0.5)
    assert second is not None and 0.0 < second < 20.0
    assert second == pytest.approx(0.3 * 20.0)
    assert eta.update(25.0, 1.0) == 0.0


def test_terminal_rows_ignore_late_events() -> None:
    q = QueueModel(FakeClock(100.0))
    row = q.add("a.wav", 1)
    q.set_progress(1, 1, 2)
    assert q.set_cancelled(1)
    assert row.state is JobState.CANCELLED and row.can_retry and row.eta_s is None
    assert not q.set_progress(1, 2, 2)
    assert not q.set_finished(1)
    assert not q.set_failed(1, "late")
    assert state(q, 1) is JobState.CANCELLED and row.progress == 0.5


def test_failure_message_is_one_line() -> None:
    q = QueueModel(FakeClock(100.0))
    q.add("b.wav", 2)
    assert q.set_failed(2, "Cannot read\n  b.wav: not audio.")
    row = q.row(2)
    assert row is not None and row.error == "Cannot read b.wav: not audio."
    assert row.can_retry


def test_replace_job_requeues_under_new_id() -> None:
    q = QueueModel(FakeClock(100.0))
    q.add("c.wav", 3)
    q.add("d.wav", 4)
    q.set_failed(3, "boom")
    assert q.retry_row_for("c.wav") is q.row(3)
    assert q.retry_row_for("d.wav") is None
    assert not q.replace_job(3, 4)  # id in use
    assert not q.replace_job(99, 5)
    assert q.replace_job(3, 5)
    assert q.row(3) is None
    row = q.row(5)
    assert row is not None and row.path == "c.wav" and row.state is JobState.QUEUED
    assert row.error == "" and row.progress == 0.0
    assert [r.job_id for r in q.rows()] == [5, 4]  # keeps its place


def test_duplicate_ids_unknown_ids_and_clear() -> None:
    q = QueueModel(FakeClock(100.0))
    q.add("e.wav", 1)
    with pytest.raises(UsageError):
        q.add("f.wav", 1)
    assert not q.set_progress(42, 1, 1)
    assert not q.set_cancelled(42)
    q.add("g.wav", 2)
    q.set_finished(1)
    assert q.clear_finished() == [1]
    assert [r.job_id for r in q.rows()] == [2]
    assert q.remove(2) and not q.remove(2)


def test_transition_table() -> None:
    assert can_transition(JobState.QUEUED, JobState.TRANSCRIBING)
    assert can_transition(JobState.DECODING, JobState.CANCELLED)
    assert not can_transition(JobState.TRANSCRIBING, JobState.DECODING)
    assert not can_transition(JobState.DONE, JobState.FAILED)


def test_zero_total_progress_does_not_divide_by_zero() -> None:
    q = QueueModel(FakeClock(100.0))
    row = q.add("h.wav", 1)
    assert q.set_progress(1, 0, 0)
    assert row.progress == 0.0 and row.eta_s is None


def test_retry_only_where_it_can_help_and_names_once() -> None:
    from app.core.queue_model import about_the_file, name_once

    q = QueueModel(FakeClock(100.0))
    q.add("/x/a.mp3", 1)
    q.set_failed(1, name_once("a.mp3", "a.mp3 is not an audio or video file."))
    row = q.row(1)
    assert row is not None and row.error == "a.mp3 is not an audio or video file."
    assert not row.can_retry and about_the_file("a.mp3", row.error)
    q.add("/x/b.mp3", 2)
    q.set_failed(2, name_once("b.mp3", "Out of memory."))
    row = q.row(2)
    assert row is not None and row.error == "b.mp3: Out of memory." and row.can_retry


def test_finished_rows_keep_a_note() -> None:
    q = QueueModel(FakeClock(100.0))
    q.add("a.wav", 1)
    assert q.set_finished(1, "No speech found.")
    assert q.set_finished(1)
    row = q.row(1)
    assert row is not None and row.note == "No speech found."
