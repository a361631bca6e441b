"""Autosave files: atomic writes, restore order, damaged files set aside, data folder override."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.core.errors import UsageError
from app.core.storage import autosave_store, paths
from app.core.storage.autosave_store import AutosaveStore, write_atomic
from app.core.text.document import Document, OutputText, Run
from app.core.transcript import Segment


def _doc(text: str, created: float) -> Document:
    return Document(
        title=text,
        outputs=[OutputText(runs=[Run(text, 1)], segments={1: Segment(1.0, 2.0, text)})],
        created=created,
    )


def test_save_and_restore_in_creation_order(tmp_path: Path) -> None:
    store = AutosaveStore(tmp_path / "autosave")
    second, first = _doc("second", 20.0), _doc("first", 10.0)
    store.save(second)
    store.save(first)
    docs, problems = AutosaveStore(tmp_path / "autosave").load_all()
    assert problems == []
    assert [d.title for d in docs] == ["first", "second"]
    assert docs[0].outputs[0].segments[1] == Segment(1.0, 2.0, "first")


def test_save_replaces_and_remove_deletes(tmp_path: Path) -> None:
    store = AutosaveStore(tmp_path)
    doc = _doc("one", 1.0)
    store.save(doc)
    doc.outputs[0].runs = [Run("two")]
    store.save(doc)
    docs, _ = store.load_all()
    assert [d.outputs[0].text for d in docs] == ["two"]
    assert not list(tmp_path.glob("*.tmp"))
    store.remove(doc.doc_id)
    store.remove(doc.doc_id)  # twice is fine
    assert store.load_all() == ([], [])


def test_damaged_file_is_reported_once_and_kept(tmp_path: Path) -> None:
    store = AutosaveStore(tmp_path)
    store.save(_doc("good", 1.0))
    bad = tmp_path / f"broken{autosave_store.SUFFIX}"
    bad.write_text("{not json", encoding="utf-8")
    docs, problems = store.load_all()
    assert [d.title for d in docs] == ["good"]
    assert len(problems) == 1 and "damaged" in problems[0]
    assert (tmp_path / (bad.name + ".corrupt")).exists()
    assert store.load_all()[1] == []


def test_missing_folder_restores_nothing(tmp_path: Path) -> None:
    assert AutosaveStore(tmp_path / "nope").load_all() == ([], [])


def test_bad_doc_ids_are_refused(tmp_path: Path) -> None:
    store = AutosaveStore(tmp_path)
    for bad in ("", "../x", "a/b"):
        with pytest.raises(UsageError):
            store.path_for(bad)


def test_write_atomic_leaves_old_file_when_write_fails(tmp_path: Path) -> None:
    target = tmp_path / "f.json"
    write_atomic(target, b"old")

    with pytest.raises(TypeError):
        write_atomic(target, "not bytes")  # type: ignore[arg-type]
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["f.json"]


def test_env_override_sets_the_data_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(paths.HOME_ENV, str(tmp_path))
    assert AutosaveStore().folder == tmp_path / "data" / "transcripts"
    assert autosave_store.default_autosave_dir() == paths.autosave_dir()
