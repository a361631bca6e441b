"""The global-dictation state machine: toggle, hold-to-talk, Esc, results, errors, permissions."""

from __future__ import annotations

import pytest

from app.core.dictation.hotkey_state import (
    Action,
    Cancel,
    Copy,
    DictationMachine,
    Error,
    Escape,
    HotkeyDown,
    HotkeyUp,
    Mode,
    Notify,
    Paste,
    Permission,
    PermissionStatus,
    StartCapture,
    State,
    StopCapture,
    TranscriptionDone,
    default_explanation,
    startup_notices,
)


def press(m: DictationMachine, t: float = 0.0) -> list[Action]:
    return m.handle(HotkeyDown(t)) + m.handle(HotkeyUp(t + 0.05))


def state(m: DictationMachine) -> State:
    return m.state  # a call, so mypy does not narrow m.state across handle() calls


# --- toggle ------------------------------------------------------------------------------------


def test_toggle_full_cycle_pastes_text() -> None:
    m = DictationMachine(mode=Mode.TOGGLE)
    assert press(m) == [StartCapture()]
    assert state(m) is State.RECORDING
    assert press(m, 2.0) == [StopCapture()]
    assert state(m) is State.TRANSCRIBING
    assert m.handle(TranscriptionDone("  hello world ")) == [Paste("hello world")]
    assert state(m) is State.IDLE


def test_toggle_ignores_key_release_and_autorepeat() -> None:
    m = DictationMachine(mode=Mode.TOGGLE)
    assert m.handle(HotkeyDown(0.0)) == [StartCapture()]
    assert m.handle(HotkeyDown(0.03)) == []  # auto-repeat while held
    assert m.handle(HotkeyDown(0.06)) == []
    assert m.handle(HotkeyUp(0.5)) == []
    assert state(m) is State.RECORDING


def test_hotkey_while_transcribing_is_ignored() -> None:
    m = DictationMachine()
    press(m)
    press(m, 1.0)
    assert press(m, 2.0) == []
    assert state(m) is State.TRANSCRIBING
    assert m.handle(TranscriptionDone("ok")) == [Paste("ok")]


# --- hold to talk ------------------------------------------------------------------------------


def test_hold_records_while_key_is_down() -> None:
    m = DictationMachine(mode=Mode.HOLD, min_hold_s=0.25)
    assert m.handle(HotkeyDown(10.0)) == [StartCapture()]
    assert m.handle(HotkeyDown(10.1)) == []  # auto-repeat
    assert m.handle(HotkeyUp(12.0)) == [StopCapture()]
    assert state(m) is State.TRANSCRIBING
    assert m.handle(TranscriptionDone("held")) == [Paste("held")]


def test_hold_tap_shorter_than_minimum_cancels() -> None:
    m = DictationMachine(mode=Mode.HOLD, min_hold_s=0.25)
    m.handle(HotkeyDown(1.0))
    assert m.handle(HotkeyUp(1.1)) == [Cancel()]
    assert state(m) is State.IDLE


def test_hold_release_exactly_at_minimum_transcribes() -> None:
    m = DictationMachine(mode=Mode.HOLD, min_hold_s=0.25)
    m.handle(HotkeyDown(1.0))
    assert m.handle(HotkeyUp(1.25)) == [StopCapture()]


def test_switching_mode_while_recording_cancels() -> None:
    m = DictationMachine(mode=Mode.TOGGLE)
    press(m)
    assert m.set_mode(Mode.HOLD) == [Cancel()]
    assert state(m) is State.IDLE and m.mode is Mode.HOLD
    assert m.set_mode(Mode.HOLD) == []


# --- escape and late results -------------------------------------------------------------------


@pytest.mark.parametrize("mode", list(Mode))
def test_escape_while_recording_discards_and_never_pastes(mode: Mode) -> None:
    m = DictationMachine(mode=mode)
    m.handle(HotkeyDown(0.0))
    assert m.handle(Escape()) == [Cancel()]
    assert state(m) is State.IDLE
    assert m.handle(HotkeyUp(3.0)) == []  # the hold release after Esc does nothing
    assert m.handle(TranscriptionDone("late")) == []


def test_escape_while_transcribing_drops_the_result() -> None:
    m = DictationMachine()
    press(m)
    press(m, 1.0)
    assert m.handle(Escape()) == [Cancel()]
    assert m.handle(TranscriptionDone("too late")) == []
    assert state(m) is State.IDLE


def test_escape_when_idle_does_nothing() -> None:
    assert DictationMachine().handle(Escape()) == []


def test_escape_recovers_from_a_lost_key_release() -> None:
    m = DictationMachine(mode=Mode.TOGGLE)
    m.handle(HotkeyDown(0.0))  # the release never arrives
    assert m.handle(Escape()) == [Cancel()]
    assert m.handle(HotkeyDown(5.0)) == [StartCapture()]


def test_result_after_new_recording_started_is_not_pasted_twice() -> None:
    m = DictationMachine()
    press(m)
    press(m, 1.0)
    assert m.handle(TranscriptionDone("first")) == [Paste("first")]
    assert m.handle(TranscriptionDone("first")) == []  # duplicate delivery


def test_empty_transcript_notifies_instead_of_pasting() -> None:
    m = DictationMachine()
    press(m)
    press(m, 1.0)
    actions = m.handle(TranscriptionDone("   "))
    assert len(actions) == 1 and isinstance(actions[0], Notify)
    assert "No speech" in actions[0].message


# --- errors and permissions ------------------------------------------------------------------


def test_error_while_recording_cancels_and_explains() -> None:
    m = DictationMachine()
    press(m)
    assert m.handle(Error("The microphone was unplugged.")) == [
        Cancel(),
        Notify("The microphone was unplugged."),
    ]
    assert state(m) is State.IDLE


def test_error_while_idle_only_notifies() -> None:
    assert DictationMachine().handle(Error("boom")) == [Notify("boom")]


def test_missing_microphone_permission_explains_instead_of_recording() -> None:
    m = DictationMachine(permissions=PermissionStatus(microphone=False))
    actions = press(m)
    assert actions == [Notify(default_explanation(Permission.MICROPHONE), Permission.MICROPHONE)]
    assert "Microphone" in default_explanation(Permission.MICROPHONE)
    assert state(m) is State.IDLE


def test_missing_accessibility_copies_and_explains() -> None:
    m = DictationMachine(permissions=PermissionStatus(accessibility=False))
    press(m)
    press(m, 1.0)
    actions = m.handle(TranscriptionDone("hello"))
    assert actions[0] == Copy("hello")
    assert isinstance(actions[1], Notify) and actions[1].permission is Permission.ACCESSIBILITY
    assert "Accessibility" in actions[1].message


def test_permissions_can_change_at_runtime() -> None:
    m = DictationMachine(permissions=PermissionStatus(microphone=False))
    assert isinstance(press(m)[0], Notify)
    m.set_permissions(PermissionStatus())
    assert press(m, 1.0) == [StartCapture()]


def test_custom_explanations_are_used() -> None:
    m = DictationMachine(
        permissions=PermissionStatus(microphone=False),
        explanations={Permission.MICROPHONE: "Allow the mic, please."},
    )
    assert press(m) == [Notify("Allow the mic, please.", Permission.MICROPHONE)]


def test_startup_notices_list_every_missing_permission() -> None:
    assert startup_notices(PermissionStatus()) == []
    notices = startup_notices(PermissionStatus(microphone=False, input_monitoring=False))
    assert [n.permission for n in notices] == [Permission.MICROPHONE, Permission.INPUT_MONITORING]
    assert all(n.message and "\n" not in n.message for n in notices)
