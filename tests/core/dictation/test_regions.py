"""Region hand-overs between the live preview, eager runs and final jobs (no Qt)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from app.core.dictation.endpointing import Utterance
from app.core.dictation.regions import PREVIEW_MARK, PendingUtterance, UtteranceRegions
from app.core.transcript import TaskSpec


class FakePane:
    def __init__(self, before: str = "") -> None:
        self.before = before
        self.partials: dict[int, str] = {}
        self.discarded: list[int] = []
        self._next = 0

    def begin_partial(self, source: str) -> int:
        self._next += 1
        self.partials[self._next] = ""
        return self._next

    def update_partial(self, handle: int, text: str) -> None:
        assert handle in self.partials, "update of a discarded region"
        self.partials[handle] = text

    def discard(self, handle: int) -> None:
        del self.partials[handle]
        self.discarded.append(handle)


class FakeJobs:
    def __init__(self) -> None:
        self.cancelled: list[int] = []
        self.ended: list[int] = []

    def cancel(self, job_id: int) -> None:
        self.cancelled.append(job_id)

    def end_preview(self, stream_id: int) -> None:
        self.ended.append(stream_id)


@dataclass
class Result:
    text: str


def _utt(index: int = 0, end: float = 1.0, confirms: bool = False) -> Utterance:
    return Utterance(index, 0.0, end, np.zeros(16, np.float32), confirms_eager=confirms)


def _rig() -> tuple[UtteranceRegions, FakePane, FakeJobs]:
    jobs = FakeJobs()
    return UtteranceRegions(jobs, lambda pane: pane.before), FakePane("Notes:"), jobs


def _pending(pane: FakePane, utt: Utterance, eager: bool) -> PendingUtterance:
    return PendingUtterance(utt, (TaskSpec(),), [pane], "rec", eager=eager)


def _preview(regions: UtteranceRegions, pane: FakePane, text: str, start: bool = False) -> int:
    stream = regions.preview_stream(start)
    regions.preview_text(stream, text, lambda: (pane, 0))
    return stream


def test_an_eager_run_shows_in_the_preview_region_and_the_pause_confirms_it():
    regions, pane, jobs = _rig()
    _preview(regions, pane, "hello wor", start=True)
    (handle,) = pane.partials
    assert pane.partials[handle] == " hello wor" + PREVIEW_MARK
    regions.add(7, _pending(pane, _utt(), eager=True))
    assert regions.eager_job == (0, 7) and regions.preview is not None and regions.preview.lent
    assert regions.eager_finished(7, [Result("hello world")])
    assert pane.partials == {handle: " hello world"}  # same region, no flicker
    confirmed = regions.final(_utt(confirms=True))
    assert confirmed is not None and confirmed[0] == 7
    assert confirmed[1].results == [Result("hello world")] and not confirmed[1].eager
    assert confirmed[1].handles == {0: handle} and regions.preview is None
    assert jobs.cancelled == [] and jobs.ended == [1]


def test_retraction_keeps_the_text_in_place_and_the_preview_goes_on_in_that_region():
    regions, pane, jobs = _rig()
    _preview(regions, pane, "hello", start=True)
    (handle,) = pane.partials
    regions.add(7, _pending(pane, _utt(end=1.0), eager=True))
    regions.partial(7, 0, "hello there")
    assert regions.eager_retracted(0)
    assert jobs.cancelled == [7] and regions.jobs == {} and regions.eager_job is None
    assert pane.partials == {handle: " hello there"}  # kept as it was
    _preview(regions, pane, "hello there again")
    assert pane.partials == {handle: " hello there again" + PREVIEW_MARK}
    regions.add(8, _pending(pane, _utt(end=2.0), eager=False))  # the longer utterance
    regions.partial(8, 0, "hello there again")
    assert pane.partials == {handle: " hello there again"} and pane.discarded == []


def test_a_retracted_run_without_preview_is_carried_to_the_next_job():
    regions, pane, _ = _rig()
    regions.add(7, _pending(pane, _utt(end=1.0), eager=True))
    regions.partial(7, 0, "first half")
    (handle,) = pane.partials
    regions.eager_retracted(0)
    assert regions.carry is not None
    later = _pending(pane, _utt(end=2.0), eager=True)
    regions.add(9, later)
    assert regions.carry is None and later.handles == {0: handle}
    regions.partial(9, 0, "first half and more")
    assert pane.partials == {handle: " first half and more"}


def test_a_final_utterance_that_does_not_confirm_retracts_the_eager_job():
    regions, pane, jobs = _rig()
    regions.add(7, _pending(pane, _utt(), eager=True))
    assert regions.final(_utt(end=1.5, confirms=False)) is None
    assert jobs.cancelled == [7] and 7 not in regions.jobs and regions.carry is not None


def test_preview_text_waits_for_earlier_jobs_and_ignores_stale_streams():
    regions, pane, _ = _rig()
    regions.add(5, _pending(pane, _utt(), eager=False))
    _preview(regions, pane, "next one", start=True)
    assert pane.partials == {}  # the earlier utterance's text is not in place yet
    regions.jobs.clear()
    stream = regions.preview_stream(start=True)
    regions.preview_text(stream - 1, "stale", lambda: (pane, 0))
    assert pane.partials == {}
    regions.preview_text(stream, "  ", lambda: (pane, 0))
    assert pane.partials == {}
    regions.preview_text(stream, "fresh", lambda: None)  # no transcript task: nothing shown
    assert pane.partials == {}


def test_a_failed_eager_run_is_discarded_and_forgotten():
    regions, pane, _ = _rig()
    regions.add(7, _pending(pane, _utt(), eager=True))
    regions.partial(7, 0, "text")
    assert regions.failed(7) is not None
    assert regions.eager_job is None and pane.partials == {} and regions.failed(7) is None
    assert regions.final(_utt(confirms=True)) is None  # the final utterance runs again


def test_cancel_all_cancels_every_job_and_clears_every_region():
    regions, pane, jobs = _rig()
    regions.add(5, _pending(pane, _utt(0), eager=False))
    regions.partial(5, 0, "one")
    _preview(regions, pane, "two", start=True)
    regions.add(6, _pending(pane, _utt(1), eager=True))
    regions.partial(6, 0, "two words")
    regions.cancel_all()
    assert sorted(jobs.cancelled) == [5, 6] and regions.jobs == {} and pane.partials == {}
    assert regions.preview is None and regions.eager_job is None and regions.carry is None
