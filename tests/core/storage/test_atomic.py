"""app.core.storage.atomic: durable, private, atomic writes (mode, symlinks, long names, stale
temps)."""

from __future__ import annotations

import os
import stat
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.core.storage import atomic


@pytest.fixture
def open_umask() -> Iterator[None]:
    old = os.umask(0)
    yield
    os.umask(old)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_new_files_are_private_whatever_the_umask(tmp_path: Path, open_umask: None) -> None:
    path = atomic.write_text_atomic(tmp_path / "new" / "notes.txt", "secret")
    assert _mode(path) == 0o600 and path.read_text() == "secret"


def test_an_existing_file_keeps_its_mode(tmp_path: Path) -> None:
    path = tmp_path / "shared.txt"
    path.write_text("old")
    path.chmod(0o644)
    atomic.write_text_atomic(path, "new")
    assert _mode(path) == 0o644 and path.read_text() == "new"


def test_a_symlink_is_written_through(tmp_path: Path) -> None:
    real = tmp_path / "real.txt"
    real.write_text("old")
    link = tmp_path / "link.txt"
    link.symlink_to(real)
    atomic.write_text_atomic(link, "new")
    assert link.is_symlink() and real.read_text() == "new"


def test_a_255_byte_name_can_be_written(tmp_path: Path) -> None:
    path = tmp_path / ("n" * 251 + ".txt")
    atomic.write_text_atomic(path, "ok")
    assert path.read_text() == "ok"


def test_a_failed_write_keeps_the_old_file_and_leaves_no_temp(tmp_path: Path) -> None:
    path = tmp_path / "keep.txt"
    path.write_text("old")

    with pytest.raises(TypeError):
        atomic.write_bytes_atomic(path, "not bytes")  # type: ignore[arg-type]
    assert path.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["keep.txt"]


def test_stale_temps_are_cleaned(tmp_path: Path) -> None:
    stale = tmp_path / ".gd-abc.part"
    stale.write_text("half")
    old = time.time() - 3600
    os.utime(stale, (old, old))
    fresh = tmp_path / ".gd-new.part"
    fresh.write_text("writing now")
    other = tmp_path / ".hidden"
    other.write_text("not ours")
    assert atomic.clean_stale_temps(tmp_path) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == [".gd-new.part", ".hidden"]


def test_private_dir_is_0700(tmp_path: Path, open_umask: None) -> None:
    folder = atomic.private_dir(tmp_path / "a" / "b")
    assert _mode(folder) == 0o700
