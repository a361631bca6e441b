"""GraniteEngine: granite-4.0-1b-speech on mlx-audio, run as explicit stages.

Stages (each reachable on its own for the engine-speed work): ``features`` (mel front end) →
``encode`` (conformer encoder + Q-Former projector, evaluated once per chunk) → ``build_prompt``
→ ``embed_prompt`` → ``prefill`` → ``decode`` (greedy, KV cache). ``run`` encodes once and runs
every task spec on the same encoding.

One argmax rule everywhere: ``next_token`` takes the argmax of the float32 logits. (mlx-audio's
``generate()`` takes the argmax of ``logits - logsumexp(logits)`` in the logits' dtype, bf16 on
the 8-bit model; the two can only differ when bf16 rounding of the log-probabilities ties two
tokens. The parity tests show identical tokens on the tiny float32 and 8-bit models.)
MLX is imported lazily; an engine belongs to the thread that created it (MLX streams are
per-thread).
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from app.core.errors import (
    AudioTooShortError,
    CancelledError,
    ModelCorruptError,
    OutOfMemoryError,
    UsageError,
)
from app.core.transcript import TaskSpec, Timing
from app.engine import prompt as prompt_mod
from app.engine.base import SAMPLE_RATE, Audio, CancelToken, PartialCallback, TaskOutput
from app.engine.fastpath import SpeedOptions

if TYPE_CHECKING:
    from app.engine.batch import BatchPartial

#: Exact speed-ups on by default: shared audio-prefix KV cache, and CTC-draft speculative
#: decoding for transcription (translation always decodes plainly).
DEFAULT_SPEED = SpeedOptions()

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


@dataclass
class DecodeResult:
    tokens: list[int]
    text: str
    forward_passes: int
    decode_s: float


def _is_oom(exc: BaseException) -> bool:
    if isinstance(exc, MemoryError):
        return True
    text = str(exc).lower()
    return isinstance(exc, RuntimeError) and ("alloc" in text or "out of memory" in text)


class GraniteEngine:
    """A loaded granite_speech model (see ``app.engine.loader.load_engine``)."""

    def __init__(
        self,
        model: Any,
        spec: str,
        *,
        max_tokens: int = MAX_POSITIONS,
        speed: SpeedOptions | None = DEFAULT_SPEED,
    ) -> None:
        self._model = model
        self._spec = spec
        self.max_tokens = max_tokens
        #: Exact speed-ups for ``run`` (``app.engine.fastpath``); ``None`` = the plain path.
        #: Same tokens either way; ``SpeedOptions(speculative=False)`` turns speculation off.
        self.speed = speed
        tokenizer = model._tokenizer
        if tokenizer is None:
            raise ModelCorruptError("The model has no tokenizer.")
        self._tokenizer = tokenizer
        self.eos_token_id = int(tokenizer.eos_token_id)
        self.audio_token_id = int(model.audio_token_id)

    @property
    def name(self) -> str:
        return self._spec

    @property
    def model(self) -> Any:
        """The mlx-audio granite_speech ``Model`` (encoder, projector, language_model)."""
        return self._model

    @property
    def tokenizer(self) -> Any:
        return self._tokenizer

    # ---- audio and encoder -------------------------------------------------------------

    @staticmethod
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

    def features(self, audio: Audio) -> tuple[Any, int]:
        """(input_features (1, frames, 160), n_audio_tokens) from the model's mel front end."""
        self.check_audio(audio)
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

    def prefill(self, embeddings: Any, cache: list[Any], *, step: int = PREFILL_STEP) -> Any:
        """Run the prompt through the LM in chunks of ``step`` positions (bounded memory).

        Returns the logits (1, vocab) for the last position. Only that position goes through
        the vocabulary head (``app.engine.forward.prefill_last``; bitwise the same logits as
        the model's full forward, which projects every position).
        """
        from app.engine.forward import prefill_last

        return prefill_last(self, embeddings, cache, step=step)

    def step(self, token: int, cache: list[Any]) -> Any:
        """One decode step: logits (1, vocab) after feeding ``token``."""
        import mlx.core as mx

        return self._model(mx.array([[token]]), cache=cache)[:, -1, :]

    def next_token(self, logits: Any) -> int:
        """The one greedy rule: argmax of the float32 logits."""
        import mlx.core as mx

        token: Any = mx.argmax(logits.astype(mx.float32), axis=-1).item()
        return int(token)

    def decode_text(self, tokens: Sequence[int]) -> str:
        return str(self._tokenizer.decode(list(tokens), skip_special_tokens=True))

    def decode(
        self,
        logits: Any,
        cache: list[Any],
        *,
        max_new_tokens: int,
        on_text: Callable[[str], None] | None = None,
        cancel: CancelToken | None = None,
    ) -> DecodeResult:
        """Greedy decoding from the prefill ``logits`` until EOS or ``max_new_tokens``.

        ``on_text(text_so_far)`` gets the decode of the whole sequence whenever it changed and
        does not end in a partial character (U+FFFD).
        """
        started = time.perf_counter()
        tokens: list[int] = []
        passes = 0
        last = ""
        token = self.next_token(logits)
        while token != self.eos_token_id and len(tokens) < max_new_tokens:
            tokens.append(token)
            if on_text is not None:
                text = self.decode_text(tokens)
                if text != last and not text.endswith("\ufffd"):
                    last = text
                    on_text(text)
            if len(tokens) >= max_new_tokens:
                break
            if cancel is not None and cancel.cancelled:
                raise CancelledError()
            token = self.next_token(self.step(token, cache))
            passes += 1
        return DecodeResult(tokens, self.decode_text(tokens), passes, time.perf_counter() - started)

    # ---- tasks -------------------------------------------------------------------------

    def task_prompt(
        self, encoded: EncodedAudio, spec: TaskSpec, cancel: CancelToken | None
    ) -> tuple[list[int], int]:
        """Prompt ids for one task and the positions left for its text (typed errors)."""
        prompt_ids = self.build_prompt(encoded.n_audio_tokens, spec)
        room = MAX_POSITIONS - len(prompt_ids)
        if room <= 0:
            raise UsageError(
                f"The prompt needs {len(prompt_ids)} positions; the model has {MAX_POSITIONS}. "
                "Split the audio into shorter chunks."
            )
        if cancel is not None and cancel.cancelled:
            raise CancelledError()
        return prompt_ids, room

    def run_task(
        self,
        encoded: EncodedAudio,
        spec: TaskSpec,
        *,
        task_index: int = 0,
        on_partial: PartialCallback | None = None,
        cancel: CancelToken | None = None,
    ) -> TaskOutput:
        """Prompt, prefill and decode one task on an encoded chunk (no encoder time counted)."""
        prompt_ids, room = self.task_prompt(encoded, spec, cancel)
        import mlx.core as mx

        started = time.perf_counter()
        cache = self.make_cache()
        logits = self.prefill(self.embed_prompt(prompt_ids, encoded), cache)
        mx.eval(logits)
        prefill_s = time.perf_counter() - started

        def on_text(text: str) -> None:
            if on_partial is not None:
                on_partial(task_index, text)

        result = self.decode(
            logits,
            cache,
            max_new_tokens=min(self.max_tokens, room),
            on_text=on_text if on_partial is not None else None,
            cancel=cancel,
        )
        timing = Timing(
            prefill_s=prefill_s,
            decode_s=result.decode_s,
            prompt_tokens=len(prompt_ids),
            prefill_tokens=len(prompt_ids),
            generated_tokens=len(result.tokens),
            forward_passes=math.ceil(len(prompt_ids) / PREFILL_STEP) + result.forward_passes,
        )
        return TaskOutput(text=result.text, timing=timing, tokens=result.tokens)

    def run(
        self,
        audio: Audio,
        specs: Sequence[TaskSpec],
        *,
        on_partial: PartialCallback | None = None,
        cancel: CancelToken | None = None,
    ) -> list[TaskOutput]:
        """Encode ``audio`` once and run every spec on it; one output per spec.

        The encoder's time and frames are counted in the first output's timing only, so timings
        stay additive. With ``self.speed`` set, runs ``app.engine.fastpath.run_fast`` (same
        tokens, less work).
        """
        if self.speed is not None:
            from app.engine.fastpath import run_fast

            return run_fast(
                self, audio, specs, options=self.speed, on_partial=on_partial, cancel=cancel
            )
        for spec in specs:
            spec.validate()
        self.check_audio(audio)
        if cancel is not None and cancel.cancelled:
            raise CancelledError()
        if not specs:
            return []
        try:
            encoded = self.encode(audio)
            outputs: list[TaskOutput] = []
            for index, spec in enumerate(specs):
                outputs.append(
                    self.run_task(
                        encoded, spec, task_index=index, on_partial=on_partial, cancel=cancel
                    )
                )
        except (MemoryError, RuntimeError) as exc:
            if _is_oom(exc):
                log.warning("Out of memory: %s", exc)
                raise OutOfMemoryError(
                    "Out of memory while running the model; close other apps or use shorter chunks."
                ) from exc
            raise
        if outputs:
            outputs[0].timing.encode_s = encoded.encode_s
            outputs[0].timing.encoder_frames = encoded.encoder_frames
        return outputs

    def run_batch(
        self,
        chunks: Sequence[Audio],
        specs: Sequence[TaskSpec],
        *,
        batch_size: int | None = None,
        on_partial: BatchPartial | None = None,
        cancel: CancelToken | None = None,
    ) -> list[list[TaskOutput]]:
        """Every spec on every chunk, chunks decoded in lockstep: ``result[chunk][spec]``.

        Same tokens as ``run`` per chunk (``app.engine.batch``); ``on_partial(chunk, task,
        text)``.
        """
        from app.engine.batch import DEFAULT_BATCH, run_batch

        return run_batch(
            self,
            chunks,
            specs,
            batch_size=batch_size or DEFAULT_BATCH,
            on_partial=on_partial,
            cancel=cancel,
        )
