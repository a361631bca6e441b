"""Qt glue for live dictation in the window: record toggle / push-to-talk, level meter, text.

Size: over 350 lines: a recording's whole life on the GUI thread (start, push-to-talk, stop,
cancel, meter) and the session's and model thread's signals; who owns which partial region is
``app.core.dictation.regions``, committing a result ``commit``, saving a recording's text
``app.core.dictation.recording_texts``.

The ``DictationSession`` (app.audio.session) records on its own thread; a relay QObject
turns its callbacks into queued signals. Each utterance is submitted from the GUI thread
through the EngineBridge with the task/keywords in force at that moment
(``specs_provider()``); streamed tokens appear as a partial at the insertion point of the
pane for each task and the final text replaces them, joined to the text before it
(``app.core.text.text_join``). Jobs run in order on the model thread, so one utterance's text is
committed before the next one's first partial arrives.

Live preview (``preview=True``): while an utterance is open its audio goes to the bridge's
low-priority preview about every 0.5 s and the approximate text shows greyed, marked with
`` …``, at the insertion point of the transcript pane. Eager endpointing (``eager=True``, the
default): once the tail after the last speech has arrived the utterance is submitted as it
would be committed; its text replaces the preview in place, shown but not committed until the
pause confirms it (``confirms_eager``: no second run); if speech resumes first its job is
cancelled and the longer utterance's text replaces it in place. Only committed text reaches
``utteranceCommitted`` (what system-wide dictation pastes). Who owns which partial region
(jobs, preview, eager run, a retracted run's text) is ``app.core.dictation.regions``; this
class records, submits, commits and wires.

Wiring (app.ui.app): ``install(window, bridge, prefs)``, or build one with explicit providers.
"""

from __future__ import annotations

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
from app.core.dictation.recording_texts import RecordingTexts
from app.core.dictation.regions import SOURCE, PendingUtterance, UtteranceRegions
from app.core.errors import GraniteError
from app.core.text.postprocess import TextContext
from app.core.transcript import Task, TaskSpec
from app.system.permission_flow import MicrophoneGate
from app.ui.dictation.commit import commit_results
from app.ui.dictation.last_dictation import LastDictation
from app.ui.dictation.relay import make_relay
from app.workers.qt_engine import Bridge

log = logging.getLogger(__name__)

METER_INTERVAL_MS = 50  # ~20 Hz

SessionFactory = Callable[[DictationListener], DictationSession]
SpecsProvider = Callable[[], Sequence[TaskSpec]]
PanesProvider = Callable[[Sequence[TaskSpec]], Sequence[Any]]
#: Rules, spoken commands and keywords for an utterance's task (``app.core.text.postprocess``).
ContextProvider = Callable[[TaskSpec], TextContext]


def text_before_insertion(pane: Any) -> str:
    """The pane's text left of where dictated text goes (cursor or end, per insertion mode)."""
    text = str(pane.document.toPlainText())
    if getattr(pane, "insertion_mode", "cursor") == "end":
        return text
    return text[: int(pane.editor.textCursor().selectionEnd())]


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
        self._regions = UtteranceRegions(bridge, text_before_insertion)
        if preview_text is not None:
            preview_text.connect(self._on_preview_text)
        self._relay.utteranceReady.connect(self._on_utterance)
        self._relay.captureEvent.connect(self._on_capture_event)
        self._relay.sessionStopped.connect(self._on_stopped)
        self._session: DictationSession | None = None
        self._texts = RecordingTexts()
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
        return list(self._regions.jobs)

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
        self._regions.cancel_all()

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
        confirmed = self._regions.final(utt)
        if confirmed is None:
            self._submit(utt, eager=False)
            self._maybe_save_transcript()  # an eager job may have been dropped
        elif confirmed[1].results is not None:
            self._on_finished(confirmed[0], confirmed[1].results)

    @Slot(object)
    def _on_eager(self, utt: Utterance) -> None:
        eager = self._regions.eager_job
        if eager is not None:
            self._regions.retract(eager[1])
        self._submit(utt, eager=True)

    @Slot(int)
    def _on_eager_retracted(self, index: int) -> None:
        if self._regions.eager_retracted(index):
            self._maybe_save_transcript()

    def _submit(self, utt: Utterance, *, eager: bool) -> None:
        specs = tuple(self._specs())  # the task and keywords in force right now
        if not specs:
            return
        panes = list(self._panes(specs))
        session = self._session
        source = session.journal_path.stem if session and session.journal_path else SOURCE
        job = int(self._bridge.submit_audio(utt.audio, utt.start, specs, source))
        self._regions.add(job, PendingUtterance(utt, specs, panes, source, eager=eager))

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
        self._regions.end_preview()
        self._regions.drop_carry()  # every utterance has arrived (queued before this signal)
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
            self._texts.finished(summary.recording)
            self._maybe_save_transcript()
        self.sessionEnded.emit(summary)

    # --- live preview ------------------------------------------------------------------
    @Slot(object, bool)
    def _on_preview_audio(self, samples: np.ndarray, start: bool) -> None:
        self._bridge.submit_preview(self._regions.preview_stream(start), samples, start)

    @Slot(int, str)
    def _on_preview_text(self, stream: int, text: str) -> None:
        self._regions.preview_text(stream, text, self._preview_pane)

    def _preview_pane(self) -> tuple[Any, int] | None:
        """The transcript task's pane (the preview is in the spoken language), or None."""
        specs = tuple(self._specs())
        index = next((i for i, s in enumerate(specs) if s.task is Task.TRANSCRIBE), -1)
        panes = list(self._panes(specs)) if index >= 0 else []
        return (panes[index], index) if 0 <= index < len(panes) else None

    @Slot()
    def _end_preview(self) -> None:
        """The open utterance ended without a job (too short), or recording stopped."""
        self._regions.end_preview()

    # --- engine → panes --------------------------------------------------------------
    @Slot(int, int, str, float, float)
    def _on_partial(self, job: int, index: int, text: str, _start: float, _end: float) -> None:
        self._regions.partial(job, index, text)

    @Slot(int, object)
    def _on_finished(self, job: int, results: list[Any]) -> None:
        if self._regions.eager_finished(job, results):
            return  # shown now, committed once the pause confirms it
        pending = self._regions.jobs.pop(job, None)
        if pending is None:
            return
        done = commit_results(
            pending, results, self._regions, self._text_context, self.last, self.undo_last
        )
        if done.trimmed:
            self.utteranceTrimmed.emit()
        if done.segment is not None:
            first = done.segment.text.strip()
            self._texts.add(pending.source, first)
            self.utteranceCommitted.emit(done.segment)
            self.last.add(first, done.placed)
        elif done.placed:
            self.last.add("", done.placed)
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
        self._texts.save_complete(p.source for p in self._regions.jobs.values())

    @Slot(int, str)
    def _on_failed(self, job: int, message: str) -> None:
        if self._regions.failed(job) is None:
            return
        self.message.emit(message)
        self._maybe_save_transcript()

    def shutdown(self) -> None:
        """At exit: stop recording without tail and wait briefly for the journal to close."""
        if self._session is not None:
            self._session.stop(tail=False)
            self._session.wait(3.0)
