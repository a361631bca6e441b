"""A multipart/form-data body streamed into fields and ONE private temp file (python-multipart).

The file part goes straight to disk (``mkstemp``: mode 0600, in a 0700 folder of its own),
never into memory; other fields are small text (at most ``MAX_FIELD_BYTES`` each). The whole
body is capped at ``max_bytes`` while it streams (``UploadTooLarge``); the caller deletes the
folder (``Upload.discard``) when the job is over, whatever happened.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header

MAX_FIELD_BYTES = 64 * 1024
MAX_FIELDS = 200


class UploadTooLarge(Exception):
    """The body is over the server's limit (HTTP 413)."""


class BadForm(Exception):
    """Not a usable multipart/form-data body (HTTP 400); ``str`` is the one-line reason."""


@dataclass
class Upload:
    fields: list[tuple[str, str]] = field(default_factory=list)
    file_field: str = ""
    filename: str = ""
    path: Path | None = None
    size: int = 0
    folder: Path | None = None

    def values(self, name: str) -> list[str]:
        """Every value of a field (``name`` and ``name[]`` both count: OpenAI's clients send
        arrays as ``name[]``)."""
        return [v for k, v in self.fields if k in (name, f"{name}[]")]

    def value(self, name: str) -> str | None:
        found = self.values(name)
        return found[-1] if found else None

    def discard(self) -> None:
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)
            self.folder = None


class _Parts:
    """python-multipart callbacks: the current part's headers, then its data."""

    def __init__(self, upload: Upload) -> None:
        self.upload = upload
        self.header_name = b""
        self.header_value = b""
        self.disposition = b""
        self.name = ""
        self.data = bytearray()
        self.file: IO[bytes] | None = None

    def on_part_begin(self) -> None:
        self.disposition, self.data, self.file = b"", bytearray(), None

    def on_header_field(self, data: bytes, start: int, end: int) -> None:
        self.header_name += data[start:end]

    def on_header_value(self, data: bytes, start: int, end: int) -> None:
        self.header_value += data[start:end]

    def on_header_end(self) -> None:
        if self.header_name.lower() == b"content-disposition":
            self.disposition = self.header_value
        self.header_name, self.header_value = b"", b""

    def on_headers_finished(self) -> None:
        _, options = parse_options_header(self.disposition)
        if b"name" not in options:
            raise BadForm("A form part has no name.")
        self.name = options[b"name"].decode("utf-8", "replace")
        if b"filename" in options:
            up = self.upload
            if up.path is not None:
                raise BadForm("Send one file per request.")
            up.folder = Path(tempfile.mkdtemp(prefix="granite-upload-"))  # 0700
            fd, tmp = tempfile.mkstemp(dir=up.folder, suffix=_suffix(options[b"filename"]))
            up.path, up.file_field = Path(tmp), self.name
            up.filename = options[b"filename"].decode("utf-8", "replace")
            self.file = os.fdopen(fd, "wb")

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        if self.file is not None:
            self.file.write(data[start:end])
            self.upload.size += end - start
        else:
            self.data += data[start:end]
            if len(self.data) > MAX_FIELD_BYTES:
                raise BadForm(f"The field '{self.name}' is too long.")

    def on_part_end(self) -> None:
        if self.file is not None:
            self.file.close()
            self.file = None
        else:
            if len(self.upload.fields) >= MAX_FIELDS:
                raise BadForm("Too many form fields.")
            self.upload.fields.append((self.name, self.data.decode("utf-8", "replace")))

    def close(self) -> None:
        if self.file is not None:
            self.file.close()


def _suffix(filename: bytes) -> str:
    """The upload's extension (a hint for the decoder), letters and digits only."""
    ext = Path(filename.decode("utf-8", "replace")).suffix.lower()
    return ext if 1 < len(ext) <= 8 and ext[1:].isalnum() else ""


async def receive_form(
    content_type: str | None, stream: AsyncIterator[bytes], max_bytes: int
) -> Upload:
    """Parse the body; raises ``BadForm`` or ``UploadTooLarge`` (the temp file is then gone)."""
    kind, params = parse_options_header(content_type)
    if kind != b"multipart/form-data" or b"boundary" not in params:
        raise BadForm("Send the audio as multipart/form-data with a 'file' field.")
    upload = Upload()
    parts = _Parts(upload)
    parser = MultipartParser(
        params[b"boundary"],
        {
            "on_part_begin": parts.on_part_begin,
            "on_part_data": parts.on_part_data,
            "on_part_end": parts.on_part_end,
            "on_header_field": parts.on_header_field,
            "on_header_value": parts.on_header_value,
            "on_header_end": parts.on_header_end,
            "on_headers_finished": parts.on_headers_finished,
        },
    )
    received = 0
    try:
        async for chunk in stream:
            received += len(chunk)
            if received > max_bytes:
                raise UploadTooLarge()
            parser.write(chunk)
        parser.finalize()
    except MultipartParseError as err:
        parts.close()
        upload.discard()
        raise BadForm(f"Malformed multipart body ({' '.join(str(err).split())}).") from None
    except BaseException:
        parts.close()
        upload.discard()
        raise
    return upload
