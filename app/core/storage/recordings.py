"""Recordings on disk: the WAV layout the journal writes, its sidecar, listing and recovery.

Each recording is ``<id>.wav`` (16-bit PCM mono, header patched on every flush so a killed
process leaves a readable file) plus ``<id>.json``. The sidecar's ``status`` is ``recording``
while it is being written, ``complete`` after a clean stop and ``recovered`` once an
interrupted one has been repaired. A ``recording`` sidecar found at start-up without a live
writer means the app was killed: ``recover`` fixes the header from the file size.
Plain Python: the GUI panel and the headless command both use it.
"""

from __future__ import annotations

import json
import logging
import os
import struct
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from app.core.errors import GraniteError
from app.core.storage import atomic, files, paths

log = logging.getLogger(__name__)

HEADER_BYTES = 44
BITS = 16
STATUS_RECORDING = "recording"
STATUS_COMPLETE = "complete"
STATUS_RECOVERED = "recovered"


class RecordingError(GraniteError):
    """A recording that cannot be read, repaired or removed."""


def recordings_dir() -> Path:
    """``data/recordings`` in the app's data folder (:func:`app.core.storage.paths.recordings_dir`:
    ``$GRANITE_DICTATE_HOME/data/recordings`` or the platform's user data folder)."""
    return paths.recordings_dir()


def wav_header(rate: int, data_bytes: int, channels: int = 1, bits: int = BITS) -> bytes:
    block = channels * bits // 8
    return (
        b"RIFF"
        + struct.pack("<I", 36 + data_bytes)
        + b"WAVEfmt "
        + struct.pack("<IHHIIHH", 16, 1, channels, rate, rate * block, block, bits)
        + b"data"
        + struct.pack("<I", data_bytes)
    )


@dataclass
class RecordingInfo:
    id: str
    wav: Path
    created: str = ""
    rate: int = 16_000
    status: str = STATUS_RECORDING
    device: str = ""
    duration_s: float = 0.0
    pid: int = 0
    transcript: str = ""
    extra: dict[str, object] = field(default_factory=dict)

    @property
    def sidecar(self) -> Path:
        return self.wav.with_suffix(".json")

    @property
    def unfinished(self) -> bool:
        return self.status == STATUS_RECORDING

    def save(self) -> None:
        data = asdict(self)
        data["wav"] = self.wav.name
        atomic.write_text_atomic(self.sidecar, json.dumps(data, indent=1, ensure_ascii=False))


def new_recording_id(now: datetime | None = None) -> str:
    now = now or datetime.now(UTC)
    return now.strftime("%Y%m%d-%H%M%S-%f")


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def load_info(sidecar: Path) -> RecordingInfo:
    try:
        data = json.loads(sidecar.read_text(encoding="utf-8"))
        wav = sidecar.with_name(str(data.pop("wav", sidecar.with_suffix(".wav").name)))
        known = set(RecordingInfo.__dataclass_fields__) - {"wav"}
        info = RecordingInfo(wav=wav, **{k: v for k, v in data.items() if k in known})
    except (OSError, ValueError, TypeError) as err:
        raise RecordingError(f"Cannot read recording details {sidecar.name}: {err}") from err
    if info.unfinished:  # the header may lag behind the data: trust the file size
        info.duration_s = _duration_from_size(info.wav, info.rate)
    return info


def _duration_from_size(wav: Path, rate: int) -> float:
    try:
        size = wav.stat().st_size
    except OSError:
        return 0.0
    return max(0, size - HEADER_BYTES) // 2 / rate


def list_recordings(folder: Path | None = None) -> list[RecordingInfo]:
    """Every recording with a readable sidecar, newest first (unreadable ones are skipped)."""
    folder = folder or recordings_dir()
    out = []
    for sidecar in sorted(folder.glob("*.json")):
        try:
            out.append(load_info(sidecar))
        except RecordingError as err:
            log.warning("%s", err)
    out.sort(key=lambda r: r.id, reverse=True)
    return out


def _alive(pid: int) -> bool:
    if pid <= 0 or pid == os.getpid():
        return pid == os.getpid()
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def find_unfinished(folder: Path | None = None) -> list[RecordingInfo]:
    """Recordings left in ``recording`` state by a process that is no longer running."""
    return [r for r in list_recordings(folder) if r.unfinished and not _alive(r.pid)]


def recover(info: RecordingInfo) -> RecordingInfo:
    """Repair the WAV header of an interrupted recording from its size; mark it recovered."""
    try:
        with open(info.wav, "r+b") as f:
            size = f.seek(0, os.SEEK_END)
            data = max(0, size - HEADER_BYTES)
            data -= data % 2  # drop half a sample written at the moment of the kill
            f.truncate(HEADER_BYTES + data)
            f.seek(0)
            f.write(wav_header(info.rate, data))
    except OSError as err:
        raise RecordingError(f"Cannot repair recording {info.wav.name}: {err}") from err
    info.duration_s = data // 2 / info.rate
    info.status = STATUS_RECOVERED
    info.save()
    log.info("recovered %s (%.1f s)", info.wav.name, info.duration_s)
    return info


def folder_problem() -> str | None:
    """Why recordings cannot be written in the data folder (one line), or None."""
    try:
        folder = recordings_dir()
    except OSError as err:
        return f"Cannot create the recordings folder: {err.strerror or err} ({err.filename})."
    problem = files.folder_problem(folder)
    return f"Cannot record: {problem}." if problem else None


def unfinished_notice(folder: Path | None = None) -> str | None:
    """One line about recordings a killed session left behind, or None."""
    try:
        left = find_unfinished(folder)
    except OSError:
        return None
    if not left:
        return None
    seconds = sum(_duration_from_size(r.wav, r.rate) for r in left)
    return (
        f"{len(left)} recording(s) from an interrupted session ({seconds:.0f} s) are in "
        f"{left[0].wav.parent}: see 'python -m app recordings list'."
    )


def delete(info: RecordingInfo) -> None:
    for path in (info.wav, info.sidecar):
        try:
            path.unlink(missing_ok=True)
        except OSError as err:
            raise RecordingError(f"Cannot delete {path.name}: {err}") from err
