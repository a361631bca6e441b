"""Batched greedy decoding of a file's chunks: B chunks in lockstep, left padding, batch KV cache.

Prompts are left-padded to the longest one and run with mlx-audio's ``BatchKVCache``, which masks
each row's padding and gives every row its own RoPE offset (``offset = -padding`` at the start,
so a row's real tokens sit at positions 0, 1, 2, ...). The shared ``USER: `` + audio prefix is
prefilled once for all rows and copied for each task when there are two or more tasks; only the
instruction suffix (identical for every row of one task) is prefilled per task. Finished rows
leave the batch.

Forward passes become about the longest chunk's token count instead of the sum. Tokens equal
decoding one chunk at a time (tests/engine/test_speed_batch.py, float32 and 8-bit). Encoding,
grouping and error handling are ``app.engine.runner``'s.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from app.core.errors import CancelledError
from app.core.transcript import TaskSpec, Timing
from app.engine.base import CancelToken, TaskOutput
from app.engine.model import prefill
from app.engine.model.decode import IncrementalText
from app.engine.model.granite import MAX_POSITIONS, EncodedAudio, GraniteModel, check_room
from app.engine.model.prefix_cache import prefix_end

#: Chunks decoded together (memory: B x prompt x layers of KV cache).
DEFAULT_BATCH = 8
#: on_partial(chunk_index, task_index, text_so_far)
BatchPartial = Callable[[int, int, str], None]


@dataclass
class BatchStats:
    forward_passes: int = 0
    prefill_positions: int = 0  #: positions computed in prefill, padding included
    rows: list[int] = field(default_factory=list)


@dataclass
class _Plan:
    """Prompt ids per chunk (outer) and task (inner), split at the end of the audio run."""

    prompts: list[list[list[int]]]
    prefixes: list[list[int]]
    suffixes: list[list[list[int]]]
    shared: bool  #: every row shares its prefix across tasks and each task's suffix across rows


def _plan(
    engine: GraniteModel, encoded: Sequence[EncodedAudio], specs: Sequence[TaskSpec]
) -> _Plan:
    prompts = [[engine.build_prompt(e.n_audio_tokens, s) for s in specs] for e in encoded]
    for chunk_prompts in prompts:
        for ids in chunk_prompts:
            check_room(ids)
    ends = [
        prefix_end(p[0], engine.audio_token_id, e.n_audio_tokens)
        for p, e in zip(prompts, encoded, strict=True)
    ]
    prefixes = [p[0][:end] for p, end in zip(prompts, ends, strict=True)]
    suffixes = [[ids[end:] for ids in p] for p, end in zip(prompts, ends, strict=True)]
    shared = (
        len(specs) > 1
        and all(  # one task: the shared prefix would be pure overhead
            prompts[i][t][: ends[i]] == prefixes[i] and suffixes[i][t] == suffixes[0][t]
            for i in range(len(encoded))
            for t in range(len(specs))
        )
    )
    return _Plan(prompts, prefixes, suffixes, shared)


def _left_padded(rows: Sequence[Any]) -> Any:
    """(B, longest, H): the (1, L_i, H) rows, each left-padded with zeros."""
    import mlx.core as mx

    width = max(int(r.shape[1]) for r in rows)
    hidden = rows[0].shape[-1]
    return mx.concatenate(
        [mx.concatenate([mx.zeros((1, width - r.shape[1], hidden), r.dtype), r], 1) for r in rows],
        axis=0,
    )


def _batch_cache(engine: GraniteModel, lengths: Sequence[int]) -> list[Any]:
    from mlx_audio.lm.models.cache import BatchKVCache

    width = max(lengths)
    return [BatchKVCache([width - n for n in lengths]) for _ in engine.make_cache()]


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


def _argmax_rows(logits: Any) -> list[int]:
    import mlx.core as mx

    best: Any = mx.argmax(logits.astype(mx.float32), axis=-1).tolist()
    return [int(t) for t in best]


def _decode_rows(
    engine: GraniteModel,
    cache: list[Any],
    current: list[int],
    limits: Sequence[int],
    report: Callable[[int, list[int]], None] | None,
    cancel: CancelToken | None,
) -> tuple[list[list[int]], int]:
    """Lockstep greedy decoding of every row from its first token; (tokens per row, passes)."""
    import mlx.core as mx

    tokens: list[list[int]] = [[] for _ in limits]
    active = list(range(len(limits)))
    passes = 0
    while True:
        still = []
        for slot, row in enumerate(active):
            token = current[slot]
            if token == engine.eos_token_id or len(tokens[row]) >= limits[row]:
                continue
            tokens[row].append(token)
            if report is not None:
                report(row, tokens[row])
            if len(tokens[row]) < limits[row]:
                still.append((slot, row))
        if not still:
            return tokens, passes
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


def _prefill_shared(
    engine: GraniteModel, plan: _Plan, encoded: Sequence[EncodedAudio], stats: BatchStats
) -> list[Any]:
    """The batch cache of every row's ``USER: `` + audio prefix (to be copied per task)."""
    rows = [
        engine.embed_prompt(prefix, e) for prefix, e in zip(plan.prefixes, encoded, strict=True)
    ]
    base = _batch_cache(engine, [len(p) for p in plan.prefixes])
    prefill.fill(engine, _left_padded(rows), base)
    stats.forward_passes += prefill.fill_passes(max(len(p) for p in plan.prefixes))
    stats.prefill_positions += len(rows) * max(len(p) for p in plan.prefixes)
    return base


def _prefill_task(
    engine: GraniteModel,
    plan: _Plan,
    encoded: Sequence[EncodedAudio],
    task: int,
    base: list[Any] | None,
    stats: BatchStats,
) -> tuple[list[Any], Any]:
    """(cache, last-position logits) of task ``task`` for every row."""
    import mlx.core as mx

    n = len(encoded)
    if base is not None:
        cache = _copy_batch_cache(base)
        embed = engine.model.language_model.model.embed_tokens
        suffix = embed(mx.array([plan.suffixes[i][task] for i in range(n)]))
        width = len(plan.suffixes[0][task])
        stats.prefill_positions += n * width
        stats.forward_passes += prefill.prefill_passes(width)
        return cache, prefill.prefill_last(engine, suffix, cache)
    lengths = [len(plan.prompts[i][task]) for i in range(n)]
    rows = [engine.embed_prompt(plan.prompts[i][task], encoded[i]) for i in range(n)]
    cache = _batch_cache(engine, lengths)
    stats.prefill_positions += n * max(lengths)
    stats.forward_passes += prefill.prefill_passes(max(lengths))
    return cache, prefill.prefill_last(engine, _left_padded(rows), cache)


def decode_batch(
    engine: GraniteModel,
    encoded: Sequence[EncodedAudio],
    specs: Sequence[TaskSpec],
    *,
    on_partial: BatchPartial | None = None,
    cancel: CancelToken | None = None,
    stats: BatchStats | None = None,
) -> list[list[TaskOutput]]:
    """Greedy outputs for every chunk (outer) and spec (inner), chunks decoded in lockstep."""
    stats = stats if stats is not None else BatchStats()
    stats.rows.append(len(encoded))
    plan = _plan(engine, encoded, specs)
    outputs: list[list[TaskOutput]] = [[] for _ in encoded]
    started, before = time.perf_counter(), stats.forward_passes
    base = _prefill_shared(engine, plan, encoded, stats) if plan.shared else None
    prefix_s, prefix_passes = time.perf_counter() - started, stats.forward_passes - before
    for t in range(len(specs)):
        if cancel is not None and cancel.cancelled:
            raise CancelledError()
        started, before = time.perf_counter(), stats.forward_passes
        cache, logits = _prefill_task(engine, plan, encoded, t, base, stats)
        prefill_passes = stats.forward_passes - before + (prefix_passes if t == 0 else 0)
        current = _argmax_rows(logits)
        prefill_s = time.perf_counter() - started + (prefix_s if t == 0 else 0.0)
        limits = [min(engine.max_tokens, MAX_POSITIONS - len(p[t])) for p in plan.prompts]

        texts = [IncrementalText(engine.decode_text) for _ in encoded]

        def report(
            row: int, tokens: list[int], t: int = t, texts: list[IncrementalText] = texts
        ) -> None:
            if on_partial is not None:
                on_partial(row, t, texts[row].text(tokens))

        started = time.perf_counter()
        tokens, passes = _decode_rows(
            engine, cache, current, limits, report if on_partial else None, cancel
        )
        stats.forward_passes += passes
        decode_s = time.perf_counter() - started
        for i, row_tokens in enumerate(tokens):
            timing = Timing(prompt_tokens=len(plan.prompts[i][t]), generated_tokens=len(row_tokens))
            timing.prefill_tokens = len(plan.suffixes[i][t] if base else plan.prompts[i][t])
            if base is not None and t == 0:
                timing.prefill_tokens += len(plan.prefixes[i])
            if i == 0:
                timing.prefill_s, timing.decode_s = prefill_s, decode_s
                timing.forward_passes = prefill_passes + passes
            text = engine.decode_text(row_tokens)
            outputs[i].append(TaskOutput(text=text, timing=timing, tokens=row_tokens))
    return outputs
