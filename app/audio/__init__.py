"""Audio files in, mono float32 16 kHz numpy out (PyAV + soxr). No Qt, no engine imports."""

from app.audio.decode import (
    SUPPORTED_EXTENSIONS,
    AudioInfo,
    decode_file,
    is_supported,
    iter_decode,
    probe,
)

__all__ = [
    "SUPPORTED_EXTENSIONS",
    "AudioInfo",
    "decode_file",
    "is_supported",
    "iter_decode",
    "probe",
]
