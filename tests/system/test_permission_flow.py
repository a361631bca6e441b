"""Permission steps against the fake platform: the microphone prompt is answered before a
stream opens, Accessibility is prompted once and watched until it arrives, Input Monitoring is
checked only when the hotkey needs it."""

from __future__ import annotations

import threading
from collections.abc import Callable

from app.core.dictation.hotkey_state import Permission
from app.system.base import MicrophoneStatus, permission_status
from app.system.fake import AllGrantedPermissions, FakePermissions
from app.system.permission_flow import AccessibilityWatch, MicrophoneGate, permission_rows


class Posted:
    """A ``post`` that queues calls, as the GUI thread's event loop would."""

    def __init__(self) -> None:
        self.calls: list[Callable[[], None]] = []

    def __call__(self, fn: Callable[[], None]) -> None:
        self.calls.append(fn)

    def run(self) -> None:
        calls, self.calls = self.calls, []
        for fn in calls:
            fn()


def test_granted_microphone_opens_at_once() -> None:
    gate = MicrophoneGate(FakePermissions())
    assert gate.check(lambda: None)


def test_denied_microphone_says_so_once_per_attempt_and_never_opens() -> None:
    denied: list[int] = []
    gate = MicrophoneGate(
        FakePermissions(microphone=MicrophoneStatus.DENIED), on_denied=lambda: denied.append(1)
    )
    assert not gate.check(lambda: None)
    assert denied == [1]


def test_undetermined_microphone_waits_for_the_answer_then_retries() -> None:
    perms = FakePermissions(microphone=MicrophoneStatus.NOT_DETERMINED)
    posted, retried, denied = Posted(), [], []
    gate = MicrophoneGate(perms, post=posted, on_denied=lambda: denied.append(1))
    assert not gate.check(lambda: retried.append("first"))
    assert not gate.check(lambda: retried.append("second"))  # still on screen: no 2nd prompt
    assert len(perms.mic_requests) == 1 and gate.asking
    answer = threading.Thread(target=perms.answer_microphone, args=(True,))
    answer.start()  # the system answers on its own thread
    answer.join()
    assert retried == []  # nothing runs on the system's thread
    posted.run()
    assert retried == ["second"] and denied == [] and not gate.asking
    assert gate.check(lambda: None)


def test_no_at_the_prompt_shows_the_denial() -> None:
    perms = FakePermissions(microphone=MicrophoneStatus.NOT_DETERMINED)
    retried, denied = [], []
    gate = MicrophoneGate(perms, on_denied=lambda: denied.append(1))
    gate.check(lambda: retried.append(1))
    perms.answer_microphone(False)
    assert retried == [] and denied == [1]
    assert perms.microphone is MicrophoneStatus.DENIED


def test_accessibility_is_prompted_once_and_watched_until_granted() -> None:
    perms = FakePermissions(accessibility=False)
    granted: list[int] = []
    watch = AccessibilityWatch(perms, lambda: granted.append(1))
    assert watch.enable() and watch.waiting
    assert perms.accessibility_prompts == 1
    assert watch.enable() and perms.accessibility_prompts == 1  # the first time only
    assert not watch.check()
    perms.accessibility = True
    assert watch.check() and granted == [1]
    assert not watch.check() and granted == [1] and not watch.waiting


def test_accessibility_already_granted_needs_no_prompt() -> None:
    perms = FakePermissions()
    watch = AccessibilityWatch(perms, lambda: None)
    assert not watch.enable() and perms.accessibility_prompts == 0


def test_input_monitoring_is_checked_only_without_accessibility() -> None:
    perms = FakePermissions(accessibility=True, input_monitoring=False)
    assert permission_status(perms).input_monitoring  # the active tap needs only Accessibility
    assert "input_monitoring" not in perms.checked
    perms.accessibility = False
    assert not permission_status(perms).input_monitoring


def test_permission_rows_name_what_is_needed_now() -> None:
    perms = FakePermissions(accessibility=False, input_monitoring=False)
    rows = {r.kind: r for r in permission_rows(perms, system_wide=False)}
    assert rows[Permission.MICROPHONE].granted and rows[Permission.MICROPHONE].needed
    assert not rows[Permission.ACCESSIBILITY].needed  # no system-wide dictation
    assert not rows[Permission.INPUT_MONITORING].needed
    rows = {r.kind: r for r in permission_rows(perms, system_wide=True)}
    acc = rows[Permission.ACCESSIBILITY]
    assert acc.needed and not acc.granted and "Accessibility" in acc.detail
    assert acc.settings_url == "x-fake-settings:accessibility"
    assert rows[Permission.INPUT_MONITORING].needed
    perms.microphone = MicrophoneStatus.NOT_DETERMINED
    mic = permission_rows(perms, system_wide=True)[0]
    assert not mic.granted and "asks" in mic.detail


def test_linux_has_nothing_to_fix() -> None:
    rows = permission_rows(AllGrantedPermissions(), system_wide=True)
    assert all(r.granted and r.settings_url is None for r in rows)
