"""What keeps a ``transcribe`` batch going: messages that survive a closed stderr/stdout, one
line per failed file whatever the exception, output checks before the model runs, and a
fallback file when an output cannot be written (disk full); the progress line on a terminal.
"""

from __future__ import annotations

import errno
import itertools
import os
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TextIO

from app.core.errors import GraniteError
from app.core.storage.files import display_name, folder_problem, name_too_long, printable
from app.core.transcript import TranscriptResult

_dead: set[int] = set()


def emit(text: str, stream: TextIO) -> bool:
    """Write and flush ``text``; a closed or broken stream (``| head -1``) is silenced for good
    (its descriptor pointed at /dev/null so nothing fails at exit). False when not written."""
    if id(stream) in _dead:
        return False
    try:
        stream.write(printable(text))
        stream.flush()
        return True
    except (OSError, ValueError):
        _dead.add(id(stream))
        _silence(stream)
        return False


def _silence(stream: TextIO) -> None:
    try:
        fd = stream.fileno()
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, fd)
        os.close(null)
    except (OSError, ValueError):
        pass


def failure_line(name: str, err: BaseException) -> str:
    """The one line for a file whose processing raised ``err`` (any type)."""
    shown = printable(name)
    if isinstance(err, GraniteError):
        return f"{shown}: {err}"
    if isinstance(err, MemoryError):
        return f"{shown}: not enough memory to finish it; close other programs or split the file."
    if isinstance(err, OSError):
        return f"{shown}: {err.strerror or err}"
    detail = " ".join(str(err).split())
    return f"{shown}: unexpected error ({type(err).__name__}{': ' + detail if detail else ''})."


def check_outputs(
    todo: Sequence[Path], plan: Callable[[Path], Mapping[str, Path]]
) -> tuple[list[Path], list[str]]:
    """Inputs whose outputs can be written, and one line for each one that cannot (its folder
    is missing, read-only or not a folder, or an output name is too long)."""
    kept: list[Path] = []
    problems: list[str] = []
    folders: dict[Path, str | None] = {}
    for src in todo:
        problem: str | None = None
        try:
            outs = plan(src)
        except GraniteError as err:
            outs, problem = {}, str(err)
        for out in outs.values():
            if out.parent not in folders:
                folders[out.parent] = folder_problem(out.parent)
            problem = folders[out.parent]
            if problem is None and name_too_long(out):
                problem = f"the output name {display_name(out)} is too long for the file system"
            if problem:
                break
        if problem:
            problems.append(f"{display_name(src)}: {problem}.")
        else:
            kept.append(src)
    return kept, problems


Writer = Callable[[TranscriptResult, Path, str], Path]


def write_outputs(
    result: TranscriptResult,
    paths: Mapping[str, Path],
    writer: Writer,
    fallback_dir: Callable[[], Path],
) -> tuple[list[str], list[str]]:
    """Write each format; when one cannot be written (disk full, folder gone), the transcript is
    saved in that format under ``fallback_dir()`` instead. Returns the names written and one
    line per output that went to the fallback (or was lost when even that failed)."""
    written: list[str] = []
    problems: list[str] = []
    for fmt, path in paths.items():
        try:
            written.append(display_name(writer(result, path, fmt)))
        except OSError as err:
            reason = err.strerror or str(err)
            try:
                saved = writer(result, _free_name(fallback_dir(), path.name), fmt)
            except OSError as again:
                problems.append(
                    f"cannot write {display_name(path)} ({reason}), nor a copy in the data "
                    f"folder ({again.strerror or again})"
                )
            else:
                problems.append(
                    f"cannot write {display_name(path)} ({reason}); saved it to "
                    f"{printable(str(saved))}"
                )
    return written, problems


def _free_name(folder: Path, name: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    stem, dot, ext = name.rpartition(".")
    for n in itertools.count(1):
        candidate = folder / (name if n == 1 else f"{stem}-{n}{dot}{ext}")
        if not candidate.exists():
            return candidate
    raise OSError(errno.EEXIST, "no free name")  # pragma: no cover - count() never ends


class ProgressDisplay:
    """A one-line progress bar on a terminal; nothing but final lines otherwise."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.tty = stream.isatty()
        self._width = 0

    def show(self, text: str) -> None:
        if self.tty:
            emit("\r" + text.ljust(self._width), self.stream)
            self._width = len(text)

    def clear(self) -> None:
        if self.tty and self._width:
            emit("\r" + " " * self._width + "\r", self.stream)
            self._width = 0
