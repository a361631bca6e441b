"""Prefill with no wasted work, as mlx-audio's ``generate()`` does it.

Prefill needs the logits of the last prompt position only. ``prefill_last`` therefore fills the
KV cache with every position but the last (``fill``: only the keys and values are evaluated, so
neither the vocabulary head nor the last layer's attention output and MLP run for those rows;
MLX computes lazily), then runs the last position as one ordinary decode step. That is exactly
``generate_step``'s prefill. On the tiny model, running the whole prompt in one pass with the
head on the last row only cost 45 ms instead of 28 ms for a 90-position prompt: the last layer's
outputs for the other 89 rows were computed and thrown away. Rows are computed independently,
so the logits are the same as ``Model.__call__``'s last row (guarded bitwise by
tests/engine/test_speed_prefix.py).
"""

from __future__ import annotations

from typing import Any

from app.engine.model.granite import PREFILL_STEP, GraniteModel


def _hidden(engine: GraniteModel, embeddings: Any, cache: list[Any]) -> Any:
    """Final-norm hidden states of ``embeddings`` (B, L, H) after the decoder layers."""
    from mlx_audio.lm.models.base import create_attention_mask

    lm = engine.model.language_model
    h = embeddings * lm.model.embedding_multiplier
    mask = create_attention_mask(h, cache[0])
    for layer, layer_cache in zip(lm.model.layers, cache, strict=True):
        h = layer(h, mask, cache=layer_cache)
    return lm.model.norm(h)


def head(engine: GraniteModel, hidden: Any) -> Any:
    """Vocabulary logits of final hidden states, as ``Model.__call__`` computes them."""
    lm = engine.model.language_model
    if lm.args.tie_word_embeddings:
        logits = lm.model.embed_tokens.as_linear(hidden)
    else:
        logits = lm.lm_head(hidden)
    return logits / lm.logits_scaling


def prefill_last(
    engine: GraniteModel, embeddings: Any, cache: list[Any], *, step: int = PREFILL_STEP
) -> Any:
    """Prefill (B, L, H) input embeddings on ``cache``; logits (B, vocab) of the last position.

    Positions ``[0, L-1)`` go through ``fill`` (keys and values only), the last one through a
    one-position pass with the vocabulary head.
    """
    total = int(embeddings.shape[1])
    fill(engine, embeddings[:, : total - 1], cache, step=step)
    hidden = _hidden(engine, embeddings[:, total - 1 :], cache)
    return head(engine, hidden)[:, -1, :]


def fill(
    engine: GraniteModel, embeddings: Any, cache: list[Any], *, step: int = PREFILL_STEP
) -> None:
    """Prefill positions whose logits are not needed (a shared prefix): no head at all."""
    import mlx.core as mx

    total = int(embeddings.shape[1])
    for start in range(0, total, step):
        _hidden(engine, embeddings[:, start : start + step], cache)
        mx.eval([c.state for c in cache])


def prefill_passes(n_positions: int, step: int = PREFILL_STEP) -> int:
    """Forward passes ``prefill_last`` makes for ``n_positions`` (``fill`` passes + the last)."""
    return 1 + -(-(max(n_positions, 1) - 1) // step)


def fill_passes(n_positions: int, step: int = PREFILL_STEP) -> int:
    """Forward passes ``fill`` makes for ``n_positions``."""
    return -(-n_positions // step)
