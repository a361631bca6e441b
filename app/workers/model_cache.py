"""Whether a model must be downloaded before it can load, asked without the network.

The window uses it at start-up so that a first start never downloads before the user agreed
(the model dialog asks, with the size); the command line uses it to say the size first.
"""

from __future__ import annotations

import os
from collections.abc import Callable

from app.engine.hub import needs_download as _needs_download
from app.workers.engine_factory import FACTORY_ENV

#: The default model's download size, said before it starts.
DEFAULT_MODEL_SIZE = "about 2.9 GB"


def needs_download(spec: str) -> bool:
    """True when ``spec`` is a repo id missing from the Hugging Face cache (no network I/O).
    Never with a replaced engine factory (``GRANITE_DICTATE_ENGINE_FACTORY``: tests), which
    does not download through the Hub."""
    if os.environ.get(FACTORY_ENV):
        return False
    return _needs_download(spec)


def announce_download(spec: str, say: Callable[[str], None]) -> None:
    """Say the size before the real engine downloads ``spec`` (a test engine never does)."""
    if needs_download(spec):
        say(download_notice(spec))


def download_notice(spec: str) -> str:
    """The line said before a command-line download starts."""
    from app.engine.base import DEFAULT_MODEL

    size = DEFAULT_MODEL_SIZE if spec.strip() == DEFAULT_MODEL else "size unknown"
    return f"downloading the model {spec} ({size}) once into the Hugging Face cache"
