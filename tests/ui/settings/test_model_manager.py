"""Model manager dialog: download requests, progress text, cancel/resume, folder validation."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QLabel, QProgressBar, QPushButton

from app.core.preferences import DEFAULT_MODEL
from app.ui.settings.model_manager import ModelManagerDialog
from tests.support.clock import FakeClock
from tests.support.widgets import named_child

GB = 1_000_000_000


def make(qtbot, current: str = DEFAULT_MODEL, clock: FakeClock | None = None):
    dialog = ModelManagerDialog(current, clock=clock or FakeClock())
    qtbot.addWidget(dialog)
    return dialog


def push(dialog: ModelManagerDialog, accessible: str) -> QPushButton:
    return named_child(dialog, QPushButton, accessible)


def text(dialog: ModelManagerDialog, name: str) -> str:
    label = dialog.findChild(QLabel, name)
    assert label is not None
    return label.text()


def test_download_progress_shows_bytes_speed_and_time_left(qtbot) -> None:
    clock = FakeClock()
    dialog = make(qtbot, clock=clock)
    download = push(dialog, f"Download {DEFAULT_MODEL}")
    with qtbot.waitSignal(dialog.downloadRequested) as blocker:
        qtbot.mouseClick(download, Qt.MouseButton.LeftButton)
    assert blocker.args == [DEFAULT_MODEL]
    assert not download.isEnabled()
    dialog.set_progress(0, int(2.9 * GB))
    clock.now = 10.0
    dialog.set_progress(120_000_000, int(2.9 * GB))
    assert text(dialog, "downloadStatus") == "120.0 MB of 2.9 GB · 12.0 MB/s · 3 min 52 s left"
    bar = dialog.findChild(QProgressBar)
    assert bar is not None and bar.value() == round(1000 * 120 / 2900)


def test_cancel_then_resume_requests_the_download_again(qtbot) -> None:
    clock = FakeClock()
    dialog = make(qtbot, clock=clock)
    download = push(dialog, f"Download {DEFAULT_MODEL}")
    cancel = push(dialog, "Cancel download")
    assert not cancel.isEnabled()
    qtbot.mouseClick(download, Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(dialog.cancelRequested):
        qtbot.mouseClick(cancel, Qt.MouseButton.LeftButton)
    assert text(dialog, "downloadStatus") == "Cancelling…"
    dialog.set_cancelled()
    assert download.text() == "Resume" and download.isEnabled()
    # A progress report that raced the cancel changes nothing.
    dialog.set_progress(5, 10)
    assert text(dialog, "downloadStatus").startswith("Download paused")
    # Resume: the bytes already on disk do not count towards the speed.
    with qtbot.waitSignal(dialog.downloadRequested):
        qtbot.mouseClick(download, Qt.MouseButton.LeftButton)
    clock.now = 100.0
    dialog.set_progress(GB, 2 * GB)
    clock.now = 102.0
    dialog.set_progress(GB + 20_000_000, 2 * GB)
    assert "10.0 MB/s" in text(dialog, "downloadStatus")


def test_error_is_one_line_and_offers_resume(qtbot) -> None:
    dialog = make(qtbot)
    qtbot.mouseClick(push(dialog, f"Download {DEFAULT_MODEL}"), Qt.MouseButton.LeftButton)
    dialog.set_error("No connection to\n huggingface.co.")
    assert text(dialog, "downloadStatus") == "No connection to huggingface.co."
    assert push(dialog, f"Download {DEFAULT_MODEL}").text() == "Resume"


def test_set_ready_accepts(qtbot) -> None:
    dialog = make(qtbot)
    with qtbot.waitSignal(dialog.accepted):
        dialog.set_ready()


def test_closing_mid_download_cancels(qtbot) -> None:
    dialog = make(qtbot)
    qtbot.mouseClick(push(dialog, f"Download {DEFAULT_MODEL}"), Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(dialog.cancelRequested):
        dialog.reject()


def test_folder_validation(qtbot, tmp_path: Path) -> None:
    dialog = make(qtbot, current="/nowhere/model")
    assert dialog.repo_id() == DEFAULT_MODEL  # a path setting downloads the default model
    folder = tmp_path / "granite"
    folder.mkdir()
    dialog.ask_directory = lambda: str(folder)
    choose = push(dialog, "Choose a local model folder")
    with qtbot.assertNotEmitted(dialog.folderChosen):
        qtbot.mouseClick(choose, Qt.MouseButton.LeftButton)
    message = text(dialog, "folderMessage")
    assert "no config.json" in message and "\n" not in message
    (folder / "config.json").write_text('{"model_type": "granite_speech"}')
    (folder / "model.safetensors").write_bytes(b"w")
    with qtbot.waitSignal(dialog.folderChosen) as blocker:
        qtbot.mouseClick(choose, Qt.MouseButton.LeftButton)
    assert blocker.args == [str(folder)]
    dialog.set_error("The model in granite is damaged.")
    assert text(dialog, "folderMessage") == "The model in granite is damaged."


def test_repo_setting_is_what_gets_downloaded(qtbot) -> None:
    dialog = make(qtbot, current="ibm-granite/granite-speech-3.3-2b")
    with qtbot.waitSignal(dialog.downloadRequested) as blocker:
        qtbot.mouseClick(
            push(dialog, "Download ibm-granite/granite-speech-3.3-2b"), Qt.MouseButton.LeftButton
        )
    assert blocker.args == ["ibm-granite/granite-speech-3.3-2b"]


class FakeBridge(QObject):
    downloadProgress = Signal(object, object)


def test_progress_beyond_2_gib_through_a_signal(qtbot) -> None:
    clock = FakeClock()
    dialog = make(qtbot, clock=clock)
    bridge = FakeBridge()
    bridge.downloadProgress.connect(dialog.set_progress)
    qtbot.mouseClick(push(dialog, f"Download {DEFAULT_MODEL}"), Qt.MouseButton.LeftButton)
    bridge.downloadProgress.emit(2_500_000_000, 2_900_000_000)
    clock.now = 4.0
    bridge.downloadProgress.emit(2_540_000_000, 2_900_000_000)
    assert text(dialog, "downloadStatus") == "2.5 GB of 2.9 GB · 10.0 MB/s · 36 s left"


def test_a_loaded_model_is_shown_as_current_and_ready(qtbot) -> None:
    dialog = ModelManagerDialog("/models/granite", clock=FakeClock(), state="ready")
    qtbot.addWidget(dialog)
    assert text(dialog, "currentModel") == "Current model: /models/granite — loaded and ready"
    pitch = make(qtbot, "/models/granite")
    assert text(pitch, "currentModel") == "Current model: /models/granite"
