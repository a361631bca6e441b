"""Speaker diarization with Sortformer through mlx-audio (up to 4 speakers), MLX imported
lazily. Use a ``Diarizer`` only on the thread that loaded it (the model thread): MLX streams
belong to the thread that made them.

``load_diarizer(spec)`` takes a local folder or a Hugging Face repo id (downloaded resumably
with progress, like the speech model, by ``app.engine.hub.resolve_model``). ``diarize`` runs a
whole recording at once; ``stream()`` keeps Sortformer's speaker cache between pieces so a
meeting's utterances, fed one by one, keep the same speaker numbers.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from app.core.errors import ModelCorruptError
from app.core.meeting.speakers import SpeakerTurn
from app.engine.base import CancelToken, DownloadProgress
from app.engine.hub import resolve_model
from app.engine.loader import check_safetensors

log = logging.getLogger(__name__)

DEFAULT_DIARIZER = "mlx-community/diar_streaming_sortformer_4spk-v2.1-fp16"
MODEL_TYPE = "sortformer"
RATE = 16_000

Audio = npt.NDArray[np.float32]


def _turns(segments: Any, offset: float = 0.0) -> list[SpeakerTurn]:
    return [
        SpeakerTurn(float(s.start) + offset, float(s.end) + offset, int(s.speaker))
        for s in segments
        if float(s.end) > float(s.start)
    ]


class SpeakerStream(Protocol):
    """One stream's speaker cache (``DiarizerStream``, or a fake in tests)."""

    def feed(self, audio: Audio) -> list[SpeakerTurn]: ...


class SpeakerModel(Protocol):
    """What the model thread needs from a speaker model (``Diarizer``, or a fake in tests)."""

    def diarize(self, audio: Audio) -> list[SpeakerTurn]: ...

    def stream(self) -> SpeakerStream: ...


class DiarizerStream:
    """One audio stream's speaker cache: ``feed`` pieces in order; times are relative to the
    piece fed."""

    def __init__(self, model: Any, threshold: float) -> None:
        self._model = model
        self._state = model.init_streaming_state()
        self._threshold = threshold
        self._fed_s = 0.0

    def feed(self, audio: Audio) -> list[SpeakerTurn]:
        if len(audio) == 0:
            return []
        before = self._stream_s()
        out, self._state = self._model.feed(
            np.ascontiguousarray(audio, np.float32), self._state, threshold=self._threshold
        )
        return _turns(out.segments, -before)

    def _stream_s(self) -> float:
        cfg = self._model.config
        frame_s = cfg.fc_encoder_config.subsampling_factor * 160 / RATE
        return float(self._state.frames_processed) * float(frame_s)


class Diarizer:
    def __init__(self, model: Any, name: str, threshold: float = 0.5) -> None:
        self._model = model
        self.name = name
        self.threshold = threshold

    @property
    def max_speakers(self) -> int:
        return int(self._model.config.num_speakers)

    def diarize(self, audio: Audio) -> list[SpeakerTurn]:
        """Speaker turns of a whole recording (16 kHz mono float32)."""
        if len(audio) < RATE // 10:
            return []
        out = self._model.generate(
            np.ascontiguousarray(audio, np.float32), threshold=self.threshold
        )
        return _turns(out.segments)

    def stream(self) -> DiarizerStream:
        return DiarizerStream(self._model, self.threshold)


def _check_folder(folder: Path) -> None:
    try:
        config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise ModelCorruptError(
            f"The speaker model in {folder} has no readable config.json."
        ) from err
    if not isinstance(config, dict) or config.get("model_type") != MODEL_TYPE:
        raise ModelCorruptError(f"{folder} does not hold a Sortformer speaker model.")
    weights = sorted(folder.glob("*.safetensors"))
    if not weights:
        raise ModelCorruptError(f"The speaker model in {folder} has no weights.")
    for path in weights:
        check_safetensors(path)


def load_diarizer(
    spec: str = DEFAULT_DIARIZER,
    *,
    on_progress: DownloadProgress | None = None,
    cancel: CancelToken | None = None,
    allow_download: bool = True,
) -> Diarizer:
    """Resolve (download when allowed), check and load a Sortformer on the current thread."""
    folder = resolve_model(
        spec, on_progress=on_progress, cancel=cancel, allow_download=allow_download
    )
    _check_folder(folder)
    from mlx_audio.vad.utils import load

    try:
        model = load(str(folder), strict=True)
    except (ValueError, KeyError, OSError, RuntimeError) as err:
        raise ModelCorruptError(f"The speaker model in {folder} cannot be loaded: {err}") from err
    log.info("speaker model %s loaded from %s", spec, folder)
    return Diarizer(model, spec)
