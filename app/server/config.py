"""Server options and the one rule about addresses: loopback unless there is an API key."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from app.core.errors import UsageError

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765
DEFAULT_MAX_UPLOAD_MB = 500
DEFAULT_MAX_QUEUE = 8


def is_loopback(host: str) -> bool:
    """``localhost``, 127.0.0.0/8 and ::1; anything else (0.0.0.0, a LAN address) is not."""
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True)
class ServerConfig:
    """What ``serve`` was asked for. ``model_id`` is what /v1/models reports."""

    model_id: str
    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    api_key: str | None = None
    max_upload_mb: float = DEFAULT_MAX_UPLOAD_MB
    max_queue: int = DEFAULT_MAX_QUEUE

    @property
    def max_upload_bytes(self) -> int:
        return int(self.max_upload_mb * 1024 * 1024)

    def validate(self) -> None:
        if not is_loopback(self.host) and not self.api_key:
            raise UsageError(
                f"--host {self.host} would expose the server beyond this computer: "
                "give --api-key KEY too (clients then send 'Authorization: Bearer KEY')."
            )
        if not 0 <= self.port <= 65535:
            raise UsageError("--port must be between 0 and 65535.")
        if not self.max_upload_mb > 0:
            raise UsageError("--max-upload-mb must be more than 0.")
        if self.max_queue < 1:
            raise UsageError("--max-queue must be at least 1.")

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}/v1"
