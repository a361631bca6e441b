"""Settings store (ini round trip, schema version, bad values) and the preferences dialog."""

from __future__ import annotations

import logging
from dataclasses import replace
from pathlib import Path

import pytest
from PySide6.QtCore import QByteArray, QSettings, Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QComboBox,
    QDialogButtonBox,
    QKeySequenceEdit,
    QLabel,
    QLineEdit,
    QListWidget,
    QTabBar,
    QTabWidget,
)

from app.core.preferences import SCHEMA_VERSION, Preferences
from app.core.transcript import Task
from app.ui.settings import dirs
from app.ui.settings.preferences_dialog import PreferencesDialog
from app.ui.settings.settings_store import MAX_RECENT, SettingsStore
from tests.support.widgets import named_child

CUSTOM = Preferences(
    model="/models/granite-8bit",
    default_task=Task.TRANSLATE,
    source_language="fr",
    target_language="en",
    extra_translation_targets=("de", "ja"),
    max_chunk_s=45.0,
    insertion_mode="end",
    autosave_dir="/tmp/autosave",
    font_family="",
    font_size=18,
    record_shortcut="Ctrl+Alt+R",
    pause_s=1.25,
    input_device="USB Mic",
    speculative_decoding=False,
    live_preview=False,
    speaker_model="/models/sortformer",
)


@pytest.fixture
def ini(tmp_path: Path) -> str:
    return str(tmp_path / "settings.ini")


# -- SettingsStore ------------------------------------------------------------------------------
def test_defaults_when_nothing_is_stored(ini: str) -> None:
    assert SettingsStore(ini).load_preferences() == Preferences()


def test_round_trip_across_instances_with_schema_version(ini: str) -> None:
    SettingsStore(ini).save_preferences(CUSTOM)
    assert SettingsStore(ini).load_preferences() == CUSTOM
    raw = QSettings(ini, QSettings.Format.IniFormat)
    assert raw.value("meta/schema_version") == str(SCHEMA_VERSION)
    assert raw.value("preferences/pause_s") == "1.25"


def test_invalid_values_fall_back_with_a_warning(ini: str, caplog) -> None:
    SettingsStore(ini).save_preferences(CUSTOM)
    raw = QSettings(ini, QSettings.Format.IniFormat)
    raw.setValue("preferences/max_chunk_s", "9000")
    raw.setValue("preferences/speculative_decoding", "perhaps")
    raw.setValue("preferences/source_language", "klingon")
    raw.sync()
    with caplog.at_level(logging.WARNING, logger="app.ui.settings.settings_store"):
        loaded = SettingsStore(ini).load_preferences()
    defaults = Preferences()
    assert loaded.max_chunk_s == defaults.max_chunk_s
    assert loaded.speculative_decoding is defaults.speculative_decoding
    assert loaded.source_language is None
    assert loaded.pause_s == CUSTOM.pause_s  # the good values survive
    assert loaded.input_device == CUSTOM.input_device
    logged = caplog.text
    assert "max_chunk_s" in logged and "speculative_decoding" in logged
    assert "source_language" in logged


def test_garbage_file_and_bad_version_do_not_crash(ini: str, caplog) -> None:
    Path(ini).write_bytes(
        b"\x00\xff[[[\n=broken\n[meta]\nschema_version=abc\n[preferences]\nfont_size=big\n"
    )
    with caplog.at_level(logging.WARNING):
        loaded = SettingsStore(ini).load_preferences()
    assert loaded == Preferences()
    assert "font_size" in caplog.text


def test_hand_edited_list_value_with_commas(ini: str) -> None:
    Path(ini).write_text(
        f"[meta]\nschema_version={SCHEMA_VERSION}\n"
        "[preferences]\nextra_translation_targets=de, fr\n"
    )
    assert SettingsStore(ini).load_preferences().extra_translation_targets == ("de", "fr")


def test_invalid_preferences_are_not_saved(ini: str) -> None:
    with pytest.raises(Exception, match="between 5s and 120s"):
        SettingsStore(ini).save_preferences(Preferences(max_chunk_s=1.0))
    assert SettingsStore(ini).load_preferences() == Preferences()


def test_keywords_recent_files_and_geometry(ini: str) -> None:
    store = SettingsStore(ini)
    assert store.load_keywords() is None and store.recent_files() == []
    store.save_keywords({"lists": [{"name": "日本", "words": ["東京", "a=b;c"]}], "active": "日本"})
    for i in range(MAX_RECENT + 3):
        store.add_recent_file(f"/f/{i}.wav")
    store.add_recent_file("/f/5.wav")
    store.save_window_geometry(QByteArray(b"\x01\x02geom"))
    again = SettingsStore(ini)
    assert again.load_keywords() == {
        "lists": [{"name": "日本", "words": ["東京", "a=b;c"]}],
        "active": "日本",
    }
    recent = again.recent_files()
    assert len(recent) == MAX_RECENT and recent[0] == "/f/5.wav" and recent.count("/f/5.wav") == 1
    assert recent[1] == f"/f/{MAX_RECENT + 2}.wav"
    assert again.window_geometry() == QByteArray(b"\x01\x02geom")
    assert again.window_state() is None
    again.clear_recent_files()
    assert SettingsStore(ini).recent_files() == []


def test_default_path_honours_home_override(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv(dirs.HOME_ENV, str(tmp_path / "home"))
    store = SettingsStore()
    assert Path(store.path) == tmp_path / "home" / "config" / "settings.ini"
    assert dirs.log_dir() == tmp_path / "home" / "logs" and dirs.log_dir().is_dir()
    assert dirs.autosave_dir() == tmp_path / "home" / "data" / "transcripts"
    assert dirs.autosave_dir(str(tmp_path / "mine")) == tmp_path / "mine"


# -- PreferencesDialog --------------------------------------------------------------------------
def make(qtbot, prefs: Preferences = CUSTOM, devices=("Built-in Mic",)) -> PreferencesDialog:
    dialog = PreferencesDialog(prefs, input_devices=devices)
    qtbot.addWidget(dialog)
    return dialog


def test_dialog_round_trips_every_field(qtbot) -> None:
    assert make(qtbot).result_preferences() == CUSTOM  # "USB Mic" kept though not connected
    assert make(qtbot, Preferences()).result_preferences() == Preferences()


def test_dialog_edits(qtbot) -> None:
    dialog = make(qtbot)
    dialog.task_combo.setCurrentIndex(dialog.task_combo.findData(Task.TRANSCRIBE))
    dialog.source_combo.setCurrentIndex(0)  # auto
    dialog.extra_list.item(0).setCheckState(Qt.CheckState.Checked)  # "en" = target: dropped
    dialog.dictation_tab.device_combo.setCurrentIndex(
        dialog.dictation_tab.device_combo.findData("Built-in Mic")
    )
    dialog.chunk_spin.setValue(500)  # clamped by the spin box
    dialog.system_font_check.setChecked(False)
    family = dialog.font_combo.currentFont().family()
    dialog.dictation_tab.shortcut_edit.clear()
    result = dialog.result_preferences()
    assert result.default_task is Task.TRANSCRIBE
    assert result.source_language is None
    assert result.extra_translation_targets == ("de", "ja")
    assert result.input_device == "Built-in Mic"
    assert result.max_chunk_s == 120.0
    assert result.font_family == family.strip()
    assert result.record_shortcut == ""


def ok_button(dialog: PreferencesDialog) -> QAbstractButton:
    box = dialog.findChild(QDialogButtonBox)
    assert box is not None
    button = box.button(QDialogButtonBox.StandardButton.Ok)
    assert button is not None
    return button


def refused(qtbot, dialog: PreferencesDialog) -> str:
    """Click OK; the dialog must stay open and say why in one line, returned."""
    with qtbot.assertNotEmitted(dialog.accepted):
        qtbot.mouseClick(ok_button(dialog), Qt.MouseButton.LeftButton)
    error = dialog.findChild(QLabel, "preferencesError")
    assert error is not None and error.text() and "\n" not in error.text()
    return error.text()


def test_ok_refuses_invalid_values_with_one_line(qtbot) -> None:
    dialog = make(qtbot)
    dialog.model_edit.setText("   ")
    assert "model setting is empty" in refused(qtbot, dialog)
    dialog.model_edit.setText("mlx-community/granite-4.0-1b-speech-8bit")
    with qtbot.waitSignal(dialog.accepted):
        qtbot.mouseClick(ok_button(dialog), Qt.MouseButton.LeftButton)


def test_the_speaker_model_is_edited_on_the_advanced_page(qtbot) -> None:
    dialog = make(qtbot)
    assert dialog.advanced.speaker_edit.text() == "/models/sortformer"
    dialog.advanced.speaker_edit.setText(" org/other-sortformer ")
    assert dialog.result_preferences().speaker_model == "org/other-sortformer"
    dialog.advanced.speaker_edit.setText("not a repo id")
    assert "speaker model" in refused(qtbot, dialog)


def test_browse_fills_the_model_folder(qtbot) -> None:
    dialog = make(qtbot)
    dialog.ask_directory = lambda title: "/picked/model"
    browse = named_child(dialog, QAbstractButton, "Choose model folder")
    qtbot.mouseClick(browse, Qt.MouseButton.LeftButton)
    assert dialog.model_edit.text() == "/picked/model"


def _inside(widget, kinds) -> bool:
    parent = widget.parent()
    while parent is not None:
        if isinstance(parent, kinds):
            return True
        parent = parent.parent()
    return False


def test_every_control_has_an_accessible_name_and_keyboard_focus(qtbot) -> None:
    dialog = make(qtbot)
    kinds = (QLineEdit, QComboBox, QAbstractSpinBox, QAbstractButton, QKeySequenceEdit, QListWidget)
    # Skip parts of composite widgets (the line edit in a spin box, tab scroll arrows) and
    # OK/Cancel, which are named by their text.
    composite = (QComboBox, QAbstractSpinBox, QKeySequenceEdit, QTabBar, QDialogButtonBox)
    controls = [w for kind in kinds for w in dialog.findChildren(kind) if not _inside(w, composite)]
    assert len(controls) >= 16  # all tabs, not just the visible one
    for widget in controls:
        assert widget.accessibleName(), type(widget).__name__
        assert widget.focusPolicy() & Qt.FocusPolicy.TabFocus, widget.accessibleName()


def _mnemonic(text: str) -> str | None:
    cleaned = text.replace("&&", "")
    i = cleaned.find("&")
    return cleaned[i + 1].lower() if 0 <= i < len(cleaned) - 1 else None


def test_keyboard_mnemonics_do_not_clash(qtbot) -> None:
    dialog = make(qtbot)
    tabs = dialog.findChild(QTabWidget)
    assert tabs is not None
    tab_keys = [_mnemonic(tabs.tabText(i)) for i in range(tabs.count())]
    for i in range(tabs.count()):
        page = tabs.widget(i)
        assert page is not None
        texts = [w.text() for w in page.findChildren(QLabel)]
        texts += [w.text() for w in page.findChildren(QAbstractButton)]
        keys = [k for k in map(_mnemonic, texts) if k]
        assert len(keys) >= 4
        both = keys + [k for k in tab_keys if k]
        assert len(both) == len(set(both)), both


def test_input_devices_are_listed_when_the_dictation_tab_is_first_shown(qtbot) -> None:
    calls: list[int] = []

    def lister() -> list[str]:
        calls.append(1)
        return ["Built-in Mic", "USB Mic"]

    dialog = PreferencesDialog(CUSTOM, device_lister=lister)
    qtbot.addWidget(dialog)
    assert calls == []  # opening the dialog does not wait for PortAudio
    dialog.tabs.setCurrentWidget(dialog.dictation_tab)
    dialog.tabs.setCurrentIndex(0)
    dialog.tabs.setCurrentWidget(dialog.dictation_tab)
    assert calls == [1]
    labels = [
        dialog.dictation_tab.device_combo.itemText(i)
        for i in range(dialog.dictation_tab.device_combo.count())
    ]
    assert labels == ["System default", "Built-in Mic", "USB Mic"]
    assert dialog.result_preferences().input_device == "USB Mic"  # the choice survives


def test_system_wide_dictation_settings(qtbot) -> None:
    prefs = replace(CUSTOM, global_hotkey="alt+space", global_hotkey_mode="hold")
    dialog = PreferencesDialog(prefs, login_item_available=False)
    qtbot.addWidget(dialog)
    assert dialog.result_preferences() == prefs
    assert (
        not dialog.dictation_tab.login_check.isEnabled()
        and dialog.dictation_tab.global_hotkey_edit.isEnabled()
    )
    unsupported = PreferencesDialog(prefs, global_hotkey_available=False)
    qtbot.addWidget(unsupported)
    assert not unsupported.dictation_tab.global_hotkey_edit.isEnabled()
    assert unsupported.result_preferences() == prefs  # the setting is kept, not lost
    dialog.dictation_tab.global_hotkey_edit.setText("Option+Cmd+D")
    dialog.dictation_tab.hotkey_mode_combo.setCurrentIndex(
        dialog.dictation_tab.hotkey_mode_combo.findData("toggle")
    )
    result = dialog.result_preferences()
    assert (result.global_hotkey, result.global_hotkey_mode) == ("alt+cmd+d", "toggle")
    dialog.dictation_tab.global_hotkey_edit.setText("ctrl+shift")
    assert "needs a key" in refused(qtbot, dialog)
