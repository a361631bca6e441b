"""GraniteEngine: the app's ``SpeechEngine``; chooses the plain, fast or batched path.

Calls go forward only: this module → the stages in ``app.engine.model`` (granite, prefill,
decode, prefix_cache, speculative, batch, ctc, prompt); nothing there imports this module.

* ``run`` (one chunk): encode once, then every spec on the encoding. With ``speed`` set (the
  default) the exact speed-ups are used: ``USER: `` + audio prefilled once when the chunk has two
  or more tasks (``SharedPrefix``), and transcription decoded speculatively from the character
  CTC draft. ``speed=None`` is the plain path. The tokens are the same either way (tests).
* ``run_batch`` (a file's chunks): chunks of similar length decoded in lockstep (``batch``).

One set of pre-run checks and one out-of-memory rule for all paths (``granite.check_run``,
``granite.oom_as_error``).
Timings stay additive: the encoder (and shared prefix) are counted in a chunk's first output.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from app.core.errors import CancelledError, UsageError
from app.core.transcript import Task, TaskSpec, Timing
from app.engine.base import Audio, CancelToken, PartialCallback, SpeechEngine, TaskOutput
from app.engine.model import ctc, prefill
from app.engine.model.batch import DEFAULT_BATCH, BatchPartial, BatchStats, decode_batch
from app.engine.model.decode import DecodeResult, TextCallback, greedy_decode
from app.engine.model.granite import (
    MAX_POSITIONS,
    PREFILL_STEP,
    EncodedAudio,
    GraniteModel,
    check_run,
    oom_as_error,
)
from app.engine.model.prefix_cache import SharedPrefix
from app.engine.model.speculative import (
    DEFAULT_DRAFT,
    DraftBackoff,
    DraftSource,
    SpeculativeStats,
)
from app.engine.model.task import run_task

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SpeedOptions:
    """Which exact speed-ups to use (all on by default; the outputs do not change)."""

    shared_prefix: bool = True
    #: Speculative decoding for transcription (Preferences.speculative_decoding).
    speculative: bool = True
    num_draft: int = DEFAULT_DRAFT
    #: Stop computing drafts after chunks whose drafts were all rejected, probing now and then
    #: (``speculative.DraftBackoff``; the engine keeps the state across its chunks).
    draft_backoff: bool = True


#: Exact speed-ups on by default: shared audio-prefix KV cache, and CTC-draft speculative
#: decoding for transcription (translation always decodes plainly).
DEFAULT_SPEED = SpeedOptions()


def _task_text(on_partial: PartialCallback | None, index: int) -> TextCallback | None:
    if on_partial is None:
        return None
    return lambda text: on_partial(index, text)


def run_encoded(
    engine: GraniteModel,
    encoded: EncodedAudio,
    specs: Sequence[TaskSpec],
    *,
    options: SpeedOptions | None = DEFAULT_SPEED,
    draft: Sequence[int] | None = None,
    backoff: DraftBackoff | None = None,
    on_partial: PartialCallback | None = None,
    cancel: CancelToken | None = None,
) -> list[TaskOutput]:
    """Every spec on one encoded chunk (``options=None``: plain). ``draft`` overrides the CTC
    draft (tests: an oracle); ``backoff`` (with ``options.draft_backoff``) decides whether this
    chunk drafts at all and learns from the outcome."""
    shared: SharedPrefix | None = None
    extra = Timing()
    if options is not None and options.shared_prefix and len(specs) > 1:
        shared = SharedPrefix.build(
            engine, encoded, engine.build_prompt(encoded.n_audio_tokens, specs[0])
        )
        extra = Timing(
            prefill_s=shared.prefill_s,
            prefill_tokens=len(shared.ids),
            forward_passes=shared.forward_passes,
        )
    speculate = options is not None and options.speculative
    if options is None or not options.draft_backoff:
        backoff = None
    if speculate and backoff is not None and any(s.task is Task.TRANSCRIBE for s in specs):
        speculate = backoff.use_draft()
    source: DraftSource = draft if draft is not None else ctc.LazyDraft(engine, encoded)
    outputs = []
    for index, spec in enumerate(specs):
        use_draft = speculate and spec.task is Task.TRANSCRIBE
        stats = SpeculativeStats()
        outputs.append(
            run_task(
                engine,
                encoded,
                spec,
                shared=shared,
                draft=source if use_draft else None,
                num_draft=options.num_draft if options is not None else DEFAULT_DRAFT,
                on_text=_task_text(on_partial, index),
                cancel=cancel,
                stats=stats,
            )
        )
        if use_draft and backoff is not None:
            backoff.record(stats)
    outputs[0].timing = outputs[0].timing + extra
    return outputs


def run_chunk(
    engine: GraniteModel,
    audio: Audio,
    specs: Sequence[TaskSpec],
    *,
    options: SpeedOptions | None = DEFAULT_SPEED,
    draft: Sequence[int] | None = None,
    backoff: DraftBackoff | None = None,
    on_partial: PartialCallback | None = None,
    cancel: CancelToken | None = None,
) -> list[TaskOutput]:
    """Encode ``audio`` once and run every spec on it; one output per spec (typed errors).
    ``backoff``: see ``run_encoded`` (``GraniteEngine.run`` passes the engine's own)."""
    check_run([audio], specs, cancel)
    if not specs:
        return []
    with oom_as_error(
        "Out of memory while running the model; close other apps or use shorter chunks."
    ):
        encoded = engine.encode(audio)
        outputs = run_encoded(
            engine,
            encoded,
            specs,
            options=options,
            draft=draft,
            backoff=backoff,
            on_partial=on_partial,
            cancel=cancel,
        )
    outputs[0].timing.encode_s += encoded.encode_s
    outputs[0].timing.encoder_frames = encoded.encoder_frames
    return outputs


def run_batch(
    engine: GraniteModel,
    chunks: Sequence[Audio],
    specs: Sequence[TaskSpec],
    *,
    batch_size: int = DEFAULT_BATCH,
    on_partial: BatchPartial | None = None,
    cancel: CancelToken | None = None,
    stats: BatchStats | None = None,
) -> list[list[TaskOutput]]:
    """Every spec on every chunk; ``result[chunk][spec]``, tokens equal to ``run_chunk``.

    Each chunk is encoded once (its encoder frames and time go to its first output); chunks of
    similar length are decoded together, ``batch_size`` at a time.
    """
    if batch_size < 1:
        raise UsageError("batch_size must be at least 1")
    check_run(chunks, specs, None)
    results: list[list[TaskOutput]] = [[] for _ in chunks]
    if not specs or not chunks:
        return results
    order = sorted(range(len(chunks)), key=lambda i: chunks[i].shape[0])
    with oom_as_error(
        "Out of memory while decoding a batch; lower the batch size or close other apps."
    ):
        for start in range(0, len(order), batch_size):
            group = order[start : start + batch_size]
            if cancel is not None and cancel.cancelled:
                raise CancelledError()
            encoded = [engine.encode(chunks[i]) for i in group]

            def partial(row: int, task: int, text: str, group: list[int] = group) -> None:
                if on_partial is not None:
                    on_partial(group[row], task, text)

            outs = decode_batch(
                engine,
                encoded,
                specs,
                on_partial=partial if on_partial is not None else None,
                cancel=cancel,
                stats=stats,
            )
            for row, index in enumerate(group):
                outs[row][0].timing.encode_s += encoded[row].encode_s
                outs[row][0].timing.encoder_frames = encoded[row].encoder_frames
                results[index] = outs[row]
    return results


class GraniteEngine(GraniteModel):
    """A loaded granite_speech model (see ``app.engine.loader.load_engine``): the stages of
    ``GraniteModel`` plus the ``SpeechEngine`` entry points."""

    def __init__(
        self,
        model: Any,
        spec: str,
        *,
        max_tokens: int = MAX_POSITIONS,
        speed: SpeedOptions | None = DEFAULT_SPEED,
    ) -> None:
        super().__init__(model, max_tokens=max_tokens)
        self._spec = spec
        #: Exact speed-ups for ``run``; ``None`` = the plain path. Same tokens either way;
        #: ``SpeedOptions(speculative=False)`` turns speculation off.
        self.speed = speed
        #: Whether ``run``'s next chunk drafts (drafts that keep failing pause; see
        #: ``SpeedOptions.draft_backoff``). The model thread owns it, like the model.
        self.draft_backoff = DraftBackoff()

    @property
    def name(self) -> str:
        return self._spec

    def prefill(self, embeddings: Any, cache: list[Any], *, step: int = PREFILL_STEP) -> Any:
        """Prefill the prompt embeddings; logits (1, vocab) of the last position."""
        return prefill.prefill_last(self, embeddings, cache, step=step)

    def decode(
        self,
        logits: Any,
        cache: list[Any],
        *,
        max_new_tokens: int,
        on_text: TextCallback | None = None,
        cancel: CancelToken | None = None,
    ) -> DecodeResult:
        """Plain greedy decoding from the prefill ``logits`` (``decode.greedy_decode``)."""
        return greedy_decode(
            self, logits, cache, max_new_tokens=max_new_tokens, on_text=on_text, cancel=cancel
        )

    def run(
        self,
        audio: Audio,
        specs: Sequence[TaskSpec],
        *,
        on_partial: PartialCallback | None = None,
        cancel: CancelToken | None = None,
    ) -> list[TaskOutput]:
        """Encode ``audio`` once and run every spec on it (``run_chunk`` with ``self.speed``)."""
        return run_chunk(
            self,
            audio,
            specs,
            options=self.speed,
            backoff=self.draft_backoff,
            on_partial=on_partial,
            cancel=cancel,
        )

    def run_batch(
        self,
        chunks: Sequence[Audio],
        specs: Sequence[TaskSpec],
        *,
        batch_size: int | None = None,
        on_partial: BatchPartial | None = None,
        cancel: CancelToken | None = None,
    ) -> list[list[TaskOutput]]:
        """Every spec on every chunk, chunks decoded in lockstep: ``result[chunk][spec]``."""
        return run_batch(
            self,
            chunks,
            specs,
            batch_size=batch_size or DEFAULT_BATCH,
            on_partial=on_partial,
            cancel=cancel,
        )


def run_chunks(
    engine: SpeechEngine,
    chunks: Sequence[Audio],
    specs: Sequence[TaskSpec],
    *,
    batch_size: int = DEFAULT_BATCH,
    on_partial: BatchPartial | None = None,
    cancel: CancelToken | None = None,
) -> list[list[TaskOutput]]:
    """For the pipelines: ``engine.run_batch`` when the engine has one, else ``run`` per chunk.

    ``result[chunk][spec]``; ``on_partial(chunk_index, task_index, text_so_far)``. Works with any
    ``SpeechEngine`` (fakes included); ``batch_size=1`` always uses ``run`` (and so the
    engine's speculative decoding).
    """
    batch = getattr(engine, "run_batch", None)
    if batch is not None and batch_size > 1 and len(chunks) > 1:
        result: list[list[TaskOutput]] = batch(
            chunks, specs, batch_size=batch_size, on_partial=on_partial, cancel=cancel
        )
        return result
    outputs = []
    for index, audio in enumerate(chunks):

        def partial(task: int, text: str, index: int = index) -> None:
            if on_partial is not None:
                on_partial(index, task, text)

        outputs.append(
            engine.run(audio, specs, on_partial=partial if on_partial else None, cancel=cancel)
        )
    return outputs
