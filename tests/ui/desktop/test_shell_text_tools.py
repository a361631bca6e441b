"""System-wide dictation keeps what the pane got: spoken commands' line breaks are pasted,
"scratch that" takes the utterance out of the paste too."""

from __future__ import annotations

from dataclasses import replace

from app.core.dictation.system_session import session_text
from tests.support.wired_app import WAIT_MS, App


def test_session_text_keeps_line_breaks_and_capitalises_the_start() -> None:
    assert session_text([" dear John,\n", "Thanks for the note."]) == (
        "Dear John,\nThanks for the note."
    )
    assert session_text([]) == ""


def paste_session(app: App) -> str:
    app.start_system_wide()
    app.tap_hotkey()
    app.qtbot.waitUntil(lambda: app.shell.driver.state.value == "idle", timeout=WAIT_MS)
    app.wait_idle()
    return "".join(str(text) for _kind, text in app.injector.keystrokes)


def test_commands_reach_the_paste(app: App) -> None:
    first, second = app.expected()
    # the fake engine's words as a user's own spoken commands
    lines = f"{second.split()[-1]} => new line\n{' '.join(second.split())} => scratch that"
    prefs = replace(app.window.prefs, global_hotkey="Alt+Space", spoken_command_lines=lines)
    app.window.apply_preferences(prefs)
    assert paste_session(app) == ""  # the second utterance scratched the first: nothing left
    assert app.window.current_pane().document.toPlainText() == ""
    lines = f"{first.split()[-1]} => new line"
    app.window.apply_preferences(replace(prefs, spoken_command_lines=lines))
    pasted = paste_session(app)
    # the line break a command made inside the session is pasted; capitals follow it
    assert pasted == " ".join(first.split()[:-1]).capitalize() + "\n" + second.capitalize()
