"""Decode audio and video files to mono float32 16 kHz with PyAV, streamed in bounded blocks.

Policy for damaged files: packets that fail to decode are skipped (like ffmpeg does) and a
warning is logged; a read error ends the stream. Whatever decoded before is returned, so a
truncated file gives its partial audio. Only when nothing at all could be decoded from a file
that had errors is :class:`AudioDecodeError` raised. A valid file with zero samples (a
header-only wav) gives an empty array. Output is clipped to [-1, 1] (float wav values beyond
full scale are clipped, as is resampler overshoot).
"""

from __future__ import annotations

import logging
import os
import stat
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import av
import numpy as np
import numpy.typing as npt

from app.audio.files import limits
from app.audio.files.collect import collect_blocks
from app.audio.resample import TARGET_RATE, MonoResampler, frame_to_mono
from app.core.errors import AudioDecodeError, CancelledError

log = logging.getLogger(__name__)

SUPPORTED_EXTENSIONS: frozenset[str] = frozenset(
    {
        ".wav", ".wave", ".flac", ".mp3", ".ogg", ".oga", ".opus", ".m4a", ".m4b", ".aac",
        ".aif", ".aiff", ".aifc", ".caf", ".wma", ".ac3", ".amr", ".mka", ".weba",
        ".mp4", ".mov", ".m4v", ".webm", ".mkv", ".avi", ".3gp", ".ts", ".mpg", ".mpeg",
    }
)  # fmt: skip

PathArg = str | os.PathLike[str]
Cancel = Callable[[], bool]
Audio = npt.NDArray[np.float32]

#: Give up after this many packets in a row fail to decode with nothing decoded in between.
_MAX_CONSECUTIVE_ERRORS = 200
#: FFmpeg demuxers for text art, which accept almost any bytes: never audio.
_TEXT_FORMATS = frozenset({"tty", "bin", "xbin", "adf", "idf"})
_DECODE_ERRORS = (av.error.FFmpegError, ValueError, OSError, RuntimeError, EOFError)


@dataclass(frozen=True)
class AudioInfo:
    """What :func:`probe` learns from the container without decoding the audio."""

    duration_s: float | None
    sample_rate: int
    channels: int
    codec: str
    container: str


def is_supported(path: PathArg) -> bool:
    """True when the file name has an extension we expect to decode (content is not checked)."""
    return os.path.splitext(os.fspath(path))[1].lower() in SUPPORTED_EXTENSIONS


def probe(path: PathArg) -> AudioInfo:
    """Describe the audio track of ``path``; raises :class:`AudioDecodeError`."""
    with _Source(path) as src:
        return src.info


def iter_decode(
    path: PathArg, *, block_s: float = 10.0, cancel: Cancel | None = None
) -> Iterator[Audio]:
    """Yield mono float32 16 kHz blocks of ``block_s`` seconds (the last one shorter).

    The file is opened (and bad files rejected) when this is called, not on the first ``next``.
    ``cancel()`` is polled between packets; when it returns True, :class:`CancelledError`.
    """
    if not block_s > 0:
        raise ValueError(f"block_s must be positive, got {block_s}")
    src = _Source(path)
    return _closing(src, src.blocks(max(1, round(block_s * TARGET_RATE)), cancel))


def decode_file(
    path: PathArg,
    *,
    on_progress: Callable[[float, float | None], None] | None = None,
    cancel: Cancel | None = None,
) -> Audio:
    """Decode the whole file to one mono float32 16 kHz array in [-1, 1].

    ``on_progress(seconds_decoded, duration_s_or_None)`` is called after every few seconds of
    audio and once at the end. Memory: one array sized from the probed duration (grown
    geometrically if the estimate is short, trimmed at the end) plus small buffers.
    """
    with _Source(path) as src:
        return collect_blocks(
            src.blocks(5 * TARGET_RATE, cancel), src.info.duration_s, src.name, on_progress
        )


def _closing(src: _Source, blocks: Iterator[Audio]) -> Iterator[Audio]:
    with src:
        yield from blocks


class _Source:
    """One opened container and its chosen audio stream."""

    def __init__(self, path: PathArg) -> None:
        self.path = os.fspath(path)
        self.name = os.path.basename(self.path) or self.path
        _check_file(self.path, self.name)
        try:
            self._container: Any = av.open(self.path, mode="r")
        except av.error.InvalidDataError:
            raise AudioDecodeError(
                f"{self.name} is not a readable audio or video file (unknown format, damaged or "
                "truncated)."
            ) from None
        except av.error.EOFError:
            raise AudioDecodeError(
                f"{self.name} is truncated or damaged: it ends before any audio."
            ) from None
        except _DECODE_ERRORS as e:
            raise AudioDecodeError(f"{self.name} cannot be opened: {_reason(e)}") from None
        try:
            self._stream = self._pick_stream()
            self.info = self._describe()
            limits.check_format(self.name, self.info.sample_rate, self.info.channels)
            self.max_s = limits.max_source_seconds(
                limits.file_size(self.path), self.info.duration_s
            )
        except BaseException:
            self.close()
            raise

    def __enter__(self) -> _Source:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        try:
            self._container.close()
        except _DECODE_ERRORS as e:  # pragma: no cover - closing a reader rarely fails
            log.debug("closing %s: %s", self.path, e)

    def _pick_stream(self) -> Any:
        streams = self._container.streams
        if self._container.format.name in _TEXT_FORMATS:
            raise AudioDecodeError(f"{self.name} is not an audio or video file.")
        if not streams.audio:
            kind = "video file" if streams.video else "file"
            raise AudioDecodeError(f"{self.name} has no audio track (it is a {kind}).")
        try:
            best = streams.best("audio")
        except _DECODE_ERRORS:
            best = None
        stream = best if best is not None else streams.audio[0]
        ctx = stream.codec_context
        if ctx is None or ctx.codec is None or ctx.name in ("", "none"):
            tag = getattr(ctx, "codec_tag", "") if ctx is not None else ""
            raise AudioDecodeError(
                f"{self.name} uses an audio codec that cannot be decoded"
                f"{f' ({tag})' if tag else ''}; it may be unsupported or DRM-protected."
            )
        return stream

    def _describe(self) -> AudioInfo:
        s = self._stream
        ctx = s.codec_context
        duration: float | None = None
        if s.duration is not None and s.time_base is not None and s.duration > 0:
            duration = float(s.duration * s.time_base)
        elif self._container.duration is not None and self._container.duration > 0:
            duration = self._container.duration / av.time_base
        return AudioInfo(
            duration_s=duration,
            sample_rate=int(ctx.sample_rate or 0),
            channels=int(ctx.channels or 0),
            codec=str(ctx.name),
            container=str(self._container.format.name),
        )

    def blocks(self, block_n: int, cancel: Cancel | None) -> Iterator[Audio]:
        """Decoded, resampled audio in blocks of exactly ``block_n`` samples (last shorter)."""
        pending: list[Audio] = []
        held = 0
        total = 0
        for chunk in self._chunks(cancel):
            pending.append(chunk)
            held += chunk.size
            while held >= block_n:
                buf = np.concatenate(pending) if len(pending) > 1 else pending[0]
                yield np.clip(buf[:block_n], -1.0, 1.0)
                rest = buf[block_n:]
                pending, held = ([rest] if rest.size else []), rest.size
                total += block_n
        if held:
            total += held
            yield np.clip(np.concatenate(pending), -1.0, 1.0)
        log.debug("decoded %s: %.2f s", self.path, total / TARGET_RATE)

    def _flush_decoder(self) -> list[Any]:
        """Frames still buffered in the decoder after the demuxer stopped early."""
        try:
            return list(self._stream.codec_context.decode(None))
        except _DECODE_ERRORS:
            return []

    def _chunks(self, cancel: Cancel | None) -> Iterator[Audio]:
        resampler = MonoResampler()
        errors = consecutive = 0
        decoded_s = 0.0
        first_error: BaseException | None = None
        packets = self._container.demux(self._stream)
        while True:
            if cancel is not None and cancel():
                raise CancelledError()
            try:
                packet = next(packets)
            except StopIteration:
                break
            except _DECODE_ERRORS as e:  # the demuxer cannot go on: end of usable data
                errors += 1
                first_error = first_error or e
                packet, frames = None, self._flush_decoder()
            else:
                try:
                    frames = packet.decode()
                except _DECODE_ERRORS as e:  # one damaged packet: skip it
                    errors += 1
                    consecutive += 1
                    first_error = first_error or e
                    if consecutive > _MAX_CONSECUTIVE_ERRORS:
                        break
                    continue
            for frame in frames:
                try:
                    rate = int(frame.sample_rate or self.info.sample_rate)
                    if not limits.plausible_frame(rate, int(frame.layout.nb_channels)):
                        raise ValueError(f"frame at {rate} Hz, {frame.layout.nb_channels} ch")
                    x = frame_to_mono(frame)
                except _DECODE_ERRORS as e:  # a frame in a sample format we cannot read
                    errors += 1
                    first_error = first_error or e
                    continue
                if x.size:
                    consecutive = 0
                    decoded_s += x.size / rate
                    if decoded_s > self.max_s:
                        raise limits.too_much_audio(
                            self.name, limits.file_size(self.path), decoded_s
                        )
                y = resampler.process(x, rate)
                if y.size:
                    yield y
            if packet is None:
                break
        tail = resampler.flush()
        if tail.size:
            yield tail
        self._check_outcome(decoded_s, errors, first_error)

    def _check_outcome(
        self, decoded_s: float, errors: int, first_error: BaseException | None
    ) -> None:
        """Raise if nothing usable came out; warn (once) if the file was damaged or cut short."""
        declared = self.info.duration_s
        if decoded_s == 0.0:
            if errors:
                raise AudioDecodeError(
                    f"{self.name} is damaged: no audio could be decoded ({_reason(first_error)})."
                )
            if not self.info.sample_rate or (declared or 0.0) > 0.0:
                raise AudioDecodeError(
                    f"{self.name} contains no decodable audio (damaged or truncated)."
                )
        problems = []
        if errors:
            problems.append(f"{errors} damaged packet(s) skipped ({_reason(first_error)})")
        if declared is not None and decoded_s < declared - max(0.5, 0.02 * declared):
            problems.append(f"audio ends early, at {decoded_s:.2f} s of {declared:.2f} s")
        if problems:
            log.warning(
                "%s: %s; kept the %.2f s decoded", self.path, "; ".join(problems), decoded_s
            )


def _reason(e: BaseException | None) -> str:
    if e is None:
        return "unknown error"
    if isinstance(e, av.error.FFmpegError) and e.strerror:
        return str(e.strerror)
    text = " ".join(str(e).split())
    return text or type(e).__name__


def _check_file(path: str, name: str) -> None:
    """Turn the usual file-system problems into one-line errors before FFmpeg sees the path."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise AudioDecodeError(f"{name} does not exist.") from None
    except OSError as e:
        raise AudioDecodeError(f"{name} cannot be read: {e.strerror or e}.") from None
    if stat.S_ISDIR(st.st_mode):
        raise AudioDecodeError(f"{name} is a folder, not an audio file.")
    if not stat.S_ISREG(st.st_mode):
        raise AudioDecodeError(f"{name} is not a regular file.")
    if st.st_size == 0:
        raise AudioDecodeError(f"{name} is empty (0 bytes).")
    try:
        with open(path, "rb") as f:
            f.read(1)
    except OSError as e:
        raise AudioDecodeError(f"{name} cannot be read: {e.strerror or e}.") from None
