"""Chinese/Japanese search without word boundaries: overlapping character bigrams.

FTS5's unicode61 tokenizer sees a run of CJK characters as one token, so a word inside a
sentence cannot be found. ``grams`` turns each run of CJK letters into its overlapping
bigrams ("東京都" → "東京 京都"; a single character stays itself), indexed in a second FTS5
table with the runs' characters; a query run becomes the phrase of its bigrams, which matches
exactly where the run appears as a substring, and a one-character query looks the character
up. Other text is left out (the main index has it).
"""

from __future__ import annotations

from app.core.text.text_join import is_cjk


def _is_letter(ch: str) -> bool:
    return is_cjk(ch) and ch.isalnum()


def runs(text: str) -> list[str]:
    """Maximal runs of CJK letters (punctuation and other scripts split them)."""
    out: list[str] = []
    current: list[str] = []
    for ch in text:
        if _is_letter(ch):
            current.append(ch)
        elif current:
            out.append("".join(current))
            current = []
    if current:
        out.append("".join(current))
    return out


def run_grams(run: str) -> list[str]:
    return [run] if len(run) < 2 else [run[i : i + 2] for i in range(len(run) - 1)]


def grams(text: str) -> str:
    """Space-separated bigrams of every CJK run ("" when there is none). Runs are separated
    by a comma so a phrase never spans two runs."""
    return " , ".join(" ".join(run_grams(r)) for r in runs(text))


def chars(text: str) -> str:
    """The distinct characters of every CJK run, space-separated (one-character queries)."""
    return " ".join(dict.fromkeys(ch for run in runs(text) for ch in run))


def query(text: str) -> str:
    """An FTS5 query for the CJK runs of ``text``: each run of two or more characters is the
    phrase of its bigrams in the ``grams`` column, a single character a term of the ``chars``
    column; all are required. "" when there is no CJK letter."""
    parts = []
    for run in runs(text):
        if len(run) == 1:
            parts.append(f'chars : "{run}"')
        else:
            parts.append('grams : "' + " ".join(run_grams(run)) + '"')
    return " AND ".join(parts)
