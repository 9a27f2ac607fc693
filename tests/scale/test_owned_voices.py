"""A user's own voice, kept in the database, is spoken by a `voicer worker` on another
machine (another process with its own data directory), on Redis and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from tests.api.conftest import task_ended
from tests.audio_tools import decode, median_pitch
from tests.scale.test_scale_out import Cluster, _environment
from voicer.db import Database
from voicer.db.tables import User
from voicer.voices import VoiceCatalogue
from voicer.voices.owned import NewVoice, OwnedVoices

pytestmark = pytest.mark.slow

TEXT = "The keeper lit the lamp, wound the clock, and wrote a line in his book."


def test_a_worker_speaks_a_users_own_voice_from_the_database(
        tmp_path: Path, redis_url: str, postgres_url: str) -> None:
    cluster = Cluster(tmp_path, _environment(tmp_path, redis_url, postgres_url))
    database = Database(postgres_url)
    try:
        api = cluster.start_api(0)
        cluster.apis = [api]
        cluster.workers = [cluster.start_worker()]
        token = api.token()
        heart = VoiceCatalogue.bundled().get("en-us-heart")
        with database.session() as session:
            user = session.scalars(select(User).order_by(User.created_at.desc())).first()
        assert user is not None
        voice = OwnedVoices(database).add(user, NewVoice(
            name="Low heart", description="", labels={}, category="cloned", engine="hibari",
            params={**heart.params, "hibari": {"pitch": 0.7, "pace": 1.0}},
            languages=("en",)), limit=3)

        spoken = {}
        for voice_id in (voice.voice_id, "en-us-heart"):
            headers = {"Authorization": f"Bearer {token}"}
            answer = httpx.post(f"{api.url}/api/v1/voice/synthesize", headers=headers,
                                # as spoken: brought to one loudness, the quieter low voice
                                # counts more of its soft frames as voiced, and reads higher
                                json={"text": TEXT, "voice_id": voice_id, "loudness": "off"},
                                timeout=30)
            assert answer.status_code == 200, answer.text
            status = task_ended(lambda answer=answer, headers=headers: httpx.get(
                f"{api.url}/api/v1/voice/status/{answer.json()['task_id']}",
                headers=headers).json(), timeout=120)
            assert status["status"] == "completed", (status, cluster.worker_troubles())
            audio = decode(httpx.get(status["download_url"], headers=headers).content)
            spoken[voice_id] = median_pitch(audio.samples, audio.rate)
    finally:
        cluster.stop()
        database.close()

    assert spoken[voice.voice_id] == pytest.approx(0.7 * spoken["en-us-heart"], rel=0.1)
