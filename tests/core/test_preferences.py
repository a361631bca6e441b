"""Preferences: defaults, validation, flat round trip, tolerant loading and migrations."""

from __future__ import annotations

from dataclasses import replace

import pytest

from app.core import preferences as prefs_mod
from app.core.errors import UsageError
from app.core.preferences import SCHEMA_VERSION, Preferences, from_mapping, migrate
from app.core.transcript import Task
from app.engine.base import DEFAULT_MODEL as ENGINE_DEFAULT_MODEL


def test_default_model_matches_engine() -> None:
    assert prefs_mod.DEFAULT_MODEL == ENGINE_DEFAULT_MODEL
    assert Preferences().model == ENGINE_DEFAULT_MODEL


def test_defaults_are_valid() -> None:
    p = Preferences()
    assert p.validate() == p
    assert p.max_chunk_s == 30.0 and p.pause_s == 0.8 and p.speculative_decoding


def test_validate_normalises() -> None:
    p = Preferences(
        model="  some/model ",
        default_task="translate",  # type: ignore[arg-type]
        source_language="Auto",
        target_language="FR",
        extra_translation_targets=("de", "fr", "DE", "", "ja"),
        record_shortcut=" Ctrl+R ",
    ).validate()
    assert p.model == "some/model"
    assert p.default_task is Task.TRANSLATE
    assert p.source_language is None
    assert p.target_language == "fr"
    assert p.extra_translation_targets == ("de", "ja")
    assert p.record_shortcut == "Ctrl+R"


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        ({"max_chunk_s": 4.9}, "between 5s and 120s"),
        ({"max_chunk_s": 121}, "between 5s and 120s"),
        ({"pause_s": 0.0}, "Dictation pause"),
        ({"font_size": 200}, "Font size"),
        ({"model": "  "}, "model setting is empty"),
        ({"source_language": "xx"}, "not supported"),
        ({"target_language": "ko"}, "Cannot translate to"),
        ({"extra_translation_targets": ("ko",)}, "extra meeting target"),
        ({"insertion_mode": "middle"}, "insertion mode"),
        ({"default_task": "summarise"}, "Unknown task"),
        ({"global_hotkey_mode": "twice"}, "shortcut mode"),
    ],
)
def test_validate_errors_are_one_line(change: dict[str, object], fragment: str) -> None:
    with pytest.raises(UsageError, match=fragment) as info:
        replace(Preferences(), **change).validate()  # type: ignore[arg-type]
    assert "\n" not in str(info.value)


def test_mapping_round_trip() -> None:
    p = Preferences(
        model="/models/granite",
        default_task=Task.TRANSLATE,
        source_language="de",
        target_language="en",
        extra_translation_targets=("fr", "ja"),
        max_chunk_s=45.5,
        insertion_mode="end",
        autosave_dir="/tmp/out",
        font_family="Noto Sans",
        font_size=18,
        record_shortcut="Ctrl+Alt+R",
        pause_s=1.25,
        input_device="USB Mic",
        speculative_decoding=False,
        global_hotkey="alt+space",
        global_hotkey_mode="hold",
        launch_at_login=True,
        live_preview=False,
    )
    data = p.to_mapping()
    assert all(isinstance(v, str) for v in data.values())
    loaded, warnings = from_mapping(data)
    assert warnings == []
    assert loaded == p


def test_bad_values_fall_back_per_field() -> None:
    data = Preferences(font_size=20).to_mapping() | {
        "max_chunk_s": "lots",
        "pause_s": "99",
        "speculative_decoding": "maybe",
        "default_task": "dance",
        "mystery": "1",
    }
    loaded, warnings = from_mapping(data)
    assert loaded == Preferences(font_size=20)
    joined = "\n".join(warnings)
    for key in ("max_chunk_s", "pause_s", "speculative_decoding", "default_task", "mystery"):
        assert key in joined
    assert len(warnings) == 5


def test_system_dictation_settings_default_off_and_load_from_old_files() -> None:
    p = Preferences()
    assert (p.global_hotkey, p.global_hotkey_mode, p.launch_at_login) == ("", "toggle", False)
    old = Preferences(font_size=20).to_mapping()
    for key in ("global_hotkey", "global_hotkey_mode", "launch_at_login"):
        del old[key]
    loaded, warnings = from_mapping(old)  # a settings file from before these existed
    assert warnings == [] and loaded == Preferences(font_size=20)
    loaded, warnings = from_mapping(
        {"global_hotkey": "  cmd+shift+d ", "global_hotkey_mode": "HOLD", "launch_at_login": "on"}
    )
    assert warnings == []
    assert (loaded.global_hotkey, loaded.global_hotkey_mode, loaded.launch_at_login) == (
        "cmd+shift+d",
        "hold",
        True,
    )
    loaded, warnings = from_mapping({"launch_at_login": "sometimes"})
    assert loaded.launch_at_login is False and "launch_at_login" in warnings[0]


def test_migrations_run_in_order_from_the_stored_version() -> None:
    calls: list[int] = []

    def step(version: int):
        def run(d: dict[str, str]) -> dict[str, str]:
            calls.append(version)
            return d | {"font_size": str(int(d.get("font_size", "10")) + 1)}

        return run

    out = migrate({"font_size": "10"}, 1, {0: step(0), 1: step(1), 2: step(2)}, target=3)
    assert calls == [1, 2]
    assert out == {"font_size": "12"}


def test_renamed_key_migration_through_from_mapping() -> None:
    def rename(d: dict[str, str]) -> dict[str, str]:
        out = dict(d)
        if "vad_pause" in out:
            out["pause_s"] = out.pop("vad_pause")
        return out

    loaded, warnings = from_mapping(
        {"vad_pause": "1.5"}, SCHEMA_VERSION, {SCHEMA_VERSION: rename}, target=SCHEMA_VERSION + 1
    )
    assert warnings == []
    assert loaded.pause_s == 1.5


def test_newer_schema_warns_but_keeps_known_values() -> None:
    loaded, warnings = from_mapping({"font_size": "16"}, SCHEMA_VERSION + 5)
    assert loaded.font_size == 16
    assert any("newer version" in w for w in warnings)


def test_speaker_model_is_a_folder_or_a_repo_id(tmp_path) -> None:
    from app.engine.diarize import DEFAULT_DIARIZER

    assert Preferences().speaker_model == prefs_mod.DEFAULT_SPEAKER_MODEL == DEFAULT_DIARIZER
    assert Preferences(speaker_model=" org/model ").validate().speaker_model == "org/model"
    folder = str(tmp_path / "sortformer")
    assert Preferences(speaker_model=folder).validate().speaker_model == folder
    for bad in ("", "   ", "not a repo id", "a--b/c"):
        with pytest.raises(UsageError, match="speaker model"):
            Preferences(speaker_model=bad).validate()
    loaded, warnings = from_mapping({"speaker_model": "no good"})
    assert loaded.speaker_model == prefs_mod.DEFAULT_SPEAKER_MODEL and len(warnings) == 1
