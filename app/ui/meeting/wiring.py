"""Meeting mode in the window: a Meeting toolbar button and menu, the live document, the
subtitle window and speaker renaming. ``install_meeting`` is called by the composition root.

Starting a meeting opens a new document tab ("Meeting HH:MM") with the transcript and, when
the toolbar asks for a translation, the other side's translation side by side; each finished
line lands in it coloured by speaker. Stopping ends both captures; the lines still being
transcribed arrive, the document stays (autosaved, exportable with speakers) and both tracks
stay in the recordings folder.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from functools import partial
from pathlib import Path

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QInputDialog, QMessageBox

from app.audio.meeting.meeting import MeetingSummary
from app.audio.meeting.system_audio import AudioSource, open_meeting_sources
from app.core.meeting.model import MeetingLine
from app.core.model_state import ModelState
from app.core.preferences import Preferences
from app.core.text.document import Document, OutputText
from app.core.transcript import Segment, Task, TaskSpec, TranscriptResult
from app.ui.editor.document_tabs import DocumentView
from app.ui.meeting.meeting_controller import MeetingController, SourcesFactory
from app.ui.meeting.speaker_model import (
    BANNER_SOURCE,
    ask_speaker_folder,
    folder_problem,
    store_speaker_model,
)
from app.ui.meeting.subtitle_window import SubtitleWindow
from app.ui.window.main_window import MainWindow
from app.workers.qt_engine import Bridge
from app.workers.speakers import DiarizerLoader, SpeakerDetector, file_speakers_work

log = logging.getLogger(__name__)


class DownloadRelay(QObject):
    """Download progress reported on the model thread, queued to the GUI thread."""

    progress = Signal(object, object)  # bytes done, total (Python ints)

    def report(self, done: int, total: int) -> None:
        self.progress.emit(done, total)


class MeetingUi(QObject):
    def __init__(
        self, window: MainWindow, controller: MeetingController, speaker_model: str | None = None
    ) -> None:
        super().__init__(window)
        self.window, self.controller = window, controller
        self.view: DocumentView | None = None
        self.action = QAction("&Meeting", window)
        self.action.setCheckable(True)
        self.action.setEnabled(False)
        self.action.setToolTip("Record both sides of a call: who said what")
        self.action.setStatusTip(self.action.toolTip())
        self.subtitles_action = QAction("&Subtitles Window", window)
        self.subtitles_action.setCheckable(True)
        self.subtitles_action.setStatusTip("The other side's latest line, always on top")
        self.detect_action = QAction("&Detect Speakers", window)
        self.detect_action.setStatusTip("Label who speaks each part of this file's transcript")
        self.detect_action.setEnabled(False)
        self.download_action = QAction("Download Spea&ker Model…", window)
        self.download_action.setStatusTip("Download the speaker model (Sortformer) once")
        self.choose_action = QAction("Choose Speaker Model &Folder…", window)
        self.choose_action.setStatusTip("Use a speaker model (Sortformer) from a local folder")
        self.rename_action = QAction("&Rename Speaker…", window)
        self.rename_action.setStatusTip("Rename a speaker everywhere in this document")
        menu = window.menuBar().addMenu("&Meeting")
        menu.addActions([self.action, self.subtitles_action])
        menu.addSeparator()
        menu.addActions([self.detect_action, self.rename_action, self.download_action])
        menu.addAction(self.choose_action)
        self.speaker_model = speaker_model
        self._model_ready = False
        #: Asks for a speaker model folder (tests replace it).
        self.ask_folder: Callable[[], str | None] = partial(ask_speaker_folder, window)
        self.choose_action.triggered.connect(lambda _checked=False: self.choose_folder())
        window.preferencesApplied.connect(self._on_preferences)
        #: Asks before downloading (tests replace it).
        self.ask_download: Callable[[str], bool] = self._ask_download
        self._progress = DownloadRelay(self)
        self._progress.progress.connect(self._on_download_progress)
        self._download_job: int | None = None
        self.download_action.triggered.connect(lambda _checked=False: self.download_model())
        self.detector = (
            SpeakerDetector(speaker_model, allow_download=False, loader=controller.speaker_loader)
            if speaker_model
            else None
        )
        self._detect_jobs: dict[int, DocumentView] = {}
        self.detect_action.triggered.connect(lambda _checked=False: self.detect_speakers())
        window.bridge.jobFinished.connect(self._on_detected)
        window.bridge.jobFailed.connect(self._on_detect_failed)
        window.toolbar.addAction(self.action)
        self.subtitles = SubtitleWindow(window)
        self.action.toggled.connect(self._toggle)
        self.subtitles_action.toggled.connect(self.subtitles.setVisible)
        self.rename_action.triggered.connect(lambda _checked=False: self.rename_dialog())
        window.bridge.modelStateChanged.connect(self._on_model_state)
        controller.lineReady.connect(self._on_line)
        controller.runningChanged.connect(self._on_running)
        controller.message.connect(window.show_status)
        controller.finished.connect(self._on_finished)

    @Slot(object, str)
    def _on_model_state(self, state: object, _message: str) -> None:
        self._model_ready = state == ModelState.READY
        self.action.setEnabled(self._model_ready or self.controller.running)
        self.detect_action.setEnabled(self._model_ready and self.detector is not None)

    def choose_folder(self) -> None:
        """Ask for a speaker model folder; a usable one becomes the preference, a bad one
        gives one line in the banner."""
        path = self.ask_folder()
        if path is None:
            return
        problem = folder_problem(path)
        if problem is not None:
            self.window.banner.show_message(problem, BANNER_SOURCE)
            return
        self.window.banner.clear_if(BANNER_SOURCE)
        store_speaker_model(self.window, path)
        self.window.show_status(f"Speaker model: {path}")

    @Slot(object)
    def _on_preferences(self, prefs: Preferences) -> None:
        self.set_speaker_model(prefs.speaker_model)

    def set_speaker_model(self, spec: str | None) -> None:
        """Later meetings, Detect Speakers and Download Speaker Model… use ``spec``."""
        if spec == self.speaker_model:
            return
        self.speaker_model = spec
        self.controller.set_speaker_model(spec)
        loader = self.controller.speaker_loader
        self.detector = SpeakerDetector(spec, allow_download=False, loader=loader) if spec else None
        self.detect_action.setEnabled(self._model_ready and self.detector is not None)

    @Slot(bool)
    def _toggle(self, on: bool) -> None:
        if on == self.controller.running:
            return
        if not on:
            self.controller.stop()
            return
        spoken, translate = self._specs()
        outputs = [OutputText("Transcript", spoken)]
        if translate is not None:
            outputs.append(OutputText(f"Translation ({translate.target_language})", translate))
        title = f"Meeting {datetime.now():%H:%M}"
        self.view = self.window.tabs.open_document(Document(title=title, outputs=outputs))
        if not self.controller.start(spoken, translate):
            self._set_checked(False)

    def _specs(self) -> tuple[TaskSpec, TaskSpec | None]:
        task, target = self.window.toolbar.task()
        language = self.window.toolbar.spoken_language()
        spoken = TaskSpec(Task.TRANSCRIBE, language)
        if task is Task.TRANSLATE and target:
            return spoken, TaskSpec(Task.TRANSLATE, language, target)
        return spoken, None

    @Slot(object)
    def _on_line(self, line: MeetingLine) -> None:
        view = self.view
        if view is None or view not in self.window.tabs.views():
            return  # the meeting's tab was closed: the tracks are still recorded
        side = line.side.value
        view.panes[0].append_segments(
            [Segment(line.start, line.end, line.text, side, line.speaker)]
        )
        if line.translation and len(view.panes) > 1:
            view.panes[1].append_segments(
                [Segment(line.start, line.end, line.translation, side, line.speaker)]
            )
        self.subtitles.show_line(line)

    @Slot(bool)
    def _on_running(self, running: bool) -> None:
        self._set_checked(running)

    @Slot(object)
    def _on_finished(self, summary: MeetingSummary) -> None:
        kept = [str(i.wav) for i in summary.tracks.values() if i is not None]
        note = f"Meeting ended: {summary.seconds:.0f} s, {summary.utterances} line(s)"
        self.window.show_status(note + (f"; both tracks kept ({', '.join(kept)})" if kept else ""))
        if summary.error:
            self.window.show_error(summary.error)

    def _set_checked(self, on: bool) -> None:
        self.action.blockSignals(True)
        self.action.setChecked(on)
        self.action.blockSignals(False)

    def _ask_download(self, spec: str) -> bool:
        answer = QMessageBox.question(
            self.window,
            "Download Speaker Model",
            f"Download the speaker model {spec} (about 250 MB) from Hugging Face? It runs on "
            "this computer; meetings and Detect Speakers use it to tell speakers apart.",
        )
        return answer == QMessageBox.StandardButton.Yes

    def download_model(self) -> None:
        """With consent: download (with progress in the status bar) and load the speaker model
        on the model thread; later meetings and Detect Speakers find it on disk."""
        spec = self.speaker_model
        if not spec or self._download_job is not None or not self.ask_download(spec):
            return
        detector = SpeakerDetector(spec, on_progress=self._progress.report)
        self._download_job = self.window.bridge.submit_work(detector.load_work())
        self.window.show_status(f"Getting the speaker model {spec}…")

    @Slot(object, object)
    def _on_download_progress(self, done: int, total: int) -> None:
        self.window.show_status(
            f"Downloading the speaker model: {done / 1e6:.0f} / {total / 1e6:.0f} MB"
        )

    def detect_speakers(self) -> None:
        """Label the current file transcript's segments with their speakers (Sortformer on
        the model thread; the file is decoded there too); a segment where the speaker changes
        is transcribed again per speaker turn, in every column."""
        view = self.window.current_view()
        doc = view.to_document()
        results = [TranscriptResult(o.spec, o.timed_segments()) for o in doc.outputs]
        if self.detector is None or not doc.source or not Path(doc.source).is_file():
            self.window.show_status("Detect Speakers works on the transcript of an audio file.")
            return
        if not results or not results[0].segments:
            self.window.show_status("This transcript has no timed segments yet.")
            return
        work = file_speakers_work(self.detector, doc.source, results)
        self._detect_jobs[self.window.bridge.submit_work(work)] = view
        self.window.show_status(f"Detecting speakers in {Path(doc.source).name}…")

    @Slot(int, object)
    def _on_detected(self, job_id: int, results: list[TranscriptResult]) -> None:
        if job_id == self._download_job:
            self._download_job = None
            self.window.show_status("The speaker model is ready.")
            return
        view = self._detect_jobs.pop(job_id, None)
        if view is None or view not in self.window.tabs.views() or not results:
            return
        for pane, result in zip(view.panes, results, strict=False):
            pane.apply_speaker_turns(result.segments)
        found = sorted({s.speaker for s in results[0].segments if s.speaker})
        self.window.show_status(f"Speakers: {', '.join(found) or 'none found'}")

    @Slot(int, str)
    def _on_detect_failed(self, job_id: int, message: str) -> None:
        if job_id == self._download_job:
            self._download_job = None
            self.window.show_error(f"The speaker model could not be had: {message}")
        elif self._detect_jobs.pop(job_id, None) is not None:
            self.window.show_error(f"Speakers not detected: {message}")

    def rename_dialog(self) -> None:
        view = self.window.current_view()
        names = list(dict.fromkeys(n for pane in view.panes for n in pane.speakers()))
        if not names:
            self.window.show_status("This document has no speakers.")
            return
        old, ok = QInputDialog.getItem(self.window, "Rename Speaker", "Speaker:", names, 0, False)
        if not ok:
            return
        new, ok = QInputDialog.getText(self.window, "Rename Speaker", f"New name for {old}:")
        if ok:
            rename_speaker(view, old, new)


def rename_speaker(view: DocumentView, old: str, new: str) -> None:
    """``old`` becomes ``new`` in every pane of the document (and so in its exports): the
    same path as a click on the name in the document's speaker legend."""
    view.rename_speaker(old, new)


def install_meeting(
    window: MainWindow,
    bridge: Bridge,
    sources: SourcesFactory | None = None,
    journal_dir: Path | None = None,
    speaker_model: str | None = None,
    speaker_loader: DiarizerLoader | None = None,
) -> MeetingUi:
    """Meeting mode for ``window``; ``sources`` opens the microphone (the preferred input
    device) and the system audio unless a test passes fakes. The speaker model is the
    ``speaker_model`` preference unless ``speaker_model`` is given (``speaker_loader``: tests
    pass a fake speaker model)."""
    if speaker_model is None:
        speaker_model = window.prefs.speaker_model

    def default_sources() -> tuple[AudioSource, AudioSource]:
        return open_meeting_sources(window.prefs.input_device or None, None)

    controller = MeetingController(
        bridge,
        sources or default_sources,
        journal_dir=journal_dir,
        speaker_model=speaker_model,
        speaker_loader=speaker_loader,
        parent=window,
    )
    return MeetingUi(window, controller, speaker_model)
