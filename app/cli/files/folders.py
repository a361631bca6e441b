"""``transcribe DIR... --recursive --skip-existing``: folders of recordings, resumable.

``--recursive`` replaces each folder by the audio and video files under it (sorted, hidden
files and folders skipped, symbolic links to folders not followed). ``--skip-existing`` leaves
out every input whose outputs all exist already; since each file's outputs are written
atomically as soon as it is done, a killed batch rerun with ``--skip-existing`` continues where
it stopped. Output names are planned for the whole batch in order, so a rerun gives every file
the name it had in the first run (``talk-2.txt`` stays ``talk-2.txt``).

``BatchProgress`` labels the progress line with the whole batch: files, hours of audio (from
the containers' durations) and the time left.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.audio.files.decode import is_supported, probe
from app.core.errors import GraniteError
from app.core.progress import format_duration
from app.core.storage.files import display_name

#: naming(src, taken) -> {format: output path}; adds its paths to ``taken`` (output_paths).
Naming = Callable[[Path, set[Path]], dict[str, Path]]


def add_folder_options(parser: Any) -> None:
    parser.add_argument(
        "--recursive", action="store_true", help="transcribe the audio files in folders"
    )
    parser.add_argument(
        "--skip-existing", action="store_true", help="skip inputs whose outputs exist (resume)"
    )


def walk(folder: str) -> list[str]:
    """Audio and video files under ``folder``, sorted; hidden entries skipped."""
    found: list[str] = []
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        found += [
            os.path.join(root, f)
            for f in sorted(files)
            if not f.startswith(".") and is_supported(f)
        ]
    return found


@dataclass
class Selection:
    files: list[str] = field(default_factory=list)
    skipped: int = 0
    #: Output paths of the skipped inputs (the rest of the batch must not take them).
    taken: set[Path] = field(default_factory=set)


def select_inputs(
    names: Sequence[str], recursive: bool, skip_existing: bool, naming: Naming
) -> Selection:
    """Expand folders (``recursive``) and drop finished inputs (``skip_existing``)."""
    expanded: list[str] = []
    for name in names:
        if recursive and os.path.isdir(name):
            expanded += walk(name)
        else:
            expanded.append(name)
    chosen = Selection()
    planned: set[Path] = set()
    for name in dict.fromkeys(expanded):
        if not skip_existing or not os.path.isfile(name):
            chosen.files.append(name)
            continue
        try:
            outs = naming(Path(name), planned).values()
        except GraniteError:
            chosen.files.append(name)  # the run itself says what is wrong
            continue
        if all(p.is_file() for p in outs):
            chosen.skipped += 1
            chosen.taken.update(outs)
        else:
            chosen.files.append(name)
    return chosen


def _duration(path: Path) -> float:
    try:
        return probe(path).duration_s or 0.0
    except (GraniteError, OSError):
        return 0.0


class BatchProgress:
    """Files, audio hours and time left for a whole batch (the label of the progress line)."""

    def __init__(
        self,
        paths: Sequence[Path],
        duration: Callable[[Path], float] = _duration,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._clock = clock
        self._start = clock()
        self.seconds = {p: duration(p) for p in paths} if len(paths) > 1 else {}
        self.total_s = sum(self.seconds.values())
        self.done_s = 0.0
        self.files = len(paths)
        self.files_done = 0

    def finished(self, path: Path) -> None:
        self.files_done += 1
        self.done_s += self.seconds.get(path, 0.0)

    @property
    def remaining(self) -> float | None:
        if self.done_s <= 0 or self.total_s <= 0:
            return None
        return max(0.0, (self._clock() - self._start) * (self.total_s - self.done_s) / self.done_s)

    def label(self, path: Path) -> str:
        name = display_name(path)
        if self.files < 2:
            return name
        return (
            f"[file {self.files_done + 1}/{self.files}, "
            f"{self.done_s / 3600:.2f}/{self.total_s / 3600:.2f} h of audio, "
            f"{format_duration(self.remaining)} left] {name}"
        )
