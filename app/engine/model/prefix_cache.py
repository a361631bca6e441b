"""Shared audio-prefix KV cache: prefill ``USER: `` + audio tokens once per chunk.

The prompt is ``USER: `` + ``<|audio|>``×N + instruction + ``\\n ASSISTANT:``, so everything up to
the end of the audio placeholders is the same for every task on a chunk. ``SharedPrefix``
prefills that part once; each task then prefills only its own suffix on a *copy* of the cache
(mlx-audio's ``KVCache`` is written in place, so a cache is never shared between tasks).

The split is taken from the task's own full prompt ids (``build_prompt``), at the end of the
audio run, and the task uses the shared cache only if its ids before that point equal the shared
prefix ids; otherwise it prefills its whole prompt (``fork_for`` returns ``None``). So the ids a
task feeds are always exactly its full prompt ids.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from app.engine.model import prefill
from app.engine.model import prompt as prompt_mod
from app.engine.model.granite import EncodedAudio, GraniteModel

log = logging.getLogger(__name__)


def copy_cache(cache: Sequence[Any]) -> list[Any]:
    """Deep copies of KV caches: fresh key/value arrays holding positions ``[0, offset)``."""
    import mlx.core as mx
    from mlx_audio.lm.models.cache import KVCache

    copies: list[Any] = []
    for layer in cache:
        if type(layer) is not KVCache:
            raise TypeError(f"Cannot copy a {type(layer).__name__}; only KVCache is supported")
        fresh = KVCache()
        if layer.keys is not None and layer.offset > 0:
            fresh.keys = mx.array(layer.keys[..., : layer.offset, :])
            fresh.values = mx.array(layer.values[..., : layer.offset, :])
            fresh.offset = layer.offset
        copies.append(fresh)
    mx.eval([c.keys for c in copies if c.keys is not None])
    return copies


def prefix_end(prompt_ids: Sequence[int], audio_token_id: int, n_audio_tokens: int) -> int:
    """Index just after the audio placeholders: the shared-prefix length."""
    return prompt_mod.audio_span(prompt_ids, audio_token_id, n_audio_tokens)[1]


@dataclass
class SharedPrefix:
    """A prefilled ``USER: `` + audio prefix of one chunk (keep it read-only; fork it)."""

    ids: list[int]
    cache: list[Any]
    prefill_s: float
    forward_passes: int

    @classmethod
    def build(
        cls, engine: GraniteModel, encoded: EncodedAudio, prompt_ids: Sequence[int]
    ) -> SharedPrefix:
        """Prefill the prefix of ``prompt_ids`` (any task's full prompt for ``encoded``)."""
        started = time.perf_counter()
        end = prefix_end(prompt_ids, engine.audio_token_id, encoded.n_audio_tokens)
        ids = [int(t) for t in prompt_ids[:end]]
        cache = engine.make_cache()
        prefill.fill(engine, engine.embed_prompt(ids, encoded), cache)
        passes = prefill.fill_passes(len(ids))
        return cls(ids, cache, time.perf_counter() - started, passes)

    def fork_for(self, prompt_ids: Sequence[int]) -> tuple[list[Any], list[int]] | None:
        """(a private copy of the cache, the suffix ids to prefill) or ``None`` to fall back."""
        n = len(self.ids)
        if len(prompt_ids) <= n or [int(t) for t in prompt_ids[:n]] != self.ids:
            log.info("Prompt does not start with the shared audio prefix; full prefill")
            return None
        return copy_cache(self.cache), [int(t) for t in prompt_ids[n:]]


def prefill_suffix(engine: GraniteModel, suffix_ids: Sequence[int], cache: list[Any]) -> Any:
    """Prefill text-only ``suffix_ids`` on ``cache``; logits (1, vocab) of the last position."""
    import mlx.core as mx

    embed = engine.model.language_model.model.embed_tokens
    return prefill.prefill_last(engine, embed(mx.array([list(suffix_ids)])), cache)
