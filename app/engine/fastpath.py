"""The fast exact path for one chunk: encode once, shared audio prefix, CTC-draft speculation.

``run_fast(engine, audio, specs)`` returns exactly the tokens of ``GraniteEngine.run`` (guarded by
tests/engine/test_speed_*.py) with less work:

* the encoder and projector run once for all specs;
* ``USER: `` + audio tokens are prefilled once (``SharedPrefix``); each spec prefills only its
  instruction on a private copy of the cache;
* transcription specs decode speculatively from the character CTC draft (``speculative``);
  translations decode plainly (the draft is in the wrong language).

Timings stay additive: the encoder and the shared prefix are counted in the first output.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from app.core.errors import CancelledError, OutOfMemoryError
from app.core.transcript import Task, TaskSpec, Timing
from app.engine import ctc, forward
from app.engine.base import Audio, CancelToken, PartialCallback, TaskOutput
from app.engine.prefix_cache import SharedPrefix, prefill_suffix
from app.engine.speculative import DEFAULT_DRAFT, SpeculativeStats, speculative_decode

if TYPE_CHECKING:
    from app.engine.granite import EncodedAudio, GraniteEngine

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SpeedOptions:
    """Which exact speed-ups to use (all on by default; the outputs do not change)."""

    shared_prefix: bool = True
    #: Speculative decoding for transcription (Preferences.speculative_decoding).
    speculative: bool = True
    num_draft: int = DEFAULT_DRAFT


def is_oom(exc: BaseException) -> bool:
    text = str(exc).lower()
    return isinstance(exc, MemoryError) or (
        isinstance(exc, RuntimeError) and ("alloc" in text or "out of memory" in text)
    )


def run_task_fast(
    engine: GraniteEngine,
    encoded: EncodedAudio,
    spec: TaskSpec,
    *,
    shared: SharedPrefix | None = None,
    draft: Sequence[int] | None = None,
    options: SpeedOptions = SpeedOptions(),
    task_index: int = 0,
    on_partial: PartialCallback | None = None,
    cancel: CancelToken | None = None,
) -> TaskOutput:
    """One task on an encoded chunk; ``draft`` (if given) drives speculative decoding."""
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
        logits = forward.prefill_last(engine, engine.embed_prompt(prompt_ids, encoded), cache)
        prefilled = len(prompt_ids)
    engine.next_token(logits)  # evaluates the prefill
    prefill_s = time.perf_counter() - started

    def on_text(text: str) -> None:
        if on_partial is not None:
            on_partial(task_index, text)

    callback = on_text if on_partial is not None else None
    max_new = min(engine.max_tokens, room)
    if draft is not None:
        stats = SpeculativeStats()
        result = speculative_decode(
            engine,
            logits,
            cache,
            draft,
            max_new_tokens=max_new,
            num_draft=options.num_draft,
            on_text=callback,
            cancel=cancel,
            stats=stats,
        )
        log.debug("Speculative: %s", stats)
    else:
        result = engine.decode(
            logits, cache, max_new_tokens=max_new, on_text=callback, cancel=cancel
        )
    timing = Timing(
        prefill_s=prefill_s,
        decode_s=result.decode_s,
        prompt_tokens=len(prompt_ids),
        prefill_tokens=prefilled,
        generated_tokens=len(result.tokens),
        forward_passes=forward.prefill_passes(prefilled) + result.forward_passes,
    )
    return TaskOutput(text=result.text, timing=timing, tokens=result.tokens)


def run_encoded(
    engine: GraniteEngine,
    encoded: EncodedAudio,
    specs: Sequence[TaskSpec],
    *,
    options: SpeedOptions = SpeedOptions(),
    draft: Sequence[int] | None = None,
    on_partial: PartialCallback | None = None,
    cancel: CancelToken | None = None,
) -> list[TaskOutput]:
    """Every spec on one encoded chunk. ``draft`` overrides the CTC draft (tests: an oracle)."""
    shared: SharedPrefix | None = None
    shared_timing = Timing()
    if options.shared_prefix and len(specs) > 1:
        first_ids = engine.build_prompt(encoded.n_audio_tokens, specs[0])
        shared = SharedPrefix.build(engine, encoded, first_ids)
        shared_timing = Timing(
            prefill_s=shared.prefill_s,
            prefill_tokens=len(shared.ids),
            forward_passes=shared.forward_passes,
        )
    speculate = options.speculative and any(s.task is Task.TRANSCRIBE for s in specs)
    if speculate and draft is None:
        started = time.perf_counter()
        draft = ctc.draft_tokens(engine, encoded)
        shared_timing.encode_s += time.perf_counter() - started
    outputs = []
    for index, spec in enumerate(specs):
        use_draft = speculate and spec.task is Task.TRANSCRIBE
        outputs.append(
            run_task_fast(
                engine,
                encoded,
                spec,
                shared=shared,
                draft=draft if use_draft else None,
                options=options,
                task_index=index,
                on_partial=on_partial,
                cancel=cancel,
            )
        )
    if outputs:
        first = outputs[0].timing
        outputs[0].timing = first + shared_timing
    return outputs


def run_fast(
    engine: GraniteEngine,
    audio: Audio,
    specs: Sequence[TaskSpec],
    *,
    options: SpeedOptions = SpeedOptions(),
    draft: Sequence[int] | None = None,
    on_partial: PartialCallback | None = None,
    cancel: CancelToken | None = None,
) -> list[TaskOutput]:
    """Drop-in for ``GraniteEngine.run`` (same outputs, same errors) with the exact speed-ups."""
    for spec in specs:
        spec.validate()
    engine.check_audio(audio)
    if cancel is not None and cancel.cancelled:
        raise CancelledError()
    if not specs:
        return []
    try:
        encoded = engine.encode(audio)
        outputs = run_encoded(
            engine,
            encoded,
            specs,
            options=options,
            draft=draft,
            on_partial=on_partial,
            cancel=cancel,
        )
    except (MemoryError, RuntimeError) as exc:
        if is_oom(exc):
            log.warning("Out of memory: %s", exc)
            raise OutOfMemoryError(
                "Out of memory while running the model; close other apps or use shorter chunks."
            ) from exc
        raise
    outputs[0].timing.encode_s += encoded.encode_s
    outputs[0].timing.encoder_frames = encoded.encoder_frames
    return outputs
