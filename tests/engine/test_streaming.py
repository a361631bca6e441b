"""Partial texts: whole-sequence decodes, prefixes of the final text, never a split character."""

from __future__ import annotations

import itertools

import pytest

from app.core.errors import CancelledError
from app.core.transcript import Task, TaskSpec
from app.engine.base import CancelToken
from app.engine.runner import GraniteEngine
from tests.engine.helpers import noise


def test_partials_are_prefixes_of_final_text(tiny_engine):
    partials: list[tuple[int, str]] = []
    specs = [TaskSpec(), TaskSpec(Task.TRANSLATE, "en", "ja")]
    outputs = tiny_engine.run(noise(3.0), specs, on_partial=lambda i, t: partials.append((i, t)))
    for index, out in enumerate(outputs):
        texts = [t for i, t in partials if i == index]
        assert texts, "streaming gave no partial text"
        assert texts[-1] == out.text
        for earlier, later in itertools.pairwise(texts):
            assert later.startswith(earlier) and later != earlier
    assert [i for i, _ in partials] == sorted(i for i, _ in partials)


class ScriptedEngine(GraniteEngine):
    """The real engine and tokenizer with the LM replaced by a token script."""

    def __init__(self, model, script: list[int]) -> None:
        super().__init__(model, "scripted")
        self.script = list(script)
        self.steps = 0
        self.launched = 0

    def greedy(self, logits) -> None:
        return None

    def launch(self, token) -> None:
        self.launched += 1

    def read_token(self, token) -> int:
        return self.script.pop(0) if self.script else self.eos_token_id

    def step(self, token, cache):
        self.steps += 1
        return None


def _byte_tokens(tokenizer, text: str) -> list[int]:
    """One token per UTF-8 byte (byte-level BPE alphabet), so characters span several tokens."""
    ids = []
    for byte in text.encode("utf-8"):
        ids.append(tokenizer.convert_tokens_to_ids(_BYTE_TO_UNICODE[byte]))
    return ids


def _bytes_to_unicode() -> dict[int, str]:
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1))
    bs += list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, (chr(c) for c in cs), strict=True))


_BYTE_TO_UNICODE = _bytes_to_unicode()


def test_multibyte_characters_are_never_split(tiny_engine):
    text = "こんにちは、カメラ。"
    ids = _byte_tokens(tiny_engine.tokenizer, text)
    assert len(ids) == len(text.encode("utf-8"))
    assert tiny_engine.tokenizer.decode(ids) == text
    engine = ScriptedEngine(tiny_engine.model, ids)
    partials: list[str] = []
    result = engine.decode(None, [], max_new_tokens=100, on_text=partials.append)
    assert result.text == text
    assert result.tokens == ids
    assert partials == [text[: i + 1] for i in range(len(text))]
    assert result.forward_passes == len(ids)
    # the step after EOS is built while EOS computes, but never launched
    assert engine.launched == len(ids) == engine.steps - 1


def test_max_new_tokens_bounds_decoding(tiny_engine):
    engine = ScriptedEngine(tiny_engine.model, _byte_tokens(tiny_engine.tokenizer, "abcdef"))
    result = engine.decode(None, [], max_new_tokens=3)
    assert result.tokens == result.tokens[:3] and len(result.tokens) == 3
    assert result.text == "abc"
    assert engine.steps == engine.launched == 2  # no forward pass after the last allowed token


def test_cancel_mid_decode_stops_promptly(tiny_engine):
    cancel = CancelToken()
    seen: list[str] = []

    def on_partial(index: int, text: str) -> None:
        seen.append(text)
        if len(seen) == 3:
            cancel.cancel()

    with pytest.raises(CancelledError):
        tiny_engine.run(noise(6.0), [TaskSpec()], on_partial=on_partial, cancel=cancel)
    assert len(seen) == 3


def test_cancel_before_start(tiny_engine):
    cancel = CancelToken()
    cancel.cancel()
    with pytest.raises(CancelledError):
        tiny_engine.run(noise(1.0), [TaskSpec()], cancel=cancel)


def test_pipelined_decoding_stops_exactly_at_every_limit(tiny_engine):
    """The step after a token is queued before the token is read: any limit still gives the
    first tokens of the unlimited run, and the same text."""
    encoded = tiny_engine.encode(noise(2.0, 3))
    ids = tiny_engine.build_prompt(encoded.n_audio_tokens, TaskSpec())

    def decode(limit: int) -> list[int]:
        cache = tiny_engine.make_cache()
        logits = tiny_engine.prefill(tiny_engine.embed_prompt(ids, encoded), cache)
        return list(tiny_engine.decode(logits, cache, max_new_tokens=limit).tokens)

    full = decode(4096)
    assert len(full) > 4
    for limit in (1, 2, 3, len(full) - 1, len(full), len(full) + 1):
        assert decode(limit) == full[:limit], limit
