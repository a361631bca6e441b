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


def greedy_decode(
    engine: GraniteModel,
    logits: Any,
    cache: list[Any],
    *,
    max_new_tokens: int,
    on_text: TextCallback | None = None,
    cancel: CancelToken | None = None,
) -> DecodeResult:
    """Greedy decoding from the prefill ``logits`` until EOS or ``max_new_tokens``.

    Pipelined like mlx-audio's ``generate_step``: while one step computes, the step after it
    is built on its lazy token (Python graph building, the partial text and the cancel check
    overlap the computation), and launched once the token is read and is not EOS. Unlike
    ``generate_step`` no step runs after EOS or after the last allowed token. The tokens are
    the plain argmax rule's (``GraniteModel.greedy``). ``on_text(text_so_far)`` follows the
    ``PartialText`` rule.
    """
    started = time.perf_counter()
    eos = engine.eos_token_id
    tokens: list[int] = []
    passes = 0
    partial = PartialText(engine, on_text)
    current = engine.greedy(logits)
    token = engine.read_token(current)
    ahead: Any = None  # the launched step after ``current``: the next token's array
    if token != eos and max_new_tokens > 1:
        ahead = engine.greedy(engine.step(current, cache))
        engine.launch(ahead)
    while token != eos and len(tokens) < max_new_tokens:
        tokens.append(token)
        if len(tokens) >= max_new_tokens:
            partial.update(tokens)
            break
        passes += 1  # the step computing ``ahead``
        room = len(tokens) + 1 < max_new_tokens
        after = engine.greedy(engine.step(ahead, cache)) if room else None
        partial.update(tokens)
        if cancel is not None and cancel.cancelled:
            raise CancelledError()
        token = engine.read_token(ahead)
        if room and token != eos:
            engine.launch(after)
        ahead = after
    return DecodeResult(tokens, engine.decode_text(tokens), passes, time.perf_counter() - started)
