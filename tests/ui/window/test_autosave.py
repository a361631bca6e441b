"""Autosave: written within the debounce after edits, removed on close, restored after a kill."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from app.core.preferences import Preferences
from app.core.storage.autosave_store import SUFFIX, AutosaveStore
from app.core.transcript import Segment
from app.ui.window.main_window import MainWindow
from app.workers.qt_engine import EngineBridge
from tests.support import fake_engine
from tests.support.cli import ROOT, app_env, run_gui_script

WAIT_MS = 10_000


@pytest.fixture
def bridge():
    b = EngineBridge(fake_engine.factory)
    yield b
    b.shutdown(5.0)


def _window(qtbot, bridge, store: AutosaveStore) -> MainWindow:
    w = MainWindow(bridge, Preferences(), autosave_store=store)
    qtbot.addWidget(w)
    return w


def _saved_texts(folder: Path) -> list[str]:
    texts = []
    for path in folder.glob(f"*{SUFFIX}"):
        data = json.loads(path.read_text(encoding="utf-8"))
        texts.append("".join(run[0] for run in data["outputs"][0]["runs"]))
    return texts


def test_edits_are_saved_and_restored_with_provenance(qtbot, bridge, tmp_path) -> None:
    store = AutosaveStore(tmp_path / "autosave")
    w = _window(qtbot, bridge, store)
    assert _saved_texts(store.folder) == []
    pane = w.current_pane()
    pane.append_segments([Segment(3.0, 4.5, "Spoken words.", "mic")])
    qtbot.keyClicks(pane.editor, " Typed.")
    qtbot.waitUntil(lambda: _saved_texts(store.folder) == ["Spoken words. Typed."], timeout=WAIT_MS)
    again = _window(qtbot, bridge, AutosaveStore(tmp_path / "autosave"))
    assert again.document_names() == ["Untitled"]
    restored = again.current_pane()
    assert restored.editor.toPlainText() == "Spoken words. Typed."
    assert [(s.start, s.end) for s in restored.to_output().timed_segments()] == [(3.0, 4.5)]
    assert again.current_view().modified


def test_closing_a_tab_removes_its_autosave_and_empty_documents_are_not_saved(
    qtbot, bridge, tmp_path
) -> None:
    store = AutosaveStore(tmp_path / "autosave")
    w = _window(qtbot, bridge, store)
    qtbot.keyClicks(w.current_pane().editor, "x")
    qtbot.waitUntil(lambda: _saved_texts(store.folder) == ["x"], timeout=WAIT_MS)
    w.current_pane().editor.clear()  # emptied again: nothing worth restoring
    qtbot.waitUntil(lambda: _saved_texts(store.folder) == [], timeout=WAIT_MS)
    qtbot.keyClicks(w.current_pane().editor, "y")
    qtbot.waitUntil(lambda: _saved_texts(store.folder) == ["y"], timeout=WAIT_MS)
    asked = []

    def cancel(_window, view) -> bool:
        asked.append(view.title)
        return False  # the user pressed Cancel

    w.ask_discard = cancel
    w.close_current()
    assert asked == ["Untitled"] and w.document_names() == ["Untitled"]
    w.ask_discard = lambda _win, _view: True  # "Discard"
    w.close_current()
    assert w.document_names() == []
    assert _saved_texts(store.folder) == []


def test_damaged_autosave_is_reported_in_the_banner(qtbot, bridge, tmp_path) -> None:
    folder = tmp_path / "autosave"
    folder.mkdir()
    (folder / f"bad{SUFFIX}").write_text("{", encoding="utf-8")
    w = _window(qtbot, bridge, AutosaveStore(folder))
    assert "damaged" in w.banner.text()


def test_autosave_failure_is_shown_once(qtbot, bridge, tmp_path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    w = _window(qtbot, bridge, AutosaveStore(blocker))
    with qtbot.waitSignal(w.autosave.failed, timeout=WAIT_MS):
        qtbot.keyClicks(w.current_pane().editor, "text")
    assert w.banner.text().startswith("Autosave failed")
    assert w.autosave.pending


CHILD = textwrap.dedent(
    """
    import json, sys
    from PySide6.QtGui import QTextCursor
    from PySide6.QtTest import QTest
    from app.core.transcript import Segment
    from app.ui.app import build_window, make_application

    app = make_application()
    window = build_window()
    window.show()
    if sys.argv[1] == "type":
        pane = window.current_pane()
        pane.append_segments([Segment(1.0, 2.5, "Dictated words.", "mic")])
        pane.editor.moveCursor(QTextCursor.MoveOperation.End)
        QTest.keyClicks(pane.editor, " typed by hand")
        print("typed", flush=True)
        app.exec()  # runs until killed
    else:
        docs = [
            {
                "text": v.panes[0].editor.toPlainText(),
                "segments": [
                    [s.start, s.end, s.text] for s in v.panes[0].to_output().timed_segments()
                ],
            }
            for v in window.tabs.views()
        ]
        print(json.dumps(docs), flush=True)
        window.bridge.shutdown(5.0)
    """
)


@pytest.mark.slow
def test_text_survives_sigkill(tmp_path: Path) -> None:
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, "type"],
        env=app_env(tmp_path, QT_QPA_PLATFORM="offscreen"),
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert child.stdout is not None and child.stdout.readline().strip() == "typed"
        deadline = time.monotonic() + 60
        saved: list[str] = []
        while time.monotonic() < deadline and child.poll() is None:
            saved = [t for f in tmp_path.rglob("*") if f.is_dir() for t in _saved_texts(f)]
            if "Dictated words. typed by hand" in saved:
                break
            time.sleep(0.05)  # polling interval, not synchronisation
        assert "Dictated words. typed by hand" in saved, saved
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    assert child.returncode == -signal.SIGKILL
    restart = run_gui_script(CHILD, tmp_path, "restore")
    assert restart.returncode == 0, restart.stderr[-2000:]
    docs = json.loads(restart.stdout.strip().splitlines()[-1])
    assert docs == [
        {
            "text": "Dictated words. typed by hand",
            "segments": [[1.0, 2.5, "Dictated words. typed by hand"]],
        }
    ]
