"""GraniteModel: the stages of granite-4.0-1b-speech on mlx-audio, each reachable on its own.

``features`` (mel front end) → ``encode`` (conformer encoder + Q-Former projector, evaluated once
per chunk) → ``build_prompt`` → ``embed_prompt`` → prefill (``app.engine.model.prefill``) →
``step``/``next_token`` (one decode step, the argmax rule; ``greedy``, ``launch`` and
``read_token`` split that rule so that a loop can queue a step before it reads the token before
it), plus the one set of pre-run checks (``check_run``) and the one out-of-memory rule
(``is_oom``). The decoding loops live in ``decode``, ``speculative`` and ``batch``;
``app.engine.runner`` chooses between them.

One argmax rule everywhere: ``next_token`` takes the argmax of the float32 logits. (mlx-audio's
``generate()`` takes the argmax of ``logits - logsumexp(logits)`` in the logits' dtype, bf16 on
the 8-bit model; the two can only differ when bf16 rounding of the log-probabilities ties two
tokens. The parity tests show identical tokens on the tiny float32 and 8-bit models.)
MLX is imported lazily; a model belongs to the thread that created it (MLX streams are
per-thread).
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from app.core.errors import (
    AudioTooShortError,
    CancelledError,
    ModelCorruptError,
    OutOfMemoryError,
    UsageError,
)
from app.core.transcript import TaskSpec
from app.engine.base import SAMPLE_RATE, Audio, CancelToken
from app.engine.model import prompt as prompt_mod

log = logging.getLogger(__name__)

#: The language model's context: prompt + generated tokens never exceed this.
MAX_POSITIONS = 4096
#: Prompt positions per prefill forward pass (as mlx-audio's prefill_step_size).
PREFILL_STEP = 2048
#: The shortest audio the mel front end and encoder take (0.1 s).
MIN_SAMPLES = SAMPLE_RATE // 10
#: The longest chunk per call (10 audio tokens per second leaves room for the text).
MAX_SECONDS = 300.0


@dataclass
class EncodedAudio:
    """One chunk after the encoder and projector (MLX arrays, evaluated)."""

    features: Any  #: (1, encoder_frames, 160) stacked log-mel input features
    hidden: Any  #: (1, encoder_frames, encoder hidden): final encoder states (CTC: encoder.out)
    embeddings: Any  #: (1, n_audio_tokens, LM hidden): projector output, the audio embeddings
    n_audio_tokens: int
    encoder_frames: int
    duration_s: float
    encode_s: float


def check_audio(audio: Audio) -> None:
    """Raise a typed error unless ``audio`` is finite 1-D float32 mono of usable length."""
    if not isinstance(audio, np.ndarray) or audio.dtype != np.float32 or audio.ndim != 1:
        raise UsageError("Audio must be a 1-D float32 array of 16 kHz mono samples.")
    if not np.isfinite(audio).all():
        raise UsageError("Audio contains NaN or infinite samples.")
    if audio.shape[0] < MIN_SAMPLES:
        raise AudioTooShortError(
            f"Audio is {audio.shape[0] / SAMPLE_RATE:.2f} s long; the model needs at least "
            f"{MIN_SAMPLES / SAMPLE_RATE:.1f} s."
        )
    if audio.shape[0] > MAX_SECONDS * SAMPLE_RATE:
        raise UsageError(
            f"Audio chunk is {audio.shape[0] / SAMPLE_RATE:.0f} s long; the model takes at "
            f"most {MAX_SECONDS:.0f} s per call. Split it into shorter chunks."
        )


def check_room(prompt_ids: Sequence[int]) -> int:
    """Positions left for the text after ``prompt_ids``; a typed error when there are none."""
    room = MAX_POSITIONS - len(prompt_ids)
    if room <= 0:
        raise UsageError(
            f"The prompt needs {len(prompt_ids)} positions; the model has {MAX_POSITIONS}. "
            "Split the audio into shorter chunks."
        )
    return room


def is_oom(exc: BaseException) -> bool:
    """The one out-of-memory rule: ``MemoryError``, or MLX's allocation ``RuntimeError``."""
    text = str(exc).lower()
    return isinstance(exc, MemoryError) or (
        isinstance(exc, RuntimeError) and ("alloc" in text or "out of memory" in text)
    )


@contextlib.contextmanager
def oom_as_error(message: str) -> Iterator[None]:
    """Turn an out-of-memory failure inside the block into ``OutOfMemoryError(message)``."""
    try:
        yield
    except (MemoryError, RuntimeError) as exc:
        if is_oom(exc):
            log.warning("Out of memory: %s", exc)
            raise OutOfMemoryError(message) from exc
        raise


def check_run(
    audios: Sequence[Audio], specs: Sequence[TaskSpec], cancel: CancelToken | None
) -> None:
    """The one set of pre-run checks: valid specs, usable audio, not cancelled."""
    for spec in specs:
        spec.validate()
    for audio in audios:
        check_audio(audio)
    if cancel is not None and cancel.cancelled:
        raise CancelledError()


class GraniteModel:
    """A loaded mlx-audio granite_speech ``Model`` seen as stages (no decoding policy here)."""

    def __init__(self, model: Any, *, max_tokens: int = MAX_POSITIONS) -> None:
        self._model = model
        self.max_tokens = max_tokens
        tokenizer = model._tokenizer
        if tokenizer is None:
            raise ModelCorruptError("The model has no tokenizer.")
        self._tokenizer = tokenizer
        self.eos_token_id = int(tokenizer.eos_token_id)
        self.audio_token_id = int(model.audio_token_id)

    @property
    def model(self) -> Any:
        """The mlx-audio granite_speech ``Model`` (encoder, projector, language_model)."""
        return self._model

    @property
    def tokenizer(self) -> Any:
        return self._tokenizer

    # ---- audio and encoder -------------------------------------------------------------

    check_audio = staticmethod(check_audio)

    def features(self, audio: Audio) -> tuple[Any, int]:
        """(input_features (1, frames, 160), n_audio_tokens) from the model's mel front end."""
        check_audio(audio)
        features, n_audio_tokens = self._model._extract_features(audio)
        return features, int(n_audio_tokens)

    def encode(self, audio: Audio) -> EncodedAudio:
        """Run the front end, encoder and projector once and evaluate them."""
        import mlx.core as mx

        started = time.perf_counter()
        features, n_audio_tokens = self.features(audio)
        hidden = self._model.encoder(features)
        embeddings = self._model.projector(hidden)
        mx.eval(hidden, embeddings)
        if embeddings.shape[1] != n_audio_tokens:
            raise RuntimeError(
                f"Projector gave {embeddings.shape[1]} audio tokens, expected {n_audio_tokens}"
            )
        return EncodedAudio(
            features=features,
            hidden=hidden,
            embeddings=embeddings,
            n_audio_tokens=n_audio_tokens,
            encoder_frames=int(features.shape[1]),
            duration_s=audio.shape[0] / SAMPLE_RATE,
            encode_s=time.perf_counter() - started,
        )

    def ctc_logits(self, encoded: EncodedAudio) -> Any:
        """(1, encoder_frames, 348) character CTC logits from the encoder's CTC head."""
        return self._model.encoder.out(encoded.hidden)

    # ---- prompt ------------------------------------------------------------------------

    def build_prompt(self, n_audio_tokens: int, spec: TaskSpec) -> list[int]:
        """Prompt token ids for ``spec`` (chat template, audio placeholders first)."""
        return prompt_mod.build_prompt(self._tokenizer, n_audio_tokens, spec)

    def task_prompt(
        self, encoded: EncodedAudio, spec: TaskSpec, cancel: CancelToken | None
    ) -> tuple[list[int], int]:
        """Prompt ids for one task and the positions left for its text (typed errors)."""
        prompt_ids = self.build_prompt(encoded.n_audio_tokens, spec)
        room = check_room(prompt_ids)
        if cancel is not None and cancel.cancelled:
            raise CancelledError()
        return prompt_ids, room

    def embed_prompt(self, prompt_ids: Sequence[int], encoded: EncodedAudio) -> Any:
        """(1, L, hidden) input embeddings: token embeddings with the audio span replaced."""
        import mlx.core as mx

        start, end = prompt_mod.audio_span(prompt_ids, self.audio_token_id, encoded.n_audio_tokens)
        embed = self._model.language_model.model.embed_tokens
        ids = mx.array([list(prompt_ids[:start]) + list(prompt_ids[end:])])
        text = embed(ids)
        audio = encoded.embeddings.astype(text.dtype)
        return mx.concatenate([text[:, :start], audio, text[:, start:]], axis=1)

    # ---- language model ----------------------------------------------------------------

    def make_cache(self) -> list[Any]:
        return list(self._model.make_cache())

    def step(self, token: int | Any, cache: list[Any]) -> Any:
        """One decode step: logits (1, vocab) after feeding ``token``, an id or a (lazy)
        token array from ``greedy`` (the same embedding row either way)."""
        import mlx.core as mx

        ids = mx.array([[token]]) if isinstance(token, int) else token.reshape(1, 1)
        return self._model(ids, cache=cache)[:, -1, :]

    def greedy(self, logits: Any) -> Any:
        """The one greedy rule, lazily: a (1,) array, the argmax of the float32 logits."""
        import mlx.core as mx

        return mx.argmax(logits.astype(mx.float32), axis=-1)

    def launch(self, token: Any) -> None:
        """Start computing a lazy token (and the step behind it) without waiting for it."""
        import mlx.core as mx

        async_eval: Any = mx.async_eval  # untyped in mlx's stubs
        async_eval(token)

    def read_token(self, token: Any) -> int:
        """The id in a token array from ``greedy`` (waits for it to be computed)."""
        value: Any = token.item()
        return int(value)

    def next_token(self, logits: Any) -> int:
        """The one greedy rule: argmax of the float32 logits."""
        return self.read_token(self.greedy(logits))

    def decode_text(self, tokens: Sequence[int]) -> str:
        return str(self._tokenizer.decode(list(tokens), skip_special_tokens=True))
