"""The one durable, private file writer: every file the app writes about the user goes here.

``write_bytes_atomic(path, data)``: the data goes to a temporary file with a short name
(``.gd-XXXXXXXX.part``, so a 255-byte target name still works) in the target's folder, is
flushed and fsynced, gets its mode (an existing file's mode is kept; new files are 0600
whatever the umask), is renamed over the target, and the folder is fsynced so the rename
survives a power cut. A symbolic link is written through (its target is replaced, the link
stays). ``clean_stale_temps(folder)`` removes temporary files a crash left behind;
``private_dir(path)`` makes a folder (0700) for the app's own data.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import time
from pathlib import Path

from app.core.storage.files import printable

TEMP_PREFIX = ".gd-"
TEMP_SUFFIX = ".part"
PRIVATE_FILE = 0o600
PRIVATE_DIR = 0o700
PathArg = str | os.PathLike[str]


def private_dir(path: PathArg) -> Path:
    """Create ``path`` (and parents) if needed and make it 0700; returns it."""
    folder = Path(path)
    folder.mkdir(parents=True, exist_ok=True, mode=PRIVATE_DIR)
    with contextlib.suppress(OSError):  # a folder we do not own keeps its mode
        if folder.stat().st_mode & 0o777 != PRIVATE_DIR:
            folder.chmod(PRIVATE_DIR)
    return folder


def fsync_dir(folder: PathArg) -> None:
    """Make a rename or creation in ``folder`` durable (no-op where folders cannot be opened)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def target_of(path: PathArg) -> Path:
    """``path``, or the file a symbolic link at ``path`` points to (followed to the end)."""
    p = Path(path)
    return Path(os.path.realpath(p)) if p.is_symlink() else p


def write_bytes_atomic(path: PathArg, data: bytes, *, mode: int | None = None) -> Path:
    """Replace ``path`` with ``data`` atomically and durably; returns the file written.

    ``mode``: for a new file (default 0600); an existing file keeps its own.
    """
    target = target_of(path)
    folder = target.parent
    folder.mkdir(parents=True, exist_ok=True, mode=PRIVATE_DIR)
    try:
        perm = target.stat().st_mode & 0o7777
    except FileNotFoundError:
        perm = PRIVATE_FILE if mode is None else mode
    fd, tmp = tempfile.mkstemp(prefix=TEMP_PREFIX, suffix=TEMP_SUFFIX, dir=folder)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
            os.fchmod(fh.fileno(), perm)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    fsync_dir(folder)
    return target


def write_text_atomic(path: PathArg, text: str, *, mode: int | None = None) -> Path:
    """UTF-8 text (undecodable file-name bytes as U+FFFD) through :func:`write_bytes_atomic`."""
    return write_bytes_atomic(path, printable(text).encode("utf-8"), mode=mode)


def publish_atomic(tmp: PathArg, path: PathArg, *, mode: int | None = None) -> Path:
    """Move a finished temporary file (made by :func:`temp_path`) over ``path`` durably."""
    target = target_of(path)
    try:
        perm = target.stat().st_mode & 0o7777
    except FileNotFoundError:
        perm = PRIVATE_FILE if mode is None else mode
    fd = os.open(tmp, os.O_RDONLY)
    try:
        os.fsync(fd)
        os.fchmod(fd, perm)
    finally:
        os.close(fd)
    os.replace(tmp, target)
    fsync_dir(target.parent)
    return target


def temp_path(path: PathArg, suffix: str = "") -> Path:
    """A new, empty private temporary file beside ``path`` (for writers that need a name)."""
    target = target_of(path)
    target.parent.mkdir(parents=True, exist_ok=True, mode=PRIVATE_DIR)
    fd, tmp = tempfile.mkstemp(prefix=TEMP_PREFIX, suffix=suffix + TEMP_SUFFIX, dir=target.parent)
    os.close(fd)
    return Path(tmp)


def clean_app_temps(folders: list[Path]) -> int:
    """:func:`clean_stale_temps` in each of the app's folders (at start-up); never raises."""
    return sum(clean_stale_temps(f) for f in folders)


def clean_stale_temps(folder: PathArg, older_than_s: float = 600.0) -> int:
    """Delete this writer's temporary files in ``folder`` older than ``older_than_s`` (left by
    a crash mid-write); returns how many."""
    removed = 0
    cutoff = time.time() - older_than_s
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return 0
    for entry in entries:
        if entry.name.startswith(TEMP_PREFIX) and entry.name.endswith(TEMP_SUFFIX):
            with contextlib.suppress(OSError):
                if entry.is_file(follow_symlinks=False) and entry.stat().st_mtime < cutoff:
                    os.unlink(entry.path)
                    removed += 1
    return removed
