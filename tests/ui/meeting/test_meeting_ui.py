"""Meeting mode in the window: fake captures → MeetingSession → EngineBridge(FakeEngine) →
a meeting document with speakers, a translation column, subtitles and speaker renaming."""

from __future__ import annotations

from pathlib import Path

from app.audio.journal import read_wav
from app.core.meeting.model import Side
from app.core.text.export import to_srt, to_vtt
from app.core.transcript import Segment
from app.ui.meeting.wiring import install_meeting, rename_speaker
from tests.audio.meeting.test_meeting import _call
from tests.support.fake_system_audio import ArraySource
from tests.ui.window.test_main_window import WAIT_MS, Rig


def test_a_meeting_becomes_a_document_with_speakers(qtbot, tmp_path: Path):
    rig = Rig(qtbot, tmp_path)
    mic, system, _spans = _call()
    ui = install_meeting(
        rig.window,
        rig.bridge,
        lambda: (ArraySource(mic, "mic", after_end="stop"), ArraySource(system, "call")),
        journal_dir=tmp_path / "journal",
    )
    assert not ui.action.isEnabled()
    rig.load()
    assert ui.action.isEnabled()
    combo = rig.window.toolbar.task_combo
    combo.setCurrentIndex(combo.findData("translate:fr"))
    with qtbot.waitSignal(ui.controller.runningChanged, timeout=WAIT_MS):
        ui.action.setChecked(True)
    assert ui.controller.running and ui.view is not None
    qtbot.waitUntil(
        lambda: len(ui.view.panes[1].to_output().timed_segments()) == 2, timeout=WAIT_MS
    )
    with qtbot.waitSignal(ui.controller.finished, timeout=WAIT_MS) as done:
        ui.action.setChecked(False)  # the call source runs on (silence) until stopped
    assert not ui.action.isChecked()
    view = ui.view
    transcript = view.panes[0].to_output().timed_segments()
    assert [s.speaker for s in transcript] == ["Others", "You", "Others"]
    assert view.panes[0].speakers() == ["Others", "You"]
    colours = view.panes[0].speaker_colours
    assert colours.colour("Others") != colours.colour("You")
    named = view.panes[0].speaker_labels()  # what the gutter paints at each turn
    assert named == {i: (n, colours.colour(n)) for i, n in enumerate(["Others", "You", "Others"])}
    assert view.panes[0].gutter.rows()[0].name == "Others"
    translation = view.panes[1].to_output().timed_segments()
    assert all(s.speaker == "Others" and "[fr]" in s.text for s in translation)
    assert "Others:" in ui.subtitles.label.text() and "[fr]" in ui.subtitles.label.text()
    # both tracks kept
    summary = done.args[0]
    for side in (Side.YOU, Side.OTHERS):
        info = summary.tracks[side]
        assert info is not None and len(read_wav(info.wav)[0]) > 0

    # a user edit survives renaming; the exports carry the new name
    editor = view.panes[0].editor
    cursor = editor.textCursor()
    cursor.movePosition(cursor.MoveOperation.End)
    editor.setTextCursor(cursor)
    editor.insertPlainText(" (edited)")
    rename_speaker(view, "Others", "Dana")
    doc = view.to_document()
    segs = doc.outputs[0].timed_segments()
    assert [s.speaker for s in segs] == ["Dana", "You", "Dana"]
    assert segs[-1].text.endswith("(edited)")
    assert "<v Dana>" in to_vtt(segs) and "Dana: " in to_srt(segs)
    assert all(s.speaker == "Dana" for s in doc.outputs[1].timed_segments())
    assert colours.colour("Dana") != colours.colour("You")
    assert [n for n, _ in view.panes[0].speaker_labels().values()] == ["Dana", "You", "Dana"]
    assert [n for n, _ in view.panes[1].speaker_labels().values()] == ["Dana"]
    assert view.panes[0].gutter.rows()[0].name == "Dana"


def test_sources_that_cannot_open_leave_the_action_off(qtbot, tmp_path: Path):
    from app.audio.meeting.system_audio import SystemAudioError

    rig = Rig(qtbot, tmp_path)

    def broken() -> tuple[ArraySource, ArraySource]:
        raise SystemAudioError("Capturing system audio needs parec (package pulseaudio-utils).")

    ui = install_meeting(rig.window, rig.bridge, broken, journal_dir=tmp_path / "journal")
    rig.load()
    with qtbot.waitSignal(ui.controller.message, timeout=WAIT_MS) as msg:
        ui.action.setChecked(True)
    assert "parec" in msg.args[0]
    assert not ui.action.isChecked() and not ui.controller.running


def test_the_other_side_gets_speakers_with_a_speaker_model(
    qtbot, tmp_path: Path, tiny_sortformer_dir: Path
):
    rig = Rig(qtbot, tmp_path)
    mic, system, _spans = _call()
    ui = install_meeting(
        rig.window,
        rig.bridge,
        lambda: (ArraySource(mic, "mic", after_end="stop"), ArraySource(system, "call")),
        journal_dir=tmp_path / "journal",
        speaker_model=str(tiny_sortformer_dir),
    )
    rig.load()
    ui.action.setChecked(True)
    assert ui.view is not None
    qtbot.waitUntil(
        lambda: len(ui.view.panes[0].to_output().timed_segments()) == 3, timeout=WAIT_MS
    )
    with qtbot.waitSignal(ui.controller.finished, timeout=WAIT_MS):
        ui.action.setChecked(False)
    speakers = [s.speaker for s in ui.view.panes[0].to_output().timed_segments()]
    assert speakers[1] == "You"
    assert all(s == "Others" or s.startswith("Speaker ") for i, s in enumerate(speakers) if i != 1)


def test_without_the_speaker_model_the_other_side_is_others(qtbot, tmp_path: Path):
    rig = Rig(qtbot, tmp_path)
    mic, system, _spans = _call()
    ui = install_meeting(
        rig.window,
        rig.bridge,
        lambda: (ArraySource(mic, "mic", after_end="stop"), ArraySource(system, "call")),
        journal_dir=tmp_path / "journal",
        speaker_model=str(tmp_path / "no-speaker-model"),
    )
    rig.load()
    messages: list[str] = []
    ui.controller.message.connect(messages.append)
    ui.action.setChecked(True)
    assert ui.view is not None
    qtbot.waitUntil(
        lambda: len(ui.view.panes[0].to_output().timed_segments()) == 3, timeout=WAIT_MS
    )
    with qtbot.waitSignal(ui.controller.finished, timeout=WAIT_MS):
        ui.action.setChecked(False)
    speakers = [s.speaker for s in ui.view.panes[0].to_output().timed_segments()]
    assert speakers == ["Others", "You", "Others"]
    assert any("Speaker detection unavailable" in m for m in messages)


def test_detect_speakers_labels_a_file_transcript_in_every_column(
    qtbot, tmp_path: Path, tiny_sortformer_dir: Path
):
    from tests.support.espeak import compose, synthesize
    from tests.support.media import write_audio

    rig = Rig(qtbot, tmp_path)
    ui = install_meeting(rig.window, rig.bridge, speaker_model=str(tiny_sortformer_dir))
    assert not ui.detect_action.isEnabled()
    rig.load()
    assert ui.detect_action.isEnabled()
    combo = rig.window.toolbar.task_combo
    combo.setCurrentIndex(combo.findData("translate:fr"))
    speech = compose([0.3, synthesize("good morning", "en+m3"), 0.6, synthesize("hello", "en+f2")])
    path = write_audio(tmp_path / "call.wav", speech.audio, 16_000)
    rig.files.add(str(path), speech.audio)
    rig.window.submit_paths([str(path)])
    rig.wait_jobs_done()
    view = rig.window.tabs.views()[-1]
    rig.window.tabs.setCurrentWidget(view)
    span = [_span(p.to_output().timed_segments()) for p in view.panes]
    with qtbot.waitSignal(rig.bridge.jobFinished, timeout=WAIT_MS):
        ui.detect_action.trigger()
    qtbot.waitUntil(lambda: bool(view.panes[0].speakers()), timeout=WAIT_MS)
    for pane in view.panes:
        segs = pane.to_output().timed_segments()
        assert segs and all(s.speaker for s in segs)
    # random weights: whether a segment is split per speaker turn is the model's guess, but
    # the columns still cover the same time (the split itself: test_meeting_speakers.py)
    assert [_span(p.to_output().timed_segments()) for p in view.panes] == span
    assert "<v " in to_vtt(view.to_document().outputs[1].timed_segments())


def test_detect_speakers_needs_a_file(qtbot, tmp_path: Path, tiny_sortformer_dir: Path):
    rig = Rig(qtbot, tmp_path)
    ui = install_meeting(rig.window, rig.bridge, speaker_model=str(tiny_sortformer_dir))
    rig.load()
    ui.detect_speakers()  # the current tab is a new, typed document
    assert "audio file" in rig.window.status.bar.currentMessage()


def test_the_speaker_model_is_fetched_only_with_consent(
    qtbot, tmp_path: Path, tiny_sortformer_dir: Path
):
    rig = Rig(qtbot, tmp_path)
    ui = install_meeting(rig.window, rig.bridge, speaker_model=str(tiny_sortformer_dir))
    rig.load()
    asked: list[str] = []

    def decline(spec: str) -> bool:
        asked.append(spec)
        return False

    ui.ask_download = decline
    ui.download_model()
    assert asked == [str(tiny_sortformer_dir)] and ui._download_job is None
    ui.ask_download = lambda _spec: True
    with qtbot.waitSignal(rig.bridge.jobFinished, timeout=WAIT_MS):
        ui.download_model()
    qtbot.waitUntil(lambda: ui._download_job is None, timeout=WAIT_MS)
    assert "speaker model is ready" in rig.window.status.bar.currentMessage()
    ui._progress.report(50_000_000, 250_000_000)  # as the model thread would
    qtbot.waitUntil(
        lambda: "50 / 250 MB" in rig.window.status.bar.currentMessage(), timeout=WAIT_MS
    )


def _span(segments: list[Segment]) -> tuple[float, float]:
    return segments[0].start, segments[-1].end
