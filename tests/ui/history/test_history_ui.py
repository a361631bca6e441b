"""The history in the wired app: dictation and file jobs are stored off the GUI thread, the
panel finds them as you type with highlighted matches, opens a tab at the segment, exports
and deletes; retention from Preferences. Real SQLite in GRANITE_DICTATE_HOME."""

from __future__ import annotations

import threading
from dataclasses import replace

from app.core.history.search import MARK_START
from app.core.history.store import DICTATION, FILE, HistoryStore
from app.ui.history.rows import row_html
from tests.support import fake_engine
from tests.support.wired_app import WAIT_MS, App


def stored(app: App) -> HistoryStore:
    """A second, read-only look at the database (the history thread owns the first)."""
    history = app.gui.history
    assert history.service.flush()
    return HistoryStore(history.service.path)


def test_dictation_and_files_are_stored_and_found(app: App) -> None:
    w = app.window
    history = app.gui.history
    adds: list[str] = []
    original_add = history.service.add

    def add(entry, done=None) -> None:
        adds.append(threading.current_thread().name)
        original_add(entry, done)

    history.service.add = add  # type: ignore[method-assign]
    app.record_in_window()
    path = app.audio_file()
    assert w.submit_paths([path])
    app.qtbot.waitUntil(lambda: history.recorder.stored == 3, timeout=WAIT_MS)
    assert set(adds) == {threading.main_thread().name}  # only a queue put on the GUI thread

    store = stored(app)
    entries = store.entries()
    assert sorted(e.kind for e in entries) == [DICTATION, DICTATION, FILE]
    first = app.expected()[0]
    word = first.split()[1]  # e.g. "0.50s"
    hits = store.search(word)
    assert hits and hits[0].kind == DICTATION and word in hits[0].text
    [file_entry] = [e for e in entries if e.kind == FILE]
    assert file_entry.source == str(path) and file_entry.audio_path == str(path)
    store.close()

    history.search_action.trigger()
    panel = history.panel
    assert not history.dock.isHidden()
    panel.search_edit.setText("speech")
    app.qtbot.waitUntil(
        lambda: len(panel.rows) == 3 and all(MARK_START in r.marked for r in panel.rows),
        timeout=WAIT_MS,
    )
    assert '<span style="background-color:#fde68a;">speech</span>' in row_html(panel.rows[0])
    panel.kind_combo.setCurrentIndex(panel.kind_combo.findData(FILE))
    app.qtbot.waitUntil(
        lambda: panel.rows and all(r.kind == FILE for r in panel.rows), timeout=WAIT_MS
    )
    tabs = w.tabs.count()
    panel.open_selected()
    app.qtbot.waitUntil(lambda: w.tabs.count() == tabs + 1, timeout=WAIT_MS)
    view = w.tabs.current_view()
    assert view is not None
    pane = view.panes[0]
    assert pane.editor.textCursor().selectedText() == panel.rows[0].text
    assert w.tabs.tabText(w.tabs.currentIndex()).startswith("meeting.wav")


def test_delete_and_retention(app: App) -> None:
    w = app.window
    history = app.gui.history
    app.record_in_window()
    app.qtbot.waitUntil(lambda: history.recorder.stored == 2, timeout=WAIT_MS)
    panel = history.panel
    panel.refresh()
    app.qtbot.waitUntil(lambda: len(panel.rows) == 2, timeout=WAIT_MS)
    panel.list.setCurrentRow(0)
    panel.delete_selected()
    app.qtbot.waitUntil(lambda: len(panel.rows) == 1, timeout=WAIT_MS)
    store = stored(app)
    store.conn.execute("UPDATE entries SET created = created - 40 * 86400")
    store.close()
    w.apply_preferences(replace(w.prefs, history_keep_days=30))
    store = stored(app)
    assert store.count() == (0, 0)
    store.close()


def test_history_off_stores_nothing(app: App) -> None:
    w = app.window
    w.apply_preferences(replace(w.prefs, history_enabled=False))
    app.record_in_window()
    assert fake_engine is not None
    store = stored(app)
    assert store.count() == (0, 0) and app.gui.history.recorder.stored == 0
    store.close()


def test_menu_bar_copies_and_pastes_the_last_dictation_again(app: App) -> None:
    from PySide6.QtGui import QGuiApplication

    tray = app.shell.tray
    tray.copy_last_action.trigger()
    assert app.shell.messages[-1] == "Nothing dictated yet."
    app.record_in_window()
    last = app.expected()[-1]
    tray.copy_last_action.trigger()
    assert QGuiApplication.clipboard().text().lower() == last.lower()
    tray.paste_last_action.trigger()  # the window is not the active one: paste there
    assert [str(text).lower() for _kind, text in app.injector.keystrokes] == [last.lower()]
    assert "Copy Last Dictation" in [a.text() for a in tray.menu.actions()]


def test_stored_text_has_the_rules_applied(app: App) -> None:
    from app.core.text.rules import Rule

    gui = app.gui
    app.window.keywords.library().set_rules([Rule("speech", "dictée")])
    app.record_in_window()
    app.qtbot.waitUntil(lambda: gui.history.recorder.stored == 2, timeout=WAIT_MS)
    store = stored(app)
    assert len(store.search("dictée")) == 2 and store.search("speech") == []
    store.close()


def test_a_command_only_utterance_is_not_stored(app: App) -> None:
    gui = app.gui
    first, second = app.expected()
    # the fake engine's second utterance, as a user's own spoken command
    lines = f"{' '.join(second.split())} => new line"
    app.window.apply_preferences(replace(app.window.prefs, spoken_command_lines=lines))
    app.record_in_window()
    app.qtbot.waitUntil(lambda: gui.history.recorder.stored == 1, timeout=WAIT_MS)
    store = stored(app)
    assert [e.preview.lower() for e in store.entries()] == [first.lower()]
    store.close()


def test_scratch_that_takes_the_utterance_out_of_the_history(app: App) -> None:
    gui = app.gui
    _first, second = app.expected()
    lines = f"{' '.join(second.split())} => scratch that"
    app.window.apply_preferences(replace(app.window.prefs, spoken_command_lines=lines))
    app.record_in_window()
    assert app.window.current_pane().document.toPlainText() == ""
    store = stored(app)
    assert store.count() == (0, 0) and gui.history.recorder.stored == 1
    store.close()
