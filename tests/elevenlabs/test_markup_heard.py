"""Markup heard: Whisper writes down an SSML document's words and none of its tags, and its
``<sub>`` alias, on the neural voices (hibari, Piper); a pronunciation dictionary's alias
(through the official SDK) is heard, and timed as the alias itself would be, where Whisper
hears it (±150 ms): espeak-ng's own word times, and hibari's and Piper's from their graphs'
phoneme durations (``voicer.engines.timing``)."""

from __future__ import annotations

import base64
import io
import re
from collections.abc import Iterator

import pytest
from elevenlabs import ElevenLabs
from elevenlabs.pronunciation_dictionaries.rules.types import PronunciationDictionaryRule_Alias
from elevenlabs.types import PronunciationDictionaryVersionLocator

from tests.api.conftest import Api, make_api
from voicer.recognition.base import Transcript
from voicer.recognition.clip import decode
from voicer.recognition.whisper import WhisperRecognizer

VOICES = ["en-us-heart", "en-us-joe"]  # hibari, Piper
DOCUMENT = ('<speak>The <sub alias="World Health Organization">WHO</sub> meets on '
            '<say-as interpret-as="date" format="mdy">12/03/2025</say-as>. '
            '<prosody rate="slow" pitch="+2st">Please arrive early,</prosody> '
            '<emphasis level="strong">and bring</emphasis> your '
            '<say-as interpret-as="ordinal">3</say-as> report.<break time="700ms"/> '
            '<lang xml:lang="en-GB">Thank you.</lang></speak>')
TAG_WORDS = {"speak", "sub", "alias", "say", "interpret", "format", "prosody", "rate", "pitch",
             "emphasis", "level", "strong", "lang", "xml", "break", "time", "phoneme",
             "alphabet", "ipa"}


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    yield from make_api(tmp_path_factory.mktemp("markup-heard"), requests_per_minute=10_000)


def heard(api: Api, recognizer: WhisperRecognizer, voice: str, text: str) -> str:
    token = api.user(100_000)["Authorization"].split()[1]
    answer = api.client.post(f"/v1/text-to-speech/{voice}?output_format=mp3_22050_32",
                             headers={"xi-api-key": token}, json={"text": text})
    assert answer.status_code == 200, answer.text
    return recognizer.recognize(decode(io.BytesIO(answer.content), 60), "en").text.lower()


def words(transcript: str) -> set[str]:
    return set(re.findall(r"[a-z]+", transcript))


@pytest.mark.parametrize("voice", VOICES)
def test_an_ssml_document_is_heard_without_its_tags(api: Api, recognizer: WhisperRecognizer,
                                                    voice: str) -> None:
    transcript = heard(api, recognizer, voice, DOCUMENT)
    assert not TAG_WORDS & words(transcript), transcript
    assert "world health organization" in transcript, transcript
    assert "december" in transcript and "third" in transcript, transcript


def first_word(transcript: Transcript, word: str) -> float:
    return next(found.start for segment in transcript.segments for found in segment.words
                if found.text.lower().strip(".,!?") == word)


def alias_spoken(client: ElevenLabs, voice: str, text: str,
                 locators: list[PronunciationDictionaryVersionLocator] | None = None,
                 ) -> tuple[list[float], bytes]:
    answer = client.text_to_speech.convert_with_timestamps(
        voice, text=text, pronunciation_dictionary_locators=locators)
    assert answer.alignment is not None and "".join(answer.alignment.characters) == text
    return answer.alignment.character_start_times_seconds, base64.b64decode(answer.audio_base_64)


@pytest.mark.parametrize("voice", ["en-us-espeak", *VOICES])
def test_a_dictionary_alias_is_heard_where_its_timestamps_say(
        client: ElevenLabs, recognizer: WhisperRecognizer, voice: str) -> None:
    made = client.pronunciation_dictionaries.create_from_rules(name="Days", rules=[
        PronunciationDictionaryRule_Alias(string_to_replace="XQZ", alias="Friday")])
    text, plain = "We will meet on XQZ at the old station.", "We will meet on Friday at the old station."
    starts, mp3 = alias_spoken(client, voice, text, [PronunciationDictionaryVersionLocator(
        pronunciation_dictionary_id=made.id, version_id=made.version_id)])
    transcript = recognizer.recognize(decode(io.BytesIO(mp3), 60), "en")
    assert "friday" in transcript.text.lower(), transcript.text
    # the original word has the time its alias is said at, as if the alias had been written
    written, _ = alias_spoken(client, voice, plain)
    assert starts[text.index("XQZ")] == pytest.approx(written[plain.index("Friday")], abs=0.02)
    assert starts[text.index("station")] == pytest.approx(written[plain.index("station")],
                                                          abs=0.02)
    assert starts[text.index("XQZ")] == pytest.approx(first_word(transcript, "friday"),
                                                      abs=0.15)
