from __future__ import annotations

import stat

from app.core.storage.pending_jobs import PendingJob, PendingStore
from app.core.transcript import Task, TaskSpec


def test_round_trip_atomic_private_and_empty_removes(tmp_path) -> None:
    store = PendingStore(tmp_path)
    assert store.load() == ([], "")
    job = PendingJob(
        "/x/a.wav", (TaskSpec(), TaskSpec(Task.TRANSLATE, "en", "fr", ("Zoé",))), 30.0, "d1"
    )
    store.save([job.advanced(12.5), PendingJob("/x/b.wav", (TaskSpec(),), 10.0)])
    jobs, problem = store.load()
    assert problem == "" and jobs[0] == job.advanced(12.5) and jobs[0].done_until == 12.5
    assert jobs[1].path == "/x/b.wav" and jobs[1].doc_id == ""
    assert stat.S_IMODE(store.path.stat().st_mode) == 0o600
    assert job.advanced(5).advanced(3).done_until == 5
    store.save([])
    assert not store.path.exists()


def test_damaged_list_is_set_aside_with_one_message(tmp_path) -> None:
    store = PendingStore(tmp_path)
    store.path.write_text('{"schema": 1, "jobs": [{"path": 3}]}', encoding="utf-8")
    jobs, problem = store.load()
    assert jobs == [] and "damaged" in problem
    assert (tmp_path / "pending_jobs.json.corrupt").exists()
    assert store.load() == ([], "")
