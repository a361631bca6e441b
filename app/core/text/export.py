"""Plain-text, Markdown, subtitle and JSON writers for transcripts (pure Python): the one
writer for the command line (``transcribe --format``) and the window's Export.

Subtitle cues (line width, at most two lines, no cue under 0.5 s, never cut inside a word) come
from ``app.core.text.subtitles``.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import asdict
from pathlib import Path

from app.core.errors import UsageError
from app.core.storage import atomic
from app.core.text.speakers import has_speakers, speaker_cues, speaker_turns, voice_of
from app.core.text.subtitles import MAX_LINE_WIDTH as MAX_LINE_WIDTH
from app.core.text.subtitles import MAX_LINES as MAX_LINES
from app.core.text.subtitles import Cue as Cue
from app.core.text.subtitles import subtitle_cues as subtitle_cues
from app.core.text.subtitles import wrap_text as wrap_text
from app.core.transcript import Segment, TranscriptResult, join_texts

FORMATS: tuple[str, ...] = ("txt", "md", "srt", "vtt", "json")


# --- text helpers -------------------------------------------------------------------------------


def join_segment_texts(texts: Iterable[str], language: str | None = None) -> str:
    """Segment texts joined for ``language`` (``app.core.transcript.join_texts``)."""
    return join_texts(texts, language)


# --- subtitles (cues: ``app.core.text.subtitles``) -----------------------------------------------


def format_timestamp(seconds: float, sep: str = ",") -> str:
    """``HH:MM:SS,mmm`` (SRT) or with ``sep="."`` ``HH:MM:SS.mmm`` (VTT)."""
    return _fmt_ms(round(max(seconds, 0.0) * 1000), sep)


def _fmt_ms(ms: int, sep: str) -> str:
    hours, rest = divmod(max(ms, 0), 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    secs, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}{sep}{millis:03d}"


def to_srt(segments: Sequence[Segment]) -> str:
    """SRT; a speaker's turn starts with "Name: " (``app.core.text.speakers``)."""
    blocks = [
        f"{i}\n{_fmt_ms(c.start_ms, ',')} --> {_fmt_ms(c.end_ms, ',')}\n" + "\n".join(c.lines)
        for i, (_who, c) in enumerate(speaker_cues(segments, prefix=True), start=1)
    ]
    return "\n\n".join(blocks) + ("\n" if blocks else "")


def to_vtt(segments: Sequence[Segment]) -> str:
    """WebVTT; a speaker's cues are voice spans (``<v Name>``)."""
    blocks = [
        f"{_fmt_ms(c.start_ms, '.')} --> {_fmt_ms(c.end_ms, '.')}\n"
        + (f"<v {who}>" if who else "")
        + "\n".join(c.lines)
        for who, c in speaker_cues(segments)
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
                speaker, body = voice_of(join_segment_texts(lines[i + 1 :]))
                start, end = _parse_time(m.group(1)), _parse_time(m.group(2))
                segments.append(Segment(start, end, body, speaker=speaker))
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
    """One result: its text (speaker paragraphs when it has speakers). Several (e.g.
    transcript + translation): labelled sections."""
    if isinstance(results, TranscriptResult):
        results = [results]
    if len(results) == 1:
        return _txt_body(results[0]) + "\n"
    return "\n".join(f"[{r.spec.label()}]\n{_txt_body(r)}\n" for r in results)


def _txt_body(result: TranscriptResult) -> str:
    if not has_speakers(result.segments):
        return result_text(result)
    lang = result.spec.output_language
    return "\n\n".join(
        f"{who}: {text}" for who, _start, text in speaker_turns(result.segments, lang)
    )


def _md_time(seconds: float) -> str:
    total = round(max(seconds, 0.0))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"


def to_md(result: TranscriptResult, title: str | None = None) -> str:
    """Markdown: a heading (``title``, else the source's file name), then one paragraph per
    segment led by its start time in bold; a result without segments is one heading + text."""
    heading = title or os.path.basename(result.source) or result.spec.label().capitalize()
    parts = [f"# {heading}"]
    if has_speakers(result.segments):
        turns = speaker_turns(result.segments, result.spec.output_language)
        parts += [f"**{_md_time(start)} {who}:** {text}" for who, start, text in turns]
    elif result.segments:
        parts += [f"**{_md_time(s.start)}** {s.text.strip()}" for s in result.segments]
    elif result.text:
        parts.append(result.text)
    return "\n\n".join(parts) + "\n"


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
            | ({"speaker": s.speaker} if s.speaker else {})
            for s in result.segments
        ],
        "timing": timing,
    }
    return json.dumps(doc, ensure_ascii=False, indent=indent) + "\n"


def render(result: TranscriptResult, fmt: str) -> str:
    if fmt == "txt":
        return to_txt(result)
    if fmt == "md":
        return to_md(result)
    if fmt == "srt":
        return to_srt(result.segments)
    if fmt == "vtt":
        return to_vtt(result.segments)
    if fmt == "json":
        return to_json(result)
    raise UsageError(f"Unknown output format '{fmt}'; choose one of {', '.join(FORMATS)}.")


def choose_format(path: str, chosen: str) -> tuple[str, str]:
    """The file and format for an Export dialog's answer: a known extension the user typed
    wins over the dialog's chosen type (``name.md`` stays ``name.md``, never ``name.md.srt``);
    otherwise the chosen type's extension is added."""
    ext = os.path.splitext(path)[1].lstrip(".").lower()
    if ext in FORMATS:
        return path, ext
    fmt = chosen if chosen in FORMATS else "txt"
    return f"{path}.{fmt}", fmt


def write_text_atomic(path: Path, text: str) -> None:
    """Durable, private, atomic (``app.core.storage.atomic``)."""
    atomic.write_text_atomic(path, text)


def write_result(result: TranscriptResult, path: str | os.PathLike[str], fmt: str) -> Path:
    """Render ``result`` as ``fmt`` and write it atomically; never overwrites the source file."""
    out = Path(path)
    text = render(result, fmt)
    if result.source and out.exists() and out.resolve() == Path(result.source).resolve():
        raise UsageError(f"Refusing to overwrite the input file {out.name}.")
    write_text_atomic(out, text)
    return out
