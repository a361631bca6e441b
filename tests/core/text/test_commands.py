"""Spoken commands: only whole or final, per language, user lines, rendering."""

from __future__ import annotations

import pytest

from app.core.errors import UsageError
from app.core.text.commands import Action, CommandSet, parse_command_lines, render


def spoken(text: str, language: str | None = "en", extra: str = "") -> tuple[str, bool]:
    rest, actions = CommandSet(extra).split(text, language)
    return render(rest, actions, language)


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        ("Hello world period", "en", "Hello world."),
        ("Hello world. Full stop.", "en", "Hello world."),
        ("Is it? Question mark.", "en", "Is it?"),
        ("wow exclamation mark", "en", "wow!"),
        ("Dear John, comma new line", "en", "Dear John,\n"),
        ("the list colon", "en", "the list:"),
        ("Hello, new line.", "en", "Hello\n"),
        ("The end. New paragraph.", "en", "The end.\n\n"),
        ("new line", None, "\n"),
        ("he said open quote", "en", "he said “"),
        ("hello close quote", "en", "hello”"),
        ("il a dit ouvrez les guillemets", "fr", "il a dit «"),
        ("C'est fini point", "fr", "C'est fini."),
        ("Nouvelle ligne.", "fr", "\n"),
        ("Vraiment point d’interrogation", "fr", "Vraiment?"),
        ("Das ist alles. Neuer Absatz.", "de", "Das ist alles.\n\n"),
        ("Hallo Komma", "de", "Hallo,"),
        ("Hola punto", "es", "Hola."),
        ("la lista dos puntos", "es", "la lista:"),
        ("Olá ponto final", "pt", "Olá."),
        ("Olá vírgula", "pt", "Olá,"),
    ],
)
def test_commands_at_the_end(text: str, language: str | None, expected: str) -> None:
    assert spoken(text, language) == (expected, False)


@pytest.mark.parametrize(
    "text",
    [
        "the period of the contract",
        "a comma in the middle, then more",
        "new line items were added",
        "what a point to make",  # English: "point" is not a command
    ],
)
def test_words_elsewhere_stay_as_spoken(text: str) -> None:
    assert spoken(text) == (text, False)


def test_a_command_word_inside_another_word_is_not_a_command() -> None:
    assert spoken("the comma-separated semicolon", "en") == ("the comma-separated semicolon", False)
    assert spoken("it is a Doppelpunkt", "en")[0] == "it is a Doppelpunkt"


def test_language_picks_the_table() -> None:
    assert spoken("that is the point", "fr")[0] == "that is the."
    assert spoken("that is the point", "en")[0] == "that is the point"
    assert spoken("neue Zeile", None)[0] == "neue Zeile"  # auto: English commands


def test_scratch_that() -> None:
    assert spoken("Scratch that.") == ("", True)  # alone: remove the previous utterance
    assert spoken("I did not mean this scratch that") == ("", False)  # drop this one only
    assert spoken("efface ça", "fr") == ("", True)


def test_user_lines_add_replace_and_disable() -> None:
    extra = "smiley => :-)\nperiod => off\nnext line => new line\n# note\n"
    assert spoken("nice smiley", "en", extra)[0] == "nice :-)"
    assert spoken("the period", "en", extra)[0] == "the period"
    assert spoken("hello next line", "en", extra)[0] == "hello\n"
    assert parse_command_lines("break => NEW LINE") == {"break": Action.NEW_LINE}
    with pytest.raises(UsageError, match="line 2"):
        parse_command_lines("a => b\n=> c")
