"""Exact speculative greedy decoding with a fixed draft (the character CTC decode).

Each step feeds the current token plus up to ``k`` draft tokens in one forward pass, keeps the
draft prefix that equals the model's own argmax (``GraniteModel.next_token``: argmax of the
float32 logits, the one rule), adds the model's token after it and trims the rejected
positions from the KV cache. Every emitted token is the model's argmax, so the output equals
plain greedy decoding whenever the k-token pass computes the same logits as k single-token
passes (bitwise on the tiny float32 and 8-bit models; see tests/engine/test_speed_speculative).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from app.core.errors import CancelledError
from app.engine.base import CancelToken
from app.engine.model.decode import DecodeResult, PartialText, TextCallback
from app.engine.model.granite import GraniteModel

log = logging.getLogger(__name__)

#: Draft tokens verified per forward pass.
DEFAULT_DRAFT = 8
#: Longest pause (decode steps without a draft) after rejected 1-token drafts.
MAX_PAUSE = 8
#: Longest history suffix used to find the resync point in the draft.
MAX_MATCH = 4


class DraftLookup:
    """Where to continue a fixed draft after the model's own tokens ``history``.

    After a correction the model's text and the draft disagree; the next proposal continues the
    draft after the latest place where the longest suffix (≤ ``MAX_MATCH`` tokens) of the history
    occurs, searching forward from the last accepted position.
    """

    def __init__(self, draft: Sequence[int]) -> None:
        self.draft = [int(t) for t in draft]
        self.cursor = 0  # draft index after the last accepted token
        self._where: dict[int, list[int]] = {}
        for index, token in enumerate(self.draft):
            self._where.setdefault(token, []).append(index)

    def propose(self, history: Sequence[int], count: int) -> list[int]:
        if not history or count <= 0 or not self.draft:
            return []
        ends = self._where.get(history[-1], [])
        for size in range(min(MAX_MATCH, len(history)), 0, -1):
            suffix = list(history[-size:])
            for end in ends:
                start = end + 1 - size
                if end + 1 < self.cursor or start < 0:
                    continue
                if self.draft[start : end + 1] == suffix:
                    self.cursor = end + 1
                    return self.draft[self.cursor : self.cursor + count]
        return []

    def accept(self, count: int) -> None:
        self.cursor += count


@dataclass
class SpeculativeStats:
    draft_tokens: int = 0
    proposed: int = 0
    accepted: int = 0
    verify_passes: int = 0  #: passes that carried draft tokens
    plain_passes: int = 0  #: passes with no draft (ordinary greedy steps)


class DraftLength:
    """How many draft tokens to verify next (the adaptive schedule; see ``speculative_decode``)."""

    def __init__(self, num_draft: int, *, adaptive: bool = True) -> None:
        if num_draft < 1:
            raise ValueError("num_draft must be at least 1")
        self.num_draft = num_draft
        self.adaptive = adaptive
        self.length = num_draft
        self.pause = 0  #: the current pause after rejected 1-token drafts
        self.paused = 0  #: plain steps left before the next draft

    def next(self) -> int:
        """Draft tokens for the coming pass (0: a plain step)."""
        if self.paused > 0:
            self.paused -= 1
            return 0
        return self.length

    def record(self, proposed: int, accepted: int) -> None:
        if not self.adaptive or not proposed:
            return
        if accepted == 0 and self.length == 1:
            self.pause = min(MAX_PAUSE, max(1, 2 * self.pause))
            self.paused = self.pause
        elif accepted == 0:
            self.length = max(1, self.length // 2)
        else:
            self.pause = 0
            if accepted == proposed:
                self.length = min(self.num_draft, self.length * 2)


def _accepted(proposals: Sequence[int], predictions: Sequence[int]) -> int:
    accepted = 0
    for proposal, prediction in zip(proposals, predictions, strict=False):
        if proposal != prediction:
            break
        accepted += 1
    return accepted


def verify(engine: GraniteModel, tokens: Sequence[int], cache: list[Any]) -> list[int]:
    """Feed ``tokens`` in one pass; the model's argmax after each of them (the one rule)."""
    import mlx.core as mx

    logits = engine.model(mx.array([list(tokens)]), cache=cache)[0]
    predictions: Any = mx.argmax(logits.astype(mx.float32), axis=-1).tolist()
    return [int(p) for p in predictions]


def speculative_decode(
    engine: GraniteModel,
    logits: Any,
    cache: list[Any],
    draft: Sequence[int],
    *,
    max_new_tokens: int,
    num_draft: int = DEFAULT_DRAFT,
    on_text: TextCallback | None = None,
    cancel: CancelToken | None = None,
    stats: SpeculativeStats | None = None,
    adaptive: bool = True,
) -> DecodeResult:
    """Greedy decoding from the prefill ``logits``, verifying draft tokens ``num_draft`` at a time.

    Same contract and result as ``decode.greedy_decode`` (tokens without EOS, at most
    ``max_new_tokens``); ``forward_passes`` counts the verification passes. ``adaptive`` halves
    the draft length after a fully rejected draft and doubles it (up to ``num_draft``) after a
    fully accepted one; when even a 1-token draft is rejected it pauses drafting for 1, 2, 4 ...
    (at most ``MAX_PAUSE``) steps. On a CPU each verified row costs about as much as a pass, so
    bad drafts must stay short. (It only chooses what to verify; every token is still the
    model's argmax.)
    """
    schedule = DraftLength(num_draft, adaptive=adaptive)
    started = time.perf_counter()
    stats = stats if stats is not None else SpeculativeStats()
    eos = engine.eos_token_id
    lookup = DraftLookup([t for t in draft if t != eos])
    stats.draft_tokens = len(lookup.draft)
    tokens: list[int] = []
    passes = 0
    partial = PartialText(engine, on_text)
    current = engine.next_token(logits)
    while current != eos and len(tokens) < max_new_tokens:
        tokens.append(current)  # not yet in the cache
        partial.update(tokens)
        room = max_new_tokens - len(tokens)
        if room <= 0:
            break
        if cancel is not None and cancel.cancelled:
            raise CancelledError()
        length = schedule.next()
        proposals = lookup.propose(tokens, min(length, room)) if length else []
        predictions = verify(engine, [current, *proposals], cache)
        passes += 1
        accepted = _accepted(proposals, predictions)
        schedule.record(len(proposals), accepted)
        if len(proposals) > accepted:
            for layer in cache:
                layer.trim(len(proposals) - accepted)
        lookup.accept(accepted)
        stats.proposed += len(proposals)
        stats.accepted += accepted
        if proposals:
            stats.verify_passes += 1
        else:
            stats.plain_passes += 1
        tokens.extend(proposals[:accepted])
        current = predictions[accepted]
    if tokens:
        partial.update(tokens)
    return DecodeResult(tokens, engine.decode_text(tokens), passes, time.perf_counter() - started)
