"""Response bodies in OpenAI's shapes, from the app's own results and exporters.

json ``{"text"}``; text; srt and vtt through ``app.core.text.export`` (the same writers as the
window and the command line); verbose_json with ``segments`` (start/end in seconds: a segment is
one chunk the model heard, the finest timing it gives). Streaming: server-sent events
``transcript.text.delta`` (one per segment, in order) then ``transcript.text.done``.
"""

from __future__ import annotations

import json
from typing import Any

from app.core import languages
from app.core.text.export import to_srt, to_vtt
from app.core.transcript import Segment, TranscriptResult, needs_space
from app.server.forms import ResponseFormat


def verbose(result: TranscriptResult) -> dict[str, Any]:
    lang = result.spec.output_language
    return {
        "task": str(result.spec.task),
        "language": languages.name(lang).lower() if lang else "unknown",
        "duration": round(result.duration, 3),
        "text": result.text,
        "segments": [
            {
                "id": i,
                "seek": round(s.start * 100),
                "start": round(s.start, 3),
                "end": round(s.end, 3),
                "text": s.text,
                "tokens": [],
                "temperature": 0.0,
                "avg_logprob": 0.0,
                "compression_ratio": 1.0,
                "no_speech_prob": 0.0,
            }
            for i, s in enumerate(result.segments)
        ],
    }


def body(result: TranscriptResult, fmt: ResponseFormat) -> tuple[str, str]:
    """(content, media type) for a finished result."""
    if fmt is ResponseFormat.JSON:
        return json.dumps({"text": result.text}, ensure_ascii=False), "application/json"
    if fmt is ResponseFormat.VERBOSE_JSON:
        return json.dumps(verbose(result), ensure_ascii=False), "application/json"
    if fmt is ResponseFormat.SRT:
        return to_srt(result.segments), "text/plain; charset=utf-8"
    if fmt is ResponseFormat.VTT:
        return to_vtt(result.segments), "text/plain; charset=utf-8"
    return result.text + "\n", "text/plain; charset=utf-8"


def sse(event: dict[str, Any]) -> bytes:
    return f"data: {json.dumps(event, ensure_ascii=False)}\n\n".encode()


class Deltas:
    """Append-only text deltas whose concatenation equals ``TranscriptResult.text``."""

    def __init__(self, language: str | None) -> None:
        self.language = language
        self.text = ""

    def add(self, segment: Segment) -> str:
        piece = segment.text.strip()
        if not piece:
            return ""
        delta = (" " if needs_space(self.text, piece, self.language) else "") + piece
        self.text += delta
        return delta


def delta_event(delta: str) -> bytes:
    return sse({"type": "transcript.text.delta", "delta": delta, "logprobs": None})


def done_event(text: str) -> bytes:
    return sse({"type": "transcript.text.done", "text": text, "logprobs": None})


def error_event(message: str) -> bytes:
    return sse({"type": "error", "error": {"message": message, "type": "server_error"}})
