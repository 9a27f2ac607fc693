"""Estimated times hold whatever the script and the engine: within twice the time a task
really takes.

A ratio, measured on the same machine at the same time, so it holds however fast the machine is.
The work model is espeak-ng's (its cost per second of speech in every script), so the scripts
are spoken by an espeak-ng voice; the neural engines, ten times slower (Piper) or half as fast
(hibari), are each estimated at their own speed.
"""

from datetime import datetime
from pathlib import Path

from tests.api.conftest import Api, make_api
from tests.pipeline import texts
from tests.waiting import wait_until

VOICE = "en-us-espeak"
KINDS = {
    "English": texts.english(4_000),
    "Russian": texts.russian(4_000),
    "emoji-heavy": texts.emoji_heavy(3_000),
    "combining-mark-heavy": texts.combining_marks(8_000),
}


def run_alone(api: Api, headers: dict[str, str], text: str,
              voice: str = VOICE) -> tuple[float, float]:
    """The estimate given at submission, and the seconds from submission to completion."""
    created = api.client.post("/api/v1/voice/synthesize", headers=headers,
                              json={"text": text, "voice_id": voice}).json()

    def ended() -> dict | None:
        status = api.client.get(f"/api/v1/voice/status/{created['task_id']}",
                                headers=headers).json()
        return status if status["status"] not in ("pending", "processing") else None

    status = wait_until(ended, 120, "the task to end")
    assert status["status"] == "completed", status
    took = datetime.fromisoformat(status["completed_at"]) - datetime.fromisoformat(
        status["created_at"])
    return created["estimated_time"], took.total_seconds()


def test_the_estimate_at_submission_is_within_twice_the_time_taken(tmp_path: Path) -> None:
    for api in make_api(tmp_path, requests_per_minute=10_000):
        headers = api.user(characters=1_000_000)
        run_alone(api, headers, texts.english(4_000))  # starts the pool; the meter measures it
        ratios = {}
        for kind, text in KINDS.items():
            estimate, took = run_alone(api, headers, text)
            ratios[kind] = round(estimate / took, 2)
        assert all(0.5 <= ratio <= 2 for ratio in ratios.values()), ratios


def test_each_engine_is_estimated_at_its_own_speed(tmp_path: Path) -> None:
    for api in make_api(tmp_path, requests_per_minute=10_000):
        headers = api.user(characters=1_000_000)
        run_alone(api, headers, texts.english(4_000))  # espeak-ng measured first
        ratios = {}
        for voice in ("en-us-joe", "en-us-heart"):
            run_alone(api, headers, "A first sentence loads the model.", voice)
            estimate, took = run_alone(api, headers, texts.english(3_000), voice)
            ratios[voice] = round(estimate / took, 2)
        assert all(0.5 <= ratio <= 2 for ratio in ratios.values()), ratios
