"""When things break: a failing engine, a broken database."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from tests.api.conftest import make_api
from tests.pipeline.test_pipeline import BrokenEngine
from voicer.db.models import TaskChunk


def test_a_failed_task_reports_the_error_and_refunds_what_was_not_spoken(tmp_path: Path) -> None:
    text = "\n\n".join(["All is fine here.", "Then boom happens.", "Never reached."] * 2)
    for api in make_api(tmp_path, engine=BrokenEngine):
        headers = api.user(characters=1_000)
        task_id = api.client.post("/api/v1/voice/synthesize", headers=headers,
                                  json={"text": text, "split_type": "paragraphs"}).json()["task_id"]
        status = api.wait(task_id, headers)
        assert status["status"] == "failed"
        assert status["error"] == "chunk 2: RuntimeError: the engine broke"
        assert status["download_url"] is None and status["estimated_time_remaining"] is None
        with api.services.database.session() as session:
            spoken = sum(len(c.text) for c in session.scalars(select(TaskChunk).where(
                TaskChunk.task_id == task_id, TaskChunk.status == "done")))
        stats = api.client.get("/api/v1/user/stats", headers=headers).json()
        assert stats["used_characters"] == spoken
        assert stats["remaining_characters"] == 1_000 - spoken
        download = api.client.get(f"/api/v1/voice/download/{task_id}", headers=headers)
        assert download.status_code == 409


def test_a_broken_database_is_500_and_unhealthy(tmp_path: Path) -> None:
    for api in make_api(tmp_path):
        headers = api.user()
        assert api.client.get("/api/v1/user/stats", headers=headers).status_code == 200
        api.services.database.engine.dispose()
        for suffix in ("", "-wal", "-shm"):
            (tmp_path / f"voicer.db{suffix}").unlink(missing_ok=True)
        (tmp_path / "voicer.db").write_bytes(b"this is not a database" * 100)
        answer = api.client.get("/api/v1/user/stats", headers=headers)
        assert answer.status_code == 500
        assert answer.json() == {"detail": "internal server error"}
        health = api.client.get("/health")
        assert health.status_code == 503
        assert health.json()["components"]["database"]["status"] == "error"
