"""The window's commands on documents (``DocumentCommands``): restore, save in place, close
with or without asking, Open Recent's choice between opening and transcribing."""

from __future__ import annotations

from app.core.storage.autosave_store import AutosaveStore
from app.core.text.document import Document, OutputText, Run


def test_restore_reopens_the_autosaved_documents_or_starts_a_new_one(rig, tmp_path) -> None:
    w = rig.window
    store = AutosaveStore(tmp_path / "other")
    w.restore_documents(store)
    assert w.document_names() == ["Untitled", "Untitled"]
    store.save(Document(title="notes", outputs=[OutputText(runs=[Run("kept")])]))
    w.restore_documents(store)
    assert w.document_names()[-1] == "notes"
    assert w.statusBar().currentMessage() == "Restored 1 document(s) from the last session."


def test_save_writes_an_opened_text_file_in_place(rig) -> None:
    w = rig.window
    note = rig.tmp / "note.txt"
    note.write_text("old", encoding="utf-8")
    view = w.open_text_file(str(note))
    assert view is not None
    view.panes[0].editor.setPlainText("new text")
    w.save_document()
    assert note.read_text(encoding="utf-8") == "new text"
    assert not view.modified


def test_closing_asks_only_when_unsaved_text_would_be_lost(rig) -> None:
    w = rig.window
    asked: list[str] = []

    def refuse(_window, view) -> bool:
        asked.append(view.title)
        return False

    w.ask_discard = refuse
    view = w.current_view()
    assert w.can_close(view) and asked == []  # empty
    view.panes[0].editor.setPlainText("draft")
    assert not w.can_close(view) and asked == ["Untitled"]
    w.close_current()
    assert w.document_names() == ["Untitled"] and asked == ["Untitled", "Untitled"]


def test_open_recent_opens_text_and_transcribes_audio(rig) -> None:
    w = rig.window
    note = rig.tmp / "note.md"
    note.write_text("hello", encoding="utf-8")
    w.open_recent(str(note))
    assert w.document_names()[-1] == "note.md"
    w.open_recent(rig.audio_file("talk.wav", 1.0))
    assert len(w.jobs.active()) == 1
    assert rig.settings.recent_files()[:2] == [str(rig.tmp / "talk.wav"), str(note)]
