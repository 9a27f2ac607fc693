"""A failed task delivers no audio, so it gives back every character; its error is for people."""

from pathlib import Path

from tests.api.conftest import make_api
from tests.pipeline.test_pipeline import BrokenEngine
from voicer.pipeline.pool import INTERNAL_ERROR


def test_a_failed_task_refunds_everything_and_says_what_happened_in_words(tmp_path: Path) -> None:
    long = "This sentence is long enough to keep a worker busy for a little while. " * 3
    text = "\n\n".join(["Fine.", long, long, "Then boom happens.", "Never reached."])
    for api in make_api(tmp_path, engine=BrokenEngine):
        headers = api.user(characters=1_000)
        task_id = api.client.post("/api/v1/voice/synthesize", headers=headers,
                                  json={"text": text, "split_type": "paragraphs"}).json()["task_id"]
        status = api.wait(task_id, headers)
        assert status["status"] == "failed"
        assert status["chunks_completed"] >= 1  # spoken, but never delivered
        assert status["error"] == f"chunk 4: {INTERNAL_ERROR}"
        assert "RuntimeError" not in status["error"] and "Traceback" not in status["error"]
        stats = api.client.get("/api/v1/user/stats", headers=headers).json()
        assert stats["used_characters"] == 0 and stats["remaining_characters"] == 1_000
        # cancelling or failing again gives nothing twice
        assert api.client.delete(f"/api/v1/voice/tasks/{task_id}", headers=headers).status_code == 409
        assert api.client.get("/api/v1/user/stats", headers=headers).json()["used_characters"] == 0
