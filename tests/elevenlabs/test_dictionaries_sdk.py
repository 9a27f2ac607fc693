"""Pronunciation dictionaries through the official SDK against a live Voicer: created from a
PLS file and from rules, listed, read, changed in versions, downloaded, private to their
owner, and applied to speech (an alias is heard where its word was)."""

from __future__ import annotations

import base64
from collections.abc import Iterator

import httpx
import pytest
from elevenlabs import ElevenLabs
from elevenlabs.core.api_error import ApiError
from elevenlabs.pronunciation_dictionaries.rules.types import (
    PronunciationDictionaryRule_Alias,
    PronunciationDictionaryRule_Phoneme,
)
from elevenlabs.types import PronunciationDictionaryVersionLocator

from tests.api.conftest import Server
from tests.audio_tools import decode_as
from voicer.pronunciation import pls

VOICE = "en-us-espeak"  # espeak-ng: it reads digits as written, and phonemes
LEXICON = """<?xml version="1.0" encoding="UTF-8"?>
<lexicon version="1.0" xmlns="http://www.w3.org/2005/01/pronunciation-lexicon"
         alphabet="ipa" xml:lang="en-US">
  <lexeme><grapheme>tomato</grapheme><phoneme>təˈmɑːtoʊ</phoneme></lexeme>
  <lexeme><grapheme>UN</grapheme><alias>United Nations</alias></lexeme>
</lexicon>
""".encode()


@pytest.fixture(scope="module")
def other(tls_server: Server) -> Iterator[ElevenLabs]:
    with httpx.Client(timeout=60) as connection:
        yield ElevenLabs(base_url=tls_server.url, api_key=tls_server.token(),
                         httpx_client=connection)


def seconds(client: ElevenLabs, text: str, *locators: tuple[str, str | None]) -> float:
    """Seconds from the first sound to the last."""
    pcm = b"".join(client.text_to_speech.convert(
        VOICE, text=text, output_format="pcm_22050",
        pronunciation_dictionary_locators=[
            PronunciationDictionaryVersionLocator(pronunciation_dictionary_id=d, version_id=v)
            for d, v in locators] or None))
    start, end = decode_as(pcm, "pcm_22050").sound_span()
    return end - start


def test_a_dictionary_from_a_pls_file(client: ElevenLabs) -> None:
    made = client.pronunciation_dictionaries.create_from_file(
        name="Lexicon", file=("lexicon.pls", LEXICON, "application/pls+xml"),
        description="from a file")
    assert made.version_rules_num == 2 and made.name == "Lexicon"
    found = client.pronunciation_dictionaries.get(made.id)
    assert found.latest_version_id == made.version_id
    assert [rule.string_to_replace for rule in found.rules] == ["tomato", "UN"]
    with client.pronunciation_dictionaries.with_raw_response.download(
            made.id, made.version_id) as answer:
        downloaded = b"".join(answer.data)
    assert pls.read(downloaded) == pls.read(LEXICON)


def test_rules_change_in_versions(client: ElevenLabs) -> None:
    made = client.pronunciation_dictionaries.create_from_rules(name="Acronyms", rules=[
        PronunciationDictionaryRule_Alias(string_to_replace="UN", alias="United Nations")])
    added = client.pronunciation_dictionaries.rules.add(made.id, rules=[
        PronunciationDictionaryRule_Alias(string_to_replace="WHO",
                                          alias="World Health Organization"),
        PronunciationDictionaryRule_Phoneme(string_to_replace="Nginx", phoneme="ˈɛndʒɪnˌɛks",
                                            alphabet="ipa")])
    assert added.version_rules_num == 3 and added.version_id != made.version_id
    removed = client.pronunciation_dictionaries.rules.remove(made.id, rule_strings=["UN"])
    assert removed.version_rules_num == 2 and removed.version_id != added.version_id
    latest = client.pronunciation_dictionaries.get(made.id)
    assert latest.latest_version_id == removed.version_id
    assert {rule.string_to_replace for rule in latest.rules} == {"WHO", "Nginx"}
    # every version stays as it was
    with client.pronunciation_dictionaries.with_raw_response.download(
            made.id, made.version_id) as answer:
        first = pls.read(b"".join(answer.data))
    assert [rule.string_to_replace for rule in first] == ["UN"]
    listed = client.pronunciation_dictionaries.list(page_size=100)
    assert made.id in {d.id for d in listed.pronunciation_dictionaries}


def test_a_dictionary_is_its_owners_alone(client: ElevenLabs, other: ElevenLabs) -> None:
    made = client.pronunciation_dictionaries.create_from_rules(name="Mine", rules=[
        PronunciationDictionaryRule_Alias(string_to_replace="UN", alias="United Nations")])
    with pytest.raises(ApiError) as refused:
        other.pronunciation_dictionaries.get(made.id)
    assert refused.value.status_code == 404
    assert made.id not in {d.id for d in other.pronunciation_dictionaries.list().pronunciation_dictionaries}
    with pytest.raises(ApiError) as unusable:
        seconds(other, "The UN met.", (made.id, None))
    assert unusable.value.status_code == 400


def test_an_alias_is_heard_where_its_word_was(client: ElevenLabs) -> None:
    made = client.pronunciation_dictionaries.create_from_rules(name="Say it", rules=[
        PronunciationDictionaryRule_Alias(string_to_replace="UN", alias="United Nations")])
    text = "The UN met today."
    aliased = seconds(client, text, (made.id, None))
    assert aliased == pytest.approx(seconds(client, "The United Nations met today."), abs=0.05)
    assert aliased - seconds(client, text) > 0.3
    answer = client.text_to_speech.convert_with_timestamps(
        VOICE, text=text, pronunciation_dictionary_locators=[
            PronunciationDictionaryVersionLocator(pronunciation_dictionary_id=made.id,
                                                  version_id=made.version_id)])
    alignment, said = answer.alignment, answer.normalized_alignment
    assert "".join(alignment.characters) == text
    assert "".join(said.characters) == "The United Nations met today."
    # "UN" lasts from where "United" starts to where "met" starts
    spoken = "".join(said.characters)
    un = text.index("UN")
    assert alignment.character_start_times_seconds[un] == pytest.approx(
        said.character_start_times_seconds[spoken.index("United")], abs=0.02)
    assert alignment.character_start_times_seconds[text.index("met")] == pytest.approx(
        said.character_start_times_seconds[spoken.index("met")], abs=0.02)
    assert base64.b64decode(answer.audio_base_64)


def test_a_phoneme_rule_changes_the_audio(client: ElevenLabs) -> None:
    made = client.pronunciation_dictionaries.create_from_rules(name="Sounds", rules=[
        PronunciationDictionaryRule_Phoneme(string_to_replace="xqzvk", phoneme="HH AH0 L OW1",
                                            alphabet="cmu-arpabet")])
    assert seconds(client, "xqzvk", (made.id, None)) == pytest.approx(
        seconds(client, "hello"), abs=0.05)


def test_bad_rules_are_refused_saying_which(client: ElevenLabs) -> None:
    with pytest.raises(ApiError) as refused:
        client.pronunciation_dictionaries.create_from_rules(name="Bad", rules=[
            PronunciationDictionaryRule_Phoneme(string_to_replace="x", phoneme="QQ1",
                                                alphabet="cmu-arpabet")])
    assert refused.value.status_code == 400
    assert "rules[0]" in str(refused.value.body)
