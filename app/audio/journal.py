"""Crash-safe recording journal: every captured sample goes to disk as it arrives.

Written from the capture consumer thread (never the audio callback). 16-bit PCM WAV whose
header is patched on every flush, at least once per second of audio, and a JSON sidecar
(``app.core.storage.recordings``) whose status stays ``recording`` until ``close()``: a process
killed
mid-recording leaves a playable WAV missing at most the last second, and the next start
finds it through ``app.core.storage.recordings.find_unfinished``.
"""

from __future__ import annotations

import logging
import os
import shutil
from pathlib import Path
from typing import BinaryIO

import numpy as np
import numpy.typing as npt

from app.core.storage.atomic import clean_stale_temps, private_dir, publish_atomic, temp_path
from app.core.storage.recordings import (
    HEADER_BYTES,
    STATUS_COMPLETE,
    RecordingError,
    RecordingInfo,
    new_recording_id,
    now_iso,
    recordings_dir,
    wav_header,
)

log = logging.getLogger(__name__)

FLUSH_EVERY_S = 0.5
FSYNC_EVERY_S = 1.0


class RecordingJournal:
    def __init__(self, folder: Path | None = None, *, rate: int = 16_000, device: str = "") -> None:
        try:
            folder = folder or recordings_dir()
            private_dir(folder)
            clean_stale_temps(folder)
            rid = new_recording_id()
            wav = folder / f"{rid}.wav"
            # unbuffered: every write() reaches the OS at once, so a kill loses nothing;
            # private (0600) whatever the umask
            fd = os.open(wav, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            os.fchmod(fd, 0o600)
            self._file: BinaryIO = open(fd, "wb", buffering=0)  # noqa: SIM115
        except OSError as err:
            raise RecordingError(f"Cannot create a recording in {folder}: {err}") from err
        self.info = RecordingInfo(
            id=rid, wav=wav, created=now_iso(), rate=rate, device=device, pid=os.getpid()
        )
        self._write_all(wav_header(rate, 0))
        self._data_bytes = 0
        self._unflushed = 0
        self._unsynced = 0
        self._closed = False
        self.info.save()
        self._file.flush()
        log.info("recording to %s", wav)

    @property
    def path(self) -> Path:
        return self.info.wav

    @property
    def samples(self) -> int:
        return self._data_bytes // 2

    @property
    def duration_s(self) -> float:
        return self.samples / self.info.rate

    def write(self, audio: npt.NDArray[np.float32]) -> None:
        """Append float samples in [-1, 1]; flushed to the OS at least every FLUSH_EVERY_S."""
        if self._closed or len(audio) == 0:
            return
        pcm = np.clip(np.rint(audio * 32768.0), -32768, 32767).astype("<i2")
        self._write_all(pcm.tobytes())
        self._data_bytes += 2 * len(pcm)
        self._unflushed += len(pcm)
        if self._unflushed >= FLUSH_EVERY_S * self.info.rate:
            self.flush()

    def _write_all(self, data: bytes) -> None:
        view = memoryview(data)
        while view:
            n = self._file.write(view)
            view = view[n:]

    def flush(self, fsync: bool = False) -> None:
        """Patch the header sizes and hand everything to the OS (a kill loses nothing)."""
        if self._closed:
            return
        f = self._file
        f.seek(4)
        f.write((36 + self._data_bytes).to_bytes(4, "little"))
        f.seek(40)
        f.write(self._data_bytes.to_bytes(4, "little"))
        f.seek(0, os.SEEK_END)
        f.flush()
        self._unsynced += self._unflushed
        self._unflushed = 0
        if fsync or self._unsynced >= FSYNC_EVERY_S * self.info.rate:
            os.fsync(f.fileno())
            self._unsynced = 0

    def close(self, transcript: str = "") -> RecordingInfo:
        """Finish the file (status ``complete``). Safe to call twice."""
        if not self._closed:
            self.flush(fsync=True)
            self._file.close()
            self._closed = True
            self.info.status = STATUS_COMPLETE
            self.info.duration_s = self.duration_s
            self.info.pid = 0
            if transcript:
                self.info.transcript = transcript
            self.info.save()
        return self.info

    def discard(self) -> None:
        """Close and delete the recording (a headless run that was not asked to keep it)."""
        self.close()
        for p in (self.info.wav, self.info.sidecar):
            p.unlink(missing_ok=True)


def read_wav(path: Path) -> tuple[npt.NDArray[np.float32], int]:
    """A journal WAV as float32 mono (the data size is taken from the file, not the header)."""
    try:
        raw = path.read_bytes()
    except OSError as err:
        raise RecordingError(f"Cannot read {path.name}: {err}") from err
    if len(raw) < HEADER_BYTES or raw[:4] != b"RIFF":
        raise RecordingError(f"{path.name} is not a recording made by Granite Dictate.")
    rate = int.from_bytes(raw[24:28], "little")
    body = raw[HEADER_BYTES:]
    pcm = np.frombuffer(body[: len(body) - len(body) % 2], "<i2")
    return (pcm.astype(np.float32) / 32768.0), rate


def export_audio(source: Path, dest: Path) -> Path:
    """Copy a journal WAV to ``dest`` (.wav) or encode it as FLAC (.flac).

    Written to a private temporary file beside ``dest`` and renamed over it when complete, so
    a full disk leaves no half file (``app.core.storage.atomic``)."""
    suffix = dest.suffix.lower()
    if suffix not in (".wav", ".flac"):
        raise RecordingError(f"Cannot save audio as {suffix or 'no extension'}: use .wav or .flac.")
    if suffix == ".wav" and source.resolve() == dest.resolve():
        return dest
    tmp: Path | None = None
    try:
        tmp = temp_path(dest, suffix)
        if suffix == ".wav":
            shutil.copyfile(source, tmp)
        else:
            audio, rate = read_wav(source)
            _write_flac(tmp, audio, rate)
        publish_atomic(tmp, dest)
    except (OSError, av_errors()) as err:
        if tmp is not None:
            tmp.unlink(missing_ok=True)
        raise RecordingError(f"Cannot save audio to {dest}: {err}") from err
    except BaseException:
        if tmp is not None:
            tmp.unlink(missing_ok=True)
        raise
    return dest


def av_errors() -> type[BaseException]:
    """PyAV's error base class (imported lazily: PyAV is only needed for FLAC)."""
    import av

    return av.error.FFmpegError


def _write_flac(dest: Path, audio: npt.NDArray[np.float32], rate: int) -> None:
    import av

    pcm = np.clip(np.rint(audio * 32768.0), -32768, 32767).astype(np.int16)
    with av.open(str(dest), "w", format="flac") as container:
        stream = container.add_stream("flac", rate=rate)
        stream.layout = "mono"
        step = rate
        for i in range(0, max(len(pcm), 1), step):
            frame = av.AudioFrame.from_ndarray(pcm[None, i : i + step], format="s16", layout="mono")
            frame.sample_rate = rate
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)
