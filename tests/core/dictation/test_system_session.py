from __future__ import annotations

from app.core.dictation.system_session import SystemSession, session_text


def test_session_text_keeps_line_breaks_and_capitalises_the_start() -> None:
    assert session_text([" dear John,\n", "Thanks for the note."]) == (
        "Dear John,\nThanks for the note."
    )
    assert session_text(["hello", " world. "]) == "Hello world."
    assert session_text([]) == ""


def test_a_session_pastes_its_utterances_once_it_is_over() -> None:
    session = SystemSession()
    session.start()
    session.committed("hello")  # as joined in the pane: the next one brings its space
    assert session.finish() is None  # still recording
    session.committed(" world.")
    assert session.ended()
    assert session.finish() == "Hello world."
    assert not session.active and session.texts == []
    assert session.last_text == "Hello world."
    assert session.finish() is None  # pasted once


def test_scratch_that_and_a_spoken_mark_change_what_is_pasted() -> None:
    session = SystemSession()
    session.start()
    session.committed("first one.")
    session.committed(" second.")
    session.removed()
    session.trimmed()  # "first one." lost its full stop to a spoken mark
    session.committed("?")
    session.ended()
    assert session.finish() == "First one?"


def test_window_utterances_only_set_the_last_dictation() -> None:
    session = SystemSession(last_text="old")
    session.committed("  typed in the window ")
    session.removed()
    session.trimmed()
    assert session.texts == [] and session.last_text == "typed in the window"
    assert not session.ended() and session.finish() is None


def test_abandon_drops_the_text_and_says_whether_a_session_ran() -> None:
    session = SystemSession(last_text="kept")
    assert not session.abandon()
    session.start()
    session.committed("lost")
    assert session.abandon()
    assert session.texts == [] and not session.active and session.last_text == "kept"
    session.start()
    session.ended()
    assert session.finish() == "" and session.last_text == "kept"  # nothing said: keep the old
