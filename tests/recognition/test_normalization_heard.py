"""Normalization heard: Voicer speaks written forms (dates, money, abbreviations, ordinals,
roman numerals) with normalization on and off, and Whisper writes down what it heard."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest

from tests.api.conftest import Api, make_api
from voicer.recognition.clip import decode
from voicer.recognition.whisper import WhisperRecognizer

HEART, ESPEAK = "en-us-heart", "en-us-espeak"


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    yield from make_api(tmp_path_factory.mktemp("heard"), requests_per_minute=10_000)


def heard(api: Api, recognizer: WhisperRecognizer, text: str, voice: str,
          normalization: str = "on") -> str:
    token = api.user(100_000)["Authorization"].split()[1]
    answer = api.client.post(f"/v1/text-to-speech/{voice}?output_format=mp3_22050_32",
                             headers={"xi-api-key": token},
                             json={"text": text, "apply_text_normalization": normalization})
    assert answer.status_code == 200, answer.text
    return recognizer.recognize(decode(io.BytesIO(answer.content), 60), "en").text.lower()


@pytest.mark.parametrize(("text", "said"), [
    ("The meeting is on 12/03/2025.", ("december 3", "december third")),
    ("It cost $5.2M last year.", ("5.2 million", "five point two million")),
    ("Dr. Smith lives on Baker St.", ("baker street",)),
    ("He finished 3rd in the race.", ("third", "3rd")),
    ("Chapter IV begins here.", ("chapter 4", "chapter four")),
])
def test_the_spoken_form_is_heard(api: Api, recognizer: WhisperRecognizer, text: str,
                                  said: tuple[str, ...]) -> None:
    transcript = heard(api, recognizer, text, HEART)
    assert any(form in transcript for form in said), transcript


def test_normalization_is_what_reads_a_date_as_a_date(api: Api,
                                                      recognizer: WhisperRecognizer) -> None:
    """espeak-ng reads what is written: without normalization a date is numbers and slashes."""
    text = "The meeting is on 12/03/2025."
    normalized = heard(api, recognizer, text, ESPEAK, "on")
    as_written = heard(api, recognizer, text, ESPEAK, "off")
    assert "december" in normalized and "slash" not in normalized, normalized
    assert "december" not in as_written, as_written
