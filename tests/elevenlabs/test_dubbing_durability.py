"""An accepted dubbing is not lost: kill -9 the server while it dubs and start it again."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from tests.api.conftest import Server
from tests.audio_tools import decode
from tests.recognition.speech import PARAGRAPH, speak
from tests.waiting import wait_until
from voicer.pipeline.pool import WorkerPool

pytestmark = pytest.mark.slow


def test_a_killed_server_dubs_the_upload_after_its_restart(
        tmp_path: Path, whisper_dir: Path, pool: WorkerPool) -> None:
    server = Server(tmp_path, env={"VOICER_STT_MODEL": str(whisper_dir)})
    server.start()
    try:
        headers = {"xi-api-key": server.token(characters=10_000)}
        spoken = speak(pool, PARAGRAPH)

        def status() -> dict:
            return httpx.get(f"{server.url}/v1/dubbing/{dubbing_id}", headers=headers,
                             timeout=10).json()

        def used() -> int:
            return int(httpx.get(f"{server.url}/v1/user/subscription", headers=headers,
                                 timeout=10).json()["character_count"])

        dubbing_id = httpx.post(f"{server.url}/v1/dubbing", headers=headers, timeout=60,
                                files={"file": ("reading.wav", spoken.wav, "audio/wav")},
                                data={"target_lang": "en"}).json()["dubbing_id"]
        charged = used()
        wait_until(lambda: status()["progress"] >= 1, 60, "dubbing under way")
        server.kill()
        server.start()
        ended = wait_until(lambda: (s := status())["status"] != "dubbing" and s, 300,
                           "the dubbing ended after the restart", every=0.5)
        assert ended["status"] == "dubbed", ended
        audio = httpx.get(f"{server.url}/v1/dubbing/{dubbing_id}/audio/en", headers=headers,
                          timeout=30).content
        assert decode(audio).duration == pytest.approx(spoken.clip.duration, rel=0.10)
        assert charged > 0 and used() == charged  # charged once, kept
    finally:
        server.stop()
