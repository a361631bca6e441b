"""File transcription jobs: submit to the bridge, stream results into one tab per file.

Only jobs submitted here are handled; other jobs on the same bridge (live dictation) are
ignored. Partial text streams greyed at the end of the file's panes (one pane per output) and
is replaced by each final segment; results of cancelled jobs are dropped.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from app.core.chunking.segmentation import SegmentationConfig
from app.core.queue_model import name_once
from app.core.storage.pending_jobs import PendingJob, PendingStore
from app.core.text.document import Document, OutputText, output_label
from app.core.text.no_speech import no_speech_message
from app.core.text.postprocess import apply_rules_to_result
from app.core.text.rules import Rule, apply_rules
from app.core.text.titles import file_title, task_summary
from app.core.transcript import Segment, TaskSpec, TranscriptResult
from app.ui.editor.document_tabs import DocumentTabs, DocumentView
from app.workers.qt_engine import Bridge

log = logging.getLogger(__name__)

#: Partial text arrives once per token and in bursts; the panes show the latest text at most
#: this often, so a burst costs one update instead of dozens (event-loop stalls).
PARTIAL_INTERVAL_MS = 40


@dataclass
class FileJob:
    path: str
    specs: tuple[TaskSpec, ...]
    max_chunk_s: float = 30.0
    view: DocumentView | None = None
    #: The document it writes into (an autosaved tab when resumed) and how far its text reaches.
    doc_id: str = ""
    done_until: float = 0.0
    #: task index → (partial handle, text inserted before the partial/segment)
    partials: dict[int, tuple[int, str]] = field(default_factory=dict)
    #: task index → chunk start → latest partial text. Batched steps decode several chunks in
    #: lockstep, so partials interleave; the pane shows the earliest uncommitted chunk only.
    pending: dict[int, dict[float, str]] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return os.path.basename(self.path)


class FileJobs(QObject):
    """Submits files and routes the bridge's job signals for them into document tabs."""

    jobAdded = Signal(str, int)  # path, job_id (the order of QueuePanel.add)
    jobTask = Signal(int, str)  # job_id, "Transcribe" / "Translate → French" (after jobAdded)
    jobProgress = Signal(int, float, float)  # job_id, done, total
    jobDone = Signal(int)  # job_id
    jobNoSpeech = Signal(int, str)  # job_id, "No speech found…" (just before jobDone)
    jobFailed = Signal(int, str)  # job_id, one-line message
    jobCancelled = Signal(int)

    def __init__(
        self,
        bridge: Bridge,
        tabs: DocumentTabs,
        seg_cfg: Callable[[], SegmentationConfig],
        parent: QObject | None = None,
        rules: Callable[[], Sequence[Rule]] = tuple,
        store: PendingStore | None = None,
    ) -> None:
        super().__init__(parent)
        self._store = store  # unfinished jobs, resumed at the next start
        self._rules = rules  # replacement rules for file text ("rules on files" chosen)
        self.bridge = bridge
        self.tabs = tabs
        self._seg_cfg = seg_cfg
        self.jobs: dict[int, FileJob] = {}
        self._dirty: set[tuple[int, int]] = set()  # (job id, task index) with new partial text
        self._flush_timer = QTimer(self)
        self._flush_timer.setSingleShot(True)
        self._flush_timer.setInterval(PARTIAL_INTERVAL_MS)
        self._flush_timer.timeout.connect(self._flush_partials)
        bridge.jobProgress.connect(self._on_progress)
        bridge.jobPartial.connect(self._on_partial)
        bridge.jobSegment.connect(self._on_segment)
        bridge.jobFinished.connect(self._on_finished)
        bridge.jobFailed.connect(self._on_failed)

    def submit(self, path: str, specs: Sequence[TaskSpec]) -> int:
        cfg = self._seg_cfg()
        job_id: int = self.bridge.submit_file(path, list(specs), cfg)
        self.jobs[job_id] = FileJob(path, tuple(specs), cfg.max_chunk_s)
        self.jobAdded.emit(path, job_id)
        self.jobTask.emit(job_id, task_summary(specs))
        self._persist()
        return job_id

    def resume(self, pending: PendingJob, view: DocumentView | None) -> int:
        """Submit an unfinished job again from where its text reaches, into its old tab."""
        cfg = SegmentationConfig(max_chunk_s=pending.max_chunk_s)
        job_id: int = self.bridge.submit_file(
            pending.path, list(pending.specs), cfg, resume_after=pending.done_until
        )
        job = FileJob(pending.path, pending.specs, pending.max_chunk_s, view)
        job.doc_id, job.done_until = pending.doc_id, pending.done_until
        self.jobs[job_id] = job
        self.jobAdded.emit(pending.path, job_id)
        self.jobTask.emit(job_id, task_summary(pending.specs))
        self._persist()
        return job_id

    def cancel(self, job_id: int) -> None:
        job = self.jobs.pop(job_id, None)
        if job is None:
            return
        self.bridge.cancel(job_id)
        self._drop_partials(job)
        self.jobCancelled.emit(job_id)
        self._persist()

    def shutdown(self) -> None:
        """At quit: stop every job but keep them listed for the next start (their tabs stay
        marked partial)."""
        for job_id, job in list(self.jobs.items()):
            self.bridge.cancel(job_id)
            self._drop_partials(job)
        self.jobs.clear()

    def _persist(self) -> None:
        if self._store is None:
            return
        jobs = [
            PendingJob(j.path, j.specs, j.max_chunk_s, j.doc_id, j.done_until)
            for j in self.jobs.values()
        ]
        try:
            self._store.save(jobs)
        except OSError as exc:
            log.warning("Could not save the unfinished files list: %s", exc)

    @Slot(object)
    def forget_view(self, view: DocumentView) -> None:
        """A result tab was closed: cancel the jobs still writing into it."""
        for job_id, job in list(self.jobs.items()):
            if job.view is view:
                job.view = None
                self.cancel(job_id)

    def writing_into(self, view: DocumentView) -> bool:
        """Whether a running job streams its text into ``view``."""
        return any(job.view is view for job in self.jobs.values())

    def active(self) -> list[int]:
        return list(self.jobs)

    def _view(self, job: FileJob) -> DocumentView:
        if job.view is None or self.tabs.indexOf(job.view) < 0:
            outputs = [OutputText(output_label(s), s) for s in job.specs]
            title = file_title(job.path, job.specs)
            doc = Document(title=title, outputs=outputs, source=job.path)
            job.view = self.tabs.open_document(doc)
        if job.doc_id != job.view.doc_id:
            job.doc_id = job.view.doc_id
            self._persist()
        job.view.set_partial(True)
        return job.view

    def _drop_partials(self, job: FileJob) -> None:
        if job.view is None or self.tabs.indexOf(job.view) < 0:
            return
        for index, (handle, _) in job.partials.items():
            job.view.panes[index].discard(handle)
        job.partials.clear()
        job.pending.clear()

    @Slot(int, float, float)
    def _on_progress(self, job_id: int, done: float, total: float) -> None:
        if job_id in self.jobs:
            self.jobProgress.emit(job_id, done, total)

    @Slot(int, int, str, float, float)
    def _on_partial(self, job_id: int, index: int, text: str, start: float, _end: float) -> None:
        job = self.jobs.get(job_id)
        if job is None or not 0 <= index < len(job.specs):
            return
        job.pending.setdefault(index, {})[start] = text
        self._dirty.add((job_id, index))
        if not self._flush_timer.isActive():
            self._flush_timer.start()

    @Slot()
    def _flush_partials(self) -> None:
        dirty, self._dirty = self._dirty, set()
        for job_id, index in sorted(dirty):
            job = self.jobs.get(job_id)
            pending = job.pending.get(index) if job is not None else None
            if job is None or not pending:
                continue
            # Batched steps interleave chunks: show the earliest uncommitted one only.
            self._show_partial(job, index, pending[min(pending)])

    def _show_partial(self, job: FileJob, index: int, text: str) -> None:
        pane = self._view(job).panes[index]
        if index not in job.partials:
            lead = "" if pane.document.isEmpty() else "\n"
            job.partials[index] = (pane.begin_partial(job.name, at_end=True, lead=lead), "")
        handle, prefix = job.partials[index]
        pane.update_partial(handle, prefix + text)

    @Slot(int, int, object)
    def _on_segment(self, job_id: int, index: int, segment: Segment) -> None:
        job = self.jobs.get(job_id)
        if job is None or not 0 <= index < len(job.specs) or not segment.text.strip():
            return
        pending = job.pending.get(index, {})
        for start in [s for s in pending if s <= segment.start]:
            del pending[start]
        if pending:  # the next chunk of a batched step already streamed: show it next
            self._dirty.add((job_id, index))
            self._flush_timer.start()
        pane = self._view(job).panes[index]
        handle, prefix = job.partials.pop(index, (0, "" if pane.document.isEmpty() else "\n"))
        text = apply_rules(segment.text.strip(), self._rules())
        final = Segment(segment.start, segment.end, prefix + text, segment.source)
        if handle:
            pane.commit(handle, final)
        else:
            pane.insert_segment(final, at_end=True)
        if segment.end > job.done_until:
            job.done_until = segment.end
            self._persist()

    @Slot(int, object)
    def _on_finished(self, job_id: int, results: list[TranscriptResult]) -> None:
        job = self.jobs.pop(job_id, None)
        if job is None:
            return
        self._drop_partials(job)
        view = self._view(job)
        rules = self._rules()
        results = [apply_rules_to_result(r, rules) for r in results]
        for pane, result in zip(view.panes, results, strict=False):
            if pane.document.isEmpty() and result.segments:
                pane.append_segments(result.segments)
            pane.record_result(result)
        view.set_partial(False)
        self._persist()
        if job.done_until == 0 and all(not r.segments for r in results):
            message = no_speech_message(job.specs)
            for pane in view.panes:
                pane.editor.setPlaceholderText(f"{job.name}: {message}")
            self.jobNoSpeech.emit(job_id, message)
        self.jobDone.emit(job_id)

    @Slot(int, str)
    def _on_failed(self, job_id: int, message: str) -> None:
        job = self.jobs.pop(job_id, None)
        if job is None:
            return
        self._drop_partials(job)
        self._persist()
        self.jobFailed.emit(job_id, name_once(job.name, message))
