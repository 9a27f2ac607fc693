"""The voice changer with a voice of the upstream: the upload and its fields go on to the
upstream's own speech to speech, its audio comes back, charged and kept as a local change is."""

from __future__ import annotations

from pathlib import Path

from tests.api.conftest import Server
from tests.audio_tools import decode
from tests.cloning.references import reference
from tests.upstream.proxy import FaultProxy, Faults
from tests.upstream.test_upstream import RACHEL, front
from voicer.engines.hibari import HibariEngine

SAID = "The lighthouse keeper climbed the stairs and lit the lamp before the storm came in."


def test_an_upstream_voice_is_changed_by_the_upstream(tmp_path: Path, upstream: Server,
                                                     upstream_key: str) -> None:
    wav, original = reference("en-us-heart", HibariEngine(), pitch=None, pace=1.0, text=SAID)
    with FaultProxy(upstream.url) as proxy:
        for api in front(tmp_path, proxy, upstream_key, elevenlabs_timeout=120):
            headers = {"xi-api-key": api.user(characters=1_000)["Authorization"][7:]}
            changed = api.client.post(  # where the official SDK sends it
                f"/v1/voice-changer/{RACHEL}", headers=headers,
                params={"output_format": "mp3_22050_32"},
                files={"audio": ("me.wav", wav, "audio/wav")},
                data={"model_id": "eleven_multilingual_sts_v2", "seed": "7",
                      "voice_settings": '{"stability": 0.4}'})
            streamed = api.client.post(f"/v1/speech-to-speech/{RACHEL}/stream", headers=headers,
                                       files={"audio": ("me.wav", wav, "audio/wav")})
            used = api.client.get("/v1/user/subscription", headers=headers).json()
            history = api.client.get("/v1/history", headers=headers).json()["history"]
            proxy.set_faults(Faults(server_error=1.0, only="/v1/speech-to-speech/"))
            failed = api.client.post(f"/v1/speech-to-speech/{RACHEL}", headers=headers,
                                     files={"audio": ("me.wav", wav, "audio/wav")})
            after = api.client.get("/v1/user/subscription", headers=headers).json()

    assert changed.status_code == 200, changed.text
    assert streamed.status_code == 200, streamed.text
    relayed = [seen for seen in proxy.seen
               if seen.path == f"/v1/speech-to-speech/{RACHEL}" and seen.fault is None]
    assert len(relayed) == 2
    first = relayed[0]
    assert first.method == "POST" and wav in first.body
    assert b'name="model_id"\r\n\r\neleven_multilingual_sts_v2' in first.body
    assert b'name="seed"\r\n\r\n7' in first.body
    assert b'"stability": 0.4' in first.body
    assert first.query == "output_format=mp3_22050_32"
    assert upstream_key in first.headers["xi-api-key"]
    heard = decode(changed.content)
    assert heard.rate == 22_050  # the format asked reached the upstream
    assert abs(heard.duration - original.duration) < 0.15 * original.duration
    assert decode(streamed.content).duration > 1
    # charged the words heard, twice, and kept as two history items with the upstream's audio
    assert 2 * 60 < used["character_count"] < 2 * 120
    assert len(history) == 2 and all("lighthouse" in item["text"].lower() for item in history)
    # what the upstream could not change is given back, and kept nowhere
    assert failed.status_code == 502, failed.text
    assert after["character_count"] == used["character_count"]
