"""Menu mnemonics (the underlined Alt+letter): each entry of a menu gets its own."""

from __future__ import annotations

import re
from collections.abc import Iterable


def mnemonic_of(text: str) -> str | None:
    m = re.search(r"&([^&\s])", text)
    return m.group(1).lower() if m else None


def with_mnemonic(text: str, siblings: Iterable[str]) -> str:
    """``text`` with ``&`` before the first letter no sibling uses (word starts first);
    unchanged if it has one already or every letter is taken."""
    if mnemonic_of(text) is not None:
        return text
    used = {m for m in (mnemonic_of(s) for s in siblings) if m}
    starts = [m.start() for m in re.finditer(r"\b\w", text)]
    others = [i for i, c in enumerate(text) if c.isalnum() and i not in starts]
    for i in starts + others:
        if text[i].lower() not in used:
            return text[:i] + "&" + text[i:]
    return text


def unique_mnemonics(texts: list[str]) -> list[str]:
    """The texts of one menu with a mnemonic each and no two alike: entries earlier in the
    menu keep theirs; a later entry without one, or with a taken one, gets a free letter."""
    used: set[str] = set()
    out: list[str] = []
    for text in texts:
        key = mnemonic_of(text)
        if key is None or key in used:
            plain = re.sub(r"&(?!&)", "", text)
            text = with_mnemonic(plain, [f"&{u}" for u in used])
            key = mnemonic_of(text)
        if key:
            used.add(key)
        out.append(text)
    return out
