"""The user's preferences as one typed object, created by the GUI and passed in everywhere.

Pure Python: ``app.ui.settings.settings_store`` persists it with QSettings; engines and
pipelines only
ever *receive* a ``Preferences`` (never create one).

API::

    DEFAULT_MODEL: str; SCHEMA_VERSION: int
    Preferences(...)               # fields below, all with defaults
    Preferences.validate() -> Preferences        # normalised copy, or UsageError (one line)
    Preferences.to_mapping() -> dict[str, str]   # flat strings for an ini file
    from_mapping(data, version=SCHEMA_VERSION, migrations=None, target=None)
        -> tuple[Preferences, list[str]]
        # tolerant load: each bad/unknown value falls back to its default, with a warning text
    migrate(data, version, migrations=None, target=None) -> dict[str, str]
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, fields, replace
from typing import Any, Literal

from app.core import languages
from app.core.chunking.segmentation import MAX_CHUNK_RANGE
from app.core.dictation.endpointing import PAUSE_RANGE
from app.core.errors import GraniteError, UnsupportedLanguageError, UsageError
from app.core.model_spec import is_local_path, looks_like_repo_id
from app.core.text.commands import parse_command_lines
from app.core.transcript import Task

#: Same value as ``app.engine.base.DEFAULT_MODEL`` (core must not import the engine; a test
#: asserts they are equal).
DEFAULT_MODEL = "mlx-community/granite-4.0-1b-speech-8bit"
#: Same value as ``app.engine.diarize.DEFAULT_DIARIZER`` (a test asserts they are equal).
DEFAULT_SPEAKER_MODEL = "mlx-community/diar_streaming_sortformer_4spk-v2.1-fp16"
#: Bump when a stored key changes meaning or name, and add a step to ``MIGRATIONS``.
SCHEMA_VERSION = 1

InsertionMode = Literal["cursor", "end"]
INSERTION_MODES: tuple[str, ...] = ("cursor", "end")
HotkeyMode = Literal["toggle", "hold"]
#: Same values as ``app.core.dictation.hotkey_state.Mode``: press to start/stop, or hold to talk.
HOTKEY_MODES: tuple[str, ...] = ("toggle", "hold")
CHUNK_RANGE = MAX_CHUNK_RANGE
FONT_SIZE_RANGE = (6, 72)
KEEP_RANGE = (0, 36500)  # history retention, days (0 = forever)


@dataclass(frozen=True)
class Preferences:
    model: str = DEFAULT_MODEL
    default_task: Task = Task.TRANSCRIBE
    #: Spoken-language hint; ``None`` = auto-detect.
    source_language: str | None = None
    target_language: str = "en"
    #: Extra translation targets produced alongside the main one in meeting mode.
    extra_translation_targets: tuple[str, ...] = ()
    #: Longest chunk sent to the model, seconds (5..120).
    max_chunk_s: float = 30.0
    #: Where dictated text goes in the transcript: at the cursor or appended at the end.
    insertion_mode: InsertionMode = "cursor"
    #: Folder for automatic saves; ``""`` = the app's default data folder.
    autosave_dir: str = ""
    #: Transcript font; ``""`` = the system default family.
    font_family: str = ""
    font_size: int = 14
    record_shortcut: str = "Ctrl+Shift+Space"
    #: Dictation: silence (seconds) that ends an utterance (VAD end-of-utterance pause).
    pause_s: float = 0.8
    #: Input device name; ``""`` = the system default.
    input_device: str = ""
    speculative_decoding: bool = True
    #: System-wide dictation shortcut, e.g. ``"alt+space"``; ``""`` = off.
    global_hotkey: str = ""
    global_hotkey_mode: HotkeyMode = "toggle"
    #: Start the app when the user logs in (where the system supports it).
    launch_at_login: bool = False
    # --- dictation text tools and history (issue 13) ---
    #: Spoken commands ("new line", "comma", "scratch that") while dictating.
    spoken_commands: bool = True
    #: The user's own spoken commands, ``phrase => action`` lines (``app.core.text.commands``).
    spoken_command_lines: str = ""
    #: Apply the active keyword list's replacement rules to file transcripts too.
    rules_on_files: bool = False
    #: Keep dictations and file transcripts in the searchable history.
    history_enabled: bool = True
    #: Delete history entries (and their recordings) older than this many days; 0 = forever.
    history_keep_days: int = 0
    # --- dictation latency (issue 16) ---
    #: Live preview while speaking (greyed approximate text from the encoder's CTC head).
    live_preview: bool = True
    # --- Mac app (issue 10): pasting and MLX memory ---------------------------------------
    #: Seconds before the clipboard's previous content is put back after a paste.
    clipboard_restore_s: float = 1.0
    #: Type dictated text as key events instead of pasting (for apps that block paste).
    type_instead_of_paste: bool = False
    #: MLX buffer cache limit in MB, set on the model thread; 0 = MLX's default (most of RAM).
    mlx_cache_limit_mb: int = 1024
    # --- Local API server and remote engine (issue 15; app/server, app/remote) ---------------
    #: "" = this Mac; else an OpenAI-compatible server's address (applies at the next start).
    engine_url: str = ""
    api_server_enabled: bool = False
    api_server_port: int = 8765
    # --- meeting speakers (issue 14; app/ui/meeting) ------------------------------------------
    #: Speaker model (Sortformer) for meetings and Detect Speakers: a folder or a Hub repo id.
    speaker_model: str = DEFAULT_SPEAKER_MODEL

    def validate(self) -> Preferences:
        """Return a normalised copy; raise ``UsageError`` naming the first bad field."""
        _check_mac_fields(self)
        _check_server_fields(self)
        model = self.model.strip()
        if not model:
            raise UsageError("The model setting is empty; choose a model folder or repo id.")
        try:
            task = Task(self.default_task)
        except ValueError:
            raise UsageError(
                f"Unknown task '{self.default_task}'; use transcribe or translate."
            ) from None
        source = languages.normalize(self.source_language)
        try:
            languages.check_spoken(source)
        except UnsupportedLanguageError as err:
            raise UsageError(str(err)) from None
        target = languages.normalize(self.target_language) or ""
        if target not in languages.TRANSLATION_TARGETS:
            raise UsageError(
                f"Cannot translate to '{self.target_language}'; targets are "
                f"{', '.join(languages.TRANSLATION_TARGETS)}."
            )
        extras: list[str] = []
        for code in self.extra_translation_targets:
            norm = languages.normalize(code)
            if norm is None:
                continue
            if norm not in languages.TRANSLATION_TARGETS:
                raise UsageError(f"Cannot translate to '{code}' (extra meeting target).")
            if norm != target and norm not in extras:
                extras.append(norm)
        max_chunk = _in_range("Maximum chunk length", self.max_chunk_s, CHUNK_RANGE, "s")
        pause = _in_range("Dictation pause", self.pause_s, PAUSE_RANGE, "s")
        size = int(_in_range("Font size", self.font_size, FONT_SIZE_RANGE, " pt"))
        if self.insertion_mode not in INSERTION_MODES:
            raise UsageError(f"Unknown insertion mode '{self.insertion_mode}'; use cursor or end.")
        if self.global_hotkey_mode not in HOTKEY_MODES:
            raise UsageError(
                f"Unknown dictation shortcut mode '{self.global_hotkey_mode}'; use toggle or hold."
            )
        parse_command_lines(self.spoken_command_lines)  # UsageError naming the bad line
        return replace(
            self,
            model=model,
            speaker_model=_speaker_model(self.speaker_model),
            default_task=task,
            source_language=source,
            target_language=target,
            extra_translation_targets=tuple(extras),
            max_chunk_s=max_chunk,
            pause_s=pause,
            font_size=size,
            autosave_dir=self.autosave_dir.strip(),
            font_family=self.font_family.strip(),
            record_shortcut=self.record_shortcut.strip(),
            input_device=self.input_device.strip(),
            speculative_decoding=bool(self.speculative_decoding),
            global_hotkey=self.global_hotkey.strip(),
            launch_at_login=bool(self.launch_at_login),
            history_keep_days=int(
                _in_range("History kept", self.history_keep_days, KEEP_RANGE, "")
            ),
        )

    def to_mapping(self) -> dict[str, str]:
        """Flat string values (what an ini file stores); inverse of :func:`from_mapping`."""
        out: dict[str, str] = {}
        for key, value in asdict(self).items():
            if value is None:
                out[key] = ""
            elif isinstance(value, bool):
                out[key] = "true" if value else "false"
            elif isinstance(value, tuple | list):
                out[key] = ",".join(str(v) for v in value)
            else:
                out[key] = str(value)
        return out


def _in_range(label: str, value: float, bounds: tuple[float, float], unit: str) -> float:
    lo, hi = bounds
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise UsageError(f"{label} must be a number.") from None
    if not lo <= number <= hi:
        raise UsageError(f"{label} must be between {lo:g}{unit} and {hi:g}{unit}.")
    return number


CLIPBOARD_RESTORE_RANGE = (0.2, 5.0)
MLX_CACHE_RANGE = (0, 65536)
API_PORT_RANGE = (1024, 65535)


def _check_mac_fields(p: Preferences) -> None:
    _in_range("Clipboard restore delay", p.clipboard_restore_s, CLIPBOARD_RESTORE_RANGE, " s")
    _in_range("MLX cache limit", p.mlx_cache_limit_mb, MLX_CACHE_RANGE, " MB")


def _speaker_model(spec: str) -> str:
    """The speaker model setting, stripped: a folder or a Hub repo id (``app.core.model_spec``)."""
    s = spec.strip()
    if not s:
        raise UsageError("The speaker model setting is empty; choose a folder or repo id.")
    if not (is_local_path(s) or looks_like_repo_id(s)):
        raise UsageError(f"The speaker model '{s}' is neither a folder nor an owner/name repo id.")
    return s


def _check_server_fields(p: Preferences) -> None:
    url = p.engine_url.strip()
    if url and not url.startswith(("http://", "https://")):
        raise UsageError(f"The engine server '{url}' is not an http:// or https:// address.")
    _in_range("API server port", p.api_server_port, API_PORT_RANGE, "")


def _parse_server_field(name: str, raw: str) -> Any:
    if name == "engine_url":
        return raw.strip()
    if name == "api_server_port":
        return int(raw)
    low = raw.strip().lower()  # api_server_enabled
    if low not in ("true", "1", "yes", "on", "false", "0", "no", "off"):
        raise ValueError(raw)
    return low in ("true", "1", "yes", "on")


def _parse_mac_field(name: str, raw: str) -> Any:
    if name == "clipboard_restore_s":
        return float(raw)
    if name == "mlx_cache_limit_mb":
        return int(float(raw))
    low = raw.strip().lower()  # type_instead_of_paste
    if low not in ("true", "1", "yes", "on", "false", "0", "no", "off"):
        raise ValueError(raw)
    return low in ("true", "1", "yes", "on")


def _parse(name: str, raw: str) -> Any:
    """Turn one stored string into the field's Python type (``ValueError`` if impossible)."""
    if name in ("clipboard_restore_s", "type_instead_of_paste", "mlx_cache_limit_mb"):
        return _parse_mac_field(name, raw)
    if name in ("engine_url", "api_server_enabled", "api_server_port"):
        return _parse_server_field(name, raw)
    if name in ("max_chunk_s", "pause_s"):
        return float(raw)
    if name == "font_size":
        return int(float(raw))
    if name == "history_keep_days":
        return int(raw)
    if name in (
        "speculative_decoding",
        "launch_at_login",
        "spoken_commands",
        "rules_on_files",
        "history_enabled",
        "live_preview",
    ):
        low = raw.strip().lower()
        if low in ("true", "1", "yes", "on"):
            return True
        if low in ("false", "0", "no", "off"):
            return False
        raise ValueError(raw)
    if name == "source_language":
        return raw.strip() or None
    if name == "extra_translation_targets":
        return tuple(p.strip() for p in raw.split(",") if p.strip())
    if name == "default_task":
        return Task(raw.strip().lower())
    if name == "global_hotkey_mode":
        return raw.strip().lower()
    return raw


Migration = Callable[[dict[str, str]], dict[str, str]]
#: ``MIGRATIONS[v]`` turns data stored under schema ``v`` into schema ``v + 1``.
MIGRATIONS: dict[int, Migration] = {}


def migrate(
    data: Mapping[str, str],
    version: int,
    migrations: Mapping[int, Migration] | None = None,
    target: int | None = None,
) -> dict[str, str]:
    """Bring stored data from ``version`` up to ``target`` (default ``SCHEMA_VERSION``)."""
    steps = MIGRATIONS if migrations is None else migrations
    end = SCHEMA_VERSION if target is None else target
    out = dict(data)
    v = version
    while v < end:
        step = steps.get(v)
        if step is not None:
            out = step(out)
        v += 1
    return out


def from_mapping(
    data: Mapping[str, str],
    version: int = SCHEMA_VERSION,
    migrations: Mapping[int, Migration] | None = None,
    target: int | None = None,
) -> tuple[Preferences, list[str]]:
    """Build preferences from stored strings; every bad value falls back to its default.

    Returns the preferences and one warning line per value that was ignored.
    """
    warnings: list[str] = []
    end = SCHEMA_VERSION if target is None else target
    if version > end:
        warnings.append(
            f"Settings were written by a newer version (schema {version}); "
            "unknown values are ignored."
        )
    data = migrate(data, version, migrations, end)
    defaults = Preferences()
    names = {f.name for f in fields(Preferences)}
    prefs = defaults
    for key, raw in data.items():
        if key not in names:
            warnings.append(f"Ignoring unknown setting '{key}'.")
            continue
        try:
            candidate = replace(prefs, **{key: _parse(key, str(raw))}).validate()
        except (ValueError, TypeError, GraniteError) as err:
            reason = str(err) if isinstance(err, GraniteError) else "not a valid value"
            warnings.append(f"Setting '{key}' = '{raw}' ignored ({reason}); using the default.")
            continue
        prefs = replace(prefs, **{key: getattr(candidate, key)})
    return prefs.validate(), warnings
