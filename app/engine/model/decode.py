"""Plain greedy decoding (one token per forward pass) and the partial-text rule.

``PartialText`` is the one rule for partial text, shared by every decoding loop: after each
token, the decode of the whole sequence so far is reported when it changed and does not end
in a partial character (U+FFFD).
"""

from __future__ import annotations

import time
from collections.abc import Callable
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


class PartialText:
    """Reports the text of a growing token sequence to ``on_text`` (changed, no U+FFFD)."""

    def __init__(self, engine: GraniteModel, on_text: TextCallback | None) -> None:
        self._engine = engine
        self._on_text = on_text
        self._last = ""

    def update(self, tokens: list[int]) -> None:
        """Call after every appended token (or several)."""
        if self._on_text is None:
            return
        text = self._engine.decode_text(tokens)
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

    ``on_text(text_so_far)`` follows the ``PartialText`` rule.
    """
    started = time.perf_counter()
    tokens: list[int] = []
    passes = 0
    partial = PartialText(engine, on_text)
    token = engine.next_token(logits)
    while token != engine.eos_token_id and len(tokens) < max_new_tokens:
        tokens.append(token)
        partial.update(tokens)
        if len(tokens) >= max_new_tokens:
            break
        if cancel is not None and cancel.cancelled:
            raise CancelledError()
        token = engine.next_token(engine.step(token, cache))
        passes += 1
    return DecodeResult(tokens, engine.decode_text(tokens), passes, time.perf_counter() - started)
