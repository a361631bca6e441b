"""Who said what in the window: two voices inside one utterance of the other side become two
lines (fake speaker model with known turns; the fake engine), and the speaker legend."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from app.ui.meeting.wiring import install_meeting
from tests.support.espeak import compose, noise, synthesize
from tests.support.fake_diarizer import FakeDiarizer, loader
from tests.support.fake_system_audio import ArraySource
from tests.ui.window.test_main_window import WAIT_MS, Rig

RATE = 16_000


def two_voices_call() -> tuple[np.ndarray, np.ndarray, tuple[float, float]]:
    """The call: two voices back to back (0.4 s apart, one utterance); the mic: quiet."""
    first = synthesize("good morning everyone shall we begin", "en+m3")
    second = synthesize("the budget is ready for review", "en+f2")
    system = compose([0.5, first, 0.4, second, 1.5]).audio
    mic = noise(len(system) / RATE, -70, seed=1)[: len(system)].astype(np.float32)
    pause = (0.5 + first.duration, 0.5 + first.duration + 0.4)
    return mic, system, pause


def test_two_speakers_in_one_utterance_become_two_lines(qtbot, tmp_path: Path):
    rig = Rig(qtbot, tmp_path)
    mic, system, pause = two_voices_call()
    diarizer = FakeDiarizer()
    ui = install_meeting(
        rig.window,
        rig.bridge,
        lambda: (ArraySource(mic, "mic", after_end="stop"), ArraySource(system, "call")),
        journal_dir=tmp_path / "journal",
        speaker_model="fake-speakers",
        speaker_loader=loader(diarizer),
    )
    rig.load()
    combo = rig.window.toolbar.task_combo
    combo.setCurrentIndex(combo.findData("translate:fr"))
    ui.action.setChecked(True)
    assert ui.view is not None
    view = ui.view
    qtbot.waitUntil(lambda: len(view.panes[1].to_output().timed_segments()) == 2, timeout=WAIT_MS)
    with qtbot.waitSignal(ui.controller.finished, timeout=WAIT_MS):
        ui.action.setChecked(False)
    assert len(diarizer.fed) == 1  # one utterance on the system track
    transcript = view.panes[0].to_output().timed_segments()
    assert [s.speaker for s in transcript] == ["Speaker 1", "Speaker 2"]
    assert transcript[0].end == transcript[1].start
    assert pause[0] < transcript[0].end < pause[1]  # cut in the pause between the voices
    assert all(s.text.strip() for s in transcript)
    translation = view.panes[1].to_output().timed_segments()
    assert [(s.start, s.end, s.speaker) for s in translation] == [
        (s.start, s.end, s.speaker) for s in transcript
    ]
    assert all("[fr]" in s.text for s in translation)
    assert view.panes[0].speaker_labels() == {
        i: (n, view.panes[0].speaker_colours.colour(n))
        for i, n in enumerate(["Speaker 1", "Speaker 2"])
    }
    # the legend lists both; renaming there renames the gutter, both columns and the exports
    assert [e.name for e in view.legend.entries] == ["Speaker 1", "Speaker 2"]
    assert not view.legend.isHidden()
    entry = view.legend.entry("Speaker 2")
    assert entry is not None
    entry.start_edit()
    entry.edit.setText("Dana")
    with qtbot.waitSignal(view.legend.renamed):
        entry.edit.returnPressed.emit()
    assert [s.speaker for s in view.to_document().outputs[1].timed_segments()] == [
        "Speaker 1",
        "Dana",
    ]
    assert [n for n, _ in view.panes[0].speaker_labels().values()] == ["Speaker 1", "Dana"]


def test_detect_speakers_splits_a_file_segment_where_the_speaker_changes(qtbot, tmp_path: Path):
    from PySide6.QtGui import QTextCursor

    from tests.support.media import write_audio

    rig = Rig(qtbot, tmp_path)
    ui = install_meeting(
        rig.window, rig.bridge, speaker_model="fake-speakers", speaker_loader=loader(FakeDiarizer())
    )
    rig.load()
    combo = rig.window.toolbar.task_combo
    combo.setCurrentIndex(combo.findData("translate:fr"))
    _mic, call, pause = two_voices_call()
    path = write_audio(tmp_path / "call.wav", call, RATE)
    rig.files.add(str(path), call)
    rig.window.submit_paths([str(path)])
    rig.wait_jobs_done()
    view = rig.window.tabs.views()[-1]
    rig.window.tabs.setCurrentWidget(view)
    assert [len(p.to_output().timed_segments()) for p in view.panes] == [1, 1]
    before = view.panes[0].editor.toPlainText()
    french = view.panes[1].editor
    cursor = french.textCursor()
    cursor.movePosition(QTextCursor.MoveOperation.End)
    french.setTextCursor(cursor)
    french.insertPlainText(" (checked)")  # an edit: kept
    with qtbot.waitSignal(rig.bridge.jobFinished, timeout=WAIT_MS):
        ui.detect_action.trigger()
    qtbot.waitUntil(lambda: bool(view.panes[0].speakers()), timeout=WAIT_MS)
    transcript = view.panes[0].to_output().timed_segments()
    assert [s.speaker for s in transcript] == ["Speaker 1", "Speaker 2"]
    assert pause[0] < transcript[0].end < pause[1] and transcript[0].end == transcript[1].start
    assert view.panes[0].editor.toPlainText().count("\n") == 1  # a paragraph per turn
    (edited,) = view.panes[1].to_output().timed_segments()
    assert edited.text.endswith("(checked)") and edited.speaker == "Speaker 2"  # longest turn
    assert [e.name for e in view.legend.entries] == ["Speaker 1", "Speaker 2"]
    view.panes[0].editor.undo()  # one undo step gives the model's single segment back
    assert view.panes[0].editor.toPlainText() == before
