"""Speaker names in the transcript pane's gutter: at each speaker's turn, in its colour,
following renames; never part of the text."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QTextCharFormat, QTextCursor

from app.core.text.document import export_output
from app.core.transcript import Segment
from app.ui.editor.transcript_pane import TranscriptPane

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")

MEETING = [
    Segment(0.0, 1.0, "Hello there.", speaker="Ana"),
    Segment(1.0, 2.0, "How are you?", speaker="Ana"),
    Segment(2.5, 3.5, "Fine, thanks.", speaker="Ben"),
    Segment(4.0, 5.0, "Good to hear.", speaker="Ana"),
]


def _shown(pane: TranscriptPane, qtbot) -> TranscriptPane:
    qtbot.addWidget(pane)
    pane.resize(500, 400)
    pane.show()
    qtbot.waitExposed(pane)
    return pane


def _names(pane: TranscriptPane) -> dict[int, str]:
    return {block: name for block, _top, _time, name, _colour in pane.gutter.rows() if name}


def test_two_speakers_are_named_at_their_turns_and_renames_follow(qtbot) -> None:
    pane = _shown(TranscriptPane("Transcript"), qtbot)
    assert pane.gutter.isHidden()  # no speakers, no times: no gutter
    assert pane.editor.viewportMargins().left() == 0
    pane.append_segments(MEETING)
    assert _names(pane) == {0: "Ana", 2: "Ben", 3: "Ana"}
    colours = {b: c for b, _t, _time, n, c in pane.gutter.rows() if n}
    assert colours[0] == colours[3] == pane.speaker_colours.colour("Ana")
    assert colours[2] == pane.speaker_colours.colour("Ben") != colours[0]
    assert pane.gutter.isVisible() and pane.editor.viewportMargins().left() > 0
    assert "Ana" not in pane.editor.toPlainText()  # drawn beside the text, not in it
    assert all(time == "" for _b, _t, time, _n, _c in pane.gutter.rows())  # times are off
    assert not pane.gutter.grab().isNull()  # paints (a Qt warning would fail the test)

    cursor = pane.editor.textCursor()  # a user edit in Ben's paragraph
    cursor.setPosition(pane.document.findBlockByNumber(2).position() + len("Fine"))
    cursor.insertText(", really")
    pane.editor.setTextCursor(cursor)
    pane.rename_speaker("Ben", "Bob")
    assert _names(pane) == {0: "Ana", 2: "Bob", 3: "Ana"}
    assert [c for b, _t, _time, _n, c in pane.gutter.rows() if b == 2] == [colours[2]]
    assert "Fine, really, thanks." in pane.editor.toPlainText()
    assert "<v Bob>Fine, really, thanks." in export_output(pane.to_output(), "vtt")


def test_times_and_names_side_by_side_and_a_long_name_is_elided(qtbot) -> None:
    pane = _shown(TranscriptPane("Transcript"), qtbot)
    pane.show_timestamps(True)
    pane.append_segments([Segment(0.0, 1.0, "No speaker yet.")])
    assert [(time, name) for _b, _t, time, name, _c in pane.gutter.rows()] == [("0:00", "")]
    narrow = pane.editor.viewportMargins().left()
    pane.append_segments([Segment(61.0, 62.0, "Hi.", speaker="Ana")])
    assert [(time, name) for _b, _t, time, name, _c in pane.gutter.rows()][-1] == ("1:01", "Ana")
    assert pane.editor.viewportMargins().left() > narrow  # room made for the names
    pane.rename_speaker("Ana", "Anastasia Konstantinopoulou-Smith")
    name = _names(pane)[1]
    assert name.startswith("Anast") and name.endswith("…")
    assert pane.gutter.time_at(pane.gutter.rows()[-1][1] + 1) == 61.0


def test_labels_come_back_with_a_loaded_document_and_typing_moves_them(qtbot) -> None:
    source = TranscriptPane("Transcript")
    qtbot.addWidget(source)
    source.append_segments(MEETING)
    pane = _shown(TranscriptPane("Transcript"), qtbot)
    pane.load_output(source.to_output())
    assert _names(pane) == {0: "Ana", 2: "Ben", 3: "Ana"}
    cursor = QTextCursor(pane.document)
    cursor.insertText("Notes\n", QTextCharFormat())  # a new paragraph on top: labels move down
    assert _names(pane) == {1: "Ana", 3: "Ben", 4: "Ana"}
