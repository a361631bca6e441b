"""Single instance: in-process server/client pair, stale socket recovery and a real second
process that hands over and exits."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
import tempfile
import textwrap
import uuid
from pathlib import Path

from PySide6.QtNetwork import QLocalServer

from app.ui.desktop.single_instance import SingleInstance, default_key, send_message

ROOT = Path(__file__).resolve().parents[3]


def unique_key() -> str:
    return f"granite-dictate-test-{uuid.uuid4().hex[:10]}"


def test_default_key_is_stable_and_short() -> None:
    assert default_key() == default_key()
    name = os.path.basename(default_key())
    assert name.startswith("granite-dictate-") and len(os.fsencode(default_key())) < 104


def test_the_socket_lives_in_a_private_folder(monkeypatch) -> None:
    runtime = Path(tempfile.mkdtemp(prefix="rt", dir="/tmp"))  # short, like /run/user/1000
    try:
        runtime.chmod(0o755)
        monkeypatch.setenv("XDG_RUNTIME_DIR", str(runtime))
        key = Path(default_key())
        assert key.parent == runtime / "granite-dictate"
        assert stat.S_IMODE(key.parent.stat().st_mode) == 0o700
    finally:
        shutil.rmtree(runtime)
    monkeypatch.delenv("XDG_RUNTIME_DIR")
    key = Path(default_key())  # the data folder, or a checked per-user folder in /tmp
    assert stat.S_IMODE(key.parent.stat().st_mode) == 0o700
    assert key.parent.stat().st_uid == os.getuid()


def test_a_socket_owned_by_another_user_is_refused(tmp_path: Path, qtbot) -> None:
    folder = tmp_path / "run"
    folder.mkdir(mode=0o700)
    key = folder / "granite-dictate-foreign"
    key.write_text("planted by someone else")
    if os.getuid() == 0:
        os.chown(key, 12345, 12345)
    else:  # pragma: no cover - only root can plant a file owned by another user
        return
    guard = SingleInstance(str(key))
    assert guard.acquire() is True  # runs on its own, without handing over to the planted one
    assert not guard.is_primary
    assert key.read_text() == "planted by someone else"  # never removed


def test_each_data_home_is_its_own_instance(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("GRANITE_DICTATE_HOME", raising=False)
    plain = default_key()
    monkeypatch.setenv("GRANITE_DICTATE_HOME", str(tmp_path / "a"))
    first = default_key()
    monkeypatch.setenv("GRANITE_DICTATE_HOME", str(tmp_path / "b"))
    assert len({plain, first, default_key()}) == 3
    monkeypatch.setenv("GRANITE_DICTATE_HOME", str(tmp_path / "a"))
    assert default_key() == first


def test_second_instance_hands_over_in_process(qtbot) -> None:
    key = unique_key()
    first = SingleInstance(key)
    assert first.acquire() and first.is_primary
    second = SingleInstance(key)
    with qtbot.waitSignal(first.message_received, timeout=3000) as blocker:
        assert second.acquire(command="activate", args=["--toggle", "ünïcode"]) is False
    assert blocker.args == ["activate", ["--toggle", "ünïcode"]]
    assert not second.is_primary
    first.close()


def test_malformed_message_is_ignored_then_next_one_works(qtbot) -> None:
    key = unique_key()
    first = SingleInstance(key)
    assert first.acquire()
    received: list[tuple[str, list[str]]] = []
    first.message_received.connect(lambda c, a: received.append((c, a)))
    from PySide6.QtNetwork import QLocalSocket

    sock = QLocalSocket()
    sock.connectToServer(key)
    assert sock.waitForConnected(2000)
    sock.write(b"not json\n")
    sock.waitForBytesWritten(2000)
    sock.disconnectFromServer()
    with qtbot.waitSignal(first.message_received, timeout=3000):
        assert send_message(key, "toggle", [])
    assert received == [("toggle", [])]
    first.close()


def test_no_server_means_send_fails() -> None:
    assert send_message(unique_key(), "activate", [], timeout_ms=200) is False


def test_stale_socket_is_taken_over(qtbot, tmp_path) -> None:
    key = unique_key()
    if sys.platform != "win32":
        # A crashed instance leaves its socket file behind: listening fails until removed.
        stale = QLocalServer()
        assert stale.listen(key)
        socket_path = stale.fullServerName()
        stale.close()
        Path(socket_path).touch()
    inst = SingleInstance(key)
    assert inst.acquire() and inst.is_primary
    assert send_message(key, "ping", [])  # and it answers
    inst.close()


def test_second_process_sends_activate_and_exits(qtbot) -> None:
    key = unique_key()
    first = SingleInstance(key)
    assert first.acquire()
    script = textwrap.dedent(
        f"""
        import sys
        from PySide6.QtCore import QCoreApplication
        from app.ui.desktop.single_instance import SingleInstance
        app = QCoreApplication([])
        primary = SingleInstance({key!r}).acquire("activate", ["from-child"])
        sys.exit(10 if primary else 0)
        """
    )
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT)}
    with qtbot.waitSignal(first.message_received, timeout=20000) as blocker:
        done = subprocess.run(
            [sys.executable, "-c", script], env=env, cwd=ROOT, timeout=60, check=False
        )
    assert done.returncode == 0
    assert blocker.args == ["activate", ["from-child"]]
    first.close()


def test_dropping_the_instance_mid_connection_is_safe(qtbot) -> None:
    # Regression: sockets emit disconnected() from their destructors; with lambda slots that
    # re-entered a half-destroyed object and crashed the process.
    key = unique_key()
    first = SingleInstance(key)
    assert first.acquire()
    with qtbot.waitSignal(first.message_received, timeout=3000):
        assert send_message(key, "activate", [])
    del first
    qtbot.wait(50)  # let Qt deliver the queued socket events to the deleted receiver
