"""Prefill without the wasted vocabulary projection.

mlx-audio's ``Model.__call__`` (and so ``generate()``) projects *every* prompt position onto the
vocabulary, though prefill needs the logits of the last position only. The LM head is the
largest matrix of the model (hidden x ~100k), and on a CPU its cost grows with the number of rows:
on the quarter-size model it is ~0.15 s per position. ``prefill_last`` runs the same layers and
applies the head to the last position only. Rows are computed independently, so the logits are
the same as ``Model.__call__``'s last row (guarded bitwise by tests/engine/test_speed_prefix.py).
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
    """Prefill (B, L, H) input embeddings on ``cache``; logits (B, vocab) of the last position."""
    import mlx.core as mx

    total = int(embeddings.shape[1])
    start = 0
    while total - start > step:
        _hidden(engine, embeddings[:, start : start + step], cache)
        mx.eval([c.state for c in cache])
        start += step
    hidden = _hidden(engine, embeddings[:, start:], cache)
    return head(engine, hidden[:, -1:, :])[:, -1, :]


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
    return max(1, -(-n_positions // step))
