"""Named keyword lists (hotwords) that bias the model towards names and jargon.

Pure Python. The GUI (``app.ui.panels.keyword_sidebar``) edits a :class:`KeywordLibrary`; the active
list's words go into ``TaskSpec.keywords`` and mlx-audio appends ``Keywords: a, b, ...`` to the
instruction of every chunk.

API::

    KeywordList(name: str, words: list[str], rules: list[Rule])
    KeywordLibrary(lists: list[KeywordList] | None = None, active: str | None = None)
        .names() -> list[str]; .active_name -> str; .set_active(name)
        .active_list() -> KeywordList; .active_keywords() -> tuple[str, ...]
        .add_list(name) -> KeywordList; .remove_list(name); .rename_list(old, new)
        .add_word(word) -> bool; .remove_word(word) -> bool; .edit_word(old, new) -> bool
        .paste(text) -> list[str]; .import_text(text) -> list[str]; .export_text() -> str
        .active_rules() -> tuple[Rule, ...]; .set_rules(rules)   # replacement rules of the list
        .to_dict() -> dict; KeywordLibrary.from_dict(data) -> KeywordLibrary
    split_keywords(text) -> list[str]; exceeds_limit(words) -> bool
    read_keywords_file(path) -> list[str]   # --keywords-file and the sidebar's Import

Words are kept in the order added; duplicates are detected case-insensitively and the first
spelling wins. Bad input raises ``UsageError`` with a one-line message.

Each list also carries its replacement rules (``app.core.text.rules``), so one list ("Work")
holds its keywords and its rules together; they are saved with the lists (format version 2;
version 1, without rules, still loads). A saved rule that no longer checks is dropped.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from app.core.errors import UsageError
from app.core.text.rules import Rule

log = logging.getLogger(__name__)

# Why 100 keywords / 1000 characters: the keyword line is part of the prompt of *every* chunk.
# An average keyword is 2-4 BPE tokens plus ", " (one token), so 100 keywords or 1000
# characters cost about 300-400 prompt tokens. A 30 s chunk is only 300 audio tokens
# (10 tokens/s), so beyond this the keyword line is larger than the audio itself: prefill time
# per chunk more than doubles, and the 4096-position window (audio + prompt + ~150 output
# tokens for 30 s of speech) shrinks for long chunks (a 5 minute chunk already uses 3000).
# Long lists also dilute the bias and make the model more likely to insert listed words that
# were not spoken. Above the limit we warn; we never truncate silently.
PRACTICAL_LIMIT = 100
PRACTICAL_CHAR_LIMIT = 1000
#: One keyword longer than this is almost certainly a pasted sentence, not a term.
MAX_KEYWORD_CHARS = 80
DEFAULT_LIST_NAME = "Keywords"
#: A keywords file is read only up to this size (``/dev/zero`` must not eat the memory) ...
MAX_FILE_BYTES = 64 * 1024
#: ... and may hold at most this many keywords (twenty times the practical limit).
MAX_FILE_KEYWORDS = 2000

_SPLIT = re.compile(r"[\n\r,;\t]+")


def clean_keyword(word: str) -> str:
    """Trim and collapse whitespace; ``""`` means nothing usable."""
    return " ".join(word.split())


def split_keywords(text: str) -> list[str]:
    """Split pasted text on newlines, commas, semicolons and tabs; trim and drop empties."""
    return [w for w in (clean_keyword(p) for p in _SPLIT.split(text)) if w]


def keyword_chars(words: Iterable[str]) -> int:
    """Characters the keyword line adds to the prompt (``", "``-joined)."""
    return len(", ".join(words))


def exceeds_limit(words: Iterable[str]) -> bool:
    ws = list(words)
    return len(ws) > PRACTICAL_LIMIT or keyword_chars(ws) > PRACTICAL_CHAR_LIMIT


def read_keywords_file(path: str | os.PathLike[str]) -> list[str]:
    """Keywords of a text file, one per line (or comma-separated), ``#`` lines are comments.

    Reads at most :data:`MAX_FILE_BYTES` + 1 bytes whatever the file is (a device, a pipe, a
    huge file), so it fails fast; raises ``UsageError`` with one line naming the file.
    """
    name = os.path.basename(os.fspath(path)) or os.fspath(path)
    try:
        with open(path, "rb") as f:
            data = f.read(MAX_FILE_BYTES + 1)
    except OSError as err:
        raise UsageError(f"Keywords file {name}: {err.strerror or 'unreadable'}.") from None
    if len(data) > MAX_FILE_BYTES:
        raise UsageError(
            f"Keywords file {name} is larger than {MAX_FILE_BYTES // 1024} KB; a keyword list "
            f"holds at most {MAX_FILE_KEYWORDS} keywords."
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UsageError(f"Keywords file {name} is not UTF-8 text.") from None
    lines = (ln for ln in text.splitlines() if not ln.lstrip().startswith("#"))
    words = split_keywords("\n".join(lines))
    if len(words) > MAX_FILE_KEYWORDS:
        raise UsageError(
            f"Keywords file {name} holds {len(words)} keywords; at most {MAX_FILE_KEYWORDS} "
            "are accepted."
        )
    return words


def _check_word(word: str) -> str:
    cleaned = clean_keyword(word)
    if not cleaned:
        raise UsageError("A keyword cannot be empty.")
    if _SPLIT.search(cleaned):
        raise UsageError("A keyword cannot contain commas, semicolons or line breaks.")
    if len(cleaned) > MAX_KEYWORD_CHARS:
        raise UsageError(f"A keyword can be at most {MAX_KEYWORD_CHARS} characters long.")
    return cleaned


def _check_name(name: str) -> str:
    cleaned = clean_keyword(name)
    if not cleaned:
        raise UsageError("A keyword list needs a name.")
    return cleaned


@dataclass
class KeywordList:
    name: str
    words: list[str] = field(default_factory=list)
    rules: list[Rule] = field(default_factory=list)

    def index_of(self, word: str) -> int:
        """Position of ``word`` compared case-insensitively, or -1."""
        key = clean_keyword(word).casefold()
        for i, w in enumerate(self.words):
            if w.casefold() == key:
                return i
        return -1

    def add(self, word: str) -> bool:
        """Append a checked word; ``False`` if it is already there (any case)."""
        cleaned = _check_word(word)
        if self.index_of(cleaned) >= 0:
            return False
        self.words.append(cleaned)
        return True

    def add_many(self, words: Iterable[str]) -> list[str]:
        """Add every usable word; returns the ones actually added (skips bad and duplicates)."""
        added: list[str] = []
        for word in words:
            try:
                if self.add(word):
                    added.append(self.words[-1])
            except UsageError:
                continue
        return added


class KeywordLibrary:
    """Several named keyword lists, one of them active. There is always at least one list."""

    def __init__(self, lists: list[KeywordList] | None = None, active: str | None = None) -> None:
        self._lists: list[KeywordList] = list(lists or [])
        if not self._lists:
            self._lists.append(KeywordList(DEFAULT_LIST_NAME))
        self._active = 0
        if active is not None and active in self.names():
            self._active = self.names().index(active)

    # -- lists -----------------------------------------------------------------------------
    def names(self) -> list[str]:
        return [kl.name for kl in self._lists]

    @property
    def lists(self) -> tuple[KeywordList, ...]:
        return tuple(self._lists)

    @property
    def active_name(self) -> str:
        return self._lists[self._active].name

    def active_list(self) -> KeywordList:
        return self._lists[self._active]

    def set_active(self, name: str) -> None:
        self._active = self._index(name)

    def get(self, name: str) -> KeywordList:
        return self._lists[self._index(name)]

    def _index(self, name: str) -> int:
        for i, kl in enumerate(self._lists):
            if kl.name == name:
                return i
        raise UsageError(f"There is no keyword list named '{name}'.")

    def _unused(self, name: str, ignore: int = -1) -> str:
        cleaned = _check_name(name)
        for i, kl in enumerate(self._lists):
            if i != ignore and kl.name.casefold() == cleaned.casefold():
                raise UsageError(f"A keyword list named '{kl.name}' already exists.")
        return cleaned

    def add_list(self, name: str, *, activate: bool = True) -> KeywordList:
        kl = KeywordList(self._unused(name))
        self._lists.append(kl)
        if activate:
            self._active = len(self._lists) - 1
        return kl

    def remove_list(self, name: str) -> None:
        """Delete a list; deleting the last one leaves an empty default list."""
        i = self._index(name)
        del self._lists[i]
        if not self._lists:
            self._lists.append(KeywordList(DEFAULT_LIST_NAME))
        if self._active > i or self._active >= len(self._lists):
            self._active = max(0, self._active - 1)

    def rename_list(self, old: str, new: str) -> None:
        i = self._index(old)
        self._lists[i].name = self._unused(new, ignore=i)

    # -- words of the active list -----------------------------------------------------------
    def active_keywords(self) -> tuple[str, ...]:
        return tuple(self.active_list().words)

    def add_word(self, word: str) -> bool:
        return self.active_list().add(word)

    def remove_word(self, word: str) -> bool:
        kl = self.active_list()
        i = kl.index_of(word)
        if i < 0:
            return False
        del kl.words[i]
        return True

    def edit_word(self, old: str, new: str) -> bool:
        """Replace ``old`` by ``new`` in place; ``False`` if ``old`` is missing.

        Raises ``UsageError`` if ``new`` is unusable or already in the list under another entry.
        """
        kl = self.active_list()
        i = kl.index_of(old)
        if i < 0:
            return False
        cleaned = _check_word(new)
        j = kl.index_of(cleaned)
        if j >= 0 and j != i:
            raise UsageError(f"'{kl.words[j]}' is already in the list.")
        kl.words[i] = cleaned
        return True

    def paste(self, text: str) -> list[str]:
        """Add many words split on newlines/commas/semicolons; returns those added."""
        return self.active_list().add_many(split_keywords(text))

    def import_text(self, text: str) -> list[str]:
        """Add words from a file with one keyword per line (``#`` lines are comments)."""
        lines = (ln for ln in text.splitlines() if not ln.lstrip().startswith("#"))
        return self.paste("\n".join(lines))

    def active_rules(self) -> tuple[Rule, ...]:
        return tuple(self.active_list().rules)

    def set_rules(self, rules: Iterable[Rule]) -> None:
        """Replace the active list's rules (each checked: ``UsageError`` if one is bad)."""
        self.active_list().rules = [r.check() for r in rules]

    def export_text(self) -> str:
        words = self.active_list().words
        return "".join(f"{w}\n" for w in words)

    # -- persistence ------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        return {
            "version": 2,
            "active": self.active_name,
            "lists": [
                {
                    "name": kl.name,
                    "words": list(kl.words),
                    "rules": [r.to_dict() for r in kl.rules],
                }
                for kl in self._lists
            ],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> KeywordLibrary:
        """Rebuild from :meth:`to_dict` output; raises ``UsageError`` if the shape is wrong."""
        raw_lists = data.get("lists") if isinstance(data, Mapping) else None
        if not isinstance(raw_lists, list):
            raise UsageError("Saved keyword lists are not in the expected format.")
        lists: list[KeywordList] = []
        seen: set[str] = set()
        for item in raw_lists:
            if not isinstance(item, Mapping) or not isinstance(item.get("name"), str):
                raise UsageError("Saved keyword lists are not in the expected format.")
            words = item.get("words", [])
            if not isinstance(words, list) or not all(isinstance(w, str) for w in words):
                raise UsageError("Saved keyword lists are not in the expected format.")
            name = clean_keyword(item["name"]) or DEFAULT_LIST_NAME
            if name.casefold() in seen:
                continue
            seen.add(name.casefold())
            kl = KeywordList(name)
            kl.add_many(words)
            kl.rules = _saved_rules(item.get("rules", []))
            lists.append(kl)
        active = data.get("active")
        return cls(lists, active if isinstance(active, str) else None)


def _saved_rules(raw: object) -> list[Rule]:
    """The saved rules that still check; a bad one is dropped (logged), never fatal."""
    rules: list[Rule] = []
    for item in raw if isinstance(raw, list) else []:
        try:
            rules.append(Rule.from_dict(item if isinstance(item, Mapping) else {}))
        except UsageError as err:
            log.warning("dropping a saved replacement rule: %s", err)
    return rules
