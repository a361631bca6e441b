"""Result dataclasses shared by the engine, the pipelines, the exporters and the GUI."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from enum import StrEnum

from app.core import languages
from app.core.errors import UsageError


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
    """A piece of text with absolute start and end times (seconds) in its source."""

    start: float
    end: float
    text: str
    source: str = ""

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
        return join_texts(s.text for s in self.segments)


def join_texts(texts: Iterable[str]) -> str:
    """Join segment texts with single spaces, skipping empty ones."""
    parts = [t.strip() for t in texts]
    return " ".join(p for p in parts if p)
