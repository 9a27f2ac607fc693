"""Scribe through the upstream: with a key configured, the Scribe model ids on speech to text are
heard by the upstream (the upload and every field sent on, its transcript and diarization back),
charged here by the audio's duration and given back when the upstream fails; `whisper` stays
local."""

from __future__ import annotations

import math
from pathlib import Path

import httpx
import pytest
from elevenlabs import ElevenLabs, SpeechToTextChunkResponseModel
from elevenlabs.core.api_error import ApiError

from tests.api.conftest import Server
from tests.recognition.speech import speak
from tests.upstream.proxy import FaultProxy, Faults
from voicer.pipeline.pool import WorkerPool
from voicer.recognition.wer import word_error_rate

SAID = "The lighthouse keeper climbed the stairs and lit the lamp before the storm came in."
PATH = "/v1/speech-to-text"


def used(http: httpx.Client, url: str, key: str) -> int:
    """Characters ``key`` has used at the Voicer at ``url``."""
    answer = http.get(f"{url}/v1/user/subscription", headers={"xi-api-key": key})
    return int(answer.json()["character_count"])


def test_scribe_is_heard_by_the_upstream(tmp_path: Path, upstream: Server, upstream_key: str,
                                         pool: WorkerPool, whisper_dir: Path) -> None:
    spoken = speak(pool, SAID)
    file = ("said.wav", spoken.wav, "audio/wav")
    cost = math.ceil(spoken.clip.duration * 15)  # VOICER_STT_CHARACTERS_PER_SECOND
    with FaultProxy(upstream.url) as proxy, httpx.Client(timeout=120) as http:
        server = Server(tmp_path, env={
            "VOICER_ELEVENLABS_API_KEY": upstream_key, "VOICER_ELEVENLABS_BASE_URL": proxy.url,
            "VOICER_ELEVENLABS_CONCURRENCY": "2", "VOICER_ELEVENLABS_BACKOFF": "0.05",
            "VOICER_ELEVENLABS_BACKOFF_CAP": "0.2", "VOICER_ELEVENLABS_MAX_ATTEMPTS": "3",
            "VOICER_STT_MODEL": str(whisper_dir)})
        server.start()
        try:
            key = server.token(characters=1_000)
            sdk = ElevenLabs(base_url=server.url, api_key=key, httpx_client=http)
            before = used(http, upstream.url, upstream_key)
            result = sdk.speech_to_text.convert(
                model_id="scribe_v1", file=file, diarize=True, num_speakers=1,
                keyterms=["lighthouse", "storm"], enable_logging=False)
            charged = used(http, server.url, key)
            heard_upstream = used(http, upstream.url, upstream_key) - before
            relayed = [seen for seen in proxy.seen if seen.path == PATH]
            transcribed = http.post(f"{server.url}/v1/audio/transcriptions",
                                    files={"file": file}, data={"model": "scribe_v2"},
                                    headers={"Authorization": f"Bearer {key}"})
            proxy.set_faults(Faults(server_error=1.0, only=PATH))
            with pytest.raises(ApiError) as failed:
                sdk.speech_to_text.convert(model_id="scribe_v1", file=file,
                                           request_options={"max_retries": 0})  # one try
            after_failure = used(http, server.url, key)
            proxy.set_faults(Faults())
            local = sdk.speech_to_text.convert(model_id="whisper", file=file, diarize=True)
            sent = len([seen for seen in proxy.seen if seen.path == PATH])
        finally:
            server.stop()

    assert isinstance(result, SpeechToTextChunkResponseModel)
    assert word_error_rate(SAID, result.text) <= 0.1
    words = [word for word in result.words if word.type == "word"]
    assert words and all(word.speaker_id == "speaker_0" for word in words)  # its diarization
    # the upload and every field went on, with the upstream's key and not the caller's
    (first,) = relayed
    assert first.method == "POST" and spoken.wav in first.body
    assert b'name="model_id"\r\n\r\nscribe_v1' in first.body
    assert b'name="diarize"\r\n\r\ntrue' in first.body
    assert b'name="num_speakers"\r\n\r\n1' in first.body
    assert first.body.count(b'name="keyterms"') == 2
    assert first.query == "enable_logging=false"
    assert first.headers["xi-api-key"] == upstream_key and key not in first.body.decode("latin-1")
    # the upstream heard it (its usage), the caller paid the same duration here
    assert heard_upstream == cost and charged == cost
    # another way in that names a Scribe id is heard upstream too
    assert transcribed.status_code == 200, transcribed.text
    assert word_error_rate(SAID, transcribed.json()["text"]) <= 0.1
    # a failing upstream: a clean 502, and the caller's characters back
    assert failed.value.status_code == 502, failed.value.body
    assert "upstream" in str(failed.value.body)
    assert after_failure == charged + cost  # only the OpenAI transcription added
    # `whisper` is always the local model: nothing more went upstream
    assert isinstance(local, SpeechToTextChunkResponseModel)
    assert word_error_rate(SAID, local.text) <= 0.1
    assert sent == 2 + 3  # the relay, the transcription, the failure's 3 attempts
