"""Breaks and phonemes through the real app: exact silences, tags never spoken, bad markup
refused saying where."""

from __future__ import annotations

import base64
from collections.abc import Iterator

import pytest

from tests.api.conftest import Api, make_api
from tests.audio_tools import decode, decode_as

VOICE = "en-us-espeak"  # espeak-ng: it reads digits as written, and phonemes


@pytest.fixture(scope="module")
def el(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    yield from make_api(tmp_path_factory.mktemp("markup"), requests_per_minute=10_000)


def key(api: Api) -> dict[str, str]:
    return {"xi-api-key": api.user(100_000)["Authorization"].split()[1]}


def speech(api: Api, text: str, output_format: str = "mp3_44100_128") -> bytes:
    answer = api.client.post(f"/v1/text-to-speech/{VOICE}?output_format={output_format}",
                             headers=key(api), json={"text": text})
    assert answer.status_code == 200, answer.text
    return answer.content


def long_gaps(audio: bytes, output_format: str = "mp3_44100_128") -> list[float]:
    return [length for _, length in decode_as(audio, output_format).gaps(minimum=0.4)]


@pytest.mark.parametrize("seconds", [0.5, 1.5, 3.0])
def test_a_break_is_an_exact_silence(el: Api, seconds: float) -> None:
    text = f'Breathe in slowly. <break time="{seconds}s"/> And breathe out.'
    assert long_gaps(speech(el, text)) == pytest.approx([seconds], abs=0.03)


def test_breaks_in_milliseconds_and_without_spaces(el: Api) -> None:
    text = 'One, two<break time="700ms"/>three<break time="1.2s"/>four.'
    assert long_gaps(speech(el, text, "pcm_22050"), "pcm_22050") == pytest.approx(
        [0.7, 1.2], abs=0.03)


def sounding(audio: bytes) -> float:
    """Seconds of sound, pauses between words and sentences left out."""
    decoded = decode_as(audio, "pcm_22050")
    start, end = decoded.sound_span()
    return end - start - sum(length for _, length in decoded.gaps(minimum=0.1))


def test_a_tag_is_never_spoken(el: Api) -> None:
    plain = sounding(speech(el, "Breathe in. Breathe out.", "pcm_22050"))
    tagged = sounding(speech(el, 'Breathe in.<break time="0.5s"/> Breathe out.', "pcm_22050"))
    # the same words: no "break time equals…" read out
    assert tagged == pytest.approx(plain, abs=0.05)


def test_timestamps_skip_the_tag_and_cover_the_break(el: Api) -> None:
    text = 'Wait <break time="2s"/>now.'
    answer = el.client.post(f"/v1/text-to-speech/{VOICE}/with-timestamps", headers=key(el),
                            json={"text": text}).json()
    alignment, said = answer["alignment"], answer["normalized_alignment"]
    assert "".join(alignment["characters"]) == text
    assert "".join(said["characters"]) == "Wait now."
    assert alignment["character_start_times_seconds"][text.index("now")] >= 2.0
    assert said["character_start_times_seconds"][len("Wait ")] >= 2.0


def test_a_break_in_a_task_is_an_exact_silence(el: Api) -> None:
    headers = el.user()
    text = ("Breathe in. " * 4 + '<break time="2.5s"/>' + " Breathe out." * 4)
    created = el.client.post("/api/v1/voice/synthesize", headers=headers,
                             json={"text": text, "split_type": "max_length",
                                   "max_chunk_length": 60})
    assert created.status_code == 200, created.text
    status = el.wait(created.json()["task_id"], headers)
    assert status["status"] == "completed", status
    audio = decode(el.client.get(f"/api/v1/voice/download/{status['task_id']}",
                                 headers=headers).content)
    assert [length for _, length in audio.gaps(minimum=1.0)] == pytest.approx([2.5], abs=0.03)


def test_a_phoneme_element_is_said_as_its_phonemes(el: Api) -> None:
    def seconds(text: str) -> float:
        audio = decode_as(speech(el, text, "pcm_22050"), "pcm_22050")
        start, end = audio.sound_span()
        return end - start
    hello = seconds("hello")
    overridden = seconds('<phoneme alphabet="cmu-arpabet" ph="HH AH0 L OW1">xqzvk</phoneme>')
    ipa = seconds('<phoneme alphabet="ipa" ph="həˈloʊ">xqzvk</phoneme>')
    assert overridden == pytest.approx(hello, abs=0.05)
    assert ipa == pytest.approx(hello, abs=0.05)
    assert seconds("xqzvk") - hello > 0.5  # spelled out, without the element


@pytest.mark.parametrize(("text", "where"), [
    ('Hello <break time="5s"/> world', "character 6"),
    ('Hello <phoneme ph="HH">world', "character 6"),
])
def test_malformed_markup_is_a_400_saying_where(el: Api, text: str, where: str) -> None:
    answer = el.client.post(f"/v1/text-to-speech/{VOICE}", headers=key(el), json={"text": text})
    assert answer.status_code == 400
    assert where in answer.text
    task = el.client.post("/api/v1/voice/synthesize", headers=el.user(), json={"text": text})
    assert task.status_code == 400 and where in task.text


def test_a_tag_split_across_websocket_messages_is_not_spoken(el: Api) -> None:
    with el.client.websocket_connect(f"/v1/text-to-speech/{VOICE}/stream-input"
                                     "?output_format=pcm_22050", headers=key(el)) as ws:
        ws.send_json({"text": " ", "generation_config": {"chunk_length_schedule": [5]}})
        ws.send_json({"text": "Breathe in slowly now. <break ti"})
        ws.send_json({"text": 'me="1.5s"/> And breathe out. '})
        ws.send_json({"text": ""})
        messages = []
        while not (message := ws.receive_json()).get("isFinal"):
            messages.append(message)
    said = "".join("".join(m["normalizedAlignment"]["chars"]) for m in messages
                   if m.get("normalizedAlignment"))
    assert "break" not in said and "<" not in said
    pcm = b"".join(base64.b64decode(m["audio"]) for m in messages if m.get("audio"))
    assert long_gaps(pcm, "pcm_22050") == pytest.approx([1.5], abs=0.03)
