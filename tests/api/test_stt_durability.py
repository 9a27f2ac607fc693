"""An accepted recognition task is not lost: kill -9 the server mid-task and start it again."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from tests.api.conftest import Server
from tests.recognition.speech import PARAGRAPH, speak
from tests.waiting import wait_until
from voicer.pipeline.pool import WorkerPool
from voicer.recognition.wer import word_error_rate

pytestmark = pytest.mark.slow


def test_a_killed_server_recognises_the_task_after_its_restart(
        tmp_path: Path, whisper_dir: Path, pool: WorkerPool) -> None:
    server = Server(tmp_path, env={"VOICER_STT_MODEL": str(whisper_dir)})
    server.start()
    try:
        headers = {"Authorization": f"Bearer {server.token()}"}
        audio = speak(pool, " ".join([PARAGRAPH] * 6)).wav  # about a minute: three pieces

        def status() -> dict:
            return httpx.get(f"{server.url}/v1/stt/{task_id}", headers=headers, timeout=10).json()

        task_id = httpx.post(f"{server.url}/v1/stt", headers=headers, timeout=60,
                             files={"file": ("long.wav", audio, "audio/wav")}).json()["task_id"]
        wait_until(lambda: status()["status"] == "processing", 60, "recognition under way")
        server.kill()
        server.start()
        ended = wait_until(lambda: (s := status())["status"] not in ("pending", "processing")
                           and s, 300, "the task ended after the restart", every=0.5)
        assert ended["status"] == "succeeded"
        result = httpx.get(f"{server.url}/v1/stt/{task_id}/result?plain_text=true",
                           headers=headers).json()
        assert word_error_rate(" ".join([PARAGRAPH] * 6), result["text"]) <= 0.1
        assert not list((tmp_path / "uploads").glob("*"))
    finally:
        server.stop()
