"""Meeting → Choose Speaker Model Folder…: the ``speaker_model`` preference (a folder or a repo
id) is what Detect Speakers and meetings use; a bad folder gives one banner line; the preference
is saved with the other settings."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QMenu

from app.core.preferences import DEFAULT_SPEAKER_MODEL, Preferences
from app.ui.meeting.wiring import install_meeting
from app.ui.settings.settings_store import SettingsStore
from tests.audio.meeting.test_meeting import _call
from tests.support.fake_system_audio import ArraySource
from tests.ui.window.test_main_window import WAIT_MS, Rig


def test_the_speaker_model_preference_round_trips_through_the_settings(tmp_path: Path) -> None:
    store = SettingsStore(str(tmp_path / "settings.ini"))
    assert store.load_preferences().speaker_model == DEFAULT_SPEAKER_MODEL
    folder = str(tmp_path / "my sortformer")
    store.save_preferences(Preferences(speaker_model=folder))
    assert SettingsStore(store.path).load_preferences().speaker_model == folder
    store.save_preferences(Preferences(speaker_model="org/other-sortformer"))
    assert SettingsStore(store.path).load_preferences().speaker_model == "org/other-sortformer"


def test_the_window_starts_with_the_preferred_speaker_model(qtbot, tmp_path: Path) -> None:
    rig = Rig(qtbot, tmp_path, prefs=Preferences(speaker_model="org/sortformer"))
    ui = install_meeting(rig.window, rig.bridge)
    assert ui.speaker_model == "org/sortformer"
    assert ui.detector is not None and ui.detector.spec == "org/sortformer"


def test_a_chosen_folder_is_what_detect_speakers_uses(
    qtbot, tmp_path: Path, tiny_sortformer_dir: Path
) -> None:
    from tests.support.espeak import compose, synthesize
    from tests.support.media import write_audio

    rig = Rig(qtbot, tmp_path)
    ui = install_meeting(rig.window, rig.bridge)
    assert ui.speaker_model == DEFAULT_SPEAKER_MODEL
    menus = rig.window.menuBar().findChildren(QMenu)
    assert any(m.title() == "&Meeting" and ui.choose_action in m.actions() for m in menus)
    rig.load()
    ui.ask_folder = lambda: str(tiny_sortformer_dir)
    ui.choose_action.trigger()
    assert rig.window.prefs.speaker_model == str(tiny_sortformer_dir)
    assert rig.settings.load_preferences().speaker_model == str(tiny_sortformer_dir)
    assert ui.detector is not None and ui.detector.spec == str(tiny_sortformer_dir)
    assert ui.detect_action.isEnabled() and not rig.window.banner.isVisibleTo(rig.window)
    speech = compose([0.3, synthesize("good morning", "en+m3"), 0.6, synthesize("hello", "en+f2")])
    path = write_audio(tmp_path / "call.wav", speech.audio, 16_000)
    rig.files.add(str(path), speech.audio)
    rig.window.submit_paths([str(path)])
    rig.wait_jobs_done()
    view = rig.window.tabs.views()[-1]
    rig.window.tabs.setCurrentWidget(view)
    with qtbot.waitSignal(rig.bridge.jobFinished, timeout=WAIT_MS):
        ui.detect_action.trigger()
    qtbot.waitUntil(lambda: bool(view.panes[0].speakers()), timeout=WAIT_MS)
    segs = view.panes[0].to_output().timed_segments()
    assert segs and all(s.speaker for s in segs)
    assert not rig.window.banner.isVisibleTo(rig.window)


def test_without_a_chosen_folder_detect_speakers_fails_in_one_line(qtbot, tmp_path: Path) -> None:
    """What the test above would see if the chosen folder were ignored: the default repo is not
    on disk (and is never downloaded by Detect Speakers)."""
    rig = Rig(qtbot, tmp_path, prefs=Preferences(speaker_model=str(tmp_path / "missing")))
    ui = install_meeting(rig.window, rig.bridge)
    assert ui.detector is not None and ui.detector.spec == str(tmp_path / "missing")
    from tests.support.espeak import synthesize
    from tests.support.media import write_audio

    rig.load()
    audio = synthesize("good morning", "en+m3").audio
    path = write_audio(tmp_path / "call.wav", audio, 16_000)
    rig.files.add(str(path), audio)
    rig.window.submit_paths([str(path)])
    rig.wait_jobs_done()
    rig.window.tabs.setCurrentWidget(rig.window.tabs.views()[-1])
    with qtbot.waitSignal(rig.bridge.jobFailed, timeout=WAIT_MS):
        ui.detect_action.trigger()
    qtbot.waitUntil(lambda: rig.window.banner.isVisibleTo(rig.window), timeout=WAIT_MS)
    text = rig.window.banner.label.text()
    assert "Speakers not detected" in text and "\n" not in text


def test_a_bad_folder_gives_one_line_and_keeps_the_model(
    qtbot, tmp_path: Path, tiny_sortformer_dir: Path
) -> None:
    rig = Rig(qtbot, tmp_path)
    ui = install_meeting(rig.window, rig.bridge)
    empty = tmp_path / "empty"
    empty.mkdir()
    ui.ask_folder = lambda: str(empty)
    ui.choose_folder()
    banner = rig.window.banner
    assert banner.isVisibleTo(rig.window)
    text = banner.label.text()
    assert "config.json" in text and "\n" not in text
    assert rig.window.prefs.speaker_model == DEFAULT_SPEAKER_MODEL
    assert ui.speaker_model == DEFAULT_SPEAKER_MODEL
    assert rig.settings.load_preferences().speaker_model == DEFAULT_SPEAKER_MODEL
    ui.ask_folder = lambda: None  # cancelled: nothing changes
    ui.choose_folder()
    assert ui.speaker_model == DEFAULT_SPEAKER_MODEL
    ui.ask_folder = lambda: str(tiny_sortformer_dir)
    ui.choose_folder()  # a good folder withdraws the line
    assert not banner.isVisibleTo(rig.window)
    assert ui.speaker_model == str(tiny_sortformer_dir)


def test_a_meeting_after_choosing_uses_the_chosen_model(
    qtbot, tmp_path: Path, tiny_sortformer_dir: Path
) -> None:
    rig = Rig(qtbot, tmp_path, prefs=Preferences(speaker_model=str(tmp_path / "missing")))
    mic, system, _spans = _call()
    ui = install_meeting(
        rig.window,
        rig.bridge,
        lambda: (ArraySource(mic, "mic", after_end="stop"), ArraySource(system, "call")),
        journal_dir=tmp_path / "journal",
    )
    ui.ask_folder = lambda: str(tiny_sortformer_dir)
    ui.choose_folder()
    assert ui.controller.speaker_model == str(tiny_sortformer_dir)
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
    assert not any("Speaker detection unavailable" in m for m in messages)
