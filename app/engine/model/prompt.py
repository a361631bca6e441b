"""The model's instruction text and prompt token ids, built as mlx-audio builds them.

``instruction(spec)`` returns exactly what ``mlx_audio``'s ``_resolve_prompt`` returns for the
equivalent ``generate()`` arguments (guarded by a parity test):

* transcribe → ``source_language=spec.source_language``, ``hotwords=spec.keywords``
* translate  → ``language=spec.target_language``, ``hotwords=spec.keywords`` (mlx-audio refuses a
  source-language hint together with a translation target, so the hint is not sent).

Plain Python: no MLX here.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from app.core import languages
from app.core.transcript import Task, TaskSpec

#: Verbatim from the model card (and mlx-audio's TASK_PROMPTS["asr"]).
ASR_PROMPT = "can you transcribe the speech into a written format?"
KEYWORD_ASR_PROMPT = "transcribe the speech to text."
AUDIO_TOKEN = "<|audio|>"


class ChatTokenizer(Protocol):
    """The part of a transformers tokenizer the prompt needs."""

    chat_template: Any

    def apply_chat_template(self, conversation: Any, **kwargs: Any) -> Any: ...

    def encode(self, text: str, **kwargs: Any) -> list[int]: ...


def generate_kwargs(spec: TaskSpec) -> dict[str, Any]:
    """The mlx-audio ``generate()`` keyword arguments equivalent to ``spec``."""
    kwargs: dict[str, Any] = {}
    if spec.task is Task.TRANSLATE:
        kwargs["language"] = spec.target_language
    elif spec.source_language is not None:
        kwargs["source_language"] = spec.source_language
    if spec.keywords:
        kwargs["hotwords"] = list(spec.keywords)
    return kwargs


def instruction(spec: TaskSpec) -> str:
    """The user instruction for ``spec`` (without the audio placeholders)."""
    keywords = [k.strip() for k in spec.keywords if k.strip()]
    if spec.task is Task.TRANSLATE:
        target = spec.target_language or "en"
        text = f"Translate the speech to {languages.name(target)}."
    elif keywords:
        text = KEYWORD_ASR_PROMPT
    else:
        text = ASR_PROMPT
    if spec.task is Task.TRANSCRIBE and spec.source_language is not None:
        text = (
            f"The speech is in {languages.name(spec.source_language)}. "
            f"Transcribe it exactly; do not translate. {text}"
        )
    if keywords:
        text += f" Keywords: {', '.join(keywords)}"
    return text


def prompt_text(tokenizer: ChatTokenizer, n_audio_tokens: int, spec: TaskSpec) -> str:
    """The full prompt string: chat template around audio placeholders + instruction."""
    content = AUDIO_TOKEN * n_audio_tokens + instruction(spec)
    if getattr(tokenizer, "chat_template", None):
        chat = [{"role": "user", "content": content}]
        text = tokenizer.apply_chat_template(chat, tokenize=False, add_generation_prompt=True)
        return str(text)
    return f"USER: {content}\nASSISTANT:"


def build_prompt(tokenizer: ChatTokenizer, n_audio_tokens: int, spec: TaskSpec) -> list[int]:
    """Prompt token ids for ``spec`` with ``n_audio_tokens`` audio placeholders."""
    return [int(t) for t in tokenizer.encode(prompt_text(tokenizer, n_audio_tokens, spec))]


def audio_span(ids: Sequence[int], audio_token_id: int, n_audio_tokens: int) -> tuple[int, int]:
    """``(start, end)`` of the contiguous audio placeholder run in ``ids``."""
    positions = [i for i, t in enumerate(ids) if t == audio_token_id]
    if not positions:
        raise ValueError("The prompt has no audio placeholder tokens.")
    start, end = positions[0], positions[-1] + 1
    if end - start != len(positions) or len(positions) != n_audio_tokens:
        raise ValueError(
            f"Expected {n_audio_tokens} contiguous audio tokens in the prompt, "
            f"found {len(positions)}."
        )
    return start, end
