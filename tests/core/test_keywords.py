"""Keyword lists: editing, pasting, import/export, persistence shape and the practical limit."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.core.errors import UsageError
from app.core.keywords import (
    DEFAULT_LIST_NAME,
    PRACTICAL_CHAR_LIMIT,
    PRACTICAL_LIMIT,
    KeywordLibrary,
    KeywordList,
    exceeds_limit,
    split_keywords,
)


def test_paste_splits_trims_and_dedupes_keeping_first_spelling() -> None:
    lib = KeywordLibrary()
    added = lib.paste("  Kubernetes , MLX;granite\n\nkubernetes\r\nmlx ;  New   York  ")
    assert added == ["Kubernetes", "MLX", "granite", "New York"]
    assert lib.active_keywords() == ("Kubernetes", "MLX", "granite", "New York")
    assert lib.paste("GRANITE, Zurich") == ["Zurich"]


def test_split_keywords_drops_empties() -> None:
    assert split_keywords(" , ;\n\t") == []
    assert split_keywords("a,b") == ["a", "b"]


def test_add_remove_edit_words() -> None:
    lib = KeywordLibrary()
    assert lib.add_word(" PyTorch ")
    assert not lib.add_word("pytorch")
    assert lib.add_word("MLX")
    assert lib.edit_word("pytorch", "PyTorch 2")
    assert lib.active_keywords() == ("PyTorch 2", "MLX")
    with pytest.raises(UsageError, match="already in the list"):
        lib.edit_word("MLX", "pytorch 2")
    assert lib.edit_word("mlx", "MLX")  # changing only the case of itself is fine
    assert lib.remove_word("mlx")
    assert not lib.remove_word("mlx")
    assert lib.active_keywords() == ("PyTorch 2",)


@pytest.mark.parametrize("bad", ["", "   ", "a,b", "x;y", "x" * 81])
def test_bad_words_are_refused_with_one_line(bad: str) -> None:
    with pytest.raises(UsageError) as info:
        KeywordLibrary().add_word(bad)
    assert "\n" not in str(info.value)


def test_lists_add_rename_remove_and_active() -> None:
    lib = KeywordLibrary()
    assert lib.names() == [DEFAULT_LIST_NAME]
    lib.add_word("alpha")
    lib.add_list("Medical")
    assert lib.active_name == "Medical"
    assert lib.active_keywords() == ()
    lib.add_word("tachycardia")
    with pytest.raises(UsageError):
        lib.add_list("medical")
    with pytest.raises(UsageError):
        lib.rename_list("Medical", DEFAULT_LIST_NAME.lower())
    lib.rename_list("Medical", "Cardiology")
    assert lib.names() == [DEFAULT_LIST_NAME, "Cardiology"]
    lib.set_active(DEFAULT_LIST_NAME)
    assert lib.active_keywords() == ("alpha",)
    lib.remove_list(DEFAULT_LIST_NAME)
    assert lib.active_name == "Cardiology"
    lib.remove_list("Cardiology")
    assert lib.names() == [DEFAULT_LIST_NAME]
    assert lib.active_keywords() == ()
    with pytest.raises(UsageError, match="no keyword list"):
        lib.set_active("nope")


def test_removing_a_list_before_the_active_one_keeps_the_active_list() -> None:
    lib = KeywordLibrary([KeywordList("a"), KeywordList("b"), KeywordList("c", ["w"])], "c")
    lib.remove_list("a")
    assert lib.active_name == "c"
    assert lib.active_keywords() == ("w",)


def test_import_export_round_trip() -> None:
    lib = KeywordLibrary()
    lib.paste("Zoë, São Paulo, 東京, C++")
    text = lib.export_text()
    assert text == "Zoë\nSão Paulo\n東京\nC++\n"
    other = KeywordLibrary()
    assert other.import_text("# comment\n" + text) == ["Zoë", "São Paulo", "東京", "C++"]
    assert other.export_text() == text


def test_dict_round_trip_and_bad_shapes() -> None:
    lib = KeywordLibrary()
    lib.paste("a, b")
    lib.add_list("Second")
    lib.paste("c")
    again = KeywordLibrary.from_dict(lib.to_dict())
    assert again.to_dict() == lib.to_dict()
    assert again.active_name == "Second"
    for bad in (
        {},
        {"lists": "x"},
        {"lists": [{"name": 3}]},
        {"lists": [{"name": "n", "words": [1]}]},
    ):
        with pytest.raises(UsageError):
            KeywordLibrary.from_dict(bad)
    # Unknown active list falls back to the first one.
    data = lib.to_dict() | {"active": "gone"}
    assert KeywordLibrary.from_dict(data).active_name == DEFAULT_LIST_NAME


def test_practical_limit() -> None:
    words = [f"w{i}" for i in range(PRACTICAL_LIMIT)]
    assert not exceeds_limit(words)
    assert exceeds_limit([*words, "one more"])
    long_words = ["x" * 50] * (PRACTICAL_CHAR_LIMIT // 50)
    assert exceeds_limit(long_words)
    assert not exceeds_limit(long_words[:10])


def test_rules_belong_to_a_list_and_are_saved_with_it() -> None:
    from app.core.text.rules import Rule, RuleKind

    lib = KeywordLibrary()
    lib.add_word("Granite")
    lib.set_rules([Rule("gonna", "going to"), Rule(r"v(\d)", r"version \1", RuleKind.REGEX)])
    lib.add_list("Work")
    assert lib.active_rules() == ()
    lib.set_rules([Rule("asap", "as soon as possible")])
    again = KeywordLibrary.from_dict(lib.to_dict())
    assert again.active_name == "Work"
    assert [r.find for r in again.active_rules()] == ["asap"]
    again.set_active(DEFAULT_LIST_NAME)
    assert [r.replace for r in again.active_rules()] == ["going to", r"version \1"]
    assert again.active_keywords() == ("Granite",)
    with pytest.raises(UsageError):
        lib.set_rules([Rule("x(", "y", RuleKind.REGEX)])


def test_version_1_lists_load_and_bad_saved_rules_are_dropped() -> None:
    v1 = {"version": 1, "active": "A", "lists": [{"name": "A", "words": ["x"]}]}
    assert KeywordLibrary.from_dict(v1).active_rules() == ()
    bad = {
        "lists": [
            {
                "name": "A",
                "words": [],
                "rules": [{"find": "x(", "kind": "regex"}, "junk", {"find": "ok", "replace": "OK"}],
            }
        ]
    }
    assert [r.find for r in KeywordLibrary.from_dict(bad).active_rules()] == ["ok"]


def test_keywords_file_is_read_with_comments_bom_and_commas(tmp_path) -> None:
    from app.core.keywords import read_keywords_file

    path = tmp_path / "kw.txt"
    path.write_bytes("\ufeff# names\nŁukasz\nTokyo, Kyoto\n\n".encode())
    assert read_keywords_file(path) == ["Łukasz", "Tokyo", "Kyoto"]


@pytest.mark.timeout(20)
@pytest.mark.parametrize(
    ("content", "needle"),
    [
        (None, "larger than 64 KB"),  # /dev/zero: endless
        (b"x" * (64 * 1024 + 1), "larger than 64 KB"),
        ("\n".join(f"w{i}" for i in range(2001)).encode(), "holds 2001 keywords"),
        (b"\xff\xfe\xfa", "is not UTF-8 text"),
    ],
)
def test_keywords_file_with_a_size_cap(tmp_path, content, needle) -> None:
    from app.core.keywords import read_keywords_file

    path = Path("/dev/zero") if content is None else tmp_path / "kw.txt"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(UsageError) as info:
        read_keywords_file(path)
    assert needle in str(info.value) and "\n" not in str(info.value)


def test_missing_keywords_file(tmp_path) -> None:
    from app.core.keywords import read_keywords_file

    with pytest.raises(UsageError, match=r"Keywords file nope\.txt: No such file"):
        read_keywords_file(tmp_path / "nope.txt")
