"""Dubbing into another language goes to the upstream: the upload and its fields are sent on,
the upstream's answer comes back, and what it refuses is not charged."""

from __future__ import annotations

import io
import wave
from pathlib import Path

import numpy as np

from tests.api.conftest import Server
from tests.upstream.proxy import FaultProxy
from tests.upstream.test_upstream import front


def test_another_language_is_relayed_to_the_upstream(tmp_path: Path, upstream: Server,
                                                     upstream_key: str) -> None:
    out = io.BytesIO()
    with wave.open(out, "wb") as file:
        file.setnchannels(1)
        file.setsampwidth(2)
        file.setframerate(16_000)
        file.writeframes(np.zeros(16_000, "<i2").tobytes())
    with FaultProxy(upstream.url) as proxy:
        for api in front(tmp_path, proxy, upstream_key):
            headers = {"xi-api-key": api.user(characters=1_000)["Authorization"][7:]}
            answer = api.client.post("/v1/dubbing", headers=headers, files={
                "file": ("clip.wav", out.getvalue(), "audio/wav")}, data={
                "source_lang": "en", "target_lang": "de", "num_speakers": "2"})
            left = api.client.get("/v1/user/subscription", headers=headers).json()
            local = api.client.post("/v1/dubbing", headers=headers, files={
                "file": ("clip.wav", out.getvalue(), "audio/wav")}, data={"target_lang": "en"})
    (seen,) = [request for request in proxy.seen if request.path == "/v1/dubbing"]
    assert seen.method == "POST" and out.getvalue() in seen.body
    assert b'name="target_lang"\r\n\r\nde' in seen.body
    assert b'name="num_speakers"\r\n\r\n2' in seen.body
    # the upstream here is a Voicer, which dubs no other language either: its refusal comes back
    assert answer.status_code == 400, answer.text
    assert "upstream" in answer.text and "target_lang" in answer.text
    assert left["character_count"] == 0
    assert local.status_code == 200  # the same language stays here
    assert len([request for request in proxy.seen if request.path == "/v1/dubbing"]) == 1
