"""``transcribe --engine URL [--engine-key KEY] [--parallel N]``: chunks go to an
OpenAI-compatible server (``app.workers.files.remote_engine``) instead of the model on this
computer.
The chunk plan, outputs and progress stay local; each step sends up to ``4 × N`` chunks, N at a
time."""

from __future__ import annotations

import argparse
import os
from typing import Any

from app.cli.common import say
from app.core.errors import UsageError
from app.workers.engine_factory import EngineFactory
from app.workers.files.pipeline import MAX_FILE_BATCH
from app.workers.files.remote_engine import remote_factory

KEY_ENV = "GRANITE_DICTATE_ENGINE_KEY"
MAX_PARALLEL = 16


def add_remote_options(parser: Any) -> None:
    parser.add_argument(
        "--engine", default=None, metavar="URL", help="an OpenAI-compatible server, e.g. vLLM"
    )
    parser.add_argument(
        "--engine-key", default=os.environ.get(KEY_ENV), metavar="KEY", help=f"or {KEY_ENV}"
    )
    parser.add_argument(
        "--parallel", type=int, default=2, metavar="N", help="requests in flight (--engine)"
    )


def engine_setup(ns: argparse.Namespace, local: EngineFactory) -> tuple[EngineFactory, int, str]:
    """(engine factory, chunks per step, model spec to load) for ``ns``; raises UsageError.
    With ``--engine`` the "model" is the server (nothing is downloaded here)."""
    if not ns.engine:
        return local, ns.batch, ns.model
    url = str(ns.engine).strip()
    if not url.startswith(("http://", "https://")):
        raise UsageError(f"--engine: '{url}' is not an http:// or https:// address.")
    if not 1 <= ns.parallel <= MAX_PARALLEL:
        raise UsageError(f"--parallel must be between 1 and {MAX_PARALLEL}.")

    def notify(line: str) -> None:
        say(f"warning: {line}")

    factory = remote_factory(url, ns.engine_key or None, ns.parallel, notify)
    return factory, min(MAX_FILE_BATCH, 4 * ns.parallel), url
