"""Which partial region of which pane shows which text while dictating (no Qt).

An utterance's text goes through up to three owners before it is committed, always in the
same partial region of a pane, so nothing flickers and the user's edits around it are kept:

* the live preview (approximate text of the open utterance, ``PREVIEW_MARK`` after it) in the
  transcript pane, one preview stream per utterance;
* an eager run (``app.core.dictation.endpointing.Eager``): it borrows the preview's region and
  shows its exact text there, not committed; if speech resumes it is retracted (its job
  cancelled) and its regions stay as they are, kept as the *carry*;
* the final utterance's job: it takes over the carry's regions (the same utterance, longer)
  and the preview's region, then the controller commits its results.

``UtteranceRegions`` keeps the table of submitted jobs and those hand-overs. The controller
(``app.ui.dictation.dictation_controller``) owns the session, the bridge's ``submit_*`` calls
and the commit (rules, spoken commands, undo); it calls this on the GUI thread.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from app.core.dictation.endpointing import Utterance
from app.core.text.text_join import join_piece
from app.core.transcript import TaskSpec

SOURCE = "dictation"
PREVIEW_MARK = " …"  # after the approximate text: it is a preview, not yet the transcript


class Jobs(Protocol):
    """What the regions ask of the model thread (the Qt bridge)."""

    def cancel(self, job_id: int) -> None: ...
    def end_preview(self, stream_id: int) -> None: ...


# Panes (``app.ui.editor``) are duck-typed: ``begin_partial(source) -> handle``,
# ``update_partial(handle, text)``, ``discard(handle)``; the controller commits.


@dataclass
class PreviewRegion:
    """The open utterance's preview: its stream id and (once text arrived) its partial."""

    stream: int
    pane: Any = None
    index: int = 0  # the task index of ``pane`` when it was chosen
    handle: int | None = None
    before: str = ""
    lent: bool = False  # an eager job shows its text in ``handle`` meanwhile


@dataclass
class PendingUtterance:
    utt: Utterance
    specs: tuple[TaskSpec, ...]
    panes: list[Any]
    source: str
    handles: dict[int, int] = field(default_factory=dict)  # task index -> partial handle
    before: dict[int, str] = field(default_factory=dict)  # task index -> text before it
    eager: bool = False  # an eager run not confirmed yet: show its text, do not commit it
    results: list[Any] | None = None  # an eager run's results, kept until it is confirmed

    def pane(self, index: int) -> Any | None:
        return self.panes[index] if 0 <= index < len(self.panes) else None

    def keep(self, index: int) -> tuple[str, ...]:
        """The keywords of task ``index`` (kept as spoken when joining)."""
        return self.specs[index].keywords if index < len(self.specs) else ()


def lend(p: PreviewRegion, pending: PendingUtterance) -> bool:
    """Move the preview's partial to ``pending`` (same pane and task); else drop it."""
    handle, p.handle = p.handle, None
    if handle is None:
        return False
    i = p.index
    if i < len(pending.panes) and pending.panes[i] is p.pane and i not in pending.handles:
        pending.handles[i], pending.before[i] = handle, p.before
        return True
    p.pane.discard(handle)
    return False


def adopt(carry: PendingUtterance, pending: PendingUtterance) -> None:
    """``pending`` (the same utterance, longer) takes over a retracted run's regions in place."""
    for i, handle in carry.handles.items():
        if i < len(pending.panes) and pending.panes[i] is carry.panes[i]:
            pending.handles[i], pending.before[i] = handle, carry.before[i]
        else:
            carry.panes[i].discard(handle)


#: Chooses the preview's pane: (pane, task index) of the transcript task, or None.
PreviewPane = Callable[[], "tuple[Any, int] | None"]


class UtteranceRegions:
    """The job table and the region hand-overs (see the module docstring)."""

    def __init__(self, jobs: Jobs, before_text: Callable[[Any], str]) -> None:
        self._engine = jobs
        self._before_text = before_text  # the pane's text left of where dictation goes
        self.jobs: dict[int, PendingUtterance] = {}
        self.preview: PreviewRegion | None = None
        self.eager_job: tuple[int, int] | None = None  # (utterance index, job id) unconfirmed
        self.carry: PendingUtterance | None = None  # a retracted eager run's regions
        self._streams = itertools.count(1)

    # --- utterances ----------------------------------------------------------------------
    def add(self, job: int, pending: PendingUtterance) -> None:
        """A submitted job: it takes the carry's regions, and the preview's (an eager job
        borrows it: the utterance is still open)."""
        self.jobs[job] = pending
        carry, self.carry = self.carry, None
        if carry is not None:
            adopt(carry, pending)
        if pending.eager:
            p = self.preview
            if p is not None and not p.lent:
                p.lent = lend(p, pending)
            self.eager_job = (pending.utt.index, job)
        else:
            self._hand_over_preview(pending)

    def final(self, utt: Utterance) -> tuple[int, PendingUtterance] | None:
        """The session's final utterance: the eager job it confirms (now a final job; commit
        its results if it has them), or None (any eager job retracted: submit ``utt``)."""
        eager, self.eager_job = self.eager_job, None
        pending = self.jobs.get(eager[1]) if eager and eager[0] == utt.index else None
        if eager is not None and pending is not None and utt.confirms_eager:
            pending.eager = False
            self._hand_over_preview(pending)
            return eager[1], pending
        if eager is not None:  # not the eager utterance after all (should not happen)
            self.retract(eager[1])
        return None

    def eager_retracted(self, index: int) -> bool:
        """Speech resumed after the eager utterance ``index``: True when a job was dropped."""
        eager, self.eager_job = self.eager_job, None
        if eager is not None and eager[0] == index:
            return self.retract(eager[1])
        return False

    def retract(self, job: int) -> bool:
        """Drop an eager job; its regions (and text) stay in place as the carry."""
        pending = self.jobs.pop(job, None)
        self._engine.cancel(job)
        if pending is None:
            return False
        p = self.preview
        if p is not None and p.lent and p.index in pending.handles:
            p.handle, p.lent = pending.handles.pop(p.index), False
            p.before = pending.before.pop(p.index)
        self.drop_carry()
        self.carry = pending
        return True

    def failed(self, job: int) -> PendingUtterance | None:
        """A job failed: forget it and discard its regions (a failed eager run: the final
        utterance will be run again)."""
        pending = self.jobs.pop(job, None)
        if pending is None:
            return None
        if self.eager_job is not None and self.eager_job[1] == job:
            self.eager_job = None
        self.discard(pending)
        return pending

    def cancel_all(self) -> None:
        for job, pending in list(self.jobs.items()):
            self._engine.cancel(job)
            self.discard(pending)
        self.jobs.clear()
        self.eager_job = None
        self.drop_carry()
        self.end_preview()

    def drop_carry(self) -> None:
        carry, self.carry = self.carry, None
        if carry is not None:
            self.discard(carry)

    def discard(self, pending: PendingUtterance) -> None:
        for index, handle in pending.handles.items():
            pane = pending.pane(index)
            if pane is not None:
                pane.discard(handle)

    # --- a job's text --------------------------------------------------------------------
    def open(self, pending: PendingUtterance, index: int, pane: Any) -> int:
        """The partial region of task ``index`` (begun at the insertion point if none yet)."""
        if index not in pending.handles:
            pending.before[index] = self._before_text(pane)
            pending.handles[index] = int(pane.begin_partial(SOURCE))
        return pending.handles[index]

    def partial(self, job: int, index: int, text: str) -> None:
        pending = self.jobs.get(job)
        pane = pending.pane(index) if pending else None
        if pending is None or pane is None:
            return
        handle = self.open(pending, index, pane)
        pane.update_partial(handle, join_piece(pending.before[index], text, pending.keep(index)))

    def eager_finished(self, job: int, results: list[Any]) -> bool:
        """An unconfirmed eager job finished: show its text, keep its results; True if so."""
        pending = self.jobs.get(job)
        if pending is None or not pending.eager:
            return False
        pending.results = results  # committed once the pause confirms it
        for index, result in enumerate(results):
            self.partial(job, index, str(result.text))
        return True

    # --- live preview --------------------------------------------------------------------
    def preview_stream(self, start: bool) -> int:
        """The preview stream of the open utterance (a new one on its first audio)."""
        if start or self.preview is None:
            self.end_preview()
            self.preview = PreviewRegion(next(self._streams))
        return self.preview.stream

    def preview_text(self, stream: int, text: str, choose: PreviewPane) -> None:
        """Show the preview's text, unless stale or an earlier utterance's text is not in
        place yet; ``choose`` picks the pane the first time there is text."""
        p = self.preview
        text = text.strip()
        if p is None or p.stream != stream or self.jobs or p.lent or not text:
            return
        if p.handle is None:
            chosen = choose()
            if chosen is None:
                return  # no transcript task (a translation only): nothing to show
            p.pane, p.index = chosen
            carry = self.carry  # a retracted eager run's text: the preview goes on there
            if carry is not None and p.index in carry.handles and carry.pane(p.index) is p.pane:
                p.handle, p.before = carry.handles.pop(p.index), carry.before.pop(p.index)
            else:
                p.before = self._before_text(p.pane)
                p.handle = int(p.pane.begin_partial(SOURCE))
        p.pane.update_partial(p.handle, join_piece(p.before, text) + PREVIEW_MARK)

    def _hand_over_preview(self, pending: PendingUtterance) -> None:
        """The utterance's job takes the preview's partial (if it shows in the same pane)."""
        p, self.preview = self.preview, None
        if p is None:
            return
        self._engine.end_preview(p.stream)
        lend(p, pending)

    def end_preview(self) -> None:
        """The open utterance ended without a job (too short), or recording stopped."""
        p, self.preview = self.preview, None
        if p is not None:
            self._engine.end_preview(p.stream)
            if p.handle is not None:
                p.pane.discard(p.handle)
