"""Live dictation wired into the main window: the controller, the Record action (red, with
the elapsed time, while recording), a "Listening…" strip with the level meter above the
documents, the text tools (Edit menu) and the Recordings dock (which recovers
recordings a crash interrupted, right away). Called once by the composition root
(``app.ui.app``); everything arrives through arguments, nothing is attached afterwards.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QDockWidget

from app.core.errors import GraniteError
from app.core.preferences import Preferences
from app.ui.dictation.dictation_controller import DictationController, SessionFactory
from app.ui.dictation.level_meter import LevelMeter
from app.ui.dictation.recording_state import ListeningStrip, RecordingState
from app.ui.dictation.text_tools import context_provider, install_text_tools
from app.ui.panels.recordings_panel import RecordingsPanel
from app.ui.window.main_window import MainWindow
from app.workers.qt_engine import Bridge


@dataclass(frozen=True)
class Dictation:
    """What ``install`` made: the controller and the widgets it drives."""

    controller: DictationController
    meter: LevelMeter
    recordings_panel: RecordingsPanel
    #: The red Record button with its time, the "Listening…" strip, hidden placeholders.
    recording_state: RecordingState


def install(
    window: MainWindow,
    bridge: Bridge,
    prefs: Preferences | None = None,
    *,
    session_factory: SessionFactory | None = None,
    recordings_folder: Path | None = None,
) -> Dictation:
    controller = DictationController(
        bridge,
        window.current_specs,
        window.dictation_panes,
        session_factory=session_factory,
        parent=window,
        text_context=context_provider(window),
    )
    install_text_tools(window, controller)
    if prefs is not None:
        controller.apply_preferences(prefs)

    def apply(new: Preferences) -> None:
        try:
            controller.apply_preferences(new)
        except GraniteError as exc:
            window.show_error(str(exc))

    window.preferencesApplied.connect(apply)
    controller.attach_action(window.record_action)
    controller.message.connect(window.show_error)
    controller.notice.connect(window.show_capture_notice)
    controller.noticeCleared.connect(window.clear_capture_notice)

    strip = ListeningStrip(window)
    window.add_above_documents(strip)
    button = window.toolbar.widgetForAction(window.record_action)
    state = RecordingState(window.record_action, button, strip, window.panes, parent=controller)
    controller.recordingChanged.connect(state.set_recording)
    meter = strip.meter
    controller.levelChanged.connect(meter.set_level)
    controller.overflowsChanged.connect(meter.set_overflows)

    panel = RecordingsPanel(recordings_folder, parent=window)
    dock = QDockWidget("Recordings", window)
    dock.setObjectName("recordings_dock")
    dock.setWidget(panel)
    window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
    window.actions_.view_menu.addAction(dock.toggleViewAction())  # View → Recordings
    panel.message.connect(window.show_error)
    panel.transcribeRequested.connect(lambda path: window.submit_paths([path]))
    controller.sessionEnded.connect(lambda _summary: panel.refresh())
    if panel.recover_unfinished():
        dock.show()
        dock.raise_()

    app = QCoreApplication.instance()
    if app is not None:
        app.aboutToQuit.connect(controller.shutdown)
    return Dictation(controller, meter, panel, state)
