"""``--rules FILE`` on ``transcribe``: applied to every segment of every output; a bad file is
a one-line usage error naming the line."""

from __future__ import annotations

from pathlib import Path

from app.core.text import export
from tests.cli.test_transcribe import lines, run, speech_dir  # noqa: F401  (fixture)


def test_rules_apply_to_every_output(speech_dir, tmp_path) -> None:  # noqa: F811
    rules = tmp_path / "my.rules"
    rules.write_text("# fake engine words\nspeech => SPEECH\nre:level(\\d+) => L\\1\n", "utf-8")
    out = tmp_path / "out"
    proc = run(
        [
            "transcribe",
            str(speech_dir / "short.flac"),
            "--model",
            "test/fake",
            "--format",
            "txt,srt",
            "--output-dir",
            str(out),
            "--rules",
            str(rules),
        ],
        tmp_path,
    )
    assert proc.returncode == 0, proc.stderr
    txt = (out / "short.txt").read_text(encoding="utf-8")
    assert txt.startswith("SPEECH ") and " L" in txt and "level" not in txt
    srt = export.parse_srt((out / "short.srt").read_text(encoding="utf-8"))
    assert srt and all(s.text.startswith("SPEECH ") for s in srt)


def test_bad_rules_file_is_a_usage_error(speech_dir, tmp_path: Path) -> None:  # noqa: F811
    rules = tmp_path / "bad.rules"
    rules.write_text("ok => fine\nre:x( => y\n", "utf-8")
    proc = run(["transcribe", str(speech_dir / "short.flac"), "--rules", str(rules)], tmp_path)
    assert proc.returncode == 2
    [line] = lines(proc.stderr)
    assert "bad.rules, line 2: Bad regular expression 'x('" in line
    missing = run(["transcribe", str(speech_dir / "short.flac"), "--rules", "nope"], tmp_path)
    assert missing.returncode == 2 and "Rules file nope: No such file" in missing.stderr


def test_listen_checks_its_rules_file_before_anything_else(tmp_path: Path) -> None:
    proc = run(["listen", "--rules", str(tmp_path / "none.rules")], tmp_path)
    assert proc.returncode == 2
    assert "none.rules: No such file or directory." in proc.stderr
