"""Plain-text, subtitle and JSON writers for transcripts (pure Python; the GUI reuses them).

Subtitles: a segment's text is wrapped into lines of at most ``MAX_LINE_WIDTH`` display columns
(East Asian wide characters count two) and at most ``MAX_LINES`` lines per cue. A segment too long
for one cue becomes several cues whose times are apportioned by character count; those inner cue
boundaries are therefore approximate (the model gives no word timings). Cue times never go
backwards, never overlap and always have end > start (to the millisecond).
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from app.core.errors import UsageError
from app.core.transcript import Segment, TranscriptResult, join_texts

FORMATS: tuple[str, ...] = ("txt", "srt", "vtt", "json")
MAX_LINE_WIDTH = 42
MAX_LINES = 2


# --- text helpers -------------------------------------------------------------------------------


def _is_wide(ch: str) -> bool:
    return unicodedata.east_asian_width(ch) in ("W", "F")


def _width(text: str) -> int:
    return sum(2 if _is_wide(c) else 1 for c in text)


def join_segment_texts(texts: Iterable[str], language: str | None = None) -> str:
    """Segment texts joined for ``language`` (``app.core.transcript.join_texts``)."""
    return join_texts(texts, language)


def _tokens(text: str) -> list[tuple[str, bool]]:
    """Split into (token, space_before) pairs; every wide character is its own token."""
    tokens: list[tuple[str, bool]] = []
    for m in re.finditer(r"(\s*)(\S+)", text):
        space = bool(m.group(1)) and bool(tokens)
        word = m.group(2)
        buf = ""
        for ch in word:
            if _is_wide(ch):
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


def wrap_text(text: str, width: int = MAX_LINE_WIDTH) -> list[str]:
    """Greedy word wrap by display width; words longer than a line are hard-split."""
    lines: list[str] = []
    line = ""
    for token, space in _tokens(text):
        while _width(token) > width:  # a single over-long word
            if line:
                lines.append(line)
                line = ""
            cut, used = 0, 0
            while cut < len(token) and used + _width(token[cut]) <= width:
                used += _width(token[cut])
                cut += 1
            lines.append(token[:cut])
            token, space = token[cut:], False
        if not token:
            continue
        candidate = f"{line} {token}" if (line and space) else line + token
        if line and _width(candidate) > width:
            lines.append(line)
            line = token
        else:
            line = candidate
    if line:
        lines.append(line)
    return lines


# --- subtitles ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cue:
    start_ms: int
    end_ms: int
    lines: tuple[str, ...]


def subtitle_cues(
    segments: Sequence[Segment], *, width: int = MAX_LINE_WIDTH, max_lines: int = MAX_LINES
) -> list[Cue]:
    """Turn segments into non-overlapping, strictly increasing cues of ≤ ``max_lines`` lines."""
    cues: list[Cue] = []
    last_end = 0
    for seg in segments:
        lines = wrap_text(seg.text.strip(), width)
        if not lines:
            continue
        groups = [tuple(lines[i : i + max_lines]) for i in range(0, len(lines), max_lines)]
        start = max(round(seg.start * 1000), last_end)
        end = max(round(seg.end * 1000), start + len(groups))
        weights = [sum(len(line) for line in g) for g in groups]
        total = sum(weights)
        acc = 0
        cue_start = start
        for i, (group, weight) in enumerate(zip(groups, weights, strict=True)):
            acc += weight
            cue_end = end if i == len(groups) - 1 else start + round((end - start) * acc / total)
            cue_end = max(cue_end, cue_start + 1)
            cues.append(Cue(cue_start, cue_end, group))
            cue_start = cue_end
        last_end = cues[-1].end_ms
    return cues


def format_timestamp(seconds: float, sep: str = ",") -> str:
    """``HH:MM:SS,mmm`` (SRT) or with ``sep="."`` ``HH:MM:SS.mmm`` (VTT)."""
    return _fmt_ms(round(max(seconds, 0.0) * 1000), sep)


def _fmt_ms(ms: int, sep: str) -> str:
    hours, rest = divmod(max(ms, 0), 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    secs, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}{sep}{millis:03d}"


def to_srt(segments: Sequence[Segment]) -> str:
    blocks = [
        f"{i}\n{_fmt_ms(c.start_ms, ',')} --> {_fmt_ms(c.end_ms, ',')}\n" + "\n".join(c.lines)
        for i, c in enumerate(subtitle_cues(segments), start=1)
    ]
    return "\n\n".join(blocks) + ("\n" if blocks else "")


def to_vtt(segments: Sequence[Segment]) -> str:
    blocks = [
        f"{_fmt_ms(c.start_ms, '.')} --> {_fmt_ms(c.end_ms, '.')}\n" + "\n".join(c.lines)
        for c in subtitle_cues(segments)
    ]
    return "WEBVTT\n\n" + "\n\n".join(blocks) + ("\n" if blocks else "")


_TIME_LINE = re.compile(
    r"^\s*((?:\d+:)?\d{1,2}:\d{2}[,.]\d{1,3})\s*-->\s*((?:\d+:)?\d{1,2}:\d{2}[,.]\d{1,3})"
)


def _parse_time(stamp: str) -> float:
    main, frac = re.split(r"[,.]", stamp)
    parts = [int(p) for p in main.split(":")]
    while len(parts) < 3:
        parts.insert(0, 0)
    hours, minutes, secs = parts
    return hours * 3600 + minutes * 60 + secs + int(frac.ljust(3, "0")) / 1000


def _parse_cues(text: str) -> list[Segment]:
    segments: list[Segment] = []
    for block in re.split(r"\n\s*\n", text.replace("\r\n", "\n").replace("\r", "\n")):
        lines = block.strip("\n").split("\n")
        for i, line in enumerate(lines):
            m = _TIME_LINE.match(line)
            if m:
                body = join_segment_texts(lines[i + 1 :])
                segments.append(Segment(_parse_time(m.group(1)), _parse_time(m.group(2)), body))
                break
    return segments


def parse_srt(text: str) -> list[Segment]:
    """Read SRT cues back as segments (lines of a cue joined like ``join_segment_texts``)."""
    return _parse_cues(text)


def parse_vtt(text: str) -> list[Segment]:
    """Read WebVTT cues back as segments; NOTE/STYLE blocks and cue settings are ignored."""
    if not text.lstrip("\ufeff").startswith("WEBVTT"):
        raise UsageError("Not a WebVTT file: the first line must be WEBVTT.")
    return _parse_cues(text)


# --- text and json ------------------------------------------------------------------------------


def result_text(result: TranscriptResult) -> str:
    """The whole text of a result, joined the way its output language is written."""
    return result.text


def to_txt(results: TranscriptResult | Sequence[TranscriptResult]) -> str:
    """One result: its text. Several (e.g. transcript + translation): labelled sections."""
    if isinstance(results, TranscriptResult):
        return result_text(results) + "\n"
    if len(results) == 1:
        return result_text(results[0]) + "\n"
    return "\n".join(f"[{r.spec.label()}]\n{result_text(r)}\n" for r in results)


def to_json(result: TranscriptResult, *, app_version: str | None = None, indent: int = 2) -> str:
    if app_version is None:
        from app import __version__ as app_version
    timing = asdict(result.timing)
    timing["total_s"] = result.timing.total_s
    timing["realtime_factor"] = (
        result.timing.total_s / result.duration if result.duration > 0 else None
    )
    doc = {
        "app": "granite-dictate",
        "app_version": app_version,
        "source": result.source,
        "model": result.model,
        "task": str(result.spec.task),
        "source_language": result.spec.source_language,
        "target_language": result.spec.target_language,
        "keywords": list(result.spec.keywords),
        "duration": result.duration,
        "text": result_text(result),
        "segments": [
            {"start": round(s.start, 3), "end": round(s.end, 3), "text": s.text}
            for s in result.segments
        ],
        "timing": timing,
    }
    return json.dumps(doc, ensure_ascii=False, indent=indent) + "\n"


def render(result: TranscriptResult, fmt: str) -> str:
    if fmt == "txt":
        return to_txt(result)
    if fmt == "srt":
        return to_srt(result.segments)
    if fmt == "vtt":
        return to_vtt(result.segments)
    if fmt == "json":
        return to_json(result)
    raise UsageError(f"Unknown output format '{fmt}'; choose one of {', '.join(FORMATS)}.")


def write_text_atomic(path: Path, text: str) -> None:
    """Write via a temporary file in the same folder and rename it over ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_result(result: TranscriptResult, path: str | os.PathLike[str], fmt: str) -> Path:
    """Render ``result`` as ``fmt`` and write it atomically; never overwrites the source file."""
    out = Path(path)
    text = render(result, fmt)
    if result.source and out.exists() and out.resolve() == Path(result.source).resolve():
        raise UsageError(f"Refusing to overwrite the input file {out.name}.")
    write_text_atomic(out, text)
    return out
