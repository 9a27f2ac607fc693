"""Every task brought to the loudness it asks for, under its true-peak ceiling."""

from __future__ import annotations

import numpy as np
import pytest

from tests.api.conftest import Api
from tests.audio_tools import decode_as
from tests.pipeline.texts import english
from voicer.loudness import integrated, true_peak

VOICE = "en-us-espeak"


def measured(api: Api, **fields: object) -> tuple[float, float]:
    """Integrated loudness and true peak of a task's merged MP3."""
    headers = api.user()
    created = api.client.post("/api/v1/voice/synthesize", headers=headers, json={
        "text": english(600), "voice_id": VOICE, "split_type": "sentences", **fields})
    assert created.status_code == 200, created.text
    status = api.wait(created.json()["task_id"], headers)
    audio = decode_as(api.client.get(status["download_url"], headers=headers).content, "mp3_44100_128")
    samples = audio.samples.astype(np.float64)
    return integrated(samples, audio.rate), true_peak(samples)


def test_a_task_is_at_the_loudness_it_asks_for_under_its_ceiling(api: Api) -> None:
    level, peak = measured(api)  # the default: -16 LUFS, -1 dBTP
    assert level == pytest.approx(-16.0, abs=1.0) and peak <= -1.0
    level, peak = measured(api, loudness="acx")
    assert level == pytest.approx(-20.0, abs=1.0) and peak <= -3.0
    level, peak = measured(api, loudness=-24, true_peak=-6)
    assert level == pytest.approx(-24.0, abs=1.0) and peak <= -6.0
    level, _ = measured(api, loudness="off")  # espeak-ng as it speaks: about -20 LUFS
    assert abs(level + 16.0) > 2.0


@pytest.mark.parametrize("fields", [{"loudness": "loud"}, {"loudness": -50},
                                    {"loudness": -16, "true_peak": 1}])
def test_a_loudness_out_of_bounds_is_refused(api: Api, fields: dict[str, object]) -> None:
    response = api.client.post("/api/v1/voice/synthesize", headers=api.user(),
                               json={"text": "Hello.", **fields})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][1] in ("loudness", "true_peak")
