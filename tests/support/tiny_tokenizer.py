"""A small byte-level BPE tokenizer trained offline, saved in the granite tokenizer layout."""

from __future__ import annotations

import itertools
import json
import unicodedata
from pathlib import Path
from typing import Any

from app.core import languages
from app.core.transcript import Task, TaskSpec
from app.engine.model import prompt

#: Special tokens; ``<|end_of_text|>`` is id 0 and ``<|audio|>`` is the last id, as in granite.
SPECIALS = ("<|end_of_text|>", "<|pad|>", "<|unk|>")
AUDIO = "<|audio|>"

CHAT_TEMPLATE = (
    "{%- for message in messages %}"
    "{%- if message['role'] == 'system' %}{{- message['content'] + '\\n' }}"
    "{%- elif message['role'] == 'user' %}{{- 'USER: ' + message['content'] + '\\n' }}"
    "{%- elif message['role'] == 'assistant' %}"
    "{{- 'ASSISTANT: ' + message['content'] + eos_token + '\\n' }}"
    "{%- endif %}{%- endfor %}"
    "{%- if add_generation_prompt %}{{- ' ASSISTANT:' }}{%- endif %}"
)

CORPUS = [
    "The quick brown fox jumps over the lazy dog. Please call me back tomorrow morning.",
    "We are meeting at the office at nine o'clock to discuss the quarterly report.",
    "Hello, how are you today? I am fine, thank you, and you?",
    "Le rapide renard brun saute par-dessus le chien paresseux. À bientôt, très cher ami.",
    "Nous nous réunissons au bureau à neuf heures pour discuter du rapport trimestriel.",
    "Der schnelle braune Fuchs springt über den faulen Hund. Grüße aus München, schön!",
    "Wir treffen uns um neun Uhr im Büro, um den Quartalsbericht zu besprechen. Straße.",
    "El rápido zorro marrón salta sobre el perro perezoso. ¿Cómo estás? ¡Mañana sí!",
    "Nos reunimos en la oficina a las nueve para hablar del informe trimestral. Niño.",
    "A rápida raposa marrom pula sobre o cão preguiçoso. Ação, coração, você, avó.",
    "Nós nos encontramos no escritório às nove horas para discutir o relatório.",
    "Il veloce volpe marrone salta sopra il cane pigro. Perché è così? Città, più.",
    "こんにちは、おげんきですか。きょうはいいてんきですね。ありがとうございます。",
    "コンピューター、テレビ、ラジオ、カメラ、ニュース、メール、スマートフォン。",
    "あいうえお かきくけこ さしすせそ たちつてと なにぬねの はひふへほ まみむめも やゆよ "
    "らりるれろ わをん がぎぐげご ざじずぜぞ だぢづでど ばびぶべぼ ぱぴぷぺぽ ゃゅょっ",
    "アイウエオ カキクケコ サシスセソ タチツテト ナニヌネノ ハヒフヘホ マミムメモ ヤユヨ "
    "ラリルレロ ワヲン ガギグゲゴ ザジズゼゾ ダヂヅデド バビブベボ パピプペポ ャュョッー",
    "你好，谢谢。0123456789 + - * / = % $ € £ ( ) [ ] { } < > @ # & ! ? ; : , . ' \"",
]


def all_instructions() -> list[str]:
    """Every instruction the app can send, for training and for the prompt-token set."""
    specs: list[TaskSpec] = []
    for src in (None, *languages.SPOKEN_LANGUAGES):
        for kw in ((), ("Granite",)):
            specs.append(TaskSpec(Task.TRANSCRIBE, src, None, kw))
            for tgt in languages.TRANSLATION_TARGETS:
                specs.append(TaskSpec(Task.TRANSLATE, src, tgt, kw))
    return sorted({prompt.instruction(s) for s in specs})


def build_tokenizer(out: Path) -> Any:
    """Train the tokenizer and write tokenizer.json, tokenizer_config.json, special_tokens_map."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers

    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=1000,
        special_tokens=list(SPECIALS),
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    texts = [*CORPUS, *all_instructions(), "USER: ASSISTANT:"]
    tok.train_from_iterator(itertools.chain.from_iterable(itertools.repeat(texts, 3)), trainer)
    tok.add_special_tokens([AUDIO])
    tok.save(str(out / "tokenizer.json"))

    decoder = {
        str(tok.token_to_id(t)): {
            "content": t,
            "lstrip": False,
            "normalized": False,
            "rstrip": False,
            "single_word": False,
            "special": True,
        }
        for t in (*SPECIALS, AUDIO)
    }
    config = {
        "tokenizer_class": "GPT2Tokenizer",
        "add_bos_token": False,
        "add_prefix_space": False,
        "bos_token": "<|end_of_text|>",
        "eos_token": "<|end_of_text|>",
        "pad_token": "<|pad|>",
        "unk_token": "<|unk|>",
        "clean_up_tokenization_spaces": False,
        "model_max_length": 4096,
        "padding_side": "left",
        "added_tokens_decoder": decoder,
        "chat_template": CHAT_TEMPLATE,
    }
    (out / "tokenizer_config.json").write_text(json.dumps(config, indent=2, ensure_ascii=False))
    specials = {
        "bos_token": "<|end_of_text|>",
        "eos_token": "<|end_of_text|>",
        "pad_token": "<|pad|>",
        "unk_token": "<|unk|>",
        "additional_special_tokens": [AUDIO],
    }
    (out / "special_tokens_map.json").write_text(json.dumps(specials, indent=2))
    return tok


def unprintable_ids(tok: Any) -> set[int]:
    """Ids whose text alone is not clean printable UTF-8 (partial characters, controls)."""
    bad: set[int] = set()
    for i in range(tok.get_vocab_size()):
        text = tok.decode([i])
        if not text or any(c == "\ufffd" or unicodedata.category(c) == "Cc" for c in text):
            bad.add(i)
    return bad


def prompt_token_ids(tok: Any) -> set[int]:
    """Ids of every token the prompt template and instructions use (never 'generated')."""
    ids: set[int] = set()
    for text in [*all_instructions(), "USER: \n ASSISTANT:"]:
        ids.update(tok.encode(f"USER: {AUDIO}{text}\n ASSISTANT:").ids)
    return ids
