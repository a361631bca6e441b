"""The tiny model has the mlx-community granite-4.0-1b-speech-8bit layout and loads strictly."""

from __future__ import annotations

import importlib
import json
from typing import Any

from app.core.transcript import TaskSpec
from app.engine.loader import load_model, validate_model_dir
from tests.support.tiny_model import EOS_FRACTION

nn: Any = importlib.import_module("mlx.nn")  # the stubs lack the layer classes

LAYOUT = {
    "config.json",
    "model.safetensors",
    "model.safetensors.index.json",
    "special_tokens_map.json",
    "tokenizer.json",
    "tokenizer_config.json",
}


def test_files_and_config(tiny_model_dir):
    names = {p.name for p in tiny_model_dir.iterdir()}
    assert names >= LAYOUT
    config = json.loads((tiny_model_dir / "config.json").read_text())
    assert config["model_type"] == "granite_speech"
    assert config["architectures"] == ["GraniteSpeechForConditionalGeneration"]
    assert config["encoder_config"]["output_dim"] == 348
    assert config["encoder_config"]["input_dim"] == 160
    assert (
        config["projector_config"]["encoder_hidden_size"] == config["encoder_config"]["hidden_dim"]
    )
    assert config["quantization"] == {"group_size": 64, "bits": 8, "mode": "affine"}
    tok_config = json.loads((tiny_model_dir / "tokenizer_config.json").read_text())
    assert tok_config["tokenizer_class"] == "GPT2Tokenizer"
    assert tok_config["eos_token"] == "<|end_of_text|>"
    validate_model_dir(tiny_model_dir)


def test_strict_load_quantizes_only_the_language_model(tiny_model_dir):
    model = load_model(tiny_model_dir)  # strict=True inside
    tokenizer = model._tokenizer
    assert model.audio_token_id == tokenizer.convert_tokens_to_ids("<|audio|>")
    assert model.config.text_config.vocab_size == len(tokenizer)
    assert tokenizer.eos_token_id == tokenizer.convert_tokens_to_ids("<|end_of_text|>")
    lm_layer = model.language_model.model.layers[0]
    assert isinstance(lm_layer.self_attn.q_proj, nn.QuantizedLinear)
    assert isinstance(lm_layer.mlp.down_proj, nn.QuantizedLinear)
    assert isinstance(model.language_model.lm_head, nn.QuantizedLinear)
    assert isinstance(model.language_model.model.embed_tokens, nn.QuantizedEmbedding)
    assert type(model.encoder.layers[0].ff1.up_proj) is nn.Linear
    assert type(model.projector.linear) is nn.Linear
    for _, module in model.encoder.named_modules() + model.projector.named_modules():
        assert not isinstance(module, nn.QuantizedLinear | nn.QuantizedEmbedding)


def test_chat_template(tiny_model_dir):
    model = load_model(tiny_model_dir)
    text = model._tokenizer.apply_chat_template(
        [{"role": "user", "content": "hello"}], tokenize=False, add_generation_prompt=True
    )
    assert text == "USER: hello\n ASSISTANT:"


def test_float32_variant(tiny_model_f32_dir):
    import mlx.core as mx

    config = json.loads((tiny_model_f32_dir / "config.json").read_text())
    assert "quantization" not in config
    model = load_model(tiny_model_f32_dir)
    assert model.language_model.lm_head.weight.dtype == mx.float32
    assert type(model.language_model.lm_head) is nn.Linear


def test_outputs_end_and_grow_with_audio(tiny_engine):
    from tests.engine.helpers import noise

    lengths = []
    for seconds in (1.0, 6.0):
        [out] = tiny_engine.run(noise(seconds), [TaskSpec()])
        lengths.append(out.timing.generated_tokens)
        assert out.text.strip()
        # Ended by EOS, well before the position limit.
        # Speculative verification can only save passes (one per token at most, plus the
        # prefill's two: all positions but the last, then the last).
        assert 1 <= out.timing.forward_passes <= out.timing.generated_tokens + 2
        positions = out.timing.prompt_tokens + out.timing.generated_tokens
        assert out.timing.generated_tokens <= positions * EOS_FRACTION + 10
    assert lengths[0] < lengths[1]


def test_deterministic_from_seed(tmp_path):
    from tests.support.tiny_model import write_source

    write_source(tmp_path / "a", seed=3)
    write_source(tmp_path / "b", seed=3)
    write_source(tmp_path / "c", seed=4)
    a, b, c = ((tmp_path / d / "model.safetensors").read_bytes() for d in "abc")
    assert a == b
    assert a != c
