"""Exact speculative greedy decoding with a fixed draft (the character CTC decode).

A verifying step feeds the current token plus up to ``k`` draft tokens in one forward pass, keeps
the draft prefix that equals the model's own argmax (``GraniteModel.next_token``: argmax of the
float32 logits, the one rule), adds the model's token after it and trims the rejected
positions from the KV cache. Every emitted token is the model's argmax, so the output equals
plain greedy decoding whenever the k-token pass computes the same logits as k single-token
passes (bitwise on the tiny float32 and 8-bit models; see tests/engine/test_speed_speculative).

On a CPU each verified row costs about as much as a pass, so a draft that keeps failing must
cost nothing: after a rejected draft the decoder takes plain steps (pipelined as in plain
decoding while the draft has no prediction that could switch it back to verifying) and only
checks, for free, whether the draft predicted the model's token; it verifies again after such a
hit. Across chunks, ``DraftBackoff`` stops computing drafts that keep failing (probing now and
then).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from app.core.errors import CancelledError
from app.engine.base import CancelToken
from app.engine.model.decode import DecodeResult, PartialText, PlainSteps, TextCallback
from app.engine.model.granite import GraniteModel

log = logging.getLogger(__name__)

#: Draft tokens verified per forward pass.
DEFAULT_DRAFT = 8
#: Longest history suffix used to find the resync point in the draft.
MAX_MATCH = 4
#: A draft, or a function computing it (called only when the draft is first needed).
DraftSource = Sequence[int] | Callable[[], Sequence[int]]
#: Chunks in a row whose draft had no accepted token before drafting pauses (``DraftBackoff``).
PAUSE_AFTER = 2
#: While paused, one chunk in this many still drafts (a probe).
PROBE_EVERY = 8


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
    shadow_hits: int = 0  #: plain steps whose token the draft predicted (verifying resumes)
    drafted: bool = False  #: the draft was computed (a lazy draft is not when EOS comes first)


class DraftBackoff:
    """Whether the next chunk computes a draft at all; one per engine, across its chunks.

    Even when every draft token is rejected, a draft costs its computation (the CTC head: about
    one decode step of the tiny model on MLX's CPU build) and a lookup per step. After
    ``pause_after`` chunks in a row without one accepted draft token, the following chunks
    decode plainly, except one probe every ``probe_every`` chunks; a probe with an accepted
    token resumes drafting on every chunk. The tokens are the same either way (every token is
    the model's argmax); only the time changes.
    """

    def __init__(self, pause_after: int = PAUSE_AFTER, probe_every: int = PROBE_EVERY) -> None:
        if pause_after < 1 or probe_every < 1:
            raise ValueError("pause_after and probe_every must be at least 1")
        self.pause_after = pause_after
        self.probe_every = probe_every
        self._misses = 0
        self._paused_chunks = 0
        #: Chunks that computed a draft, and chunks decoded plainly because drafting was paused.
        self.drafted = 0
        self.skipped = 0

    @property
    def paused(self) -> bool:
        return self._misses >= self.pause_after

    def use_draft(self) -> bool:
        """Once per chunk (with a transcription task): does this chunk draft?"""
        if not self.paused:
            return True
        self._paused_chunks += 1
        probe = self._paused_chunks % self.probe_every == 0
        self.skipped += not probe
        return probe

    def record(self, stats: SpeculativeStats) -> None:
        """After a task decoded with a draft; a draft that was never computed does not count."""
        if not stats.drafted:
            return
        self.drafted += 1
        if stats.accepted:
            self._misses = 0
            self._paused_chunks = 0
        else:
            self._misses += 1


class DraftLength:
    """When to verify draft tokens, and how many (see ``speculative_decode``).

    Starts in *shadow* mode: plain one-token steps, while checking for free whether the draft
    would have predicted the model's token (``shadow``). A hit switches to verifying ``length``
    draft tokens per pass; a fully accepted draft doubles the length (up to ``num_draft``), a
    draft whose first token is rejected halves it and returns to shadow mode. So a draft that
    keeps failing costs no extra rows at all, and a draft that matches is verified at once.
    ``adaptive=False`` verifies ``num_draft`` tokens at every pass (for comparisons).
    """

    def __init__(self, num_draft: int, *, adaptive: bool = True) -> None:
        if num_draft < 1:
            raise ValueError("num_draft must be at least 1")
        self.num_draft = num_draft
        self.adaptive = adaptive
        self.length = num_draft
        self.verifying = not adaptive

    def next(self) -> int:
        """Draft tokens to verify in the coming pass (0: a plain step, shadow-checked)."""
        return self.length if self.verifying else 0

    def shadow(self, predicted: int | None, actual: int) -> None:
        """After a plain step: the draft's prediction for it and the model's token."""
        if predicted is not None and predicted == actual:
            self.verifying = True

    def record(self, proposed: int, accepted: int) -> None:
        if not self.adaptive or not proposed:
            return
        if accepted == 0:
            self.length = max(1, self.length // 2)
            self.verifying = False
        elif accepted == proposed:
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


class _Drafts:
    """The draft's lookup, built on first use (a lazy draft is computed only then)."""

    def __init__(self, draft: DraftSource, eos: int, stats: SpeculativeStats) -> None:
        self._source = draft
        self._eos = eos
        self._stats = stats
        self._lookup: DraftLookup | None = None

    def lookup(self) -> DraftLookup:
        if self._lookup is None:
            draft = self._source() if callable(self._source) else self._source
            self._lookup = DraftLookup([t for t in draft if t != self._eos])
            self._stats.draft_tokens = len(self._lookup.draft)
            self._stats.drafted = True
        return self._lookup

    def predict(self, history: Sequence[int]) -> int | None:
        """The draft's next token after ``history`` (resyncing as ``propose`` does), if any."""
        proposal = self.lookup().propose(history, 1)
        return proposal[0] if proposal else None


def speculative_decode(
    engine: GraniteModel,
    logits: Any,
    cache: list[Any],
    draft: DraftSource,
    *,
    max_new_tokens: int,
    num_draft: int = DEFAULT_DRAFT,
    on_text: TextCallback | None = None,
    cancel: CancelToken | None = None,
    stats: SpeculativeStats | None = None,
    adaptive: bool = True,
) -> DecodeResult:
    """Greedy decoding from the prefill ``logits``, verifying up to ``num_draft`` draft tokens
    per pass when the draft agrees with the model (``DraftLength``).

    Same contract and result as ``decode.greedy_decode`` (tokens without EOS, at most
    ``max_new_tokens``); ``forward_passes`` counts every pass. ``draft`` may be a function that
    computes it, called at the first step only (never when the first token ends the text). It
    only chooses what to verify; every token is still the model's argmax.
    """
    schedule = DraftLength(num_draft, adaptive=adaptive)
    started = time.perf_counter()
    stats = stats if stats is not None else SpeculativeStats()
    drafts = _Drafts(draft, engine.eos_token_id, stats)
    tokens: list[int] = []
    passes = 0
    partial = PartialText(engine, on_text)
    steps = PlainSteps(engine, cache)
    current = engine.next_token(logits)
    while current != engine.eos_token_id and len(tokens) < max_new_tokens:
        tokens.append(current)  # not yet in the cache
        partial.update(tokens)
        room = max_new_tokens - len(tokens)
        if room <= 0:
            break
        if cancel is not None and cancel.cancelled:
            raise CancelledError()
        length = schedule.next()
        proposals = drafts.lookup().propose(tokens, min(length, room)) if length else []
        passes += 1
        if not proposals:  # a plain pass; the next one is queued when no shadow hit can follow
            predicted = None if length else drafts.predict(tokens)
            quiet = not length and predicted is None and room > 1
            current = steps.next(current, queue_next=quiet)
            schedule.shadow(predicted, current)
            stats.plain_passes += 1
            stats.shadow_hits += predicted == current
            continue
        predictions = verify(engine, [current, *proposals], cache)
        accepted = _accepted(proposals, predictions)
        schedule.record(len(proposals), accepted)
        if len(proposals) > accepted:
            for layer in cache:
                layer.trim(len(proposals) - accepted)
        drafts.lookup().accept(accepted)
        stats.proposed += len(proposals)
        stats.accepted += accepted
        stats.verify_passes += 1
        tokens.extend(proposals[:accepted])
        current = predictions[accepted]
    if tokens:
        partial.update(tokens)
    return DecodeResult(tokens, engine.decode_text(tokens), passes, time.perf_counter() - started)
