"""From a user's options to the engine's task specs: the one place the command line
(``transcribe``, ``listen``) and the window build them, keywords included.

API::

    merge_keywords(*groups) -> tuple[str, ...]    # cleaned, first spelling kept, case-insensitive
    keyword_warning(words) -> str | None          # the practical-limit warning, one line
    plan_specs(task, source, target, extra_targets=(), keywords=(), *, with_transcript=True)
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from app.core import keywords as kw
from app.core.errors import UsageError
from app.core.transcript import Task, TaskSpec


def merge_keywords(*groups: Iterable[str]) -> tuple[str, ...]:
    """All keywords of ``groups`` cleaned, without repeats ignoring case (the sidebar's rule:
    "MLX" and "mlx" are one keyword; the first spelling wins)."""
    seen: set[str] = set()
    merged: list[str] = []
    for group in groups:
        for word in group:
            cleaned = kw.clean_keyword(word)
            if cleaned and cleaned.casefold() not in seen:
                seen.add(cleaned.casefold())
                merged.append(cleaned)
    return tuple(merged)


def keyword_warning(words: Sequence[str]) -> str | None:
    """The warning every front end shows past the practical limit, or None."""
    if not kw.exceeds_limit(words):
        return None
    return f"{len(words)} keywords make every chunk slower; consider fewer."


def plan_specs(
    task: Task,
    source_language: str | None,
    target_language: str | None,
    extra_targets: Sequence[str] = (),
    keywords: Iterable[str] = (),
    *,
    with_transcript: bool = True,
) -> list[TaskSpec]:
    """The outputs to ask for: the transcript, plus translations when the task is Translate.

    The window's Translate keeps the source transcript (shown side by side); the command line
    asks for the translations only (``with_transcript=False``). One translation per distinct
    target (the main one first, then ``extra_targets``); the engine encodes the audio once for
    all of them. Keywords are merged as the sidebar merges them (``merge_keywords``).
    """
    words = merge_keywords(keywords)
    specs = [TaskSpec(Task.TRANSCRIBE, source_language, None, words)]
    if task is Task.TRANSLATE:
        targets: list[str] = []
        for code in (target_language, *extra_targets):
            if code and code not in targets and code != specs[0].source_language:
                targets.append(code)
        if not targets:
            raise UsageError("Translate needs a target language different from the spoken one.")
        specs += [TaskSpec(Task.TRANSLATE, source_language, t, words) for t in targets]
        if not with_transcript:
            specs = specs[1:]
    for spec in specs:
        spec.validate()
    return specs
