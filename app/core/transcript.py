"""Result dataclasses shared by the engine, the pipelines, the exporters and the GUI."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from enum import StrEnum

from app.core import languages
from app.core.errors import UsageError
from app.core.text.text_join import is_cjk

#: Languages written without spaces between words.
NO_SPACE_LANGUAGES = frozenset({"ja", "zh"})


class Task(StrEnum):
    TRANSCRIBE = "transcribe"
    TRANSLATE = "translate"


@dataclass(frozen=True)
class TaskSpec:
    """What to do with a chunk of audio.

    ``source_language`` is the spoken language hint (``None`` = auto); ``target_language`` is
    the translation target and is ``None`` for transcription.
    """

    task: Task = Task.TRANSCRIBE
    source_language: str | None = None
    target_language: str | None = None
    keywords: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "source_language", languages.normalize(self.source_language))
        object.__setattr__(self, "target_language", languages.normalize(self.target_language))
        cleaned = tuple(k.strip() for k in self.keywords if k and k.strip())
        object.__setattr__(self, "keywords", cleaned)

    def validate(self) -> None:
        """Raise a typed error for an unsupported language or pair."""
        if self.task is Task.TRANSCRIBE:
            if self.target_language is not None:
                raise UsageError("A translation target was given for a transcription task.")
            languages.check_spoken(self.source_language)
        else:
            if self.target_language is None:
                raise UsageError("Translate needs a target language (--translate-to).")
            languages.check_translation(self.source_language, self.target_language)

    @property
    def output_language(self) -> str | None:
        return self.target_language if self.task is Task.TRANSLATE else self.source_language

    def with_keywords(self, keywords: tuple[str, ...]) -> TaskSpec:
        return replace(self, keywords=keywords)

    def label(self) -> str:
        if self.task is Task.TRANSLATE:
            return f"translation ({self.target_language})"
        return "transcript"


@dataclass(frozen=True)
class Segment:
    """A piece of text with absolute start and end times (seconds) in its source, and who
    said it when known (meetings, "Detect speakers"; "" otherwise)."""

    start: float
    end: float
    text: str
    source: str = ""
    speaker: str = ""

    @property
    def duration(self) -> float:
        return self.end - self.start


@dataclass
class Timing:
    """Work done and time spent by the engine; additive across chunks and tasks."""

    encode_s: float = 0.0
    prefill_s: float = 0.0
    decode_s: float = 0.0
    prompt_tokens: int = 0
    prefill_tokens: int = 0
    generated_tokens: int = 0
    forward_passes: int = 0
    encoder_frames: int = 0

    def __add__(self, other: Timing) -> Timing:
        return Timing(
            encode_s=self.encode_s + other.encode_s,
            prefill_s=self.prefill_s + other.prefill_s,
            decode_s=self.decode_s + other.decode_s,
            prompt_tokens=self.prompt_tokens + other.prompt_tokens,
            prefill_tokens=self.prefill_tokens + other.prefill_tokens,
            generated_tokens=self.generated_tokens + other.generated_tokens,
            forward_passes=self.forward_passes + other.forward_passes,
            encoder_frames=self.encoder_frames + other.encoder_frames,
        )

    @property
    def total_s(self) -> float:
        return self.encode_s + self.prefill_s + self.decode_s


@dataclass
class TranscriptResult:
    """Everything produced for one source (file or recording) and one task."""

    spec: TaskSpec
    segments: list[Segment] = field(default_factory=list)
    model: str = ""
    source: str = ""
    duration: float = 0.0
    timing: Timing = field(default_factory=Timing)

    @property
    def text(self) -> str:
        """The segments' texts joined the way the output language is written."""
        return join_texts((s.text for s in self.segments), self.spec.output_language)


def _tight(ch: str) -> bool:
    """Written without spaces around it: Han, kana, CJK punctuation (not hangul: Korean
    separates words with spaces)."""
    return is_cjk(ch) and not 0xAC00 <= ord(ch) <= 0xD7AF


def needs_space(before: str, after: str, language: str | None = None) -> bool:
    """Whether a space separates two consecutive pieces of text ``before`` + ``after``.

    Japanese and Chinese: only between two Latin words or numbers (``Python`` + ``is``).
    Unknown language: none when either boundary character is Chinese/Japanese (the same rule
    as live dictation, ``app.core.text.text_join``). Any other known language: always.
    """
    if not before or not after or before[-1].isspace() or after[0].isspace():
        return False
    last, first = before[-1], after[0]
    if language in NO_SPACE_LANGUAGES:
        return last.isalnum() and first.isalnum() and not (_tight(last) or _tight(first))
    if language is None:
        return not (_tight(last) or _tight(first))
    return True


def join_texts(texts: Iterable[str], language: str | None = None) -> str:
    """Join segment texts (stripped, empty ones skipped) for ``language`` (see ``needs_space``).

    The one join for transcripts: ``TranscriptResult.text`` and the exporters use it.
    """
    parts: list[str] = []
    for raw in texts:
        text = raw.strip()
        if text:
            if parts and needs_space(parts[-1], text, language):
                parts.append(" ")
            parts.append(text)
    return "".join(parts)
