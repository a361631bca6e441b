"""``transcribe --stream``: segments on stdout as they finish, the formats still written."""

from __future__ import annotations

import io
import json

from app.cli.files.stream_lines import SegmentEvent, SegmentLines
from app.cli.listen import format_line
from app.core.text.rules import Rule
from app.core.transcript import Segment
from tests.cli.test_transcribe import lines, run, speech_dir  # noqa: F401  (the fixture)


def test_stream_prints_each_segment_and_still_writes_the_formats(speech_dir, tmp_path) -> None:  # noqa: F811
    out = tmp_path / "out"
    args = ["transcribe", str(speech_dir / "talk.wav"), "--model", "test/fake"]
    args += ["--format", "json", "--output-dir", str(out)]
    proc = run([*args, "--stream"], tmp_path)
    assert proc.returncode == 0, proc.stderr
    segments = json.loads((out / "talk.json").read_text())["segments"]
    assert len(segments) == 2
    expected = [format_line(s["start"], s["end"], s["text"]) for s in segments]
    assert lines(proc.stdout) == expected
    quiet = run([*args, "--output-dir", str(tmp_path / "quiet")], tmp_path)
    assert quiet.returncode == 0 and quiet.stdout == ""


def test_streamed_lines_keep_to_the_first_task_and_apply_the_rules() -> None:
    events = SegmentLines(stream=True, rules=[Rule("granite", "Granite")])
    events.job_segment(3, 1, Segment(0.0, 1.0, "a translation"))
    events.job_segment(3, 0, Segment(1.5, 4.25, "granite  speech\nruns"))
    event = events.q.get_nowait()
    assert isinstance(event, SegmentEvent) and events.q.empty()
    buf = io.StringIO()
    events.print_line(event, buf)
    assert buf.getvalue() == "[1.50-4.25] Granite speech runs\n"
    off = SegmentLines()
    off.job_segment(1, 0, Segment(0.0, 1.0, "x"))
    assert off.q.empty()
