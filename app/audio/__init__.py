"""Audio input: file decoding to mono float32 16 kHz (decode), capture and VAD modules."""

from app.audio.files.decode import (
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
