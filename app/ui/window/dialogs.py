"""File and settings dialogs of the main window, and the open/save/export glue.

The formats themselves live in ``app.core`` (``document``, ``export``); the dialogs are thin
wrappers so the window's testable methods (``open_text_file``, ``save_to``, ``export_to``) take
plain paths.
"""

from __future__ import annotations

import logging
import os
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QFileDialog, QMessageBox

from app.core.errors import GraniteError, UsageError
from app.core.text.document import Document, OutputText, Run, document_text, export_output
from app.core.text.export import choose_format, write_text_atomic
from app.ui.window.api import WindowApi

if TYPE_CHECKING:
    from app.ui.editor.document_tabs import DocumentView
    from app.ui.editor.transcript_pane import TranscriptPane

log = logging.getLogger(__name__)

EXPORT_FILTERS = {
    "srt": "SubRip subtitles (*.srt)",
    "md": "Markdown with times (*.md)",
    "vtt": "WebVTT subtitles (*.vtt)",
    "json": "JSON with timings (*.json)",
    "txt": "Plain text (*.txt)",
}


def ask_discard(window: WindowApi, view: DocumentView) -> bool:
    """Closing a tab with unsaved text: Save, Discard or Cancel. True = go ahead and close."""
    answer = QMessageBox.question(
        window,
        "Close document",
        f"“{view.title}” has changes that are not saved to a file.",
        QMessageBox.StandardButton.Save
        | QMessageBox.StandardButton.Discard
        | QMessageBox.StandardButton.Cancel,
        QMessageBox.StandardButton.Save,
    )
    if answer == QMessageBox.StandardButton.Save:
        path = ask_save_text(window, view)
        return bool(path) and save_to(window, path or "", view)
    return answer == QMessageBox.StandardButton.Discard


def open_text_file(window: WindowApi, path: str) -> DocumentView | None:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        window.show_error(f"Could not open {os.path.basename(path)}: {exc}.")
        return None
    doc = Document(title=os.path.basename(path), outputs=[OutputText(runs=[Run(text)])], path=path)
    return window.tabs.open_document(doc)


def save_to(window: WindowApi, path: str, view: DocumentView) -> bool:
    try:
        write_text_atomic(Path(path), document_text(view.to_document()))
    except OSError as exc:
        window.show_error(f"Could not save {os.path.basename(path)}: {exc.strerror or exc}.")
        return False
    view.mark_saved(path)
    window.show_status(f"Saved {path}")
    return True


def export_to(
    window: WindowApi, path: str, fmt: str, pane: TranscriptPane, view: DocumentView
) -> bool:
    try:
        if view.source and os.path.abspath(path) == os.path.abspath(view.source):
            raise UsageError(f"Refusing to overwrite the input file {os.path.basename(path)}.")
        text = export_output(pane.to_output(), fmt, source=view.source, title=view.title)
        write_text_atomic(Path(path), text)
    except GraniteError as exc:
        window.show_error(str(exc))
        return False
    except OSError as exc:
        window.show_error(f"Could not export {os.path.basename(path)}: {exc.strerror or exc}.")
        return False
    window.show_status(f"Exported {pane.label.lower()} to {path}")
    return True


def _start_dir(view: DocumentView | None) -> str:
    for candidate in (view.path if view else None, view.source if view else None):
        if candidate:
            return os.path.dirname(candidate)
    return os.path.expanduser("~")


def ask_open_text(window: WindowApi) -> list[str]:
    paths, _ = QFileDialog.getOpenFileNames(
        window, "Open", _start_dir(None), "Text (*.txt *.md);;All files (*)"
    )
    return paths


def ask_open_audio(window: WindowApi) -> list[str]:
    from app.audio.files.decode import SUPPORTED_EXTENSIONS

    pattern = " ".join(f"*{ext}" for ext in sorted(SUPPORTED_EXTENSIONS))
    paths, _ = QFileDialog.getOpenFileNames(
        window, "Open Audio", _start_dir(None), f"Audio and video ({pattern});;All files (*)"
    )
    return paths


def ask_save_text(window: WindowApi, view: DocumentView) -> str | None:
    stem = os.path.splitext(view.title)[0] or "Untitled"
    path, chosen = QFileDialog.getSaveFileName(
        window,
        "Save As",
        os.path.join(_start_dir(view), stem + ".txt"),
        "Text (*.txt);;Markdown (*.md)",
    )
    if path and not path.endswith((".txt", ".md")):
        path += ".md" if "md" in chosen else ".txt"
    return path or None


def ask_export(
    window: WindowApi, view: DocumentView, pane: TranscriptPane
) -> tuple[str, str] | None:
    stem = os.path.splitext(os.path.basename(view.source or view.title))[0] or "transcript"
    if len(view.panes) > 1:
        stem += "." + pane.label.lower().replace(" ", "-").replace("(", "").replace(")", "")
    path, chosen = QFileDialog.getSaveFileName(
        window,
        f"Export {pane.label}",
        os.path.join(_start_dir(view), stem + ".srt"),
        ";;".join(EXPORT_FILTERS.values()),
    )
    if not path:
        return None
    return choose_format(path, next((k for k, v in EXPORT_FILTERS.items() if v == chosen), "txt"))


def open_preferences(window: WindowApi) -> None:
    from app.ui.settings.preferences_dialog import PreferencesDialog

    desktop = window.desktop
    login = desktop.login_enabled() if desktop is not None else None
    shown = window.prefs if login is None else replace(window.prefs, launch_at_login=login)
    dialog = PreferencesDialog(
        shown,
        window,
        device_lister=input_device_names,
        login_item_available=login is not None,
        global_hotkey_available=desktop is not None and desktop.hotkey_available(),
    )
    if desktop is not None:
        dialog.tabs.addTab(desktop.permissions_page(), "&Permissions")
    dialog.text_page.deleteAllRequested.connect(window.historyDeleteAllRequested)
    if not dialog.exec():
        return
    old, new = window.prefs, dialog.result_preferences()
    settings = window.settings
    if settings is not None:
        try:
            settings.save_preferences(new)
        except GraniteError as exc:
            window.show_error(str(exc))
    window.apply_preferences(new)
    if new.model != old.model:
        window.use_model(new.model)


def input_device_names() -> list[tuple[str, str]]:
    """(label, PortAudio name) of every input for the device picker (PortAudio re-queried: a
    device plugged in since shows); the labels are human (``app.audio.device_names``)."""
    from app.audio.device_names import human_input_name
    from app.audio.devices import list_input_devices

    try:
        return [(human_input_name(d.name), d.name) for d in list_input_devices()]
    except GraniteError:
        raise
    except Exception as exc:  # PortAudio errors outside our wrapper: keep "System default"
        log.info("Could not list input devices", exc_info=True)
        raise UsageError(f"Could not list the input devices: {exc}") from exc


def open_model_manager(window: WindowApi) -> None:
    """Download the model or choose a local folder; progress comes back from the bridge."""
    from app.ui.settings.model_manager import ModelManagerDialog

    bridge = window.bridge
    dialog = ModelManagerDialog(window.prefs.model, window, state=str(window.model_state))
    load_ids: list[int] = []

    def load(spec: str) -> None:
        window.use_model(spec)
        load_ids.append(window.load_job or 0)

    def state(name: str, message: str) -> None:
        if name == "ready":
            dialog.set_ready()
        elif name in ("error", "missing"):
            dialog.set_error(message)

    def cancel() -> None:
        for job_id in load_ids:
            bridge.cancel(job_id)
        dialog.set_cancelled()

    dialog.downloadRequested.connect(load)
    dialog.folderChosen.connect(load)
    dialog.cancelRequested.connect(cancel)
    bridge.downloadProgress.connect(dialog.set_progress)
    bridge.modelStateChanged.connect(state)
    try:
        dialog.exec()
    finally:
        bridge.downloadProgress.disconnect(dialog.set_progress)
        bridge.modelStateChanged.disconnect(state)
