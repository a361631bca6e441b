"""How the model thread makes its engine (the real loader, or a factory tests inject) and
how a failure becomes the one line the user reads (no Qt here)."""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable
from typing import cast

from app.core.errors import GraniteError
from app.engine.base import CancelToken, DownloadProgress, SpeechEngine

EngineFactory = Callable[[str, DownloadProgress, Callable[[], bool]], SpeechEngine]
FACTORY_ENV = "GRANITE_DICTATE_ENGINE_FACTORY"


class _CheckToken(CancelToken):
    """A CancelToken that asks a callable (the loader takes tokens, factories get callables)."""

    def __init__(self, check: Callable[[], bool]) -> None:
        super().__init__()
        self._check = check

    @property
    def cancelled(self) -> bool:
        return self._check()


def default_engine_factory(
    spec: str, on_progress: DownloadProgress, cancel: Callable[[], bool]
) -> SpeechEngine:
    """The real engine: ``app.engine.loader.load_engine`` (downloads from the Hub if needed)."""
    from app.engine.loader import load_engine

    return load_engine(spec, on_progress=on_progress, cancel=_CheckToken(cancel))


def one_line_error(err: BaseException) -> str:
    """The user-facing line for an exception (typed errors carry their own)."""
    if isinstance(err, GraniteError):
        return str(err)
    if isinstance(err, MemoryError):
        return "Not enough memory to finish this; close other programs or use shorter audio."
    detail = " ".join(str(err).split())
    return f"Unexpected error ({type(err).__name__}{': ' + detail if detail else ''})."


def engine_factory_from_env() -> EngineFactory:
    """The real factory, or the one ``GRANITE_DICTATE_ENGINE_FACTORY=module:callable`` names
    (tests use ``tests.support.fake_engine:factory``). The command line and the window both
    use this one."""
    target = os.environ.get(FACTORY_ENV)
    if not target:
        return default_engine_factory
    module, _, attr = target.partition(":")
    return cast(EngineFactory, getattr(importlib.import_module(module), attr))
