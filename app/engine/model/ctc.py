"""The encoder's character CTC head: greedy labels, label → character table, draft tokens.

granite-4.0-1b-speech keeps its character CTC head ``encoder.out`` (hidden → 348). Applied to
the final encoder states it gives character logits at 50 frames per second with blank = 0.

The label → character table lives here and nowhere else. It is **unverified**: labels 1–255 are
taken as Latin-1 code points and 256–347 as katakana from U+30A1 onwards, as the issue states;
IBM does not publish the table. A wrong table only makes drafts worse (fewer accepted tokens),
never changes the exact outputs, and makes the live preview read wrongly.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from app.engine.model.granite import EncodedAudio, GraniteModel

log = logging.getLogger(__name__)

BLANK = 0
#: Number of CTC labels of the head (``encoder_config.output_dim``).
N_LABELS = 348
#: First label of the katakana range, and the code point it maps to (unverified).
KATAKANA_LABEL = 256
KATAKANA_START = 0x30A1
#: CTC frames per second of audio (100 mel frames/s stacked in pairs).
FRAMES_PER_SECOND = 50


def _label_char(label: int) -> str:
    if label == BLANK:
        return ""
    if label < KATAKANA_LABEL:
        return chr(label)  # Latin-1
    return chr(KATAKANA_START + label - KATAKANA_LABEL)


#: LABELS[i] is the text of CTC label i ("" for blank). The one label → character table.
LABELS: tuple[str, ...] = tuple(_label_char(i) for i in range(N_LABELS))


def frame_labels(logits: Any) -> npt.NDArray[np.int64]:
    """Per-frame argmax labels of CTC logits shaped (frames, 348) or (1, frames, 348)."""
    import mlx.core as mx

    if isinstance(logits, np.ndarray):
        best = logits.reshape(-1, logits.shape[-1]).argmax(axis=-1)
    else:
        best = np.array(mx.argmax(logits.astype(mx.float32), axis=-1))
    labels: npt.NDArray[np.int64] = best.reshape(-1).astype(np.int64)
    return labels


def collapse(labels: Iterable[int]) -> list[int]:
    """Greedy CTC collapse: merge repeats, then drop blanks."""
    out: list[int] = []
    previous: int | None = None
    for raw in labels:
        label = int(raw)
        if label != previous and label != BLANK:
            out.append(label)
        previous = label
    return out


def labels_to_text(labels: Sequence[int]) -> str:
    """Characters of collapsed labels; control characters become spaces, spaces are squeezed."""
    chars = []
    for label in labels:
        if not 0 <= label < N_LABELS:
            raise ValueError(f"CTC label {label} is out of range 0..{N_LABELS - 1}")
        char = LABELS[label]
        chars.append(" " if char and (ord(char) < 32 or 127 <= ord(char) < 160) else char)
    return " ".join("".join(chars).split())


def greedy_text(logits: Any) -> str:
    """Greedy CTC decode of character logits to text."""
    return labels_to_text(collapse(frame_labels(logits)))


def ctc_logits(engine: GraniteModel, encoded: EncodedAudio) -> Any:
    """(1, frames, 348) character logits: ``encoder.out`` on the final encoder states."""
    return engine.ctc_logits(encoded)


def ctc_text(engine: GraniteModel, encoded: EncodedAudio) -> str:
    return greedy_text(ctc_logits(engine, encoded))


def text_to_draft(engine: GraniteModel, text: str) -> list[int]:
    """LLM token ids of ``text`` (no specials, never EOS) for speculative decoding."""
    if not text:
        return []
    ids = engine.tokenizer.encode(text, add_special_tokens=False)
    specials = set(getattr(engine.tokenizer, "all_special_ids", ())) | {engine.eos_token_id}
    return [int(t) for t in ids if int(t) not in specials]


def draft_tokens(engine: GraniteModel, encoded: EncodedAudio) -> list[int]:
    """Draft LLM tokens for a chunk from its character CTC decode."""
    text = ctc_text(engine, encoded)
    draft = text_to_draft(engine, text)
    log.debug("CTC draft: %d characters, %d tokens", len(text), len(draft))
    return draft


class LazyDraft:
    """The chunk's CTC draft, computed on first use: inside the decoding of the first
    transcription task, so its time is counted in that task's decode time (once)."""

    def __init__(self, engine: GraniteModel, encoded: EncodedAudio) -> None:
        self._engine, self._encoded = engine, encoded
        self._draft: list[int] | None = None

    def __call__(self) -> list[int]:
        if self._draft is None:
            self._draft = draft_tokens(self._engine, self._encoded)
        return self._draft
