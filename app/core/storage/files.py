"""File-system facts turned into plain words: input checks, output checks, readable names.

Pure Python. The command line uses these before the model loads, so a bad input or output
costs one line and no model time.
"""

from __future__ import annotations

import errno
import os
import stat
import tempfile
from pathlib import Path

#: Names that mean "standard input" on a command line.
STDIN_NAMES = frozenset({"-", "/dev/stdin", "/dev/fd/0", "/proc/self/fd/0"})
_FALLBACK_NAME_MAX = 255


def printable(text: str) -> str:
    """``text`` with undecodable file-name bytes (surrogate escapes) as U+FFFD, safe to encode."""
    try:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    except UnicodeEncodeError:  # lone surrogates that are not escapes
        return text.encode("utf-8", "replace").decode("utf-8")


def display_name(path: str | os.PathLike[str]) -> str:
    """The last part of ``path``, printable."""
    raw = os.fspath(path)
    return printable(os.path.basename(raw.rstrip("/")) or raw)


def input_problem(name: str) -> str | None:
    """Why ``name`` cannot be read as an input file, in words; None when it can.

    Standard input is only accepted when it is redirected from a regular file
    (``< talk.wav`` with ``/dev/stdin``); a pipe cannot be seeked by the decoders.
    """
    if name == "-":
        return (
            "reading audio from standard input is not supported; save it to a file and "
            "pass the file's name"
        )
    try:
        st = os.stat(name)
    except OSError as err:
        if err.errno == errno.ELOOP:
            return "is a symbolic link loop"
        if err.errno == errno.ENOENT:
            return "is a broken symbolic link" if os.path.islink(name) else "no such file"
        if err.errno == errno.ENAMETOOLONG:
            return "the name is too long"
        return (err.strerror or str(err)).lower()
    if stat.S_ISDIR(st.st_mode):
        return "is a folder"
    if not stat.S_ISREG(st.st_mode):
        if name in STDIN_NAMES:
            return (
                "reading audio from a pipe is not supported; save it to a file and pass the "
                "file's name (or redirect a file: < talk.wav)"
            )
        return "is not a regular file (a pipe or a device)"
    return None


def folder_problem(folder: Path) -> str | None:
    """Why files cannot be written in ``folder`` (created if missing); None when they can.

    Probes with a real temporary file, so a read-only file system or a full quota shows even
    for root.
    """
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        return f"{display_name(folder)} is not a folder"
    except OSError as err:
        return f"cannot create the folder {display_name(folder)}: {err.strerror or err}"
    if not folder.is_dir():
        return f"{display_name(folder)} is not a folder"
    try:
        fd, tmp = tempfile.mkstemp(prefix=".gd-", dir=folder)
        os.close(fd)
        os.unlink(tmp)
    except OSError as err:
        return f"cannot write in {display_name(folder)}: {err.strerror or err}"
    return None


def name_max(folder: Path) -> int:
    """Longest file name (bytes) the file system of ``folder`` accepts."""
    try:
        return int(os.pathconf(folder, "PC_NAME_MAX"))
    except (OSError, ValueError):
        return _FALLBACK_NAME_MAX


def name_too_long(path: Path) -> bool:
    """True when ``path``'s last part is longer than its folder's file system allows."""
    return len(os.fsencode(path.name)) > name_max(
        path.parent if path.parent.is_dir() else Path(".")
    )
