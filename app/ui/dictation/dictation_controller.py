"""Qt glue for live dictation in the window: record toggle / push-to-talk, level meter, text.

Size: over 300 lines: one utterance's life (preview → eager run → committed or retracted,
across every output pane) is one state machine on the GUI thread; its pieces already live
beside it (``relay``, ``parts``, ``text_tools``, ``recording_state``), and the rest shares
the pending-job table.

The ``DictationSession`` (app.audio.session) records on its own thread; a relay QObject
turns its callbacks into queued signals. Each utterance is submitted from the GUI thread
through the EngineBridge with the task/keywords in force at that moment
(``specs_provider()``); streamed tokens appear as a partial at the insertion point of the
pane for each task and the final text replaces them, joined to the text before it
(``app.core.text.text_join``). Jobs run in order on the model thread, so one utterance's text is
committed before the next one's first partial arrives.

Live preview (``preview=True``): while an utterance is open, the session hands its audio on
every ~0.5 s; it goes to the bridge's low-priority preview (one stream id per utterance) and
the approximate text appears greyed, marked with `` …``, at the insertion point of the
transcript pane (the first transcribe task; translation panes show nothing: the preview is in
the spoken language). The utterance's job takes over that partial region, so its exact
partials and final text replace the preview in place. A preview is only shown while no earlier
utterance is still being transcribed (its text must be in place first).

Eager endpointing (``eager=True``, the default): once the tail after the last speech has
arrived the session hands over the utterance as it would be committed; it is submitted at
once and its text replaces the preview in place, shown but not committed. When the pause
completes the session's final utterance confirms it (``confirms_eager``): no second run, the
text is committed (at once, or when the job finishes). If speech resumes first the eager job
is cancelled (stale results are dropped by job id) and its regions stay as they are until the
preview or the longer utterance's job takes them over in place: no flicker, and only committed
text reaches ``utteranceCommitted`` (what system-wide dictation pastes).

Wiring (app.ui.app): ``install(window, bridge, prefs)``, or build one with explicit providers.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

import numpy as np
from PySide6.QtCore import QObject, QTimer, Signal, Slot
from PySide6.QtGui import QAction

from app.audio.capture import CaptureEvent
from app.audio.session import (
    DictationConfig,
    DictationListener,
    DictationSession,
    SessionSummary,
)
from app.core.dictation.endpointing import Utterance, endpoint_config
from app.core.errors import GraniteError
from app.core.storage.recordings import RecordingInfo
from app.core.text.postprocess import MARKS, TextContext, postprocess
from app.core.text.text_join import join_all, join_piece
from app.core.transcript import Segment, Task, TaskSpec
from app.system.permission_flow import MicrophoneGate
from app.ui.dictation.last_dictation import LastDictation
from app.ui.dictation.parts import (
    PendingUtterance,
    PreviewRegion,
    adopt,
    lend,
    text_before_insertion,
)
from app.ui.dictation.relay import make_relay
from app.workers.qt_engine import Bridge

log = logging.getLogger(__name__)

METER_INTERVAL_MS = 50  # ~20 Hz
SOURCE = "dictation"
PREVIEW_MARK = " …"  # after the approximate text: it is a preview, not yet the transcript

SessionFactory = Callable[[DictationListener], DictationSession]
SpecsProvider = Callable[[], Sequence[TaskSpec]]
PanesProvider = Callable[[Sequence[TaskSpec]], Sequence[Any]]
#: Rules, spoken commands and keywords for an utterance's task (``app.core.text.postprocess``).
ContextProvider = Callable[[TaskSpec], TextContext]


class DictationController(QObject):
    recordingChanged = Signal(bool)
    levelChanged = Signal(float, float)  # rms dBFS, peak dBFS
    overflowsChanged = Signal(int)
    message = Signal(str)  # one-line capture notices and errors
    #: A warning that holds only while it is true ("only digital silence"); ``noticeCleared``
    #: withdraws it (real sound arrived, or the recording ended).
    notice = Signal(str)
    noticeCleared = Signal()
    utteranceCommitted = Signal(object)  # Segment (the first task's text)
    utteranceRemoved = Signal()  # the last committed utterance was undone ("scratch that")
    utteranceTrimmed = Signal()  # its final mark was replaced by a spoken one ("question mark")
    sessionEnded = Signal(object)  # SessionSummary

    def __init__(
        self,
        bridge: Bridge,
        specs_provider: SpecsProvider,
        panes_provider: PanesProvider,
        *,
        session_factory: SessionFactory | None = None,
        config: DictationConfig | None = None,
        parent: QObject | None = None,
        preview: bool = True,
        text_context: ContextProvider | None = None,
        eager: bool = True,
    ) -> None:
        super().__init__(parent)
        self._text_context = text_context or (lambda spec: TextContext(keep=spec.keywords))
        self.last = LastDictation()
        self._bridge = bridge
        self._specs = specs_provider
        self._panes = panes_provider
        self.config = config or DictationConfig()
        self._factory = session_factory or (lambda lis: DictationSession(lis, self.config))
        preview_text = getattr(bridge, "previewText", None)
        self.show_preview = preview and preview_text is not None
        self._relay = make_relay(self, preview=self.show_preview, eager=eager)
        self._relay.previewAudio.connect(self._on_preview_audio)
        self._relay.previewEnded.connect(self._end_preview)
        self._relay.eagerReady.connect(self._on_eager)
        self._relay.eagerRetracted.connect(self._on_eager_retracted)
        self._preview: PreviewRegion | None = None
        self._eager_job: tuple[int, int] | None = None  # (utterance index, job id) unconfirmed
        self._carry: PendingUtterance | None = (
            None  # regions of a retracted eager job, kept in place
        )
        self._streams = itertools.count(1)
        if preview_text is not None:
            preview_text.connect(self._on_preview_text)
        self._relay.utteranceReady.connect(self._on_utterance)
        self._relay.captureEvent.connect(self._on_capture_event)
        self._relay.sessionStopped.connect(self._on_stopped)
        self._session: DictationSession | None = None
        self._jobs: dict[int, PendingUtterance] = {}
        self._texts: dict[str, list[str]] = {}  # recording id -> committed texts
        self._finished_recordings: dict[str, RecordingInfo] = {}
        self._action: QAction | None = None
        self._overflows = -1
        #: Asks for microphone access before a stream opens (the app shell sets it).
        self.microphone: MicrophoneGate | None = None
        self._timer = QTimer(self)
        self._timer.setInterval(METER_INTERVAL_MS)
        self._timer.timeout.connect(self._poll_meter)
        bridge.jobPartial.connect(self._on_partial)
        bridge.jobFinished.connect(self._on_finished)
        bridge.jobFailed.connect(self._on_failed)

    # --- control ---------------------------------------------------------------------
    def attach_action(self, action: QAction) -> None:
        """A checkable action (the Record button) toggles recording and mirrors its state."""
        self._action = action
        action.toggled.connect(self._on_toggled)

    @property
    def recording(self) -> bool:
        return self._session is not None and self._session.recording

    @property
    def pending_jobs(self) -> list[int]:
        return list(self._jobs)

    @Slot()
    def start(self, retry: Callable[[], None] | None = None) -> bool:
        """Open the microphone and record. False when it cannot now: while the system asks
        for microphone access, ``retry`` (default: this method) runs once the user allows."""
        if self.recording:
            return True
        if self.microphone is not None and not self.microphone.check(retry or self._start_again):
            self._set_checked(False)
            return False
        session = self._factory(self._relay)
        try:
            session.start()
        except GraniteError as err:
            self.message.emit(str(err))
            self._set_checked(False)
            return False
        self._session = session
        self._overflows = -1
        self._timer.start()
        self._set_checked(True)
        self.recordingChanged.emit(True)
        return True

    def _start_again(self) -> None:
        self.start()

    @Slot()
    def stop(self, tail: bool = True) -> None:
        if self._session is not None:
            self._session.stop(tail=tail)

    @Slot()
    def toggle(self) -> None:
        if self.recording:
            self.stop()
        else:
            self.start()

    @Slot()
    def cancel(self) -> None:
        """Stop at once (no tail) and drop every utterance not yet transcribed."""
        if self._session is not None:
            self._session.stop(tail=False)
        for job, pending in list(self._jobs.items()):
            self._bridge.cancel(job)
            self._discard(pending)
        self._jobs.clear()
        self._eager_job = None
        self._drop_carry()
        self._end_preview()

    @Slot(bool)
    def push_to_talk(self, pressed: bool) -> None:
        """Key down starts recording, key up stops it (the open utterance keeps its tail)."""
        if pressed:
            self.start()
        else:
            self.stop(tail=True)

    def apply_preferences(self, prefs: Any) -> None:
        """Input device, end-of-utterance pause, longest chunk and live preview; apply from
        the next recording (``prefs`` is an ``app.core.preferences.Preferences``)."""
        endpoint = endpoint_config(float(prefs.pause_s), float(prefs.max_chunk_s))
        self.config = replace(
            self.config,
            device=prefs.input_device or None,
            endpoint=endpoint,
            preview=bool(getattr(prefs, "live_preview", True)),
        )

    def _set_checked(self, on: bool) -> None:
        if self._action is not None and self._action.isChecked() != on:
            self._action.blockSignals(True)
            self._action.setChecked(on)
            self._action.blockSignals(False)

    @Slot(bool)
    def _on_toggled(self, on: bool) -> None:
        if on:
            self.start()
        else:
            self.stop()

    @Slot()
    def _poll_meter(self) -> None:
        session = self._session
        if session is None:
            return
        level = session.level
        self.levelChanged.emit(level.rms_db, level.peak_db)
        if session.overflows != self._overflows:
            self._overflows = session.overflows
            self.overflowsChanged.emit(self._overflows)

    # --- session → GUI ---------------------------------------------------------------
    @Slot(object)
    def _on_utterance(self, utt: Utterance) -> None:
        eager, self._eager_job = self._eager_job, None
        pending = self._jobs.get(eager[1]) if eager and eager[0] == utt.index else None
        if pending is not None and utt.confirms_eager:
            self._confirm(eager[1] if eager else 0, pending)
            return
        if eager is not None:  # not the eager utterance after all (should not happen)
            self._retract(eager[1])
        self._submit(utt, eager=False)

    @Slot(object)
    def _on_eager(self, utt: Utterance) -> None:
        if self._eager_job is not None:
            self._retract(self._eager_job[1])
        job = self._submit(utt, eager=True)
        self._eager_job = None if job is None else (utt.index, job)

    @Slot(int)
    def _on_eager_retracted(self, index: int) -> None:
        eager, self._eager_job = self._eager_job, None
        if eager is not None and eager[0] == index:
            self._retract(eager[1])

    def _submit(self, utt: Utterance, *, eager: bool) -> int | None:
        specs = tuple(self._specs())  # the task and keywords in force right now
        if not specs:
            return None
        panes = list(self._panes(specs))
        session = self._session
        source = session.journal_path.stem if session and session.journal_path else SOURCE
        job = int(self._bridge.submit_audio(utt.audio, utt.start, specs, source))
        pending = PendingUtterance(utt, specs, panes, source, eager=eager)
        self._jobs[job] = pending
        self._adopt_carry(pending)
        if eager:
            self._lend_preview(pending)
        else:
            self._hand_over_preview(pending)
        return job

    def _confirm(self, job: int, pending: PendingUtterance) -> None:
        """The pause completed: the eager run is the final one."""
        pending.eager = False
        self._hand_over_preview(pending)
        if pending.results is not None:
            self._on_finished(job, pending.results)

    def _retract(self, job: int) -> None:
        """Speech resumed: drop the eager run, keep its regions (and text) in place."""
        pending = self._jobs.pop(job, None)
        self._bridge.cancel(job)
        if pending is None:
            return
        p = self._preview
        if p is not None and p.lent and p.index in pending.handles:
            p.handle, p.lent = pending.handles.pop(p.index), False
            p.before = pending.before.pop(p.index)
        self._drop_carry()
        self._carry = pending
        self._maybe_save_transcript()

    def _adopt_carry(self, pending: PendingUtterance) -> None:
        carry, self._carry = self._carry, None
        if carry is not None:
            adopt(carry, pending)

    def _drop_carry(self) -> None:
        carry, self._carry = self._carry, None
        if carry is not None:
            self._discard(carry)

    @Slot(object)
    def _on_capture_event(self, event: CaptureEvent) -> None:
        if event.kind == "input_restored":
            self.noticeCleared.emit()
        elif event.kind == "silent_input":
            self.notice.emit(event.message)
        else:
            self.message.emit(event.message)

    @Slot(object)
    def _on_stopped(self, summary: SessionSummary) -> None:
        self._timer.stop()
        self.levelChanged.emit(-120.0, -120.0)
        self._set_checked(False)
        self.recordingChanged.emit(False)
        self.noticeCleared.emit()
        self._end_preview()
        self._drop_carry()  # every utterance has arrived (queued before this signal)
        log.info(
            "dictation session ended: %.1f s, %d utterances", summary.seconds, summary.utterances
        )
        cost = getattr(self._bridge, "preview_cost", None)
        if self.show_preview and cost is not None and cost[0] > 0:
            log.info(
                "live preview so far: %.1f s of audio in %d updates, %.2f s compute per audio s",
                cost[0],
                cost[2],
                cost[1] / cost[0],
            )
        if summary.recording is not None:
            self._finished_recordings[summary.recording.id] = summary.recording
            self._maybe_save_transcript()
        self.sessionEnded.emit(summary)

    # --- live preview ------------------------------------------------------------------
    @Slot(object, bool)
    def _on_preview_audio(self, samples: np.ndarray, start: bool) -> None:
        if start or self._preview is None:
            self._end_preview()
            self._preview = PreviewRegion(next(self._streams))
        self._bridge.submit_preview(self._preview.stream, samples, start)

    @Slot(int, str)
    def _on_preview_text(self, stream: int, text: str) -> None:
        p = self._preview
        text = text.strip()
        if p is None or p.stream != stream or self._jobs or p.lent or not text:
            return  # stale, or an earlier utterance's text is not in place yet
        if p.handle is None:
            specs = tuple(self._specs())
            index = next((i for i, s in enumerate(specs) if s.task is Task.TRANSCRIBE), -1)
            panes = list(self._panes(specs)) if index >= 0 else []
            if not 0 <= index < len(panes):
                return  # no transcript task (a translation only): nothing to show
            p.pane, p.index = panes[index], index
            carry = self._carry  # a retracted eager run's text: the preview goes on there
            if carry is not None and index in carry.handles and carry.panes[index] is p.pane:
                p.handle, p.before = carry.handles.pop(index), carry.before.pop(index)
            else:
                p.before = text_before_insertion(p.pane)
                p.handle = int(p.pane.begin_partial(SOURCE))
        p.pane.update_partial(p.handle, join_piece(p.before, text) + PREVIEW_MARK)

    def _hand_over_preview(self, pending: PendingUtterance) -> None:
        """The utterance's job takes the preview's partial (if it shows in the same pane)."""
        p, self._preview = self._preview, None
        if p is None:
            return
        self._bridge.end_preview(p.stream)
        lend(p, pending)

    def _lend_preview(self, pending: PendingUtterance) -> None:
        """An eager job shows its text in the preview's partial; the preview goes on (the
        utterance is still open) and gets the partial back if speech resumes."""
        p = self._preview
        if p is not None and not p.lent:
            p.lent = lend(p, pending)

    @Slot()
    def _end_preview(self) -> None:
        """The open utterance ended without a job (too short), or recording stopped."""
        p, self._preview = self._preview, None
        if p is not None:
            self._bridge.end_preview(p.stream)
            if p.handle is not None:
                p.pane.discard(p.handle)

    # --- engine → panes --------------------------------------------------------------
    def _pane(self, pending: PendingUtterance, index: int) -> Any | None:
        return pending.panes[index] if 0 <= index < len(pending.panes) else None

    def _open(self, pending: PendingUtterance, index: int, pane: Any) -> int:
        if index not in pending.handles:
            pending.before[index] = text_before_insertion(pane)
            pending.handles[index] = int(pane.begin_partial(SOURCE))
        return pending.handles[index]

    def _keep(self, pending: PendingUtterance, index: int) -> tuple[str, ...]:
        return pending.specs[index].keywords if index < len(pending.specs) else ()

    @Slot(int, int, str, float, float)
    def _on_partial(self, job: int, index: int, text: str, _start: float, _end: float) -> None:
        pending = self._jobs.get(job)
        pane = self._pane(pending, index) if pending else None
        if pending is None or pane is None:
            return
        handle = self._open(pending, index, pane)
        shown = join_piece(pending.before[index], text, self._keep(pending, index))
        pane.update_partial(handle, shown)

    @Slot(int, object)
    def _on_finished(self, job: int, results: list[Any]) -> None:
        pending = self._jobs.get(job)
        if pending is not None and pending.eager:
            pending.results = results  # shown now, committed once the pause confirms it
            for index, result in enumerate(results):
                self._on_partial(job, index, str(result.text), 0.0, 0.0)
            return
        pending = self._jobs.pop(job, None)
        if pending is None:
            return
        utt = pending.utt
        placed: list[tuple[Any, int]] = []
        first = ""
        dropped = False  # the first task's text was only a command ("scratch that")
        for index, result in enumerate(results):
            pane = self._pane(pending, index)
            if pane is None:
                continue
            text = str(result.text)
            handle = self._open(pending, index, pane)
            spec = pending.specs[index] if index < len(pending.specs) else TaskSpec()
            edit = postprocess(text, pending.before[index], self._text_context(spec))
            if index == 0 and edit.scratch_previous:
                self.undo_last()
            if index == 0 and edit.replace_mark and self.last.trim_mark(MARKS):
                edit = replace(edit, text=edit.text.lstrip(" "))
                self.utteranceTrimmed.emit()
            dropped = dropped or (index == 0 and bool(text.strip()) and not edit.text)
            if not edit.text.strip(" ") or dropped:
                pane.discard(handle)
                continue
            segment = Segment(utt.start, utt.end, edit.text, pending.source)
            placed.append((pane, pane.commit(handle, segment)))
            if index == 0:
                first = edit.text.strip()
                self._texts.setdefault(pending.source, []).append(first)
                self.utteranceCommitted.emit(segment)
        if placed:
            self.last.add(first, placed)
        self._maybe_save_transcript()

    def undo_last(self) -> bool:
        """Remove the last dictated utterance where it is unchanged (Edit → Undo Last
        Dictation, "scratch that"); ``False`` if there is none or it was edited."""
        if not self.last.undo():
            return False
        self.utteranceRemoved.emit()
        return True

    def _maybe_save_transcript(self) -> None:
        """Once a finished recording has no job left, keep its text in its sidecar."""
        for rec_id, info in list(self._finished_recordings.items()):
            if any(p.source == rec_id for p in self._jobs.values()):
                continue
            del self._finished_recordings[rec_id]
            texts = self._texts.pop(rec_id, [])
            if not texts:
                continue
            info.transcript = join_all(texts)
            try:
                info.save()
            except OSError as err:
                log.warning("cannot store the transcript of %s: %s", rec_id, err)

    @Slot(int, str)
    def _on_failed(self, job: int, message: str) -> None:
        pending = self._jobs.pop(job, None)
        if pending is None:
            return
        if self._eager_job is not None and self._eager_job[1] == job:
            self._eager_job = None  # the final utterance will be run again
        self._discard(pending)
        self.message.emit(message)
        self._maybe_save_transcript()

    def _discard(self, pending: PendingUtterance) -> None:
        for index, handle in pending.handles.items():
            pane = self._pane(pending, index)
            if pane is not None:
                pane.discard(handle)

    def shutdown(self) -> None:
        """At exit: stop recording without tail and wait briefly for the journal to close."""
        if self._session is not None:
            self._session.stop(tail=False)
            self._session.wait(3.0)
