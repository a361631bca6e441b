"""Spoken commands while dictating: "new line", "comma", "scratch that", per language.

A command applies only when it is the whole utterance or ends it (several may end it: "stop
there period new line"); anywhere else the words stay as spoken ("the period of the contract").
Matching ignores case, the punctuation the model puts around the words ("New line.") and
the kind of apostrophe. Languages: en, fr, de, es, pt; an unknown or auto-detected language
uses English (a union would turn the English word "point" into a full stop).

API::

    Action                                  # what a command does
    CommandSet(extra_lines="")              # built-in tables + the user's lines
        .split(text, language) -> (rest, actions)
    parse_command_lines(text) -> dict[str, Action | str]   # "phrase => action" lines
    render(rest, actions, language) -> (text, scratch_previous)

User lines (Preferences): ``phrase => action`` where ``action`` is an :class:`Action` value
("new line", "period", ...), ``off`` to disable a built-in phrase, or any other text to insert
literally ("smiley => :-)"). They apply on top of every language's table.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from enum import StrEnum

from app.core.errors import UsageError


class Action(StrEnum):
    NEW_LINE = "new line"
    NEW_PARAGRAPH = "new paragraph"
    PERIOD = "period"
    COMMA = "comma"
    QUESTION = "question mark"
    EXCLAMATION = "exclamation mark"
    COLON = "colon"
    OPEN_QUOTE = "open quote"
    CLOSE_QUOTE = "close quote"
    SCRATCH = "scratch that"


OFF = "off"
DEFAULT_LANGUAGE = "en"
_A = Action
BUILT_IN: dict[str, dict[str, Action]] = {
    "en": {
        "new line": _A.NEW_LINE,
        "newline": _A.NEW_LINE,
        "new paragraph": _A.NEW_PARAGRAPH,
        "period": _A.PERIOD,
        "full stop": _A.PERIOD,
        "comma": _A.COMMA,
        "question mark": _A.QUESTION,
        "exclamation mark": _A.EXCLAMATION,
        "exclamation point": _A.EXCLAMATION,
        "colon": _A.COLON,
        "open quote": _A.OPEN_QUOTE,
        "close quote": _A.CLOSE_QUOTE,
        "end quote": _A.CLOSE_QUOTE,
        "scratch that": _A.SCRATCH,
    },
    "fr": {
        "nouvelle ligne": _A.NEW_LINE,
        "à la ligne": _A.NEW_LINE,
        "nouveau paragraphe": _A.NEW_PARAGRAPH,
        "point": _A.PERIOD,
        "point final": _A.PERIOD,
        "virgule": _A.COMMA,
        "point d'interrogation": _A.QUESTION,
        "point d'exclamation": _A.EXCLAMATION,
        "deux points": _A.COLON,
        "ouvrez les guillemets": _A.OPEN_QUOTE,
        "ouvrir les guillemets": _A.OPEN_QUOTE,
        "fermez les guillemets": _A.CLOSE_QUOTE,
        "fermer les guillemets": _A.CLOSE_QUOTE,
        "efface ça": _A.SCRATCH,
        "annule ça": _A.SCRATCH,
    },
    "de": {
        "neue Zeile": _A.NEW_LINE,
        "neuer Absatz": _A.NEW_PARAGRAPH,
        "Punkt": _A.PERIOD,
        "Komma": _A.COMMA,
        "Fragezeichen": _A.QUESTION,
        "Ausrufezeichen": _A.EXCLAMATION,
        "Doppelpunkt": _A.COLON,
        "Anführungszeichen auf": _A.OPEN_QUOTE,
        "Anführungszeichen unten": _A.OPEN_QUOTE,
        "Anführungszeichen zu": _A.CLOSE_QUOTE,
        "Anführungszeichen oben": _A.CLOSE_QUOTE,
        "streich das": _A.SCRATCH,
        "lösch das": _A.SCRATCH,
    },
    "es": {
        "nueva línea": _A.NEW_LINE,
        "nuevo párrafo": _A.NEW_PARAGRAPH,
        "punto": _A.PERIOD,
        "punto final": _A.PERIOD,
        "coma": _A.COMMA,
        "signo de interrogación": _A.QUESTION,
        "signo de exclamación": _A.EXCLAMATION,
        "dos puntos": _A.COLON,
        "abrir comillas": _A.OPEN_QUOTE,
        "cerrar comillas": _A.CLOSE_QUOTE,
        "borra eso": _A.SCRATCH,
    },
    "pt": {
        "nova linha": _A.NEW_LINE,
        "novo parágrafo": _A.NEW_PARAGRAPH,
        "ponto final": _A.PERIOD,
        "ponto": _A.PERIOD,
        "vírgula": _A.COMMA,
        "ponto de interrogação": _A.QUESTION,
        "ponto de exclamação": _A.EXCLAMATION,
        "dois pontos": _A.COLON,
        "abre aspas": _A.OPEN_QUOTE,
        "fecha aspas": _A.CLOSE_QUOTE,
        "apaga isso": _A.SCRATCH,
    },
}
#: Quotation marks per language (French and Spanish: guillemets).
QUOTES: dict[str, tuple[str, str]] = {"fr": ("«", "»"), "es": ("«", "»")}
DEFAULT_QUOTES = ("“", "”")
_MARKS = {
    _A.PERIOD: ".",
    _A.COMMA: ",",
    _A.QUESTION: "?",
    _A.EXCLAMATION: "!",
    _A.COLON: ":",
}
_TRAILING = " \t.,;:!?…"  # punctuation the model puts around a spoken command
_DANGLING = ",;"  # the model's punctuation dropped before a line break


def normalize_phrase(phrase: str) -> str:
    return " ".join(phrase.replace("’", "'").replace("-", " ").split()).casefold()


def _phrase_pattern(phrase: str) -> str:
    words = normalize_phrase(phrase).split()
    return r"[\s\-]+".join(re.escape(w).replace("'", "['’]") for w in words)


def parse_command_lines(text: str) -> dict[str, Action | str]:
    """The user's ``phrase => action`` lines; ``UsageError`` naming the first bad line."""
    out: dict[str, Action | str] = {}
    for number, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        phrase, arrow, action = line.partition("=>")
        phrase, action = normalize_phrase(phrase), action.strip()
        if not arrow or not phrase:
            raise UsageError(f"Spoken commands, line {number}: expected 'phrase => action'.")
        known = {a.value: a for a in Action}
        out[phrase] = known.get(action.casefold(), action)
    return out


class CommandSet:
    """Built-in tables plus the user's lines; compiled once per language."""

    def __init__(self, extra_lines: str = "") -> None:
        self.extra = parse_command_lines(extra_lines)
        self._compiled: dict[str, tuple[re.Pattern[str], dict[str, Action | str]]] = {}

    def table(self, language: str | None) -> dict[str, Action | str]:
        lang = language if language in BUILT_IN else DEFAULT_LANGUAGE
        table: dict[str, Action | str] = {normalize_phrase(k): v for k, v in BUILT_IN[lang].items()}
        for phrase, action in self.extra.items():
            if action == OFF:
                table.pop(phrase, None)
            else:
                table[phrase] = action
        return table

    def _pattern(self, language: str | None) -> tuple[re.Pattern[str], dict[str, Action | str]]:
        lang = language if language in BUILT_IN else DEFAULT_LANGUAGE
        if lang not in self._compiled:
            table = self.table(lang)
            alts = "|".join(_phrase_pattern(p) for p in sorted(table, key=len, reverse=True))
            body = f"(?<!\\w)(?P<cmd>{alts})[{re.escape(_TRAILING)}]*$" if alts else "(?!)"
            self._compiled[lang] = (re.compile(body, re.IGNORECASE), table)
        return self._compiled[lang]

    def split(self, text: str, language: str | None) -> tuple[str, list[Action | str]]:
        """``text`` without its trailing commands, and those commands in spoken order."""
        pattern, table = self._pattern(language)
        rest = text
        actions: list[Action | str] = []
        while True:
            m = pattern.search(rest)
            if m is None:
                return rest, actions
            actions.insert(0, table[normalize_phrase(m.group("cmd"))])
            rest = rest[: m.start()]


def render(rest: str, actions: Sequence[Action | str], language: str | None) -> tuple[str, bool]:
    """The utterance's text after its commands, and whether the previous utterance is to be
    removed ("scratch that" alone). "Scratch that" after words drops the whole utterance."""
    if Action.SCRATCH in actions:
        first = list(actions).index(Action.SCRATCH)
        return "", not rest.strip() and first == 0
    text = rest.strip()
    open_q, close_q = QUOTES.get(language or "", DEFAULT_QUOTES)
    spoken_mark = False  # the text ends with punctuation the user dictated: keep it
    for action in actions:
        if action in _MARKS:
            mark = _MARKS[Action(action)]
            text = text.rstrip(_TRAILING) + mark if text.rstrip(_TRAILING) else mark
        elif action in (Action.NEW_LINE, Action.NEW_PARAGRAPH):
            text = text.rstrip(" " if spoken_mark else " " + _DANGLING)
            text += "\n" if action is Action.NEW_LINE else "\n\n"
        elif action is Action.OPEN_QUOTE:
            text += (" " if text and not text[-1].isspace() else "") + open_q
        elif action is Action.CLOSE_QUOTE:
            text = text.rstrip(" ") + close_q
        else:
            text += (" " if text and not text[-1].isspace() else "") + str(action)
        spoken_mark = action in _MARKS
    return text, False


def commands_for(table: Mapping[str, Action | str]) -> list[str]:
    """``phrase => action`` lines for a table (to show the built-in list for editing)."""
    return [f"{phrase} => {action}" for phrase, action in table.items()]
