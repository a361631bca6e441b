"""PyInstaller runtime hook: environment for the frozen app, set before any app import."""

from __future__ import annotations

import os

# mlx-audio and transformers print advice meant for developers; the tokenizer must not fork
# worker threads behind Qt's back.
os.environ.setdefault("TRANSFORMERS_NO_ADVISORY_WARNINGS", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
# transformers would otherwise look for torch/tensorflow/flax on every import.
os.environ.setdefault("USE_TORCH", "0")
os.environ.setdefault("USE_TF", "0")
os.environ.setdefault("USE_FLAX", "0")
