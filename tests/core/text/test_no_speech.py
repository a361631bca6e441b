from __future__ import annotations

from app.core.text.no_speech import no_speech_message
from app.core.transcript import Task, TaskSpec


def test_plain_no_speech() -> None:
    assert no_speech_message([TaskSpec()]) == "No speech found."


def test_names_keywords_and_language_hint() -> None:
    specs = [
        TaskSpec(Task.TRANSCRIBE, "fr", None, ("Zoé", "Granite")),
        TaskSpec(Task.TRANSLATE, "fr", "en"),
    ]
    assert no_speech_message(specs) == (
        "No speech found; keywords were active (Granite, Zoé) and the spoken language was set "
        "to French: try without them."
    )
    many = TaskSpec(keywords=tuple(f"k{i}" for i in range(7)))
    assert "(k0, k1, k2, k3, k4, …)" in no_speech_message([many])
