"""Side-by-side outputs: separate editable panes, exported separately, scrolled together by time."""

from __future__ import annotations

import pytest

from app.core.text.document import export_output
from app.core.text.export import parse_srt
from app.core.transcript import Segment, Task, TaskSpec
from app.ui.editor.translation_view import TranslationView

# Showing a top-level window on the offscreen platform logs this harmless warning.
pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")

FR = TaskSpec(Task.TRANSLATE, "en", "fr")


def _view(qtbot, n: int = 40) -> TranslationView:
    view = TranslationView()
    qtbot.addWidget(view)
    transcript = view.add_pane("Transcript", TaskSpec())
    translation = view.add_pane("Translation (French)", FR)
    transcript.append_segments([Segment(2.0 * i, 2.0 * i + 2, f"Sentence {i}.") for i in range(n)])
    # The translation is wordier (wraps onto more lines), so line numbers differ between panes.
    translation.append_segments(
        [
            Segment(2.0 * i, 2.0 * i + 2, f"La phrase numéro {i} " + "bla " * (i % 4 * 12))
            for i in range(n)
        ]
    )
    return view


def test_two_panes_with_headers_both_editable(qtbot) -> None:
    view = _view(qtbot)
    assert view.is_side_by_side
    assert [p.label for p in view.panes] == ["Transcript", "Translation (French)"]
    assert all(h.isVisibleTo(view) for h in view._headers)
    for pane in view.panes:
        assert not pane.editor.isReadOnly()
    single = TranslationView()
    qtbot.addWidget(single)
    single.add_pane("Transcript", TaskSpec())
    assert not single.is_side_by_side and not single._headers[0].isVisibleTo(single)


def test_each_output_exports_with_the_shared_timings(qtbot) -> None:
    view = _view(qtbot, n=3)
    transcript, translation = (p.to_output().timed_segments() for p in view.panes)
    assert [(s.start, s.end) for s in transcript] == [(s.start, s.end) for s in translation]
    assert translation[1].text.startswith("La phrase numéro 1")
    cues = parse_srt(export_output(view.panes[1].to_output(), "srt"))
    # A long translated segment is split into several cues inside its own time span.
    assert cues[0].start == 0.0 and cues[-1].end == 6.0
    assert [c.start for c in cues][:3] == [0.0, 2.0, 4.0]


def test_scrolling_one_pane_aligns_the_other_by_segment_time(qtbot) -> None:
    view = _view(qtbot, n=80)
    view.resize(700, 200)
    view.show()
    qtbot.waitExposed(view)
    left, right = view.panes
    left.scroll_to_time(30.0)  # user scrolls the transcript; the translation follows
    assert left.time_at_top() == 30.0
    assert right.time_at_top() == 30.0
    right.scroll_to_time(61.0)  # and the other way round
    assert right.time_at_top() == 60.0
    assert left.time_at_top() == 60.0
    assert left.editor.verticalScrollBar().value() != right.editor.verticalScrollBar().value()
