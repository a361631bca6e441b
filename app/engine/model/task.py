"""One task on an encoded chunk: prompt, prefill (whole, or the suffix on a shared prefix),
then plain or speculative decoding. ``app.engine.runner`` decides which.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from app.core.transcript import TaskSpec, Timing
from app.engine.base import CancelToken, TaskOutput
from app.engine.model import prefill
from app.engine.model.decode import TextCallback, greedy_decode
from app.engine.model.granite import EncodedAudio, GraniteModel
from app.engine.model.prefix_cache import SharedPrefix, prefill_suffix
from app.engine.model.speculative import (
    DEFAULT_DRAFT,
    DraftSource,
    SpeculativeStats,
    speculative_decode,
)

log = logging.getLogger(__name__)


def run_task(
    engine: GraniteModel,
    encoded: EncodedAudio,
    spec: TaskSpec,
    *,
    shared: SharedPrefix | None = None,
    draft: DraftSource | None = None,
    num_draft: int = DEFAULT_DRAFT,
    on_text: TextCallback | None = None,
    cancel: CancelToken | None = None,
    stats: SpeculativeStats | None = None,
) -> TaskOutput:
    """Prompt, prefill and decode one task; ``draft`` (if given) drives speculative decoding
    (its counts go to ``stats``)."""
    prompt_ids, room = engine.task_prompt(encoded, spec, cancel)
    started = time.perf_counter()
    forked = shared.fork_for(prompt_ids) if shared is not None else None
    cache: list[Any]
    if forked is not None:
        cache, suffix = forked
        logits = prefill_suffix(engine, suffix, cache)
        prefilled = len(suffix)
    else:
        cache = engine.make_cache()
        logits = prefill.prefill_last(engine, engine.embed_prompt(prompt_ids, encoded), cache)
        prefilled = len(prompt_ids)
    engine.next_token(logits)  # evaluates the prefill
    prefill_s = time.perf_counter() - started
    max_new = min(engine.max_tokens, room)
    if draft is not None:
        stats = stats if stats is not None else SpeculativeStats()
        result = speculative_decode(
            engine,
            logits,
            cache,
            draft,
            max_new_tokens=max_new,
            num_draft=num_draft,
            on_text=on_text,
            cancel=cancel,
            stats=stats,
        )
        log.debug("Speculative: %s", stats)
    else:
        result = greedy_decode(
            engine, logits, cache, max_new_tokens=max_new, on_text=on_text, cancel=cancel
        )
    timing = Timing(
        prefill_s=prefill_s,
        decode_s=result.decode_s,
        prompt_tokens=len(prompt_ids),
        prefill_tokens=prefilled,
        generated_tokens=len(result.tokens),
        forward_passes=prefill.prefill_passes(prefilled) + result.forward_passes,
    )
    return TaskOutput(text=result.text, timing=timing, tokens=result.tokens)
