"""Subtitle cues from timed segments (pure Python; ``app.core.text.export`` writes them).

A segment's text is wrapped into lines of at most ``MAX_LINE_WIDTH`` display columns (East Asian
wide characters count two) and grouped into cues of at most ``MAX_LINES`` lines. The model gives
no word timings, so the times inside a segment are apportioned by character count and are
approximate. Rules, in order of priority:

- cue times never go backwards, never overlap and always have end > start (to the millisecond);
- no cue is shorter than ``MIN_CUE_S`` (0.5 s): a short segment first grows into the silence
  after it, and if the next segment starts too soon the two are shown as one cue; a long
  segment is cut into no more cues than its duration allows;
- no cue boundary falls inside a word: a word wider than a line is hard-wrapped over several
  lines of the same cue (that cue may then hold more than ``MAX_LINES`` lines).
"""

from __future__ import annotations

import itertools
import math
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from app.core.transcript import Segment, join_texts

MAX_LINE_WIDTH = 42
MAX_LINES = 2
MIN_CUE_S = 0.5


def is_wide(ch: str) -> bool:
    return unicodedata.east_asian_width(ch) in ("W", "F")


def display_width(text: str) -> int:
    return sum(2 if is_wide(c) else 1 for c in text)


def _tokens(text: str) -> list[tuple[str, bool]]:
    """Split into (token, space_before) pairs; every wide character is its own token."""
    tokens: list[tuple[str, bool]] = []
    for m in re.finditer(r"(\s*)(\S+)", text):
        space = bool(m.group(1)) and bool(tokens)
        buf = ""
        for ch in m.group(2):
            if is_wide(ch):
                if buf:
                    tokens.append((buf, space))
                    space, buf = False, ""
                tokens.append((ch, space))
                space = False
            else:
                buf += ch
        if buf:
            # Punctuation after a wide character stays glued to it (no line starts with "。").
            tokens.append((buf, space))
    return tokens


def wrap_lines(text: str, line_width: int = MAX_LINE_WIDTH) -> list[tuple[str, bool]]:
    """Greedy word wrap by display width: (line, True when the line ends inside a word that a
    hard split carries on to the next line)."""
    lines: list[tuple[str, bool]] = []
    line = ""
    for token, space in _tokens(text):
        while display_width(token) > line_width:  # a single over-long word
            if line:
                lines.append((line, False))
                line = ""
            cut, used = 0, 0
            while cut < len(token) and used + display_width(token[cut]) <= line_width:
                used += display_width(token[cut])
                cut += 1
            lines.append((token[:cut], cut < len(token)))
            token, space = token[cut:], False
        if not token:
            continue
        candidate = f"{line} {token}" if (line and space) else line + token
        if line and display_width(candidate) > line_width:
            lines.append((line, False))
            line = token
        else:
            line = candidate
    if line:
        lines.append((line, False))
    return lines


def wrap_text(text: str, line_width: int = MAX_LINE_WIDTH) -> list[str]:
    """Greedy word wrap by display width; words longer than a line are hard-split."""
    return [line for line, _ in wrap_lines(text, line_width)]


@dataclass(frozen=True)
class Cue:
    start_ms: int
    end_ms: int
    lines: tuple[str, ...]


@dataclass
class _Block:
    start: int
    end: int
    text: str


def _blocks(segments: Sequence[Segment], min_ms: int) -> list[_Block]:
    """Non-empty segments in ms, monotonic, each at least ``min_ms`` long (see module doc)."""
    blocks: list[_Block] = []
    last_end = 0
    for seg in segments:
        text = seg.text.strip()
        if not text:
            continue
        start = max(round(seg.start * 1000), last_end)
        end = max(round(seg.end * 1000), start + 1)
        blocks.append(_Block(start, end, text))
        last_end = end
    for block, nxt in itertools.pairwise(blocks):
        if block.end - block.start < min_ms:  # grow into the pause after it
            block.end = max(block.end, min(block.start + min_ms, nxt.start))
    out: list[_Block] = []
    for block in blocks:
        if out and out[-1].end - out[-1].start < min_ms:
            prev = out[-1]
            prev.end = max(prev.end, block.end)
            prev.text = join_texts([prev.text, block.text])
        else:
            out.append(block)
    if out and out[-1].end - out[-1].start < min_ms:
        out[-1].end = out[-1].start + min_ms
    return out


def _group(lines: list[tuple[str, bool]], count: int) -> list[tuple[str, ...]]:
    """At most ``count`` groups of about equal line counts, never split inside a word."""
    per = math.ceil(len(lines) / count)
    groups: list[tuple[str, ...]] = []
    current: list[str] = []
    for line, continues in lines:
        current.append(line)
        if len(current) >= per and not continues:
            groups.append(tuple(current))
            current = []
    if current:
        groups.append(tuple(current))
    return groups


def _times(start: int, end: int, weights: list[int], min_ms: int) -> list[int]:
    """Cue boundaries (n + 1 of them) proportional to ``weights``, each cue ≥ ``min_ms``."""
    n, total = len(weights), max(sum(weights), 1)
    bounds, acc = [start], 0
    for i, weight in enumerate(weights[:-1], start=1):
        acc += weight
        b = start + round((end - start) * acc / total)
        lo, hi = bounds[-1] + min_ms, end - (n - i) * min_ms
        bounds.append(min(max(b, lo), hi) if lo <= hi else bounds[-1] + 1)
    bounds.append(max(end, bounds[-1] + 1))
    return bounds


def subtitle_cues(
    segments: Sequence[Segment],
    *,
    width: int = MAX_LINE_WIDTH,
    max_lines: int = MAX_LINES,
    min_s: float = MIN_CUE_S,
) -> list[Cue]:
    """Segments as non-overlapping, strictly increasing cues (rules in the module doc)."""
    min_ms = round(min_s * 1000)
    cues: list[Cue] = []
    for block in _blocks(segments, min_ms):
        lines = wrap_lines(block.text, width)
        wanted = math.ceil(len(lines) / max_lines)
        room = max(1, (block.end - block.start) // max(min_ms, 1))
        groups = _group(lines, min(wanted, room))
        weights = [sum(len(line) for line in g) for g in groups]
        bounds = _times(block.start, block.end, weights, min_ms)
        for i, group in enumerate(groups):
            cues.append(Cue(bounds[i], bounds[i + 1], group))
    return cues
