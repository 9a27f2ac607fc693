"""Breaks on every built-in engine (espeak-ng, hibari, Piper): ``<break time>`` in plain text
and SSML's ``<break>`` are exact silences (±30 ms) through the speech route and in a task."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.api.conftest import Api, make_api
from tests.audio_tools import decode, decode_as

VOICES = ["en-us-espeak", "en-us-heart", "en-us-joe"]  # espeak-ng, hibari, Piper


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    yield from make_api(tmp_path_factory.mktemp("breaks"), requests_per_minute=10_000)


def gaps(api: Api, voice: str, text: str, minimum: float = 0.4) -> list[float]:
    token = api.user(100_000)["Authorization"].split()[1]
    answer = api.client.post(f"/v1/text-to-speech/{voice}?output_format=pcm_22050",
                             headers={"xi-api-key": token}, json={"text": text})
    assert answer.status_code == 200, answer.text
    return [length for _, length in decode_as(answer.content, "pcm_22050").gaps(minimum)]


@pytest.mark.parametrize("voice", VOICES)
@pytest.mark.parametrize(("text", "seconds"), [
    ('Breathe in slowly. <break time="1.5s"/> And breathe out.', [1.5]),
    ('One, two<break time="700ms"/>three<break time="1.2s"/>four.', [0.7, 1.2]),
    ('<speak>Breathe in<break time="1500ms"/>and breathe out.</speak>', [1.5]),
    ('<speak>Breathe in. <break strength="x-strong"/> Breathe out.</speak>', [1.2]),
])
def test_a_break_is_an_exact_silence(api: Api, voice: str, text: str,
                                     seconds: list[float]) -> None:
    assert gaps(api, voice, text) == pytest.approx(seconds, abs=0.03)


@pytest.mark.parametrize("voice", VOICES)
def test_a_break_in_a_task_is_an_exact_silence(api: Api, voice: str) -> None:
    headers = api.user()
    text = "Breathe in. " * 4 + '<break time="2.5s"/>' + " Breathe out." * 4
    created = api.client.post("/api/v1/voice/synthesize", headers=headers, json={
        "text": text, "voice_id": voice, "split_type": "max_length", "max_chunk_length": 60})
    assert created.status_code == 200, created.text
    status = api.wait(created.json()["task_id"], headers, timeout=180)
    assert status["status"] == "completed", status
    audio = decode(api.client.get(status["download_url"], headers=headers).content)
    assert [length for _, length in audio.gaps(minimum=1.0)] == pytest.approx([2.5], abs=0.03)
