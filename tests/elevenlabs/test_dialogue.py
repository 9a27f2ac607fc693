"""ElevenLabs text to dialogue through the official SDK against a live Voicer: each turn in
its own voice, one audio, and voice segments that say who speaks when."""

from __future__ import annotations

import base64
from collections.abc import Iterator

import pytest
from elevenlabs import DialogueInput, ElevenLabs
from elevenlabs.core.api_error import ApiError

from tests.audio_tools import decode, median_pitch
from tests.elevenlabs.conftest import sdk_on

RACHEL = "21m00Tcm4TlvDq8ikWAM"  # a female premade voice
ADAM = "pNInz6obpgDQGcFmaJgB"  # a male one
TURNS = [("Good morning. Did you sleep well last night?", RACHEL),
         ("Not really. The storm kept me awake until three.", ADAM)]


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ElevenLabs]:
    with sdk_on(tmp_path_factory.mktemp("dialogue")) as (_, client):
        yield client


def inputs() -> list[DialogueInput]:
    return [DialogueInput(text=text, voice_id=voice) for text, voice in TURNS]


def test_each_turn_has_its_own_voice_and_segment(client: ElevenLabs) -> None:
    before = client.user.subscription.get().character_count
    answer = client.text_to_dialogue.convert_with_timestamps(inputs=inputs())
    text = "".join(turn for turn, _ in TURNS)
    assert answer.alignment is not None and "".join(answer.alignment.characters) == text
    segments = answer.voice_segments
    assert [(s.voice_id, s.dialogue_input_index) for s in segments] == [(RACHEL, 0), (ADAM, 1)]
    assert [(s.character_start_index, s.character_end_index) for s in segments] == [
        (0, len(TURNS[0][0])), (len(TURNS[0][0]), len(text))]
    first, second = segments
    assert 0 <= first.start_time_seconds < first.end_time_seconds
    assert first.end_time_seconds + 0.25 <= second.start_time_seconds < second.end_time_seconds
    audio = decode(base64.b64decode(answer.audio_base_64))
    assert audio.duration == pytest.approx(second.end_time_seconds, abs=0.1)

    def pitch(segment: object) -> float:
        start, end = (round(t * audio.rate) for t in (segment.start_time_seconds,  # type: ignore[attr-defined]
                                                      segment.end_time_seconds))  # type: ignore[attr-defined]
        return median_pitch(audio.samples[start:end], audio.rate)

    female, male = pitch(first), pitch(second)
    assert female >= 1.15 * male > 0
    assert client.user.subscription.get().character_count - before == len(text)


def test_convert_and_stream_give_one_audio(client: ElevenLabs) -> None:
    whole = decode(b"".join(client.text_to_dialogue.convert(inputs=inputs())))
    streamed = decode(b"".join(client.text_to_dialogue.stream(inputs=inputs(),
                                                              output_format="mp3_22050_32")))
    assert whole.rate == 44_100 and streamed.rate == 22_050
    assert streamed.duration == pytest.approx(whole.duration, abs=0.1)
    chunks = list(client.text_to_dialogue.stream_with_timestamps(inputs=inputs()))
    voiced = [segment for chunk in chunks for segment in chunk.voice_segments]
    assert {segment.voice_id for segment in voiced} == {RACHEL, ADAM}
    assert [segment.dialogue_input_index for segment in voiced] == sorted(
        segment.dialogue_input_index for segment in voiced)
    history = client.history.list(page_size=10).history
    assert any(item.text == "".join(turn for turn, _ in TURNS) for item in history)


@pytest.mark.parametrize(("body", "status"), [
    ([DialogueInput(text="Hello.", voice_id="no-such-voice")], 400),
    ([DialogueInput(text="Hello.", voice_id=f"voice-{n}") for n in range(11)], 422),
])
def test_bad_dialogues_are_refused_and_not_charged(client: ElevenLabs, body: list[DialogueInput],
                                                   status: int) -> None:
    before = client.user.subscription.get().character_count
    with pytest.raises(ApiError) as refused:
        b"".join(client.text_to_dialogue.convert(inputs=body))
    assert refused.value.status_code == status
    assert client.user.subscription.get().character_count == before
