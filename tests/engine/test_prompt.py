"""Prompt text and ids are exactly mlx-audio's; every mlx-audio keyword the app uses exists."""

from __future__ import annotations

import inspect

import pytest
from mlx_audio.stt.models.granite_speech import Model
from mlx_audio.stt.models.granite_speech.granite_speech import _resolve_prompt
from mlx_audio.stt.utils import load_model as mlx_load_model

from app.core import languages
from app.core.transcript import Task, TaskSpec
from app.engine.model.prompt import audio_span, build_prompt, generate_kwargs, instruction
from app.engine.strict_call import checked_call, named_parameters, unknown_kwargs


def _all_specs() -> list[TaskSpec]:
    specs = []
    for keywords in ((), ("Granite",), ("IBM", " MLX ", "Côte d'Ivoire")):
        for src in (None, *languages.SPOKEN_LANGUAGES):
            specs.append(TaskSpec(Task.TRANSCRIBE, src, None, keywords))
            for tgt in languages.TRANSLATION_TARGETS:
                specs.append(TaskSpec(Task.TRANSLATE, src, tgt, keywords))
    return specs


@pytest.mark.parametrize("spec", _all_specs(), ids=str)
def test_instruction_matches_mlx_audio(spec):
    kwargs = generate_kwargs(spec)
    expected = _resolve_prompt(
        "asr",
        None,
        kwargs.get("language"),
        source_language=kwargs.get("source_language"),
        hotwords=kwargs.get("hotwords"),
    )
    assert instruction(spec) == expected


def test_known_wordings():
    assert instruction(TaskSpec()) == "can you transcribe the speech into a written format?"
    assert instruction(TaskSpec(Task.TRANSLATE, "en", "fr")) == "Translate the speech to French."
    assert instruction(TaskSpec(keywords=("a", "b"))) == (
        "transcribe the speech to text. Keywords: a, b"
    )
    assert instruction(TaskSpec(source_language="ja")).startswith(
        "The speech is in Japanese. Transcribe it exactly; do not translate. "
    )


@pytest.mark.parametrize("spec", _all_specs()[:: len(_all_specs()) // 12], ids=str)
def test_prompt_ids_match_mlx_audio(tiny_engine, spec):
    model = tiny_engine.model
    ids = build_prompt(tiny_engine.tokenizer, 9, spec)
    assert ids == model._build_prompt(9, instruction(spec)).tolist()
    start, end = audio_span(ids, model.audio_token_id, 9)
    assert ids[:start] == tiny_engine.tokenizer.encode("USER: ")
    assert end - start == 9


def test_audio_span_refuses_wrong_count():
    with pytest.raises(ValueError):
        audio_span([5, 7, 7, 5], 7, 3)
    with pytest.raises(ValueError):
        audio_span([7, 5, 7], 7, 2)


def test_generate_signature_has_every_keyword_the_app_uses():
    used = {"max_tokens", "language", "source_language", "hotwords"}
    for spec in _all_specs():
        used |= set(generate_kwargs(spec))
    assert not unknown_kwargs(Model.generate, used)
    assert {"lazy", "strict"} <= named_parameters(mlx_load_model)
    # generate() really does swallow unknown keywords, which is why the guard exists.
    assert any(
        p.kind is inspect.Parameter.VAR_KEYWORD
        for p in inspect.signature(Model.generate).parameters.values()
    )


def test_misspelt_keyword_is_caught(tiny_engine):
    with pytest.raises(TypeError, match="hotword"):
        checked_call(tiny_engine.model.generate, "unused.wav", hotword=["x"])
    with pytest.raises(TypeError, match="stric"):
        checked_call(mlx_load_model, "unused", stric=True)
