"""Replacement rules applied to the model's text before it reaches the pane, a paste or a file.

Two kinds of :class:`Rule`:

- ``PHRASE``: an exact phrase, matched as whole words (runs of spaces in the phrase match any
  whitespace), case-insensitive unless ``case_sensitive``. A case-insensitive match that starts
  with a capital (the start of a sentence) gives a replacement with a capital first letter.
  Chinese/Japanese text has no spaces between words, so next to a CJK character there is no
  word boundary to require: ``東京`` matches inside ``東京都``.
- ``REGEX``: a Python regular expression; the replacement may use ``\\1`` / ``\\g<name>``.
  :meth:`Rule.check` rejects a bad pattern, a pattern that matches empty text and a reference
  to a group that does not exist, with a one-line message.

:func:`apply_rules` makes ONE pass over the text: at each position the earliest-starting match
of any rule wins, ties go to the rule listed first, and replaced text is never scanned again.
So the order is stable, rules never chain (``a => b`` and ``b => a`` swap, they do not undo
each other) and a rule whose replacement contains its own phrase cannot loop. An empty
replacement deletes the phrase and the space before it.

Text file format (``--rules FILE``, import/export), one rule per line::

    gonna => going to
    re:\\bv(\\d+)\\b => version \\1
    case:MLX => MLX framework
    # a comment

``re:`` marks a regex, ``case:`` a case-sensitive phrase; the first ``=>`` separates the two
sides (spaces around it are trimmed).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import cached_property
from typing import Any

from app.core.errors import UsageError

ARROW = "=>"
REGEX_PREFIX = "re:"
CASE_PREFIX = "case:"
MAX_RULES = 1000
# Word characters that are not written without spaces (CJK): the ones a phrase must not touch.
_CJK = "\u3000-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef"
_NOT_CJK_WORD = f"[^\\W{_CJK}]"
_GROUP_REF = re.compile(r"\\(\d+)|\\g<([^>]*)>")
_TIDY_AFTER = ",.;:!?)]}"


class RuleKind(StrEnum):
    PHRASE = "phrase"
    REGEX = "regex"


def _is_cjk(ch: str) -> bool:
    return bool(re.match(f"[{_CJK}]", ch))


@dataclass(frozen=True)
class Rule:
    find: str
    replace: str = ""
    kind: RuleKind = RuleKind.PHRASE
    case_sensitive: bool = False

    @cached_property
    def pattern(self) -> re.Pattern[str]:
        """The compiled pattern (call :meth:`check` first for a friendly error)."""
        flags = 0 if self.case_sensitive else re.IGNORECASE
        if self.kind is RuleKind.REGEX:
            return re.compile(self.find, flags)
        words = self.find.split()
        body = r"\s+".join(re.escape(w) for w in words)
        left = "" if _is_cjk(words[0][0]) else f"(?<!{_NOT_CJK_WORD})"
        right = "" if _is_cjk(words[-1][-1]) else f"(?!{_NOT_CJK_WORD})"
        return re.compile(left + body + right, flags)

    def check(self) -> Rule:
        """Return a normalised rule or raise ``UsageError`` with a one-line reason."""
        if self.kind is RuleKind.PHRASE:
            find = " ".join(self.find.split())
            if not find:
                raise UsageError("A replacement rule needs a phrase to find.")
            rule = Rule(find, self.replace.strip(), self.kind, self.case_sensitive)
            _ = rule.pattern
            return rule
        if not self.find:
            raise UsageError("A regular expression rule needs a pattern.")
        try:
            pattern = re.compile(self.find, 0 if self.case_sensitive else re.IGNORECASE)
        except re.error as err:
            raise UsageError(f"Bad regular expression '{self.find}': {err}.") from None
        if pattern.fullmatch(""):
            raise UsageError(f"The regular expression '{self.find}' matches empty text.")
        for m in _GROUP_REF.finditer(self.replace):
            ref = m.group(1) or m.group(2)
            known = (ref.isdigit() and int(ref) <= pattern.groups) or ref in pattern.groupindex
            if not known:
                raise UsageError(
                    f"The replacement refers to group '{ref}', which '{self.find}' lacks."
                )
        return self

    def expand(self, match: re.Match[str]) -> str:
        if self.kind is RuleKind.REGEX:
            return match.expand(self.replace)
        out = self.replace
        first = match.group(0)[:1]
        if not self.case_sensitive and first.isupper() and out[:1].islower():
            out = out[:1].upper() + out[1:]
        return out

    def to_line(self) -> str:
        prefix = (
            REGEX_PREFIX
            if self.kind is RuleKind.REGEX
            else (CASE_PREFIX if self.case_sensitive else "")
        )
        return f"{prefix}{self.find} {ARROW} {self.replace}".rstrip()

    def to_dict(self) -> dict[str, Any]:
        return {
            "find": self.find,
            "replace": self.replace,
            "kind": self.kind.value,
            "case": self.case_sensitive,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Rule:
        """Rebuild a saved rule; ``UsageError`` if its shape or content is wrong."""
        try:
            find, repl = data["find"], data.get("replace", "")
            kind = RuleKind(data.get("kind", RuleKind.PHRASE.value))
        except (KeyError, ValueError, TypeError, AttributeError):
            raise UsageError("A saved replacement rule is not in the expected format.") from None
        if not isinstance(find, str) or not isinstance(repl, str):
            raise UsageError("A saved replacement rule is not in the expected format.")
        return cls(find, repl, kind, bool(data.get("case", False))).check()


def parse_line(line: str) -> Rule | None:
    """One ``from => to`` line; ``None`` for a blank or ``#`` line; ``UsageError`` if bad."""
    text = line.strip()
    if not text or text.startswith("#"):
        return None
    if ARROW not in text:
        raise UsageError(f"Expected 'from {ARROW} to', got '{text}'.")
    left, _, right = text.partition(ARROW)
    left, right = left.strip(), right.strip()
    if left.startswith(REGEX_PREFIX):
        return Rule(left[len(REGEX_PREFIX) :].strip(), right, RuleKind.REGEX, True).check()
    if left.startswith(CASE_PREFIX):
        return Rule(left[len(CASE_PREFIX) :], right, RuleKind.PHRASE, True).check()
    return Rule(left, right).check()


def parse_rules(text: str, name: str = "rules") -> list[Rule]:
    """Every rule of a rules file; ``UsageError`` naming the first bad line."""
    rules: list[Rule] = []
    for number, line in enumerate(text.splitlines(), 1):
        try:
            rule = parse_line(line)
        except UsageError as err:
            raise UsageError(f"{name}, line {number}: {err}") from None
        if rule is not None:
            rules.append(rule)
    if len(rules) > MAX_RULES:
        raise UsageError(f"{name}: at most {MAX_RULES} rules.")
    return rules


def rules_text(rules: Iterable[Rule]) -> str:
    return "".join(r.to_line() + "\n" for r in rules)


def _next(rule: Rule, text: str, pos: int) -> re.Match[str] | None:
    """The rule's next non-empty match at or after ``pos``."""
    while pos <= len(text):
        m = rule.pattern.search(text, pos)
        if m is None or m.end() > m.start():
            return m
        pos = m.start() + 1
    return None


def apply_rules(text: str, rules: Sequence[Rule]) -> str:
    """Apply ``rules`` in one pass (see the module docstring); ``text`` if none match."""
    if not rules or not text:
        return text
    found = [_next(r, text, 0) for r in rules]
    out: list[str] = []
    pos = 0
    while True:
        best, m = -1, None
        for i, candidate in enumerate(found):
            if candidate is not None and (m is None or candidate.start() < m.start()):
                best, m = i, candidate
        if m is None:
            break
        out.append(text[pos : m.start()])
        replacement = rules[best].expand(m)
        pos = m.end()
        if not replacement:
            pos = _tidy_deletion(out, text, pos)
        out.append(replacement)
        for i, other in enumerate(found):
            if other is not None and other.start() < pos:
                found[i] = _next(rules[i], text, pos)
    out.append(text[pos:])
    return "".join(out)


def _tidy_deletion(out: list[str], text: str, pos: int) -> int:
    """After deleting a phrase, drop the space that separated it (before it, or after it at
    the start of the text); returns where copying resumes."""
    before = "".join(out)
    following = text[pos : pos + 1]
    if before.endswith(" ") and (not following or following.isspace() or following in _TIDY_AFTER):
        out[:] = [before[:-1]]
    elif not before.strip() and following == " ":
        return pos + 1
    return pos


def load_rules_file(path: str) -> list[Rule]:
    """``--rules FILE``: every rule in the file, or ``UsageError`` naming the file (and line)."""
    from pathlib import Path

    try:
        text = Path(path).expanduser().read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        reason = err.strerror if isinstance(err, OSError) and err.strerror else "unreadable"
        raise UsageError(f"Rules file {path}: {reason}.") from None
    return parse_rules(text, f"Rules file {path}")
