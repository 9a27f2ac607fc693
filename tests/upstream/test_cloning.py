"""With an ElevenLabs key, a clone is the upstream's instant clone (here a second Voicer plays
ElevenLabs), kept as the caller's own voice: private, spoken upstream."""

from __future__ import annotations

from pathlib import Path

from tests.api.conftest import Server
from tests.audio_tools import decode
from tests.cloning.references import reference
from tests.upstream.proxy import FaultProxy
from tests.upstream.test_upstream import front
from voicer.engines.hibari import HibariEngine


def test_a_clone_is_made_upstream_and_stays_private(
        tmp_path: Path, upstream: Server, upstream_key: str) -> None:
    wav, _ = reference("en-us-heart", HibariEngine(), pitch=0.9, pace=1.0)
    with FaultProxy(upstream.url) as proxy:
        for api in front(tmp_path, proxy, upstream_key, elevenlabs_timeout=120):
            owner = {"xi-api-key": api.user()["Authorization"].removeprefix("Bearer ")}
            other = {"xi-api-key": api.user()["Authorization"].removeprefix("Bearer ")}
            made = api.client.post("/v1/voices/add", headers=owner,
                                   files={"files": ("me.wav", wav, "audio/wav")},
                                   data={"name": "Upstream me", "labels": '{"accent": "irish"}'})
            assert made.status_code == 200, made.text
            voice_id = made.json()["voice_id"]
            mine = api.client.get(f"/v1/voices/{voice_id}", headers=owner).json()
            spoken = api.client.post(f"/v1/text-to-speech/{voice_id}", headers=owner,
                                     json={"text": "Spoken by the upstream clone."})
            hidden = api.client.get(f"/v1/voices/{voice_id}", headers=other)
            listed = api.client.get("/v1/voices", headers=other).json()["voices"]
            refused = api.client.post(f"/v1/text-to-speech/{voice_id}", headers=other,
                                      json={"text": "Not mine."})
            deleted = api.client.delete(f"/v1/voices/{voice_id}", headers=owner)
            upstream_listing = api.client.get("/v1/voices", headers=owner).json()["voices"]

    assert [seen.path for seen in proxy.seen if seen.path == "/v1/voices/add"] == ["/v1/voices/add"]
    assert mine["engine"] == "elevenlabs" and mine["category"] == "cloned"
    assert mine["labels"] == {"accent": "irish"}  # the upstream's clone: not labelled approximate
    assert spoken.status_code == 200 and decode(spoken.content).duration > 1
    assert any(seen.path == f"/v1/text-to-speech/{voice_id}" for seen in proxy.seen)
    assert hidden.status_code == 404
    assert voice_id not in {voice["voice_id"] for voice in listed}
    assert refused.status_code == 400
    assert deleted.status_code == 200
    assert any(seen.method == "DELETE" and seen.path == f"/v1/voices/{voice_id}"
               for seen in proxy.seen)
    assert voice_id not in {voice["voice_id"] for voice in upstream_listing}
