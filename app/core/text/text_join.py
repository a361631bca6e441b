"""Joining consecutive dictated utterances into running text.

``join_piece(before, new)`` returns the text to insert after ``before`` (the text left of the
insertion point): the separating space when one is needed, capitalisation carried over from
the sentence state, and no space around Chinese/Japanese/Korean (scriptio continua) text.

Capitalisation: after ``. ? !`` (or at the start of the text / a new line) the first letter is
upper-cased. Mid-sentence, a first word the model capitalised only because it started an
utterance is lower-cased, except "I" ("I'm", "I'll"…), all-caps words (acronyms), the active
keywords, and words the text before already shows capitalised mid-sentence (a name seen
before). A proper noun seen for the first time right at an utterance start is lower-cased.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

_SENTENCE_END = ".?!…。？！"
_CLOSERS = "\"'”’)]}»」』"
_NO_SPACE_BEFORE = ",.;:!?…%)]}»”、。，．！？：；）」』"
_NO_SPACE_AFTER = "([{«“「『¿¡"
_WORD = re.compile(r"[\w'’-]+")


def is_cjk(ch: str) -> bool:
    """Han, kana, hangul and CJK punctuation: text written without spaces between words."""
    if not ch:
        return False
    code = ord(ch)
    return (
        0x3000 <= code <= 0x30FF  # CJK punctuation, hiragana, katakana
        or 0x3400 <= code <= 0x4DBF
        or 0x4E00 <= code <= 0x9FFF
        or 0xAC00 <= code <= 0xD7AF  # hangul syllables (Korean does use spaces: see below)
        or 0xF900 <= code <= 0xFAFF
        or 0xFF00 <= code <= 0xFFEF  # full-width forms
        or 0x20000 <= code <= 0x2FFFF
    )


def _is_hangul(ch: str) -> bool:
    return 0xAC00 <= ord(ch) <= 0xD7AF


def ends_sentence(text: str) -> bool:
    """True when ``text`` is empty, ends a line, or ends with sentence punctuation."""
    if not text.strip() or text.endswith("\n"):
        return True
    stripped = text.rstrip().rstrip(_CLOSERS)
    return bool(stripped) and stripped[-1] in _SENTENCE_END


def _known_names(before: str, keep: Iterable[str]) -> set[str]:
    names = {w for k in keep for w in _WORD.findall(k) if w[:1].isupper()}
    before = before[-2000:]
    for m in _WORD.finditer(before):
        w = m.group(0)
        if not w[:1].isupper():
            continue
        prev = before[: m.start()].rstrip().rstrip(_CLOSERS)
        if prev and prev[-1] not in _SENTENCE_END and prev[-1] != "\n":
            names.add(w)
    return names


def _keeps_case(word: str, names: set[str]) -> bool:
    core = word.strip("'’-")
    if core == "I" or re.match(r"^I['’]", word) or core in names:
        return True
    letters = [c for c in core if c.isalpha()]
    return len(letters) > 1 and all(c.isupper() for c in letters)


def _first_letter_index(text: str) -> int:
    for i, ch in enumerate(text):
        if ch.isalpha():
            return i
        if not unicodedata.category(ch).startswith("P"):
            return -1  # starts with a digit or a symbol: leave it
    return -1


def _fix_case(before: str, new: str, keep: Iterable[str]) -> str:
    i = _first_letter_index(new)
    if i < 0:
        return new
    ch = new[i]
    if ends_sentence(before):
        return new[:i] + ch.upper() + new[i + 1 :] if ch.islower() else new
    match = _WORD.match(new, i)
    word = match.group(0) if match else ch
    if ch.isupper() and not _keeps_case(word, _known_names(before, keep)):
        return new[:i] + ch.lower() + new[i + 1 :]
    return new


def _needs_space(before: str, new: str) -> bool:
    if not before or before[-1].isspace() or not new:
        return False
    last, first = before[-1], new[0]
    if first in _NO_SPACE_BEFORE or last in _NO_SPACE_AFTER:
        return False
    tight = (is_cjk(last) and not _is_hangul(last)) or (is_cjk(first) and not _is_hangul(first))
    return not tight


def join_piece(before: str, new: str, keep: Iterable[str] = ()) -> str:
    """The text to insert after ``before`` for the new utterance ``new`` ("" if it is empty).
    ``keep``: words never lower-cased (the active keyword list)."""
    piece = " ".join(new.split())
    if not piece:
        return ""
    piece = _fix_case(before, piece, keep)
    return (" " if _needs_space(before, piece) else "") + piece


def join_all(pieces: Iterable[str], keep: Iterable[str] = ()) -> str:
    """Join a sequence of utterances as they would have been dictated one after another."""
    keep = tuple(keep)
    text = ""
    for p in pieces:
        text += join_piece(text, p, keep)
    return text
