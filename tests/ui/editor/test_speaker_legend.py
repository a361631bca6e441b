"""The speaker legend of a document: one swatch and name per speaker present, in the
speaker's colour; a click on a name renames the speaker everywhere (edits kept)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QTextCursor

from app.core.text.document import Document, OutputText
from app.core.text.export import to_srt, to_vtt
from app.core.transcript import Segment, Task, TaskSpec
from app.ui.editor.document_tabs import DocumentView
from app.ui.editor.speaker_legend import SpeakerLegend

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")  # offscreen plugin, on show()

FR = TaskSpec(Task.TRANSLATE, "en", "fr")


def _view(qtbot) -> DocumentView:
    doc = Document(title="Meeting", outputs=[OutputText("Transcript"), OutputText("French", FR)])
    view = DocumentView(doc)
    qtbot.addWidget(view)
    view.show()
    return view


def _meeting(view: DocumentView) -> None:
    view.panes[0].append_segments(
        [
            Segment(0.0, 2.0, "good morning", "others", "Speaker 1"),
            Segment(2.0, 3.0, "hello", "you", "You"),
            Segment(3.0, 5.0, "the budget", "others", "Speaker 2"),
        ]
    )
    view.panes[1].append_segments([Segment(3.0, 5.0, "le budget", "others", "Speaker 2")])


def test_the_legend_shows_the_speakers_present_in_their_colours(qtbot):
    view = _view(qtbot)
    assert view.legend.isHidden()  # no speakers yet
    view.panes[0].append_segments([Segment(0.0, 1.0, "typed note")])
    assert view.legend.isHidden()
    _meeting(view)
    assert view.legend.isVisible()
    assert [e.name for e in view.legend.entries] == ["Speaker 1", "You", "Speaker 2"]
    colours = view.panes[0].speaker_colours
    assert [e.colour.name() for e in view.legend.entries] == [
        colours.colour(n).name() for n in ("Speaker 1", "You", "Speaker 2")
    ]
    assert len({e.colour.name() for e in view.legend.entries}) == 3
    assert view.legend.entries[0].button.text() == "Speaker 1"
    view.resize(800, 600)
    qtbot.waitUntil(lambda: view.view.height() > 450)  # one row: the text keeps the room
    assert view.legend.height() == view.legend.sizeHint().height() < 60


def test_clicking_a_name_renames_the_speaker_everywhere_keeping_edits(qtbot):
    view = _view(qtbot)
    _meeting(view)
    editor = view.panes[0].editor
    cursor = editor.textCursor()
    cursor.movePosition(QTextCursor.MoveOperation.End)
    editor.setTextCursor(cursor)
    editor.insertPlainText(" (edited)")
    entry = view.legend.entry("Speaker 2")
    assert entry is not None
    colour = entry.colour.name()
    qtbot.mouseClick(entry.button, Qt.MouseButton.LeftButton)
    assert entry.editing and entry.edit.text() == "Speaker 2"
    entry.edit.clear()
    qtbot.keyClicks(entry.edit, "Dana")
    with qtbot.waitSignal(view.legend.renamed) as renamed:
        qtbot.keyClick(entry.edit, Qt.Key.Key_Return)
    assert renamed.args == ["Speaker 2", "Dana"]
    segs = view.to_document().outputs[0].timed_segments()
    assert [s.speaker for s in segs] == ["Speaker 1", "You", "Dana"]
    assert segs[-1].text.endswith("(edited)")
    assert [s.speaker for s in view.to_document().outputs[1].timed_segments()] == ["Dana"]
    assert "<v Dana>" in to_vtt(segs) and "Dana: " in to_srt(segs)
    assert [e.name for e in view.legend.entries] == ["Speaker 1", "You", "Dana"]
    dana = view.legend.entry("Dana")
    assert dana is not None and dana.colour.name() == colour  # the colour stays
    assert view.panes[0].speaker_labels()[2][0] == "Dana"  # the gutter follows
    assert view.modified


def test_escape_or_an_empty_name_renames_nothing(qtbot):
    view = _view(qtbot)
    _meeting(view)
    renames: list[tuple[str, str]] = []
    view.legend.renamed.connect(lambda old, new: renames.append((old, new)))
    entry = view.legend.entry("You")
    assert entry is not None
    entry.start_edit()
    qtbot.keyClicks(entry.edit, "Me")
    qtbot.keyClick(entry.edit, Qt.Key.Key_Escape)
    assert not entry.editing and entry.button.isVisible()
    entry.start_edit()
    entry.edit.setText("   ")
    qtbot.keyClick(entry.edit, Qt.Key.Key_Return)
    assert renames == [] and not entry.editing
    assert [s.speaker for s in view.panes[0].to_output().timed_segments()][1] == "You"
    view.rename_speaker("You", " \n ")  # the menu's dialog takes the same path
    assert [e.name for e in view.legend.entries] == ["Speaker 1", "You", "Speaker 2"]
    view.rename_speaker("You", "  Alex \n  Kim ")
    assert [e.name for e in view.legend.entries] == ["Speaker 1", "Alex Kim", "Speaker 2"]


def test_a_legend_on_its_own_rebuilds_only_when_the_speakers_change(qtbot):
    legend = SpeakerLegend()
    qtbot.addWidget(legend)
    legend.show()
    legend.set_speakers([("A", QColor("red"))])
    entry = legend.entries[0]
    entry.start_edit()
    legend.set_speakers([("A", QColor("red"))])  # text typed elsewhere: no change
    assert legend.entries[0] is entry and entry.editing
    legend.set_speakers([])
    assert legend.isHidden() and legend.entries == []
