"""A tiny random Sortformer diarization checkpoint in the real on-disk layout (config.json with
``model_type`` sortformer and its three sub-configs + ``model.safetensors`` with the converted
MLX parameter names), for tests and benchmarks: ``python -m tests.support.tiny_sortformer OUT``.

``scale`` multiplies the widths (1 = tiny, the test model; the benchmark also builds bigger
ones). Random weights: speaker labels are arbitrary but the structure, timing and flow are real.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any


def tiny_config(scale: int = 1, layers: int = 2) -> dict[str, Any]:
    hidden, heads = 32 * scale, 2 * max(1, scale // 2)
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
            "subsampling_conv_channels": 16 * scale,
        },
        "tf_encoder_config": {
            "d_model": 24 * scale,
            "encoder_layers": layers,
            "encoder_attention_heads": heads,
            "encoder_ffn_dim": 4 * 24 * scale,
            "num_mel_bins": 80,
        },
        "modules_config": {
            "num_speakers": 4,
            "fc_d_model": hidden,
            "tf_d_model": 24 * scale,
            "subsampling_factor": 8,
        },
        "processor_config": {"feature_size": 80, "sampling_rate": 16000, "hop_length": 160},
    }


def build(out: Path, *, scale: int = 1, layers: int = 2, seed: int = 0) -> Path:
    """Write the checkpoint to ``out`` (created) and return it."""
    import mlx.core as mx
    from mlx.utils import tree_flatten
    from mlx_audio.vad.models.sortformer.config import ModelConfig
    from mlx_audio.vad.models.sortformer.sortformer import Model

    mx.random.seed(seed)
    config = tiny_config(scale, layers)
    model = Model(ModelConfig.from_dict(config))
    weights = dict(tree_flatten(model.parameters()))
    out.mkdir(parents=True, exist_ok=True)
    mx.save_safetensors(str(out / "model.safetensors"), weights)
    (out / "config.json").write_text(json.dumps(config, indent=1), encoding="utf-8")
    return out


if __name__ == "__main__":
    print(build(Path(sys.argv[1]), scale=int(sys.argv[2]) if len(sys.argv) > 2 else 1))
