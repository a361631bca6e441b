"""Typed errors whose message is one line a user understands.

Every layer raises these; the CLI and the GUI show ``str(error)`` and never a traceback.
"""

from __future__ import annotations


class GraniteError(Exception):
    """Base class: ``str(err)`` is a complete, one-line, user-facing message."""

    def __init__(self, message: str) -> None:
        super().__init__(" ".join(message.split()))


class UsageError(GraniteError):
    """Bad arguments or settings (exit code 2 on the command line)."""


class ModelMissingError(GraniteError):
    """The model folder does not exist, or the Hub repo is neither cached nor downloadable."""


class ModelCorruptError(GraniteError):
    """The model folder exists but files are missing, truncated or do not match the architecture."""


class UnsupportedLanguageError(GraniteError):
    """A language or translation pair the model does not support."""


class AudioTooShortError(GraniteError):
    """Audio shorter than the model can take."""


class OutOfMemoryError(GraniteError):
    """The model or the audio does not fit in memory."""


class AudioDecodeError(GraniteError):
    """A file that cannot be read as audio: corrupt, truncated, empty, not audio, or DRM."""


class CancelledError(GraniteError):
    """The job was cancelled by the user."""

    def __init__(self, message: str = "Cancelled.") -> None:
        super().__init__(message)
