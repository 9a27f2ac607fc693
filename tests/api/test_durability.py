"""An accepted task is never lost: kill -9 the server mid-task, or Ctrl-C it, and start it
again."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import httpx
import psutil
import pytest

from tests.api.conftest import Server, task_ended
from tests.audio_tools import decode
from tests.waiting import wait_until

pytestmark = pytest.mark.slow

TEXT = "\n\n".join(
    f"Chapter {i}. " + "The long road wound on through the quiet hills until evening. " * 12
    for i in range(40)
)


def progress(server: Server, task_id: str, headers: dict[str, str]) -> dict:
    return httpx.get(f"{server.url}/api/v1/voice/status/{task_id}", headers=headers,
                     timeout=10).json()


def under_way(server: Server, headers: dict[str, str]) -> str:
    """Submit the book and wait until five of its 40 chunks are done."""
    task_id = httpx.post(f"{server.url}/api/v1/voice/synthesize", headers=headers,
                         json={"text": TEXT, "split_type": "paragraphs"}).json()["task_id"]
    wait_until(lambda: progress(server, task_id, headers)["chunks_completed"] >= 5, 120,
               "five chunks of the book done")
    return str(task_id)


def task_row(data_dir: Path, task_id: str) -> tuple[str, str | None]:
    with sqlite3.connect(data_dir / "voicer.db") as db:
        status, error = db.execute("SELECT status, error FROM tasks WHERE id = ?",
                                   (task_id,)).fetchone()
    return status, error


def _until_rendering(server: Server) -> None:
    """Until an engine worker is rendering a chunk (in a fork of its own)."""
    assert server.process is not None
    serving = psutil.Process(server.process.pid)
    wait_until(lambda: any(worker.children() for worker in serving.children()), 60,
               "an engine worker rendering a chunk", every=0.001)


def done_chunks(data_dir: Path, task_id: str) -> dict[int, str]:
    with sqlite3.connect(data_dir / "voicer.db") as db:
        rows = db.execute("SELECT \"index\", rendered_at FROM task_chunks "
                          "WHERE task_id = ? AND status = 'done'", (task_id,)).fetchall()
    return dict(rows)


def finish(server: Server, task_id: str, headers: dict[str, str], timeout: float = 120) -> dict:
    return task_ended(lambda: progress(server, task_id, headers), timeout)


def test_a_killed_server_resumes_the_task_without_redoing_chunks(tmp_path: Path) -> None:
    server = Server(tmp_path, env={"VOICER_REQUESTS_PER_MINUTE": "100000"})
    server.start()
    headers = {"Authorization": f"Bearer {server.token(characters=500_000)}"}
    try:
        task_id = under_way(server, headers)
        workers = psutil.Process(server.process.pid).children(recursive=True)  # type: ignore[union-attr]
        server.kill()
        before = done_chunks(tmp_path, task_id)
        assert 5 <= len(before) < 40, "killed mid-task"
        # orphaned workers notice their parent is gone and exit
        _, alive = psutil.wait_procs(workers, timeout=10)
        assert alive == []

        server.start()
        resumed = finish(server, task_id, headers)
        assert resumed["status"] == "completed" and resumed["chunks_completed"] == 40
        after = done_chunks(tmp_path, task_id)
        assert {index: after[index] for index in before} == before, "done chunks were redone"

        fresh_id = httpx.post(f"{server.url}/api/v1/voice/synthesize", headers=headers,
                              json={"text": TEXT, "split_type": "paragraphs"}).json()["task_id"]
        fresh = finish(server, fresh_id, headers)
        assert resumed["audio_duration_seconds"] == pytest.approx(
            fresh["audio_duration_seconds"], abs=0.001)
        audio = decode(httpx.get(resumed["download_url"], headers=headers, timeout=30).content)
        assert audio.duration == pytest.approx(fresh["audio_duration_seconds"], abs=0.001)
        stats = httpx.get(f"{server.url}/api/v1/user/stats", headers=headers).json()
        assert stats["used_characters"] == 2 * len(TEXT)
    finally:
        server.stop()


def test_ctrl_c_mid_task_leaves_it_to_resume(tmp_path: Path) -> None:
    """Ctrl-C reaches every process of the terminal's group, the engine workers too: the
    chunks in flight finish and the task waits for the restart instead of failing."""
    server = Server(tmp_path, env={"VOICER_REQUESTS_PER_MINUTE": "100000"})
    server.start()
    headers = {"Authorization": f"Bearer {server.token(characters=500_000)}"}
    try:
        task_id = under_way(server, headers)
        _until_rendering(server)
        server.interrupt()
        status, error = task_row(tmp_path, task_id)
        assert (status, error) == ("processing", None)
        assert 5 <= len(done_chunks(tmp_path, task_id)) < 40, "stopped mid-task"

        server.start()
        resumed = finish(server, task_id, headers)
        assert (resumed["status"], resumed["error"]) == ("completed", None)
        assert resumed["chunks_completed"] == 40
    finally:
        server.stop()
