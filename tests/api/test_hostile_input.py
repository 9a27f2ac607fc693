"""Values a probe sends on purpose: each is a 4xx naming the field, never a 500."""

from __future__ import annotations

import pytest

from tests.api.conftest import Api

SYNTHESIZE = "/api/v1/voice/synthesize"
TTS = "/v1/text-to-speech/21m00Tcm4TlvDq8ikWAM"
NON_FINITE = ["NaN", "Infinity", "-Infinity", "1e309"]


def post_raw(api: Api, path: str, body: str, headers: dict[str, str]) -> tuple[int, dict]:
    answer = api.client.post(path, content=body.encode(), headers={
        **headers, "Content-Type": "application/json"})
    return answer.status_code, answer.json()


def both_keys(api: Api) -> dict[str, str]:
    headers = api.user()
    return {**headers, "xi-api-key": headers["Authorization"].split()[1]}


@pytest.mark.parametrize("number", NON_FINITE)
@pytest.mark.parametrize(("path", "body", "field"), [
    (SYNTHESIZE, '{{"text": "Hi.", "auto_pause_duration": {n}}}', ["body", "auto_pause_duration"]),
    (SYNTHESIZE, '{{"text": "Hi.", "voice_settings": {{"speed": {n}}}}}',
     ["body", "voice_settings", "speed"]),
    (SYNTHESIZE, '{{"text": "Hi.", "max_chunk_length": {n}}}', ["body", "max_chunk_length"]),
    (TTS, '{{"text": "Hi.", "voice_settings": {{"stability": {n}}}}}',
     ["body", "voice_settings", "stability"]),
    (TTS, '{{"text": "Hi.", "seed": {n}}}', ["body", "seed"]),
    (TTS, '{{"text": "Hi.", "audio_effects": {{"gain": {n}}}}}', ["body", "audio_effects", "gain"]),
])
def test_a_number_that_is_not_finite_is_422_naming_the_field(
        api: Api, number: str, path: str, body: str, field: list[str]) -> None:
    code, answer = post_raw(api, path, body.format(n=number), both_keys(api))
    assert code == 422
    assert answer["detail"][0]["loc"] == field and "finite" in answer["detail"][0]["msg"]


@pytest.mark.parametrize(("path", "body", "field"), [
    (SYNTHESIZE, '{"text": "Hello \\ud800 there."}', ["body", "text"]),
    (SYNTHESIZE, '{"text": "Hi.", "voice_id": "\\udfff"}', ["body", "voice_id"]),
    (TTS, '{"text": "Hello \\ud800"}', ["body", "text"]),
    (TTS, '{"text": "Hi.", "previous_text": "\\ud83d"}', ["body", "previous_text"]),
])
def test_a_lone_surrogate_is_422_naming_the_field(api: Api, path: str, body: str,
                                                  field: list[str]) -> None:
    code, answer = post_raw(api, path, body, both_keys(api))
    assert code == 422
    assert answer["detail"][0]["loc"] == field and "surrogate" in answer["detail"][0]["msg"]


def test_an_offset_beyond_any_integer_is_422(api: Api) -> None:
    answer = api.client.get("/api/v1/voice/tasks?offset=9223372036854775808", headers=api.user())
    assert answer.status_code == 422 and answer.json()["detail"][0]["loc"] == ["query", "offset"]


def test_a_refused_text_is_shown_back_cut_short(api: Api) -> None:
    answer = api.client.post(SYNTHESIZE, headers=api.user(), json={"text": "x" * 2_000_000})
    assert answer.status_code in (413, 422)
    assert len(answer.content) < 2_000
    too_long = api.client.post(SYNTHESIZE, headers=api.user(), json={"text": "y" * 1_000_001})
    assert too_long.status_code == 422 and len(too_long.content) < 2_000
    assert "1,000,001 characters" in too_long.json()["detail"][0]["input"]


@pytest.mark.parametrize("body", ["not json at all", '{"text": ', "\xff\xfe", '{"text": 12345}', "[]"])
@pytest.mark.parametrize("path", [SYNTHESIZE, TTS])
def test_no_token_is_401_whatever_the_body(api: Api, path: str, body: str) -> None:
    answer = api.client.post(path, content=body.encode("latin-1"),
                             headers={"Content-Type": "application/json"})
    assert answer.status_code == 401


def test_a_bad_body_with_a_good_token_is_422(api: Api) -> None:
    code, answer = post_raw(api, SYNTHESIZE, "not json at all", api.user())
    assert code == 422 and answer["detail"][0]["type"] == "json_invalid"
    code, answer = post_raw(api, TTS, "\xff", both_keys(api))
    assert code == 422 and answer["detail"][0]["loc"][0] == "body"


def test_a_reused_idempotency_key_is_a_422_in_the_validation_shape(api: Api) -> None:
    headers = {**api.user(), "Idempotency-Key": "same-key"}
    assert api.client.post(SYNTHESIZE, headers=headers, json={"text": "One."}).status_code == 200
    answer = api.client.post(SYNTHESIZE, headers=headers, json={"text": "Two."})
    assert answer.status_code == 422
    assert answer.json()["detail"][0]["loc"] == ["header", "idempotency-key"]


def test_the_openapi_document_names_each_error_and_its_shape(api: Api) -> None:
    paths = api.client.get("/openapi.json").json()["paths"]
    synthesize = paths[SYNTHESIZE]["post"]["responses"]
    assert {"400", "401", "403", "413", "422", "429", "500"} <= set(synthesize)
    assert synthesize["401"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "/VoicerErrorBody")
    tts = paths["/v1/text-to-speech/{voice_id}"]["post"]["responses"]
    assert tts["401"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "/ElevenLabsErrorBody")
    download = paths["/api/v1/voice/download/{task_id}"]["get"]["responses"]
    assert {"404", "409"} <= set(download)


def test_a_body_over_the_limit_is_413_in_each_apis_shape(api: Api) -> None:
    huge = b'{"text": "' + b"x" * 9_000_000 + b'"}'
    voicer = api.client.post(SYNTHESIZE, content=huge, headers=api.user())
    assert voicer.status_code == 413 and "limit" in voicer.json()["detail"]
    elevenlabs = api.client.post(TTS, content=huge, headers=both_keys(api))
    assert elevenlabs.status_code == 413
    assert elevenlabs.json()["detail"]["status"] == "payload_too_large"
