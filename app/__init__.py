"""Granite Dictate: on-device dictation, transcription and speech translation."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("granite-dictate")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0.0.0"
