"""Batched greedy decoding of a file's chunks: B chunks in lockstep, left padding, batch KV cache.

Prompts are left-padded to the longest one and run with mlx-audio's ``BatchKVCache``, which masks
each row's padding and gives every row its own RoPE offset (``offset = -padding`` at the start,
so a row's real tokens sit at positions 0, 1, 2, ...). The shared ``USER: `` + audio prefix is
prefilled once for all rows and copied for each task; only the instruction suffix (identical for
every row of one task) is prefilled per task. Finished rows leave the batch.

Forward passes become about the longest chunk's token count instead of the sum. Tokens equal
decoding one chunk at a time (tests/engine/test_speed_batch.py, float32 and 8-bit).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from app.core.errors import CancelledError, OutOfMemoryError, UsageError
from app.core.transcript import TaskSpec, Timing
from app.engine import forward
from app.engine.base import Audio, CancelToken, SpeechEngine, TaskOutput
from app.engine.fastpath import is_oom
from app.engine.prefix_cache import prefix_end

if TYPE_CHECKING:
    from app.engine.granite import EncodedAudio, GraniteEngine

log = logging.getLogger(__name__)

#: Chunks decoded together (memory: B x prompt x layers of KV cache).
DEFAULT_BATCH = 8
#: on_partial(chunk_index, task_index, text_so_far)
BatchPartial = Callable[[int, int, str], None]


@dataclass
class BatchStats:
    forward_passes: int = 0
    prefill_positions: int = 0  #: positions computed in prefill, padding included
    rows: list[int] = field(default_factory=list)


def _copy_batch_cache(cache: Sequence[Any]) -> list[Any]:
    import mlx.core as mx
    from mlx_audio.lm.models.cache import BatchKVCache

    copies = []
    for layer in cache:
        fresh = BatchKVCache([0] * int(layer.left_padding.shape[0]))
        keys, values, offset, left = layer.state
        fresh.state = (mx.array(keys), mx.array(values), mx.array(offset), mx.array(left))
        copies.append(fresh)
    mx.eval([c.keys for c in copies])
    return copies


def _prefill(engine: GraniteEngine, embeddings: Any, cache: list[Any]) -> Any:
    """Prefill (B, L, H) embeddings; last-position logits (B, vocab)."""
    return forward.prefill_last(engine, embeddings, cache)


def _argmax_rows(logits: Any) -> list[int]:
    import mlx.core as mx

    best: Any = mx.argmax(logits.astype(mx.float32), axis=-1).tolist()
    return [int(t) for t in best]


def decode_batch(
    engine: GraniteEngine,
    encoded: Sequence[EncodedAudio],
    specs: Sequence[TaskSpec],
    *,
    on_partial: BatchPartial | None = None,
    cancel: CancelToken | None = None,
    stats: BatchStats | None = None,
) -> list[list[TaskOutput]]:
    """Greedy outputs for every chunk (outer) and spec (inner), chunks decoded in lockstep."""
    import mlx.core as mx
    from mlx_audio.lm.models.cache import BatchKVCache

    from app.engine.granite import MAX_POSITIONS

    stats = stats if stats is not None else BatchStats()
    stats.rows.append(len(encoded))
    n = len(encoded)
    prompts = [[engine.build_prompt(e.n_audio_tokens, s) for s in specs] for e in encoded]
    for chunk_prompts in prompts:
        for ids in chunk_prompts:
            if len(ids) >= MAX_POSITIONS:
                raise UsageError(
                    f"The prompt needs {len(ids)} positions; the model has {MAX_POSITIONS}. "
                    "Split the audio into shorter chunks."
                )
    ends = [
        prefix_end(prompts[i][0], engine.audio_token_id, e.n_audio_tokens)
        for i, e in enumerate(encoded)
    ]
    prefixes = [prompts[i][0][: ends[i]] for i in range(n)]
    suffixes = [[ids[ends[i] :] for ids in prompts[i]] for i in range(n)]
    shared_ok = all(
        prompts[i][t][: ends[i]] == prefixes[i] and suffixes[i][t] == suffixes[0][t]
        for i in range(n)
        for t in range(len(specs))
    )
    outputs: list[list[TaskOutput]] = [[] for _ in range(n)]
    started = time.perf_counter()
    base: list[Any] | None = None
    width = max(len(p) for p in prefixes)
    if shared_ok:
        rows = [engine.embed_prompt(prefixes[i], encoded[i]) for i in range(n)]
        hidden = rows[0].shape[-1]
        padded = mx.concatenate(
            [
                mx.concatenate([mx.zeros((1, width - r.shape[1], hidden), r.dtype), r], axis=1)
                for r in rows
            ],
            axis=0,
        )
        base = [BatchKVCache([width - len(p) for p in prefixes]) for _ in engine.make_cache()]
        forward.fill(engine, padded, base)
        stats.forward_passes += 1
        stats.prefill_positions += n * width
    prefix_s = time.perf_counter() - started
    embed = engine.model.language_model.model.embed_tokens
    for t, _spec in enumerate(specs):
        if cancel is not None and cancel.cancelled:
            raise CancelledError()
        started = time.perf_counter()
        if base is not None:
            cache = _copy_batch_cache(base)
            logits = _prefill(engine, embed(mx.array([suffixes[i][t] for i in range(n)])), cache)
            positions = n * len(suffixes[0][t])
        else:
            lengths = [len(prompts[i][t]) for i in range(n)]
            longest = max(lengths)
            rows = [engine.embed_prompt(prompts[i][t], encoded[i]) for i in range(n)]
            hidden = rows[0].shape[-1]
            padded = mx.concatenate(
                [
                    mx.concatenate([mx.zeros((1, longest - r.shape[1], hidden), r.dtype), r], 1)
                    for r in rows
                ],
                axis=0,
            )
            cache = [BatchKVCache([longest - k for k in lengths]) for _ in engine.make_cache()]
            logits = _prefill(engine, padded, cache)
            positions = n * longest
        current = _argmax_rows(logits)
        prefill_s = time.perf_counter() - started
        stats.forward_passes += 1
        stats.prefill_positions += positions
        tokens: list[list[int]] = [[] for _ in range(n)]
        limits = [min(engine.max_tokens, MAX_POSITIONS - len(prompts[i][t])) for i in range(n)]
        active = list(range(n))
        passes = 0
        started = time.perf_counter()
        while True:
            still = []
            for slot, row in enumerate(active):
                token = current[slot]
                if token == engine.eos_token_id or len(tokens[row]) >= limits[row]:
                    continue
                tokens[row].append(token)
                if on_partial is not None:
                    on_partial(row, t, engine.decode_text(tokens[row]))
                if len(tokens[row]) < limits[row]:
                    still.append((slot, row))
            if not still:
                break
            if cancel is not None and cancel.cancelled:
                raise CancelledError()
            if len(still) < len(active):
                keep = mx.array([slot for slot, _ in still])
                for layer in cache:
                    layer.filter(keep)
            active = [row for _, row in still]
            feed = mx.array([[tokens[row][-1]] for row in active])
            current = _argmax_rows(engine.model(feed, cache=cache)[:, -1, :])
            passes += 1
        stats.forward_passes += passes
        decode_s = time.perf_counter() - started
        for i in range(n):
            first = i == 0
            timing = Timing(
                prefill_s=(prefill_s + (prefix_s if t == 0 else 0.0)) if first else 0.0,
                decode_s=decode_s if first else 0.0,
                prompt_tokens=len(prompts[i][t]),
                prefill_tokens=len(suffixes[i][t]) if base is not None else len(prompts[i][t]),
                generated_tokens=len(tokens[i]),
                forward_passes=(1 + passes + (1 if base is not None and t == 0 else 0))
                if first
                else 0,
            )
            if base is not None and t == 0:
                timing.prefill_tokens += len(prefixes[i])
            outputs[i].append(
                TaskOutput(text=engine.decode_text(tokens[i]), timing=timing, tokens=tokens[i])
            )
    return outputs


def run_batch(
    engine: GraniteEngine,
    chunks: Sequence[Audio],
    specs: Sequence[TaskSpec],
    *,
    batch_size: int = DEFAULT_BATCH,
    on_partial: BatchPartial | None = None,
    cancel: CancelToken | None = None,
    stats: BatchStats | None = None,
) -> list[list[TaskOutput]]:
    """Every spec on every chunk; ``result[chunk][spec]``, tokens equal to ``engine.run``.

    Each chunk is encoded once (its encoder frames and time go to its first output); chunks of
    similar length are decoded together, ``batch_size`` at a time.
    """
    if batch_size < 1:
        raise UsageError("batch_size must be at least 1")
    for spec in specs:
        spec.validate()
    for audio in chunks:
        engine.check_audio(audio)
    results: list[list[TaskOutput]] = [[] for _ in chunks]
    if not specs or not chunks:
        return results
    order = sorted(range(len(chunks)), key=lambda i: chunks[i].shape[0])
    try:
        for start in range(0, len(order), batch_size):
            group = order[start : start + batch_size]
            if cancel is not None and cancel.cancelled:
                raise CancelledError()
            encoded = [engine.encode(chunks[i]) for i in group]

            def partial(row: int, task: int, text: str, group: list[int] = group) -> None:
                if on_partial is not None:
                    on_partial(group[row], task, text)

            outs = decode_batch(
                engine,
                encoded,
                specs,
                on_partial=partial if on_partial is not None else None,
                cancel=cancel,
                stats=stats,
            )
            for row, index in enumerate(group):
                outs[row][0].timing.encode_s += encoded[row].encode_s
                outs[row][0].timing.encoder_frames = encoded[row].encoder_frames
                results[index] = outs[row]
    except (MemoryError, RuntimeError) as exc:
        if is_oom(exc):
            raise OutOfMemoryError(
                "Out of memory while decoding a batch; lower the batch size or close other apps."
            ) from exc
        raise
    return results


def run_chunks(
    engine: SpeechEngine,
    chunks: Sequence[Audio],
    specs: Sequence[TaskSpec],
    *,
    batch_size: int = DEFAULT_BATCH,
    on_partial: BatchPartial | None = None,
    cancel: CancelToken | None = None,
) -> list[list[TaskOutput]]:
    """For the pipelines: ``engine.run_batch`` when the engine has one, else ``run`` per chunk.

    ``result[chunk][spec]``; ``on_partial(chunk_index, task_index, text_so_far)``. Works with any
    ``SpeechEngine`` (fakes included); ``batch_size=1`` always uses ``run`` (and so the
    engine's speculative decoding).
    """
    batch = getattr(engine, "run_batch", None)
    if batch is not None and batch_size > 1 and len(chunks) > 1:
        result: list[list[TaskOutput]] = batch(
            chunks, specs, batch_size=batch_size, on_partial=on_partial, cancel=cancel
        )
        return result
    outputs = []
    for index, audio in enumerate(chunks):

        def partial(task: int, text: str, index: int = index) -> None:
            if on_partial is not None:
                on_partial(index, task, text)

        outputs.append(
            engine.run(audio, specs, on_partial=partial if on_partial else None, cancel=cancel)
        )
    return outputs
