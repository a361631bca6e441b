"""OpenAI's audio fields (and our documented extensions) → one typed request, or a 400.

OpenAI fields: ``file``, ``model`` (any value; this server has one model), ``language`` (the
spoken language, ISO 639-1 or ``auto``), ``prompt`` and ``temperature`` (accepted and ignored:
the model takes no free-form prompt and decodes greedily; use ``keywords``),
``response_format`` (json, text, srt, vtt, verbose_json), ``timestamp_granularities[]``
(``segment``; ``word`` is refused: the model gives no word timings), ``stream``.

Extensions: ``keywords`` (comma-separated, or repeated as ``keywords``/``keywords[]``) biases the
model towards names and jargon; ``to_language`` on /v1/audio/translations picks the target
(default ``en``; from English: fr de es pt ja it zh); ``chunking_strategy=none`` sends the
upload to the model as one piece (at most about 5 minutes) instead of cutting it at pauses
(``auto``, the default): remote engines send chunks they planned themselves.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from app.core import keywords as kw
from app.core.errors import GraniteError
from app.core.transcript import Task, TaskSpec
from app.server.uploads import Upload


class Endpoint(StrEnum):
    TRANSCRIPTIONS = "transcriptions"
    TRANSLATIONS = "translations"


class ResponseFormat(StrEnum):
    JSON = "json"
    TEXT = "text"
    SRT = "srt"
    VTT = "vtt"
    VERBOSE_JSON = "verbose_json"


class FormError(Exception):
    """A 400: ``str`` is the one-line reason, ``param`` the field."""

    def __init__(self, message: str, param: str | None = None) -> None:
        super().__init__(message)
        self.param = param


@dataclass(frozen=True)
class AudioRequest:
    spec: TaskSpec
    response_format: ResponseFormat
    stream: bool
    whole: bool
    model: str


_TRUE, _FALSE = ("true", "1", "yes"), ("false", "0", "no", "")


def _flag(upload: Upload, name: str) -> bool:
    value = (upload.value(name) or "").strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise FormError(f"'{name}' must be true or false.", name)


def _format(upload: Upload) -> ResponseFormat:
    value = (upload.value("response_format") or "json").strip().lower()
    try:
        return ResponseFormat(value)
    except ValueError:
        choices = ", ".join(f.value for f in ResponseFormat)
        raise FormError(
            f"Unknown response_format '{value}'; choose one of {choices}.", "response_format"
        ) from None


def _granularities(upload: Upload) -> None:
    for value in upload.values("timestamp_granularities"):
        if value.strip() == "word":
            raise FormError(
                "Word timestamps are not available (the model gives none); use 'segment'.",
                "timestamp_granularities",
            )
        if value.strip() != "segment":
            raise FormError(
                f"Unknown timestamp granularity '{value}'; use 'segment'.",
                "timestamp_granularities",
            )


def _whole(upload: Upload) -> bool:
    value = (upload.value("chunking_strategy") or "auto").strip()
    if value == "none":
        return True
    if value == "auto" or value.startswith("{"):  # OpenAI's server_vad object: our own VAD
        return False
    raise FormError(f"Unknown chunking_strategy '{value}'; use auto or none.", "chunking_strategy")


def _keywords(upload: Upload) -> tuple[str, ...]:
    words: list[str] = []
    for value in upload.values("keywords"):
        words += kw.split_keywords(value)
    return tuple(dict.fromkeys(words))


def parse_request(upload: Upload, endpoint: Endpoint) -> AudioRequest:
    """Raises ``FormError`` (HTTP 400) for a missing file or a bad field."""
    if upload.path is None:
        raise FormError("Missing the 'file' field (the audio to transcribe).", "file")
    language = upload.value("language")
    target = upload.value("to_language")
    if endpoint is Endpoint.TRANSCRIPTIONS:
        if target:
            raise FormError("to_language belongs to /v1/audio/translations.", "to_language")
        spec = TaskSpec(Task.TRANSCRIBE, language, None, _keywords(upload))
    else:
        spec = TaskSpec(Task.TRANSLATE, language, target or "en", _keywords(upload))
    try:
        spec.validate()
    except GraniteError as err:
        param = "to_language" if target and "translate" in str(err).lower() else "language"
        raise FormError(str(err), param) from None
    _granularities(upload)
    return AudioRequest(
        spec=spec,
        response_format=_format(upload),
        stream=_flag(upload, "stream"),
        whole=_whole(upload),
        model=(upload.value("model") or "").strip(),
    )
