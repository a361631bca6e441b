"""One running app per user: a second launch hands its request to the first and exits.

The first instance listens on a per-user QLocalServer. A later launch connects, sends one line
of JSON ``{"command": "activate", "args": [...]}`` and quits; the first instance emits
``message_received(command, args)``: bring the window to the front for ``activate``; other
commands (e.g. ``toggle`` dictation, for a desktop shortcut on Linux that relaunches the app)
are up to the receiver.

    guard = SingleInstance()
    if not guard.acquire(command="activate", args=sys.argv[1:]):
        return 0                      # the running app took over
    guard.message_received.connect(window.on_instance_message)
"""

from __future__ import annotations

import getpass
import hashlib
import json
import logging
import os
import stat
import tempfile
from pathlib import Path

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtNetwork import QAbstractSocket, QLocalServer, QLocalSocket

from app.core.storage import paths

log = logging.getLogger(__name__)

_CONNECT_TIMEOUT_MS = 800
_MAX_MESSAGE = 64 * 1024
#: Unix socket paths are limited to 104 bytes on macOS (108 on Linux), name included.
_MAX_FOLDER_BYTES = 104 - 1 - len("granite-dictate-0123456789ab")


def default_key() -> str:
    """The socket's full path: a name unique to this user and to ``$GRANITE_DICTATE_HOME``
    when set (a portable install or a test run is its own app), in a private folder
    (:func:`socket_folder`), never a predictable name in a shared ``/tmp``."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (containers)
        user = "user"
    home = paths.home_override()
    if home is not None:
        user += "\0" + str(home.resolve())
    name = "granite-dictate-" + hashlib.sha1(user.encode()).hexdigest()[:12]
    return str(socket_folder() / name)


def socket_folder() -> Path:
    """A folder only this user can enter (0700, owned by us): ``$XDG_RUNTIME_DIR/granite-dictate``
    when there is one, else ``run`` in the data folder, or (when that path is too long for a
    socket) a per-user folder in the temp folder whose owner and mode are checked."""
    runtime = os.environ.get("XDG_RUNTIME_DIR", "")
    candidates = [Path(runtime) / "granite-dictate"] if runtime and os.path.isabs(runtime) else []
    candidates.append(paths.data_dir() / "run")
    candidates.append(Path(tempfile.gettempdir()) / f"granite-dictate-{os.getuid()}")
    for folder in candidates:
        if len(os.fsencode(folder)) > _MAX_FOLDER_BYTES:
            continue
        try:
            folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            st = os.lstat(folder)
            if not stat.S_ISDIR(st.st_mode) or st.st_uid != os.getuid():
                log.warning("Not using %s for the single-instance socket: not ours", folder)
                continue
            if stat.S_IMODE(st.st_mode) != 0o700:
                folder.chmod(0o700)
            return folder
        except OSError as err:
            log.info("single-instance folder %s: %s", folder, err)
    raise OSError("no private folder for the single-instance socket")


def _foreign(key: str) -> bool:
    """True when a file at ``key`` exists and belongs to someone else: never talk to it."""
    try:
        return os.lstat(key).st_uid != os.getuid()
    except OSError:
        return False


def send_message(
    key: str, command: str, args: list[str], timeout_ms: int = _CONNECT_TIMEOUT_MS
) -> bool:
    """Deliver one message to a running instance; False if none answers."""
    sock = QLocalSocket()
    sock.connectToServer(key)
    if not sock.waitForConnected(timeout_ms):
        return False
    line = json.dumps({"command": command, "args": args}, ensure_ascii=False) + "\n"
    sock.write(line.encode("utf-8"))
    ok = sock.waitForBytesWritten(timeout_ms)
    sock.disconnectFromServer()
    if sock.state() != QLocalSocket.LocalSocketState.UnconnectedState:
        sock.waitForDisconnected(timeout_ms)
    return ok


class SingleInstance(QObject):
    message_received = Signal(str, list)

    def __init__(self, key: str | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        if key is None:
            try:
                key = default_key()
            except OSError as err:
                log.warning("%s; running without single-instance handover", err)
                key = ""
        self.key = key
        self._server: QLocalServer | None = None
        self._buffers: dict[QLocalSocket, bytes] = {}

    @property
    def is_primary(self) -> bool:
        return self._server is not None

    def acquire(self, command: str = "activate", args: list[str] | None = None) -> bool:
        """True: we are the only instance and now listen. False: another instance is running
        and received ``command``; the caller should exit."""
        if not self.key:
            return True
        if os.path.isabs(self.key) and _foreign(self.key):
            log.warning("Refusing single-instance socket %s: owned by another user", self.key)
            return True
        if self._listen():
            return True
        if send_message(self.key, command, list(args or [])):
            log.info("Another instance is running; sent %r to it", command)
            return False
        # Nobody answered: a socket left behind by a crash. Remove it and take over.
        QLocalServer.removeServer(self.key)
        if self._listen():
            return True
        log.warning("Single-instance socket unavailable; running without it")
        return True

    def close(self) -> None:
        for sock in list(self._buffers):
            sock.disconnected.disconnect(self._on_disconnected)
            sock.readyRead.disconnect(self._on_ready_read)
            sock.abort()
            sock.deleteLater()
        self._buffers.clear()
        if self._server is not None:
            self._server.close()
            self._server.deleteLater()
            self._server = None

    def _listen(self) -> bool:
        # No socket options: with them Qt creates the socket elsewhere and renames it over an
        # existing one, so a second instance would steal the name instead of failing. Access
        # stays per-user anyway (umask on Linux, the per-user $TMPDIR on macOS).
        server = QLocalServer(self)
        if not server.listen(self.key):
            if server.serverError() != QAbstractSocket.SocketError.AddressInUseError:
                log.info("QLocalServer.listen(%s): %s", self.key, server.errorString())
            server.deleteLater()
            return False
        server.newConnection.connect(self._on_new_connection)
        self._server = server
        return True

    @Slot()
    def _on_new_connection(self) -> None:
        assert self._server is not None
        while self._server.hasPendingConnections():
            sock = self._server.nextPendingConnection()
            self._buffers[sock] = b""
            # Bound slots, not lambdas: Qt drops them when this object is destroyed, before
            # the sockets' destructors emit disconnected().
            sock.readyRead.connect(self._on_ready_read)
            sock.disconnected.connect(self._on_disconnected)
            self._read(sock)

    @Slot()
    def _on_ready_read(self) -> None:
        sock = self.sender()
        if isinstance(sock, QLocalSocket):
            self._read(sock)

    @Slot()
    def _on_disconnected(self) -> None:
        sock = self.sender()
        if isinstance(sock, QLocalSocket):
            self._finish(sock)

    def _read(self, sock: QLocalSocket) -> None:
        if sock not in self._buffers:
            return
        data = self._buffers[sock] + bytes(sock.readAll().data())
        while b"\n" in data:
            line, data = data.split(b"\n", 1)
            self._dispatch(line)
        if len(data) > _MAX_MESSAGE:
            log.warning("Dropping an oversized single-instance message")
            data = b""
        self._buffers[sock] = data

    def _finish(self, sock: QLocalSocket) -> None:
        self._read(sock)
        rest = self._buffers.pop(sock, b"")
        if rest.strip():
            self._dispatch(rest)
        sock.deleteLater()

    def _dispatch(self, line: bytes) -> None:
        try:
            message = json.loads(line.decode("utf-8"))
            command = str(message["command"])
            args = [str(a) for a in message.get("args", [])]
        except (ValueError, KeyError, TypeError, AttributeError):
            log.warning("Ignoring a malformed single-instance message")
            return
        self.message_received.emit(command, args)
