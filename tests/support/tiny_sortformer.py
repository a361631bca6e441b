"""A tiny random Sortformer diarization checkpoint in the real on-disk layout (config.json with
``model_type`` sortformer and its three sub-configs + ``model.safetensors`` with the converted
MLX parameter names), for tests and benchmarks: ``python -m tests.support.tiny_sortformer OUT``.

``scale``: ``tiny`` (the test model) or ``quarter`` (about a quarter of the real model's widths
and depths, for the benchmark). Random weights: speaker labels are arbitrary but the
structure, timing and flow are real.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

#: (fc hidden, fc layers, fc heads, subsampling channels, tf d_model, tf layers, tf heads).
#: The real 4-speaker model: (512, 18, 8, 256, 192, 18, 8).
SCALES = {
    "tiny": (32, 2, 2, 16, 24, 2, 2),
    "quarter": (128, 5, 2, 64, 48, 5, 2),  # about a quarter of the real widths and depths
}


def tiny_config(scale: str = "tiny") -> dict[str, Any]:
    hidden, layers, heads, channels, d_tf, tf_layers, tf_heads = SCALES[scale]
    return {
        "model_type": "sortformer",
        "num_speakers": 4,
        "dtype": "float32",
        "fc_encoder_config": {
            "hidden_size": hidden,
            "num_hidden_layers": layers,
            "num_attention_heads": heads,
            "num_key_value_heads": heads,
            "intermediate_size": 4 * hidden,
            "num_mel_bins": 80,
            "conv_kernel_size": 9,
            "subsampling_factor": 8,
            "subsampling_conv_channels": channels,
        },
        "tf_encoder_config": {
            "d_model": d_tf,
            "encoder_layers": tf_layers,
            "encoder_attention_heads": tf_heads,
            "encoder_ffn_dim": 4 * d_tf,
            "num_mel_bins": 80,
        },
        "modules_config": {
            "num_speakers": 4,
            "fc_d_model": hidden,
            "tf_d_model": d_tf,
            "subsampling_factor": 8,
        },
        "processor_config": {"feature_size": 80, "sampling_rate": 16000, "hop_length": 160},
    }


def build(out: Path, *, scale: str = "tiny", seed: int = 0) -> Path:
    """Write the checkpoint to ``out`` (created) and return it."""
    import mlx.core as mx
    from mlx.utils import tree_flatten
    from mlx_audio.vad.models.sortformer.config import ModelConfig
    from mlx_audio.vad.models.sortformer.sortformer import Model

    mx.random.seed(seed)
    config = tiny_config(scale)
    model = Model(ModelConfig.from_dict(config))
    weights = dict(tree_flatten(model.parameters()))
    out.mkdir(parents=True, exist_ok=True)
    mx.save_safetensors(str(out / "model.safetensors"), weights)
    (out / "config.json").write_text(json.dumps(config, indent=1), encoding="utf-8")
    return out


if __name__ == "__main__":
    print(build(Path(sys.argv[1]), scale=sys.argv[2] if len(sys.argv) > 2 else "tiny"))
