"""Incremental detokenization: every partial string equals a full decode of the same tokens."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pytest

from app.engine.model.decode import IncrementalText, PartialText
from tests.support.tiny_tokenizer import CORPUS


def _check(decode: Callable[[Sequence[int]], str], tokens: list[int]) -> IncrementalText:
    stream = IncrementalText(decode)
    for i in range(1, len(tokens) + 1):
        assert stream.text(tokens[:i]) == decode(tokens[:i]), i
    return stream


def _decoder(engine: Any) -> Callable[[Sequence[int]], str]:
    return lambda ids: engine.decode_text(ids)


def _cjk_byte_pieces(engine: Any) -> list[int]:
    """Token ids of CJK / accented text whose characters are split across byte-level pieces."""
    vocab = engine.tokenizer.get_vocab()
    single_bytes = [i for t, i in vocab.items() if len(t) == 1 and ord(t) >= 0x80]
    text = " ".join(CORPUS[3:6] + CORPUS[12:17])
    ids = [int(i) for i in engine.tokenizer.encode(text, add_special_tokens=False)]
    assert any("\ufffd" in engine.decode_text([i]) for i in ids) or single_bytes
    return ids


def test_every_prefix_equals_the_full_decode_on_real_text(tiny_engine):
    ids = _cjk_byte_pieces(tiny_engine)
    stream = _check(_decoder(tiny_engine), ids)
    assert stream._start > 0  # it did commit (no quadratic fallback on this tokenizer)


@pytest.mark.parametrize("seed", range(6))
def test_every_prefix_equals_the_full_decode_on_random_ids(tiny_engine, seed):
    """Random ids mix whole words, lone UTF-8 bytes and broken multi-byte sequences."""
    vocab = len(tiny_engine.tokenizer.get_vocab())
    rng = np.random.default_rng(seed)
    ids = [int(t) for t in rng.integers(3, vocab - 1, size=120)]
    _check(_decoder(tiny_engine), ids)


def test_the_tokenizers_space_clean_up_is_respected(tiny_engine):
    """With ``clean_up_tokenization_spaces`` (" ." -> ".", " n't" -> "n't") across pieces."""
    tokenizer = tiny_engine.tokenizer
    rules = [" .", " ?", " !", " ,", " ' ", " n't", " 'm", " 's", " 've", " 're"]

    def cleaned(ids: Sequence[int]) -> str:
        """transformers' ``clean_up_tokenization`` (which it now skips for BPE tokenizers)."""
        text = tiny_engine.decode_text(ids)
        for rule in rules:
            text = text.replace(rule, rule.strip() if rule != " ' " else "'")
        return text

    words = "we do n't go . is it ? yes ! a , b ' s ' ll" * 3
    ids = [int(i) for i in tokenizer.encode(words, add_special_tokens=False)]
    assert cleaned(ids) != tiny_engine.decode_text(ids)  # the clean-up changes this text
    _check(cleaned, ids)
    rng = np.random.default_rng(7)
    spaced = [int(t) for t in rng.permutation(ids * 2)]
    _check(cleaned, spaced)


def test_a_tokenizer_that_never_splits_cleanly_falls_back_to_full_decodes():
    def decode(ids: Sequence[int]) -> str:  # e.g. a leading-space stripping decoder
        return " ".join(str(i) for i in ids).strip()

    stream = _check(decode, list(range(40)))
    assert stream._start == 0 or stream.text(list(range(40))) == decode(list(range(40)))


def test_partials_are_the_changed_full_decodes(tiny_engine):
    ids = _cjk_byte_pieces(tiny_engine)
    seen: list[str] = []
    partial = PartialText(tiny_engine, seen.append)
    for i in range(1, len(ids) + 1):
        partial.update(ids[:i])
    expected: list[str] = []
    for i in range(1, len(ids) + 1):
        text = tiny_engine.decode_text(ids[:i])
        if text != (expected[-1] if expected else "") and not text.endswith("\ufffd"):
            expected.append(text)
    assert seen == expected


def test_no_commit_before_a_clean_up_rule_can_be_seen_whole(tiny_engine):
    """ " n" then three pieces that decode to nothing, then "'t": " n't" -> "n't" only once
    the last piece arrives, so the split before "n" must not be committed early."""
    tokenizer = tiny_engine.tokenizer

    def cleaned(ids: Sequence[int]) -> str:
        return tiny_engine.decode_text(ids).replace(" n't", "n't")

    x, space, n, quote, t = tokenizer.convert_tokens_to_ids(["x", "Ġ", "n", "'", "t"])
    pad = tokenizer.convert_tokens_to_ids("<|pad|>")
    ids = [x] * 11 + [space, n, pad, pad, pad, quote, t]
    assert cleaned(ids).endswith("xn't")
    _check(cleaned, ids)
