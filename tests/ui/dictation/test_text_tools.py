"""Dictated text goes through rules and spoken commands before the pane; the last dictation
can be undone (also by "scratch that") only while it is unchanged."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Signal
from PySide6.QtGui import QKeySequence, QTextCursor

from app.core.dictation.endpointing import Utterance
from app.core.text.postprocess import dictation_context
from app.core.text.rules import parse_rules
from app.core.transcript import Task, TaskSpec
from app.ui.dictation.dictation_controller import DictationController
from app.ui.editor.transcript_pane import TranscriptPane
from app.workers.qt_engine import Bridge


class FakeBridge(Bridge):
    """Only what the controller uses: submit_audio and the job signals (no preview)."""

    jobPartial = Signal(int, int, str, float, float)
    jobFinished = Signal(int, object)
    jobFailed = Signal(int, str)

    def __init__(self) -> None:
        super().__init__()
        self.jobs = 0

    def submit_audio(self, *_args: object) -> int:
        self.jobs += 1
        return self.jobs

    def cancel(self, _job: int) -> None:
        pass


RULES = parse_rules("gonna => going to\nre:\\bv(\\d+) => version \\1")


def make(qtbot, specs=None, panes_n: int = 1):
    specs = specs or (TaskSpec(source_language="en"),)
    bridge = FakeBridge()
    panes = [TranscriptPane() for _ in range(panes_n)]
    for p in panes:
        qtbot.addWidget(p)
    ctl = DictationController(
        bridge,
        lambda: list(specs),
        lambda s: panes[: len(s)],
        text_context=lambda spec: dictation_context(spec, RULES),
        preview=False,
    )
    return ctl, bridge, panes


def say(ctl, bridge, *texts: str) -> None:
    """One utterance whose tasks produced ``texts``."""
    ctl._on_utterance(Utterance(0, 0.0, 1.0, np.zeros(1600, np.float32)))
    bridge.jobFinished.emit(bridge.jobs, [_Result(t) for t in texts])


class _Result:
    def __init__(self, text: str) -> None:
        self.text = text


def test_rules_and_commands_apply_before_the_pane(qtbot) -> None:
    ctl, bridge, [pane] = make(qtbot)
    say(ctl, bridge, "I'm gonna ship v2 comma new line")
    say(ctl, bridge, "the period of the contract period")
    assert (
        pane.document.toPlainText() == "I'm going to ship version 2,\nThe period of the contract."
    )
    assert ctl.last.text == "The period of the contract."


def test_undo_last_dictation_even_after_typing_elsewhere(qtbot) -> None:
    ctl, bridge, [pane] = make(qtbot)
    say(ctl, bridge, "first part.")
    say(ctl, bridge, "second part.")
    cursor = pane.editor.textCursor()
    cursor.movePosition(QTextCursor.MoveOperation.Start)
    cursor.insertText(">> ")  # typing elsewhere
    assert ctl.last.undo()
    assert pane.document.toPlainText() == ">> First part."
    assert ctl.last.undo()
    assert pane.document.toPlainText() == ">> "
    assert not ctl.last.undo()


def test_an_edited_dictation_is_not_undone(qtbot) -> None:
    ctl, bridge, [pane] = make(qtbot)
    say(ctl, bridge, "keep this.")
    text = pane.document.toPlainText()
    cursor = pane.editor.textCursor()
    cursor.setPosition(3)
    cursor.insertText("X")  # typed inside the dictated text
    assert not ctl.last.undo()
    assert pane.document.toPlainText() == text[:3] + "X" + text[3:]


def test_scratch_that_removes_the_previous_utterance_in_every_pane(qtbot) -> None:
    specs = (TaskSpec(source_language="en"), TaskSpec(Task.TRANSLATE, "en", "fr"))
    ctl, bridge, panes = make(qtbot, specs, 2)
    say(ctl, bridge, "Hello there.", "Bonjour.")
    say(ctl, bridge, "wrong words.", "mauvais mots.")
    say(ctl, bridge, "Scratch that.", "Efface ça.")
    assert [p.document.toPlainText() for p in panes] == ["Hello there.", "Bonjour."]
    say(ctl, bridge, "new line", "nouvelle ligne")
    say(ctl, bridge, "next", "suivant")
    assert panes[0].document.toPlainText() == "Hello there.\nNext"
    assert ctl.last.undo()
    assert ctl.last.undo()  # a line break alone is an utterance too
    assert panes[0].document.toPlainText() == "Hello there."


def test_edit_menu_actions_undo_and_copy(qtbot) -> None:
    from PySide6.QtGui import QGuiApplication
    from PySide6.QtWidgets import QMainWindow

    from app.ui.dictation.text_tools import UNDO_LAST_SHORTCUT, install_text_tools

    ctl, bridge, [pane] = make(qtbot)
    window = QMainWindow()
    qtbot.addWidget(window)
    edit = window.menuBar().addMenu("&Edit")
    undo, copy = install_text_tools(window, ctl)
    assert undo in edit.actions() and copy in edit.actions()
    assert undo.shortcut().toString() == UNDO_LAST_SHORTCUT
    redo = QKeySequence.keyBindings(QKeySequence.StandardKey.Redo)
    assert undo.shortcut() not in redo
    say(ctl, bridge, "Dictated words.")
    copy.trigger()
    assert QGuiApplication.clipboard().text() == "Dictated words."
    undo.trigger()
    assert pane.document.toPlainText() == ""
    undo.trigger()
    assert window.statusBar().currentMessage() == "No unchanged dictation to undo."


def test_rules_never_touch_text_the_user_typed(qtbot) -> None:
    ctl, bridge, [pane] = make(qtbot)
    pane.editor.setPlainText("I typed gonna myself.")
    pane.editor.moveCursor(QTextCursor.MoveOperation.End)
    say(ctl, bridge, "and gonna dictate v3")
    assert pane.document.toPlainText() == "I typed gonna myself. And going to dictate version 3"


def test_a_spoken_mark_replaces_the_models_mark_only_while_unchanged(qtbot) -> None:
    ctl, bridge, [pane] = make(qtbot)
    say(ctl, bridge, "Is it ready.")
    say(ctl, bridge, "Question mark.")
    assert pane.document.toPlainText() == "Is it ready?"
    assert ctl.last.undo()  # the "?" utterance
    assert pane.document.toPlainText() == "Is it ready"
    assert ctl.last.undo()  # the shortened first utterance is still known
    assert pane.document.toPlainText() == ""
    ctl2, bridge2, [pane2] = make(qtbot)
    say(ctl2, bridge2, "Is it ready.")
    cursor = pane2.editor.textCursor()
    cursor.setPosition(2)
    cursor.insertText("X")  # the user edited it: the model's period stays
    say(ctl2, bridge2, "Question mark.")
    assert pane2.document.toPlainText() == "IsX it ready.?"
