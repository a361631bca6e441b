"""Build a tiny random granite_speech checkpoint in the mlx-community on-disk layout.

    python -m tests.support.tiny_model OUT_DIR [--dtype bfloat16|float32] [--no-quantize]
                                               [--scale tiny|quarter] [--seed N]

An HF-layout source folder (config.json, tokenizer files, bf16 ``model.safetensors`` with the
HF parameter names and PyTorch conv layout) is written to a temp dir and converted with
``mlx_audio.convert.convert(..., model_domain="stt")``, exactly as the published 8-bit model was.

Random weights give garbage text, but the language model is wired so that generation ends: a
uniform-attention head in layer 0 measures the fraction of generated tokens among all positions,
and the EOS logit turns positive once it passes ``EOS_FRACTION``. Outputs are therefore a few
to a few dozen tokens, growing with the audio length (about 2.5 tokens per second of audio).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import tempfile
import time
from pathlib import Path
from typing import Any, cast

import numpy as np

from tests.support.tiny_tokenizer import (
    SPECIALS,
    build_tokenizer,
    prompt_token_ids,
    unprintable_ids,
)

#: Generation ends when generated tokens make up this fraction of all positions.
EOS_FRACTION = 0.2
# Residual-stream dimensions reserved for the length counter.
_D_TEXT, _D_CONST, _D_COUNT = 0, 1, 2

SCALES: dict[str, dict[str, int]] = {
    "tiny": {
        "enc_hidden": 64,
        "enc_layers": 2,
        "enc_heads": 2,
        "enc_dim_head": 32,
        "proj_hidden": 64,
        "proj_layers": 1,
        "proj_heads": 2,
        "proj_inter": 128,
        "lm_hidden": 64,
        "lm_layers": 2,
        "lm_heads": 4,
        "lm_kv_heads": 2,
        "lm_inter": 128,
        "vocab_pad": 0,
    },
    # About a quarter of the real dimensions, for benchmarks only.
    "quarter": {
        "enc_hidden": 256,
        "enc_layers": 4,
        "enc_heads": 2,
        "enc_dim_head": 128,
        "proj_hidden": 256,
        "proj_layers": 2,
        "proj_heads": 4,
        "proj_inter": 1024,
        "lm_hidden": 512,
        "lm_layers": 10,
        "lm_heads": 4,
        "lm_kv_heads": 1,
        "lm_inter": 1024,
        "vocab_pad": 25088,
    },
}


def make_config(scale: str, vocab_size: int, audio_token_index: int, dtype: str) -> dict[str, Any]:
    s = SCALES[scale]
    return {
        "architectures": ["GraniteSpeechForConditionalGeneration"],
        "model_type": "granite_speech",
        "audio_token_index": audio_token_index,
        "downsample_rate": 5,
        "window_size": 15,
        "has_lora_adapter": False,
        "torch_dtype": dtype,
        "encoder_config": {
            "model_type": "granite_speech_encoder",
            "input_dim": 160,
            "output_dim": 348,
            "hidden_dim": s["enc_hidden"],
            "num_layers": s["enc_layers"],
            "num_heads": s["enc_heads"],
            "dim_head": s["enc_dim_head"],
            "context_size": 200,
            "max_pos_emb": 512,
            "conv_kernel_size": 15,
            "conv_expansion_factor": 2,
            "feedforward_mult": 4,
            "dropout": 0.1,
        },
        "projector_config": {
            "model_type": "blip_2_qformer",
            "hidden_size": s["proj_hidden"],
            "num_hidden_layers": s["proj_layers"],
            "num_attention_heads": s["proj_heads"],
            "intermediate_size": s["proj_inter"],
            "encoder_hidden_size": s["enc_hidden"],
            "cross_attention_frequency": 1,
            "hidden_act": "gelu",
            "layer_norm_eps": 1e-12,
        },
        "text_config": {
            "model_type": "granite",
            "vocab_size": vocab_size,
            "hidden_size": s["lm_hidden"],
            "intermediate_size": s["lm_inter"],
            "num_hidden_layers": s["lm_layers"],
            "num_attention_heads": s["lm_heads"],
            "num_key_value_heads": s["lm_kv_heads"],
            "hidden_act": "silu",
            "max_position_embeddings": 4096,
            "rms_norm_eps": 1e-5,
            "rope_theta": 10000.0,
            "attention_bias": False,
            "mlp_bias": False,
            "attention_multiplier": 1.0 / (s["lm_hidden"] // s["lm_heads"]),
            "embedding_multiplier": 12.0,
            "residual_multiplier": 0.22,
            "logits_scaling": 8.0,
            "tie_word_embeddings": False,
            "bos_token_id": 0,
            "eos_token_id": 0,
            "pad_token_id": 1,
        },
    }


def _mlx_param_shapes(config: dict[str, Any]) -> dict[str, tuple[int, ...]]:
    """Names and shapes of every parameter of the mlx Model (mlx layout)."""
    from mlx.utils import tree_flatten
    from mlx_audio.stt.models.granite_speech import Model, ModelConfig

    model = Model(ModelConfig.from_dict(json.loads(json.dumps(config))))
    flat = cast(list[tuple[str, Any]], tree_flatten(model.parameters()))
    return {k: tuple(v.shape) for k, v in flat}


def _random_weights(
    shapes: dict[str, tuple[int, ...]], rng: np.random.Generator
) -> dict[str, np.ndarray]:
    out: dict[str, np.ndarray] = {}
    for name, shape in shapes.items():
        leaf = name.rsplit(".", 1)[-1]
        is_norm = any(t in name for t in ("norm", "LayerNorm")) and "batch_norm" not in name
        if "batch_norm" in name:
            if leaf == "running_var":
                w = 1.0 + 0.1 * np.abs(rng.standard_normal(shape))
            elif leaf == "weight":
                w = np.ones(shape)
            else:
                w = 0.05 * rng.standard_normal(shape)
        elif is_norm:
            w = np.ones(shape) if leaf == "weight" else np.zeros(shape)
        elif leaf == "bias":
            w = 0.02 * rng.standard_normal(shape)
        elif "embed_tokens" in name or "rel_pos_emb" in name or name == "projector.query":
            w = rng.standard_normal(shape)
        else:  # linear (out, in) or conv (out, k, in) in mlx layout
            fan_in = int(np.prod(shape[1:]))
            w = rng.standard_normal(shape) / np.sqrt(fan_in)
        out[name] = w.astype(np.float32)
    return out


def _wire_length_counter(
    w: dict[str, np.ndarray],
    config: dict[str, Any],
    prompt_ids: set[int],
    unprintable: set[int],
    n_tokens: int,
) -> None:
    """Make the LM end generation after about ``EOS_FRACTION`` of the positions (module doc)."""
    tc = config["text_config"]
    hidden, heads = tc["hidden_size"], tc["num_attention_heads"]
    head_dim = hidden // heads
    vocab, eos = tc["vocab_size"], SPECIALS.index("<|end_of_text|>")
    reserved = [_D_TEXT, _D_CONST, _D_COUNT]
    lm = "language_model.model"

    emb = w[f"{lm}.embed_tokens.weight"]
    emb[:, reserved] = 0.0
    emb[:, _D_CONST] = 1.0
    counted = np.array([i not in prompt_ids for i in range(vocab)])
    emb[counted, _D_TEXT] = 1.0
    # Audio embeddings (projector output) carry the constant but are not counted.
    w["projector.linear.weight"][reserved, :] = 0.0
    w["projector.linear.bias"][reserved] = 0.0
    w["projector.linear.bias"][_D_CONST] = 1.0

    for i in range(tc["num_hidden_layers"]):
        for sub in ("self_attn.o_proj", "mlp.down_proj"):
            w[f"{lm}.layers.{i}.{sub}.weight"][reserved, :] = 0.0
    # Layer 0, head 0: zero query -> uniform causal attention; value dim 0 reads the text flag
    # and the output writes the running average into the counter dimension.
    a0 = f"{lm}.layers.0.self_attn"
    w[f"{a0}.q_proj.weight"][:head_dim, :] = 0.0
    w[f"{a0}.v_proj.weight"][0, :] = 0.0
    w[f"{a0}.v_proj.weight"][0, _D_TEXT] = 1.0
    w[f"{a0}.o_proj.weight"][:, 0] = 0.0
    w[f"{a0}.o_proj.weight"][_D_COUNT, 0] = tc["embedding_multiplier"] / tc["residual_multiplier"]

    # After input RMSNorm a text token's flag is about 1/rms; the constant has the same scale,
    # so the ratio counter/constant ~= fraction of counted positions.
    head = w["language_model.lm_head.weight"]
    head *= np.sqrt(hidden) * 4.0  # logits spread (std ~4): clear winners, few near-ties
    head[:, reserved] = 0.0
    head[eos, :] = 0.0
    gain = 2000.0
    head[eos, _D_COUNT] = gain
    head[eos, _D_CONST] = -gain * EOS_FRACTION
    never = ~counted
    never[eos] = False
    never[n_tokens:] = True
    never[list(range(1, len(SPECIALS)))] = True
    never[sorted(unprintable - {eos})] = True
    head[never, _D_CONST] = -gain


def _to_hf(weights: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """mlx names/layout -> HF names/layout (PyTorch conv order, BatchNorm counters)."""
    hf: dict[str, np.ndarray] = {}
    for name, value in weights.items():
        if value.ndim == 3 and any(c in name for c in ("up_conv", "down_conv", "depth_conv")):
            value = value.transpose(0, 2, 1)
        hf[name] = value
        if name.endswith("batch_norm.running_var"):
            hf[name.replace("running_var", "num_batches_tracked")] = np.array(0, dtype=np.int64)
    return hf


def write_source(src: Path, *, scale: str = "tiny", seed: int = 0, dtype: str = "bfloat16") -> None:
    """Write the HF-layout source checkpoint into ``src``."""
    import mlx.core as mx

    src.mkdir(parents=True, exist_ok=True)
    tokenizer = build_tokenizer(src)
    n_tokens = tokenizer.get_vocab_size()
    vocab = n_tokens + SCALES[scale]["vocab_pad"]
    config = make_config(scale, vocab, tokenizer.token_to_id("<|audio|>"), dtype)
    (src / "config.json").write_text(json.dumps(config, indent=2))

    rng = np.random.default_rng(seed)
    weights = _random_weights(_mlx_param_shapes(config), rng)
    _wire_length_counter(
        weights, config, prompt_token_ids(tokenizer), unprintable_ids(tokenizer), n_tokens
    )
    arrays = {
        k: mx.array(v) if v.dtype == np.int64 else mx.array(v).astype(mx.bfloat16)
        for k, v in _to_hf(weights).items()
    }
    mx.save_safetensors(str(src / "model.safetensors"), arrays, metadata={"format": "pt"})


def build(
    out: Path,
    *,
    scale: str = "tiny",
    quantize: bool = True,
    dtype: str = "bfloat16",
    seed: int = 0,
) -> Path:
    """Build the converted checkpoint into ``out`` and return it."""
    from mlx_audio.convert import convert

    out = Path(out)
    with tempfile.TemporaryDirectory(prefix="tiny-granite-src-") as tmp:
        src = Path(tmp) / "granite-4.0-1b-speech"
        write_source(src, scale=scale, seed=seed, dtype=dtype)
        with contextlib.redirect_stdout(io.StringIO()):
            convert(
                str(src),
                str(out),
                quantize=quantize,
                q_bits=8 if quantize else None,
                q_group_size=64 if quantize else None,
                dtype=dtype,
                model_domain="stt",
            )
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("out", type=Path)
    parser.add_argument("--dtype", choices=("bfloat16", "float32"), default="bfloat16")
    parser.add_argument("--no-quantize", action="store_true")
    parser.add_argument("--scale", choices=tuple(SCALES), default="tiny")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    build(
        args.out,
        scale=args.scale,
        quantize=not args.no_quantize,
        dtype=args.dtype,
        seed=args.seed,
    )
    print(f"Built {args.scale} model in {args.out} ({time.perf_counter() - started:.1f} s)")


if __name__ == "__main__":
    main()
