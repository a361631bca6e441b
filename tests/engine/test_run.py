"""run(): one encode per chunk, typed errors for bad input, and one-thread ownership."""

from __future__ import annotations

import threading
from typing import Any

import numpy as np
import pytest

from app.core.errors import AudioTooShortError, UnsupportedLanguageError, UsageError
from app.core.transcript import Task, TaskSpec
from app.engine.loader import load_engine
from app.engine.model.granite import MIN_SAMPLES
from app.engine.runner import GraniteEngine
from tests.engine.helpers import noise

THREE = [TaskSpec(), TaskSpec(Task.TRANSLATE, "en", "fr"), TaskSpec(keywords=("Granite",))]


class CountingEngine(GraniteEngine):
    def __init__(self, model) -> None:
        super().__init__(model, "counting")
        self.encodes = 0

    def encode(self, audio):
        self.encodes += 1
        return super().encode(audio)


def test_three_specs_encode_once(tiny_engine):
    engine = CountingEngine(tiny_engine.model)
    audio = noise(2.0)
    outputs = engine.run(audio, THREE)
    assert engine.encodes == 1
    assert len(outputs) == 3
    frames = engine.features(audio)[0].shape[1]
    assert [o.timing.encoder_frames for o in outputs] == [frames, 0, 0]
    assert outputs[0].timing.encode_s > 0
    assert outputs[1].timing.encode_s == outputs[2].timing.encode_s == 0
    for out, spec in zip(outputs, THREE, strict=True):
        single = engine.run(audio, [spec])[0]
        assert single.tokens == out.tokens
        # With the shared audio prefix, later tasks prefill only their own instruction.
        assert out.timing.prompt_tokens >= out.timing.prefill_tokens > 0
        assert out.timing.prompt_tokens > 20
        assert out.timing.generated_tokens == len(out.tokens)


def test_encoded_audio_fields(tiny_engine):
    encoded = tiny_engine.encode(noise(1.0))
    config = tiny_engine.model.config
    assert encoded.encoder_frames == 50  # 100 mel frames/s stacked in pairs
    assert encoded.n_audio_tokens == 12  # ceil(50 / 15) windows x 3 queries
    assert encoded.features.shape == (1, 50, 160)
    assert encoded.hidden.shape == (1, 50, config.encoder_config.hidden_dim)
    assert encoded.embeddings.shape == (1, 12, config.text_config.hidden_size)
    ctc = tiny_engine.ctc_logits(encoded)
    assert ctc.shape == (1, 50, 348)
    assert encoded.duration_s == pytest.approx(1.0)


def test_no_specs_no_work(tiny_engine):
    engine = CountingEngine(tiny_engine.model)
    assert engine.run(noise(1.0), []) == []
    assert engine.encodes == 0


def test_unsupported_pair(tiny_engine):
    with pytest.raises(UnsupportedLanguageError):
        tiny_engine.run(noise(1.0), [TaskSpec(), TaskSpec(Task.TRANSLATE, "fr", "de")])


@pytest.mark.parametrize(
    "audio",
    [
        np.full(16000, np.nan, dtype=np.float32),
        np.array([0.0] * 8000 + [np.inf] + [0.0] * 8000, dtype=np.float32),
        np.zeros(16000, dtype=np.float64),
        np.zeros((16000, 2), dtype=np.float32),
        [0.0] * 16000,
    ],
    ids=["nan", "inf", "float64", "stereo", "list"],
)
def test_bad_audio_is_usage_error(tiny_engine, audio):
    with pytest.raises(UsageError):
        tiny_engine.run(audio, [TaskSpec()])


def test_too_short_audio(tiny_engine):
    with pytest.raises(AudioTooShortError):
        tiny_engine.run(np.zeros(MIN_SAMPLES - 1, dtype=np.float32), [TaskSpec()])
    [out] = tiny_engine.run(np.zeros(MIN_SAMPLES, dtype=np.float32), [TaskSpec()])
    assert out.timing.encoder_frames == 5


def test_too_long_audio_says_split(tiny_engine):
    with pytest.raises(UsageError, match=r"[Ss]plit"):
        tiny_engine.run(np.zeros(16000 * 301, dtype=np.float32), [TaskSpec()])


def test_load_and_run_on_a_dedicated_thread(tiny_model_dir, tiny_engine):
    result: dict[str, Any] = {}

    def work() -> None:
        try:
            engine = load_engine(str(tiny_model_dir))
            result["outputs"] = engine.run(noise(1.5), [TaskSpec()])
        except BaseException as exc:  # reported below
            result["error"] = exc

    thread = threading.Thread(target=work, name="model-thread")
    thread.start()
    thread.join()
    assert "error" not in result, result.get("error")
    [out] = result["outputs"]
    assert out.tokens == tiny_engine.run(noise(1.5), [TaskSpec()])[0].tokens
