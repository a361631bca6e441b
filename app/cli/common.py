"""What every command shares: the program name, exit codes, one-line messages, the engine
factory (``GRANITE_DICTATE_ENGINE_FACTORY=module:callable`` replaces it; tests use
``tests.support.fake_engine:factory``) and the ``--model`` check."""

from __future__ import annotations

import importlib
import os
import sys
from typing import TextIO, cast

from app.core import model_spec
from app.core.errors import UsageError
from app.workers.engine_thread import EngineFactory, default_engine_factory

PROG = "granite-dictate"
FACTORY_ENV = "GRANITE_DICTATE_ENGINE_FACTORY"
EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130


def say(message: str, stream: TextIO | None = None) -> None:
    """One line on stderr (or ``stream``), prefixed with the program name."""
    print(f"{PROG}: {' '.join(message.split())}", file=stream or sys.stderr, flush=True)


def engine_factory() -> EngineFactory:
    """The real engine factory, or the one named by ``GRANITE_DICTATE_ENGINE_FACTORY``."""
    target = os.environ.get(FACTORY_ENV)
    if not target:
        return default_engine_factory
    module, _, attr = target.partition(":")
    return cast(EngineFactory, getattr(importlib.import_module(module), attr))


def check_model_option(model: str) -> None:
    """A ``--model`` that names a folder must be a usable model folder (never a Hub lookup);
    anything else must be a Hugging Face repo id (``app.core.model_spec``: one rule)."""
    if model_spec.is_local_path(model):
        problem = model_spec.model_folder_problem(model)
        if problem:
            raise UsageError(f"--model: {problem}")
    elif not model_spec.looks_like_repo_id(model):
        raise UsageError(
            f"--model: '{model}' is neither a model folder nor a Hugging Face repo id."
        )
