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

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtNetwork import QAbstractSocket, QLocalServer, QLocalSocket

from app.core import paths

log = logging.getLogger(__name__)

_CONNECT_TIMEOUT_MS = 800
_MAX_MESSAGE = 64 * 1024


def default_key() -> str:
    """A socket name unique to this user (other users on the Mac run their own instance) and
    to ``$GRANITE_DICTATE_HOME`` when set (a portable install or a test run is its own app)."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (containers)
        user = "user"
    home = paths.home_override()
    if home is not None:
        user += "\0" + str(home.resolve())
    return "granite-dictate-" + hashlib.sha1(user.encode()).hexdigest()[:12]


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
        self.key = key or default_key()
        self._server: QLocalServer | None = None
        self._buffers: dict[QLocalSocket, bytes] = {}

    @property
    def is_primary(self) -> bool:
        return self._server is not None

    def acquire(self, command: str = "activate", args: list[str] | None = None) -> bool:
        """True: we are the only instance and now listen. False: another instance is running
        and received ``command``; the caller should exit."""
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
