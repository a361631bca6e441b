"""Plain greedy decoding (one token per forward pass) and the partial-text rule.

``PartialText`` is the one rule for partial text, shared by every decoding loop: after each
token, the decode of the whole sequence so far is reported when it changed and does not end
in a partial character (U+FFFD). The text is detokenized incrementally (``IncrementalText``):
the same strings as a full decode, without decoding the whole sequence at every token.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from app.core.errors import CancelledError
from app.engine.base import CancelToken
from app.engine.model.granite import GraniteModel

TextCallback = Callable[[str], None]


@dataclass
class DecodeResult:
    tokens: list[int]
    text: str
    forward_passes: int
    decode_s: float


class IncrementalText:
    """The text of a growing token sequence, decoding only a short tail at each token.

    ``text(tokens)`` equals ``decode(tokens)`` (tested against full decodes,
    including multi-byte UTF-8 split across byte-level BPE pieces and the tokenizer's space
    clean-up). The text is ``committed`` (the decode of ``tokens[:start]``) plus the decode of
    ``tokens[start:]``. The commit point only moves forward after checking that the decode of
    the tail splits there: ``decode(tail[:j]) + decode(tail[j:]) == decode(tail)``, where
    ``tail[:j]`` does not end in a partial character (U+FFFD) and ``decode(tail[j:])`` is at
    least ``CONTEXT_CHARS`` long (so every clean-up rule, which looks at most 4 characters
    across a boundary, has been seen). A tokenizer whose pieces never split cleanly simply
    never commits and falls back to decoding the whole sequence.
    """

    #: Tokens in the tail before a commit is tried; tokens kept after the commit point.
    COMMIT_EVERY = 16
    KEEP = 4
    CONTEXT_CHARS = 4

    def __init__(self, decode: Callable[[Sequence[int]], str]) -> None:
        self._decode = decode
        self._committed = ""
        self._start = 0

    def text(self, tokens: list[int]) -> str:
        """The decode of ``tokens`` (the same list, grown since the last call)."""
        decode = self._decode
        tail = decode(tokens[self._start :])
        text = self._committed + tail
        if len(tokens) - self._start >= self.COMMIT_EVERY:
            split = len(tokens) - self.KEEP
            left = decode(tokens[self._start : split])
            right = decode(tokens[split:])
            if (
                left + right == tail
                and not left.endswith("\ufffd")
                and len(right) >= self.CONTEXT_CHARS
            ):
                self._committed += left
                self._start = split
        return text


class PartialText:
    """Reports the text of a growing token sequence to ``on_text`` (changed, no U+FFFD)."""

    def __init__(self, engine: GraniteModel, on_text: TextCallback | None) -> None:
        self._on_text = on_text
        self._text = IncrementalText(engine.decode_text)
        self._last = ""

    def update(self, tokens: list[int]) -> None:
        """Call after every appended token (or several)."""
        if self._on_text is None:
            return
        text = self._text.text(tokens)
        if text != self._last and not text.endswith("\ufffd"):
            self._last = text
            self._on_text(text)


class PlainSteps:
    """One-token greedy passes on ``cache``, pipelined like mlx-audio's ``generate_step``.

    ``next(current, queue_next=True)`` builds the pass after the next one on the next token's
    lazy array before reading that token, and launches it once the token is read and is not
    EOS: graph building (Python) and whatever the caller does before its next call overlap the
    computation. Unlike ``generate_step`` nothing runs after EOS, and ``queue_next=False``
    (the caller may want something else next: the last allowed token, a draft to verify)
    queues nothing, so the cache then holds exactly the tokens read. The tokens are the
    argmax rule's (``GraniteModel.greedy``).
    """

    def __init__(self, engine: GraniteModel, cache: list[Any]) -> None:
        self._engine = engine
        self._cache = cache
        self._ahead: Any = None
        self._queued = False

    def next(self, current: int, *, queue_next: bool) -> int:
        """The model's token after ``current`` (the last token read, not yet in the cache)."""
        engine = self._engine
        ahead = self._ahead
        if not self._queued:
            ahead = engine.greedy(engine.step(current, self._cache))
            engine.launch(ahead)
        after = engine.greedy(engine.step(ahead, self._cache)) if queue_next else None
        token = engine.read_token(ahead)
        self._queued = queue_next and token != engine.eos_token_id
        if self._queued:
            engine.launch(after)
        self._ahead = after
        return token


def greedy_decode(
    engine: GraniteModel,
    logits: Any,
    cache: list[Any],
    *,
    max_new_tokens: int,
    on_text: TextCallback | None = None,
    cancel: CancelToken | None = None,
) -> DecodeResult:
    """Greedy decoding from the prefill ``logits`` until EOS or ``max_new_tokens``, with
    pipelined steps (``PlainSteps``; the partial text and the cancel check overlap a step).

    ``on_text(text_so_far)`` follows the ``PartialText`` rule.
    """
    started = time.perf_counter()
    eos = engine.eos_token_id
    tokens: list[int] = []
    passes = 0
    partial = PartialText(engine, on_text)
    steps = PlainSteps(engine, cache)
    token = engine.next_token(logits)
    while token != eos and len(tokens) < max_new_tokens:
        tokens.append(token)
        partial.update(tokens)
        if len(tokens) >= max_new_tokens:
            break
        if cancel is not None and cancel.cancelled:
            raise CancelledError()
        token = steps.next(token, queue_next=len(tokens) + 1 < max_new_tokens)
        passes += 1
    return DecodeResult(tokens, engine.decode_text(tokens), passes, time.perf_counter() - started)
