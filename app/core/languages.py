"""Languages and translation pairs supported by granite-4.0-1b-speech (from its model card)."""

from __future__ import annotations

from app.core.errors import UnsupportedLanguageError

LANGUAGE_NAMES: dict[str, str] = {
    "en": "English",
    "fr": "French",
    "de": "German",
    "es": "Spanish",
    "pt": "Portuguese",
    "ja": "Japanese",
    "it": "Italian",
    "zh": "Mandarin",
}

#: Languages the model can transcribe (the optional spoken-language hint).
SPOKEN_LANGUAGES: tuple[str, ...] = ("en", "fr", "de", "es", "pt", "ja")
#: Translation to English is supported from these languages.
TO_ENGLISH_FROM: tuple[str, ...] = ("fr", "de", "es", "pt", "ja")
#: Translation from English is supported to these languages.
FROM_ENGLISH_TO: tuple[str, ...] = ("fr", "de", "es", "pt", "ja", "it", "zh")
#: Every target a translation may have.
TRANSLATION_TARGETS: tuple[str, ...] = ("en", *FROM_ENGLISH_TO)


def name(code: str) -> str:
    return LANGUAGE_NAMES.get(code, code)


def normalize(code: str | None) -> str | None:
    """Lower-case a code; ``None``, ``""`` and ``"auto"`` mean unknown."""
    if code is None:
        return None
    code = code.strip().lower()
    if code in ("", "auto"):
        return None
    for key, value in LANGUAGE_NAMES.items():
        if code == value.lower():
            return key
    return code


def check_spoken(code: str | None) -> None:
    if code is not None and code not in SPOKEN_LANGUAGES:
        raise UnsupportedLanguageError(
            f"Spoken language '{code}' is not supported; choose one of "
            f"{', '.join(SPOKEN_LANGUAGES)} or auto."
        )


def check_translation(source: str | None, target: str) -> None:
    """Refuse a pair the model was not trained for, with a message that names the valid ones."""
    check_spoken(source)
    if target not in TRANSLATION_TARGETS:
        raise UnsupportedLanguageError(
            f"Cannot translate to '{target}'; targets are {', '.join(TRANSLATION_TARGETS)}."
        )
    if source is None:
        return
    if source == target:
        raise UnsupportedLanguageError(
            f"The speech is already in {name(source)}; use Transcribe instead of Translate."
        )
    if target == "en" and source not in TO_ENGLISH_FROM:
        raise UnsupportedLanguageError(f"Cannot translate {name(source)} to English.")
    if target != "en" and source != "en":
        raise UnsupportedLanguageError(
            f"Cannot translate {name(source)} to {name(target)}: the model translates into "
            f"English, or from English into {', '.join(name(c) for c in FROM_ENGLISH_TO)}."
        )
