"""A completed task's chunk times match where each chunk is heard in its merged output."""

from __future__ import annotations

import itertools

from tests.api.conftest import Api
from tests.audio_tools import decode

TEXT = "The first sentence is short. Then a second one follows it. And a third ends the text."
PAUSE = 1.2


def test_each_chunk_starts_where_the_pause_before_it_ends(api: Api) -> None:
    headers = api.user()
    created = api.client.post("/api/v1/voice/synthesize", headers=headers, json={
        "text": TEXT, "voice_id": "en-us-espeak", "split_type": "sentences",
        "auto_pause_enabled": True, "auto_pause_duration": PAUSE}).json()
    status = api.wait(created["task_id"], headers)
    marks = api.client.get(f"/api/v1/voice/tasks/{created['task_id']}/chunks", headers=headers).json()
    audio = decode(api.client.get(status["download_url"], headers=headers).content)

    assert [mark["index"] for mark in marks] == [0, 1, 2]
    assert marks[1]["text"] == "Then a second one follows it."
    assert marks[0]["start"] == 0
    for before, after in itertools.pairwise(marks):
        assert abs(before["start"] + before["duration"] - after["start"]) < 0.002
        # silence of at least the pause ends within 50 ms of the chunk's start
        assert any(start <= after["start"] <= start + length + 0.05 and length >= PAUSE - 0.05
                   for start, length in audio.gaps(minimum=0.5)), (after, audio.gaps(minimum=0.5))
    assert abs(marks[-1]["start"] + marks[-1]["duration"] - audio.duration) < 0.1


def test_another_users_task_has_no_chunks_to_show(api: Api) -> None:
    owner = api.user()
    created = api.client.post("/api/v1/voice/synthesize", headers=owner,
                              json={"text": "Mine.", "voice_id": "en-us-espeak"}).json()
    api.wait(created["task_id"], owner)
    answer = api.client.get(f"/api/v1/voice/tasks/{created['task_id']}/chunks", headers=api.user())
    assert answer.status_code == 404
