"""Render the main window with sample content to a PNG: ``python -m app.ui.screenshot OUT.png``.

Shows a meeting transcript with its speakers (legend, names in the gutter) and timestamp
gutter and French translation side by side, the
player bar playing it (the current segment lit), a recording in progress (red Record button
with its time, the "Listening…" strip) and the file queue. Runs offscreen with a stand-in
bridge (no model, no network, no sound), in a temporary data folder.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

SIZE = (1200, 760)

TRANSCRIPT = [
    (0.0, 6.2, "Good morning everyone, thanks for joining the weekly product sync.", "Dana"),
    (6.2, 13.8, "First item: the Granite Dictate beta ships to the design team on Friday.", "Dana"),
    (13.8, 21.5, "Maya, can you give us an update on the onboarding screens?", "Dana"),
    (
        21.5,
        30.0,
        "Sure. The welcome page is done; the settings page needs one more review.",
        "Maya",
    ),
    (30.0, 37.4, "Great. Next, the open questions about the Kubernetes migration.", "Dana"),
]
TRANSLATION = [
    "Bonjour à tous, merci de participer à la réunion produit hebdomadaire.",
    "Premier point : la bêta de Granite Dictate sera livrée à l'équipe design vendredi.",
    "Maya, peux-tu nous faire le point sur les écrans d'accueil ?",
    "Bien sûr. La page d'accueil est terminée ; la page des réglages doit encore être relue.",
    "Parfait. Ensuite, les questions ouvertes sur la migration Kubernetes.",
]
KEYWORDS = ["Granite Dictate", "Kubernetes", "Maya Chen", "onboarding", "design sync"]


def render(out_path: str) -> str:
    """Size: a linear script that builds the sample window, one step a line."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    home = tempfile.mkdtemp(prefix="granite-shot-")
    os.environ["GRANITE_DICTATE_HOME"] = home

    from PySide6.QtWidgets import QApplication

    from app.core.model_state import ModelState
    from app.core.preferences import Preferences
    from app.core.storage.autosave_store import AutosaveStore
    from app.core.text.document import Document, OutputText
    from app.core.transcript import Segment, Task, TaskSpec
    from app.ui.app import make_application
    from app.ui.dictation.recording_state import ListeningStrip, RecordingState
    from app.ui.settings.settings_store import SettingsStore
    from app.ui.window.main_window import MainWindow
    from app.workers.qt_engine import Bridge

    class StillBridge(Bridge):
        """Has the bridge's signals; does nothing (no model in a screenshot)."""

        def submit_file(self, *_args: object) -> int:
            return 0

        def cancel(self, _job_id: int) -> None:
            pass

    app = make_application()
    settings = SettingsStore(os.path.join(home, "settings.ini"))
    window = MainWindow(
        StillBridge(),
        Preferences(),
        autosave_store=AutosaveStore(Path(home) / "autosave"),
        settings=settings,
    )
    window.resize(*SIZE)
    window._on_model_state(ModelState.READY, "")
    for word in KEYWORDS:
        window.keywords.add_keyword(word)

    fr = TaskSpec(Task.TRANSLATE, "en", "fr")
    meeting = Document(
        title="weekly-sync.m4a — French",
        outputs=[OutputText("Transcript", TaskSpec()), OutputText("Translation (French)", fr)],
        source="/Users/maya/Recordings/weekly-sync.m4a",
    )
    first = window.tabs.views()[0]
    first.panes[0].append_segments(
        [Segment(0, 4, "Notes for Friday: send the beta build to the design team.")]
    )
    view = window.tabs.open_document(meeting)
    view.panes[0].append_segments([Segment(a, b, t, "", who) for a, b, t, who in TRANSCRIPT])
    view.panes[1].append_segments(
        [
            Segment(a, b, t, "", who)
            for (a, b, _, who), t in zip(TRANSCRIPT, TRANSLATION, strict=True)
        ]
    )
    for pane in view.panes:
        handle = pane.begin_partial("weekly-sync.m4a", at_end=True)
        pane.update_partial(handle, "\nNext, the roadmap for the" if pane is view.panes[0] else "")
    view.modified = False
    window.tabs.setTabText(window.tabs.indexOf(view), view.display_title())

    window.tabs.setCurrentWidget(view)
    window.player_bar.show()
    window.player.playingChanged.emit(True)
    window.player.positionChanged.emit(14.2, 37.4)
    for pane in view.panes:
        pane.highlight_time(14.2)

    strip = ListeningStrip(window)
    window.add_above_documents(strip)
    clock = [0.0]
    button = window.toolbar.widgetForAction(window.record_action)
    recording = RecordingState(window.record_action, button, strip, window.panes, lambda: clock[0])
    recording.set_recording(True)
    clock[0] = 72.0
    recording.tick()
    strip.meter.set_level(-18.0, -9.0)

    panel = window.queue.panel
    for job_id, name, state in (
        (1, "weekly-sync.m4a", 0.62),
        (2, "interview-berlin.mp3", 0.0),
        (3, "standup-monday.wav", 1.0),
    ):
        panel.add(f"/Users/maya/Recordings/{name}", job_id)
        panel.set_task(job_id, "Translate → French from English" if job_id < 3 else "Transcribe")
        if state >= 1.0:
            panel.set_finished(job_id)
        elif state > 0:
            panel.set_progress(job_id, state * 100, 100)
    tb = window.toolbar
    tb.task_combo.setCurrentIndex(tb.task_combo.findData("translate:fr"))
    tb.lang_combo.setCurrentIndex(tb.lang_combo.findData("en"))
    window.status.progress(62, 100, "Transcribing weekly-sync.m4a")
    window.status.message("Transcribing weekly-sync.m4a — 1 file waiting")

    window.show()
    for _ in range(5):
        app.processEvents()
    image = window.grab()
    if not image.save(out_path):
        raise OSError(f"Could not write {out_path}")
    recording.set_recording(False)
    window.close()
    QApplication.processEvents()
    return out_path


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m app.ui.screenshot OUT.png", file=sys.stderr)
        return 2
    print(render(args[0]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
