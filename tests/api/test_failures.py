"""When things break: a broken database. (A failing engine: tests/tasks/test_refunds.py.)"""

from __future__ import annotations

from pathlib import Path

from tests.api.conftest import make_api


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
