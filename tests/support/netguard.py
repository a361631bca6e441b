"""A guard that fails on any network socket other than AF_UNIX or loopback.

``install(log)`` patches ``socket`` so that connecting, binding or sending to a non-loopback
address, or resolving a host name other than ``localhost``, raises ``OSError`` and appends a
line to ``log``. Child processes get it through ``tests/support/netguard_site`` on
``PYTHONPATH`` (its ``sitecustomize`` installs it when ``NETGUARD_LOG`` is set).
"""

from __future__ import annotations

import errno
import ipaddress
import socket
from collections.abc import Callable
from pathlib import Path
from typing import Any

_LOCAL_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost"}


def _local(host: object) -> bool:
    if host is None:
        return True
    name = host.decode() if isinstance(host, bytes) else str(host)
    if name in _LOCAL_NAMES or name == "":
        return True
    try:
        return ipaddress.ip_address(name.split("%")[0]).is_loopback
    except ValueError:
        return False


def install(log: str | Path) -> Callable[[], None]:
    """Install the guard; returns a function that removes it."""
    log_path = Path(log)
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex
    real_bind = socket.socket.bind
    real_sendto = socket.socket.sendto
    real_getaddrinfo = socket.getaddrinfo

    def refuse(what: str) -> OSError:
        with open(log_path, "a", encoding="utf-8") as f:
            f.write(what + "\n")
        return OSError(errno.ENETUNREACH, f"network access blocked by the test guard: {what}")

    def check(sock: socket.socket, address: Any, what: str) -> None:
        if sock.family == socket.AF_UNIX:
            return
        host = address[0] if isinstance(address, tuple) else address
        if not _local(host):
            raise refuse(f"{what} {address!r}")

    def connect(self: socket.socket, address: Any) -> None:
        check(self, address, "connect")
        real_connect(self, address)

    def connect_ex(self: socket.socket, address: Any) -> int:
        check(self, address, "connect")
        return real_connect_ex(self, address)

    def bind(self: socket.socket, address: Any) -> None:
        if (
            self.family != socket.AF_UNIX
            and isinstance(address, tuple)
            and address[0] in ("", "0.0.0.0", "::")
        ):
            raise refuse(f"bind {address!r}")
        check(self, address, "bind")
        real_bind(self, address)

    def sendto(self: socket.socket, *args: Any) -> int:
        check(self, args[-1], "sendto")
        return int(real_sendto(self, *args))

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        if not _local(host):
            raise refuse(f"resolve {host!r}")
        return real_getaddrinfo(host, *args, **kwargs)

    socket.socket.connect = connect  # type: ignore[method-assign, assignment]
    socket.socket.connect_ex = connect_ex  # type: ignore[method-assign, assignment]
    socket.socket.bind = bind  # type: ignore[method-assign, assignment]
    socket.socket.sendto = sendto  # type: ignore[assignment]
    socket.getaddrinfo = getaddrinfo

    def uninstall() -> None:
        socket.socket.connect = real_connect  # type: ignore[method-assign]
        socket.socket.connect_ex = real_connect_ex  # type: ignore[method-assign]
        socket.socket.bind = real_bind  # type: ignore[method-assign]
        socket.socket.sendto = real_sendto  # type: ignore[method-assign]
        socket.getaddrinfo = real_getaddrinfo

    return uninstall
