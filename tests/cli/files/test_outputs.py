"""app.cli.files.outputs: one line per failure, fallback file on a failed write, silenced
streams."""

from __future__ import annotations

import errno
import io
from pathlib import Path

from app.cli.files import outputs
from app.core.errors import AudioDecodeError
from app.core.text.export import write_result
from app.core.transcript import Segment, Task, TaskSpec, TranscriptResult


def _result() -> TranscriptResult:
    return TranscriptResult(
        spec=TaskSpec(Task.TRANSCRIBE), segments=[Segment(0.0, 1.0, "hello")], duration=1.0
    )


def test_any_exception_gives_one_line_naming_the_file() -> None:
    assert outputs.failure_line("a.wav", MemoryError()) == (
        "a.wav: not enough memory to finish it; close other programs or split the file."
    )
    assert outputs.failure_line("a.wav", AudioDecodeError("a.wav is damaged.")) == (
        "a.wav: a.wav is damaged."
    )
    line = outputs.failure_line("b\udcff.wav", ValueError("x\ny"))
    assert line == "b\ufffd.wav: unexpected error (ValueError: x y)."
    assert outputs.failure_line("c.wav", OSError(errno.EIO, "Input/output error")).endswith(
        "Input/output error"
    )


def test_a_failed_write_goes_to_the_fallback_folder_and_is_named(tmp_path: Path) -> None:
    def disk_full_for_out(result: TranscriptResult, path: Path, fmt: str) -> Path:
        if path.parent.name == "out":
            raise OSError(errno.ENOSPC, "No space left on device")
        return write_result(result, path, fmt)

    paths = {"txt": tmp_path / "out" / "talk.txt", "srt": tmp_path / "out" / "talk.srt"}
    written, problems = outputs.write_outputs(
        _result(), paths, disk_full_for_out, lambda: tmp_path / "data" / "unsaved"
    )
    assert written == []
    assert problems == [
        f"cannot write talk.txt (No space left on device); saved it to "
        f"{tmp_path / 'data' / 'unsaved' / 'talk.txt'}",
        f"cannot write talk.srt (No space left on device); saved it to "
        f"{tmp_path / 'data' / 'unsaved' / 'talk.srt'}",
    ]
    assert "hello" in (tmp_path / "data" / "unsaved" / "talk.srt").read_text()


def test_a_broken_stream_is_silenced_not_raised(tmp_path: Path) -> None:
    class Broken(io.StringIO):
        def write(self, s: str) -> int:
            raise BrokenPipeError(errno.EPIPE, "Broken pipe")

    stream = Broken()
    assert outputs.emit("x\n", stream) is False
    assert outputs.emit("y\n", stream) is False
    good = io.StringIO()
    assert outputs.emit("caf\udce9\n", good) and good.getvalue() == "caf\ufffd\n"
