"""The transcript pane: provenance through edits, partials that never overwrite user text."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCursor

from app.core.text.document import export_output
from app.core.text.export import parse_srt, parse_vtt
from app.core.transcript import Segment
from app.ui.editor.transcript_pane import PROP_PARTIAL, TranscriptPane
from tests.support.window_rig import drop_urls

# Showing a top-level window on the offscreen platform logs this harmless warning.
pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")

SEGS = [
    Segment(0.0, 1.5, "First part.", "a.wav"),
    Segment(1.5, 3.25, "Second part.", "a.wav"),
    Segment(4.0, 6.0, "Third part.", "a.wav"),
]


def _pane(qtbot) -> TranscriptPane:
    pane = TranscriptPane("Transcript")
    qtbot.addWidget(pane)
    return pane


def _move(pane: TranscriptPane, pos: int) -> None:
    cursor = pane.editor.textCursor()
    cursor.setPosition(pos)
    pane.editor.setTextCursor(cursor)


def _text(pane: TranscriptPane) -> str:
    return pane.editor.toPlainText()


def test_segments_keep_their_times_through_user_edits(qtbot) -> None:
    pane = _pane(qtbot)
    pane.append_segments(SEGS)
    assert _text(pane) == "First part.\nSecond part.\nThird part."
    # Edit inside the second segment, type before the first and between segments.
    text = _text(pane)
    _move(pane, text.index("part.", 12))
    qtbot.keyClicks(pane.editor, "big ")
    _move(pane, 0)
    qtbot.keyClicks(pane.editor, "Intro: ")
    _move(pane, _text(pane).index("\nThird"))
    qtbot.keyClicks(pane.editor, " And more.")
    # Delete the third segment's first word.
    start = _text(pane).index("Third")
    cursor = pane.editor.textCursor()
    cursor.setPosition(start)
    cursor.setPosition(start + len("Third "), QTextCursor.MoveMode.KeepAnchor)
    cursor.removeSelectedText()
    out = pane.to_output()
    for cues in (parse_srt(export_output(out, "srt")), parse_vtt(export_output(out, "vtt"))):
        assert [(c.start, c.end) for c in cues] == [(0.0, 1.5), (1.5, 3.25), (4.0, 6.0)]
        assert [c.text for c in cues] == [
            "Intro: First part.",
            "Second big part. And more.",
            "part.",
        ]


def test_undo_and_redo_keep_provenance(qtbot) -> None:
    pane = _pane(qtbot)
    pane.append_segments(SEGS[:1])
    _move(pane, len(_text(pane)))
    qtbot.keyClicks(pane.editor, " typed")
    while pane.document.isUndoAvailable():
        pane.editor.undo()
    assert _text(pane) == ""
    pane.editor.redo()
    assert _text(pane).startswith("First part.")
    assert [s.start for s in pane.to_output().timed_segments()] == [0.0]


def test_output_round_trip_restores_text_and_provenance(qtbot) -> None:
    pane = _pane(qtbot)
    pane.append_segments(SEGS)
    _move(pane, 0)
    qtbot.keyClicks(pane.editor, "Note ")
    saved = pane.to_output()
    other = _pane(qtbot)
    other.load_output(saved)
    assert _text(other) == _text(pane)
    assert other.to_output().timed_segments() == saved.timed_segments()
    other.insert_segment(Segment(9.0, 10.0, "!"))  # new ids do not collide with restored ones
    assert [s.start for s in other.to_output().timed_segments()][-1] == 9.0
    assert len(other.to_output().timed_segments()) == 4


def test_partial_is_greyed_then_replaced_by_the_final_text(qtbot) -> None:
    pane = _pane(qtbot)
    qtbot.keyClicks(pane.editor, "Typed. ")
    handle = pane.begin_partial("mic")
    pane.update_partial(handle, "hel")
    pane.update_partial(handle, "hello wor")
    assert _text(pane) == "Typed. hello wor"
    assert pane.partial_text(handle) == "hello wor"
    assert pane.to_output().text == "Typed. "  # partials are not part of the document yet
    pane.update_partial(handle, "hello")
    pane.commit(handle, Segment(2.0, 3.0, "Hello world.", "mic"))
    assert _text(pane) == "Typed. Hello world."
    assert pane.partial_text(handle) is None and pane.open_partials() == []
    assert [(s.start, s.text) for s in pane.to_output().timed_segments()] == [
        (2.0, "Typed. Hello world.")
    ]


def test_typing_next_to_a_partial_is_not_grey_and_is_not_overwritten(qtbot) -> None:
    pane = _pane(qtbot)
    pane.insertion_mode = "end"
    handle = pane.begin_partial("mic")
    pane.update_partial(handle, "draft")
    _move(pane, len(_text(pane)))
    qtbot.keyClicks(pane.editor, " mine")
    cursor = QTextCursor(pane.document)
    cursor.setPosition(len(_text(pane)))
    assert not cursor.charFormat().hasProperty(PROP_PARTIAL)
    pane.update_partial(handle, "draft longer")
    assert _text(pane) == "draft longer mine"
    _move(pane, 0)
    qtbot.keyClicks(pane.editor, "Start ")
    pane.commit(handle, Segment(0.0, 1.0, "Final"))
    assert _text(pane) == "Start Final mine"


def test_user_edit_inside_a_partial_is_kept_and_final_text_goes_after_it(qtbot) -> None:
    pane = _pane(qtbot)
    handle = pane.begin_partial("mic")
    pane.update_partial(handle, "the quick")
    _move(pane, 3)
    qtbot.keyClicks(pane.editor, "X")  # the user edits inside the grey text
    assert _text(pane) == "theX quick"
    pane.update_partial(handle, "the quick brown")  # model keeps streaming: appended after
    assert _text(pane).startswith("theX quick")
    pane.commit(handle, Segment(0.0, 2.0, " The quick brown fox."))
    assert _text(pane) == "theX quick The quick brown fox."
    cursor = QTextCursor(pane.document)
    cursor.setPosition(2)
    assert not cursor.charFormat().hasProperty(PROP_PARTIAL)  # the user's text is plain now


def test_user_deleting_a_partial_is_respected(qtbot) -> None:
    pane = _pane(qtbot)
    qtbot.keyClicks(pane.editor, "ab")
    _move(pane, 1)
    handle = pane.begin_partial("mic")
    pane.update_partial(handle, "zzz")
    assert _text(pane) == "azzzb"
    cursor = pane.editor.textCursor()
    cursor.setPosition(1)
    cursor.setPosition(4, QTextCursor.MoveMode.KeepAnchor)
    cursor.removeSelectedText()
    pane.commit(handle, Segment(0.0, 1.0, "Z"))
    assert _text(pane) == "aZb"


def test_discard_removes_only_untouched_partials(qtbot) -> None:
    pane = _pane(qtbot)
    qtbot.keyClicks(pane.editor, "keep")
    first = pane.begin_partial("mic")
    pane.update_partial(first, " gone")
    pane.discard(first)
    assert _text(pane) == "keep"
    second = pane.begin_partial("mic")
    pane.update_partial(second, " edit")
    _move(pane, len(_text(pane)) - 1)
    qtbot.keyClicks(pane.editor, "!")
    pane.discard(second)
    assert _text(pane) == "keep edi!t"
    pane.discard(second)  # unknown handles are ignored
    pane.update_partial(999, "x")
    assert _text(pane) == "keep edi!t"


def test_insertion_at_cursor_or_end(qtbot) -> None:
    pane = _pane(qtbot)
    qtbot.keyClicks(pane.editor, "AC")
    _move(pane, 1)
    pane.insert_segment(Segment(0, 1, "B"))
    assert _text(pane) == "ABC"
    pane.insertion_mode = "end"
    _move(pane, 0)
    pane.insert_segment(Segment(1, 2, "D"))
    assert _text(pane) == "ABCD"


def test_find_bar_zoom_and_select_all(qtbot) -> None:
    pane = _pane(qtbot)
    pane.append_segments(SEGS)
    pane.show_find()
    assert pane.find_bar.isVisibleTo(pane)
    pane.find_bar.field.setText("part")
    assert pane.editor.textCursor().selectedText() == "part"
    assert pane.find_bar.find_next() and pane.find_bar.find_next()
    assert pane.find_bar.find_next()  # wraps around
    assert pane.editor.textCursor().selectionStart() == _text(pane).index("part")
    pane.find_bar.field.setText("nowhere")
    assert pane.find_bar.status.text() == "Not found"
    qtbot.keyClick(pane.find_bar.field, Qt.Key.Key_Escape)
    assert not pane.find_bar.isVisibleTo(pane)
    size = pane.editor.font().pointSizeF()
    pane.zoom_in()
    assert pane.editor.font().pointSizeF() > size
    pane.zoom_reset()
    assert pane.editor.font().pointSizeF() == size
    pane.editor.selectAll()
    assert pane.editor.textCursor().selectedText().startswith("First")


def test_scroll_to_time_aligns_by_segment(qtbot) -> None:
    pane = _pane(qtbot)
    pane.resize(300, 80)
    pane.show()
    pane.append_segments([Segment(float(i), i + 1.0, f"Line {i}") for i in range(60)])
    pane.scroll_to_time(30.5)
    assert pane.time_at_top() == 30.0
    pane.scroll_to_time(0.0)
    assert pane.time_at_top() == 0.0


def test_dropped_file_urls_are_passed_up_not_pasted(qtbot, tmp_path) -> None:
    pane = _pane(qtbot)
    with qtbot.waitSignal(pane.filesDropped) as blocker:
        drop_urls(pane.editor.viewport(), [tmp_path / "a.wav"])
    assert blocker.args == [[str(tmp_path / "a.wav")]]
    assert _text(pane) == ""


def test_repeated_updates_after_a_newline_lead_leave_no_stale_partials(qtbot):
    """A paragraph break inside a partial region split it, so each update left a copy behind."""
    from app.core.transcript import Segment
    from app.ui.editor.transcript_pane import TranscriptPane

    pane = TranscriptPane()
    qtbot.addWidget(pane)
    pane.insert_segment(Segment(0.0, 1.0, "first"), at_end=True)
    handle = pane.begin_partial("file", at_end=True, lead="\n")
    for text in ("foo", "foo bar", "foo bar baz"):
        pane.update_partial(handle, text)
        assert pane.document.toPlainText() == "first\n" + text
    pane.commit(handle, Segment(1.0, 2.0, "foo bar baz."))
    assert pane.document.toPlainText() == "first\nfoo bar baz."


def test_find_and_replace_with_a_match_count_keeps_timings(qtbot) -> None:
    from app.core.text.document import export_output
    from app.core.text.export import parse_srt

    pane = _pane(qtbot)
    pane.append_segments([Segment(0, 2, "Grey cat. Grey dog."), Segment(2, 4, "A grey sky.")])
    bar = pane.find_bar
    pane.show_find()
    bar.field.setText("grey")
    assert bar.status.text() == "1 of 3"
    bar.find_next()
    assert bar.status.text() == "2 of 3"
    bar.replacement.setText("gray")
    bar.replace_one()  # the 2nd becomes "gray"; the 3rd is selected
    assert _text(pane) == "Grey cat. gray dog.\nA grey sky." and bar.status.text() == "2 of 2"
    assert bar.replace_all() == 2 and bar.status.text() == "Replaced 2"
    assert _text(pane) == "gray cat. gray dog.\nA gray sky."
    cues = parse_srt(export_output(pane.to_output(), "srt"))
    assert [(c.start, c.end, c.text) for c in cues] == [
        (0, 2, "gray cat. gray dog."),
        (2, 4, "A gray sky."),
    ]
    pane.editor.undo()  # Replace All is one step
    assert _text(pane) == "Grey cat. gray dog.\nA grey sky."
