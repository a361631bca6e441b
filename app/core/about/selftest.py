"""Self-test results (``python -m app --self-test``): one line per check, and a JSON report.

The checks live in their layers (``app.engine.diagnostics``, ``app.system.diagnostics``, the
folder check here); ``app.cli.self_test`` runs them in order and writes the report.
"""

from __future__ import annotations

import enum
import json
import os
import platform
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from app.core.storage import atomic, paths

NOT_ON_MACOS = "not on macOS"


class Status(enum.Enum):
    PASS = "pass"
    FAIL = "fail"
    SKIP = "skip"  # does not apply here (e.g. "not on macOS")


@dataclass
class CheckResult:
    name: str
    status: Status
    reason: str
    data: dict[str, Any] = field(default_factory=dict)

    def line(self) -> str:
        mark = {Status.PASS: "PASS", Status.FAIL: "FAIL", Status.SKIP: "SKIP"}[self.status]
        return f"{mark}  {self.name}: {self.reason}"


def passed(name: str, reason: str, **data: Any) -> CheckResult:
    return CheckResult(name, Status.PASS, reason, data)


def failed(name: str, reason: str, **data: Any) -> CheckResult:
    return CheckResult(name, Status.FAIL, reason, data)


def skipped(name: str, reason: str = NOT_ON_MACOS, **data: Any) -> CheckResult:
    return CheckResult(name, Status.SKIP, reason, data)


def guarded(name: str, check: Callable[[], CheckResult]) -> CheckResult:
    """Run one check; an unexpected exception is that check's failure, never a traceback."""
    try:
        return check()
    except Exception as err:  # the report must go on to the next check
        detail = " ".join(str(err).split())[:300]
        return failed(name, f"{type(err).__name__}: {detail}" if detail else type(err).__name__)


@dataclass
class Report:
    results: list[CheckResult] = field(default_factory=list)
    started: float = field(default_factory=time.time)

    def add(self, result: CheckResult) -> CheckResult:
        self.results.append(result)
        return result

    @property
    def ok(self) -> bool:
        return all(r.status is not Status.FAIL for r in self.results)

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "started": time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime(self.started)),
            "seconds": round(time.time() - self.started, 2),
            "system": {
                "platform": sys.platform,
                "machine": platform.machine(),
                "release": platform.mac_ver()[0] or platform.release(),
                "python": platform.python_version(),
                "frozen": bool(getattr(sys, "frozen", False)),
                "executable": sys.executable,
            },
            "checks": [{**asdict(r), "status": r.status.value} for r in self.results],
        }

    def write_json(self, path: Path) -> None:
        """Durable and private (``app.core.storage.atomic``: temp file, fsync, rename)."""
        text = json.dumps(self.to_dict(), indent=2, default=str) + "\n"
        atomic.write_text_atomic(path, text)


def folders_writable(extra: Iterable[tuple[str, Path]] = ()) -> CheckResult:
    """Each of the app's data folders takes a file (written, read back, removed)."""
    folders = [
        ("config", paths.config_dir()),
        ("data", paths.data_dir()),
        ("logs", paths.log_dir()),
        ("transcripts", paths.autosave_dir()),
        ("recordings", paths.recordings_dir()),
        *extra,
    ]
    problems, seen = [], {}
    for name, folder in folders:
        seen[name] = str(folder)
        try:
            folder.mkdir(parents=True, exist_ok=True)
            probe = folder / f".self-test-{os.getpid()}"
            probe.write_bytes(b"ok")
            if probe.read_bytes() != b"ok":
                raise OSError("read back differs")
            probe.unlink()
        except OSError as err:
            problems.append(f"{name} ({folder}): {err.strerror or err}")
    if problems:
        return failed("data folders", "; ".join(problems), folders=seen)
    return passed("data folders", f"{len(folders)} folders writable", folders=seen)
