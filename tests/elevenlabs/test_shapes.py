"""The ElevenLabs shapes validate against the official SDK's own response models."""

from __future__ import annotations

import json
from typing import Any

import elevenlabs.types as el
import pydantic
import pytest
from elevenlabs.core.unchecked_base_model import construct_type

from voicer.elevenlabs.shapes import (
    VoiceQuery,
    default_settings_json,
    history_item_json,
    model_json,
    search_voices,
    subscription_json,
    user_json,
    voice_json,
)
from voicer.errors import InvalidInput
from voicer.models import MODELS, get_model
from voicer.voices import DEFAULT_VOICE_ID, Voice, VoiceCatalogue


def strictly(model: type[pydantic.BaseModel], data: dict[str, Any]) -> pydantic.BaseModel:
    """Validate as the SDK's model, strictly, after a trip through JSON; every required field present."""
    missing = [name for name, field in model.model_fields.items()
               if field.is_required() and (field.alias or name) not in data]
    assert not missing, f"{model.__name__} misses required fields {missing}"
    return model.model_validate(json.loads(json.dumps(data)), strict=True)


def search(voices: VoiceCatalogue, **given: Any) -> tuple[list[Voice], bool, int, str | None]:
    return search_voices(voices, VoiceQuery(**{"page_size": 100, **given}))


def a_subscription() -> dict[str, Any]:
    return subscription_json("free", 1_234, 10_000, 1_767_225_600)


# --- shapes ---------------------------------------------------------------------------------------


def test_every_catalogue_voice_is_an_sdk_voice(catalogue: VoiceCatalogue) -> None:
    for voice in catalogue:
        parsed = strictly(el.Voice, voice_json(voice))
        assert isinstance(parsed, el.Voice)
        assert parsed.voice_id == voice.voice_id and parsed.category == "premade"


def test_a_voice_carries_labels_settings_and_languages(catalogue: VoiceCatalogue) -> None:
    voice = catalogue.get(DEFAULT_VOICE_ID)
    body = voice_json(voice)
    assert body["labels"] == {"accent": voice.accent, "description": voice.description, "age": voice.age,
                              "gender": voice.gender, "use_case": voice.use_case, "language": voice.language}
    assert body["description"] == voice.long_description
    assert body["settings"] == default_settings_json()
    assert body["verified_languages"] == [
        {"language": language, "model_id": "eleven_multilingual_v2", "accent": voice.accent,
         "locale": None, "preview_url": None} for language in voice.languages]
    assert body["high_quality_base_model_ids"] == [m.model_id for m in MODELS if m.multilingual]
    assert body["engine"] == "espeak-ng"
    assert (body["is_owner"], body["is_legacy"], body["is_mixed"]) == (False, False, False)


def test_a_voice_without_settings(catalogue: VoiceCatalogue) -> None:
    body = voice_json(catalogue.get(DEFAULT_VOICE_ID), with_settings=False)
    assert body["settings"] is None
    strictly(el.Voice, body)


def test_the_sdk_parses_a_voice_list_as_the_client_does(catalogue: VoiceCatalogue) -> None:
    voices = [voice_json(voice) for voice in catalogue]
    page = strictly(el.GetVoicesV2Response, {"voices": voices, "has_more": False, "total_count": len(voices)})
    assert isinstance(page, el.GetVoicesV2Response) and len(page.voices) == len(catalogue)
    unchecked = construct_type(type_=el.GetVoicesResponse, object_={"voices": voices})
    assert isinstance(unchecked, el.GetVoicesResponse)
    first = unchecked.voices[0]
    assert isinstance(first.settings, el.VoiceSettings) and first.settings.similarity_boost == 0.75


def test_default_settings_are_elevenlabs_defaults() -> None:
    body = default_settings_json()
    assert body == {"stability": 0.5, "similarity_boost": 0.75, "style": 0.0, "use_speaker_boost": True,
                    "speed": 1.0}
    strictly(el.VoiceSettings, body)


@pytest.mark.parametrize("model", MODELS, ids=lambda model: model.model_id)
def test_every_model_is_an_sdk_model(model: Any, catalogue: VoiceCatalogue) -> None:
    body = model_json(model, catalogue)
    parsed = strictly(el.Model, body)
    assert isinstance(parsed, el.Model) and parsed.model_id == model.model_id
    assert body["max_characters_request_free_user"] == model.max_characters
    assert body["max_characters_request_subscribed_user"] == model.max_characters
    assert body["maximum_text_length_per_request"] == model.max_characters
    for language in body["languages"]:
        strictly(el.LanguageResponse, language)
    strictly(el.ModelRatesResponseModel, body["model_rates"])


def test_a_multilingual_model_lists_every_catalogue_language(catalogue: VoiceCatalogue) -> None:
    languages = model_json(get_model("eleven_multilingual_v2"), catalogue)["languages"]
    assert {language["language_id"] for language in languages} == catalogue.languages()
    assert languages[0] == {"language_id": "en", "name": "English"}
    names = {language["language_id"]: language["name"] for language in languages}
    assert names["uk"] == "Ukrainian" and names["de"] == "German"
    assert all(name != code for code, name in names.items()), "every catalogue language has a name"


def test_an_english_model_lists_english_alone(catalogue: VoiceCatalogue) -> None:
    body = model_json(get_model("eleven_turbo_v2"), catalogue)
    assert body["languages"] == [{"language_id": "en", "name": "English"}]


def test_a_subscription_is_an_sdk_subscription() -> None:
    body = a_subscription()
    parsed = strictly(el.Subscription, body)
    assert isinstance(parsed, el.Subscription)
    assert (parsed.tier, parsed.character_count, parsed.character_limit) == ("free", 1_234, 10_000)
    assert parsed.next_character_count_reset_unix == 1_767_225_600
    assert parsed.status == "active" and parsed.current_overage.currency == "usd"
    assert not parsed.can_use_instant_voice_cloning and not parsed.can_use_professional_voice_cloning
    strictly(el.SubscriptionResponse, body)


def test_a_user_is_an_sdk_user() -> None:
    body = user_json("user-1", "Ada", 1_700_000_000, a_subscription())
    parsed = strictly(el.User, body)
    assert isinstance(parsed, el.User)
    assert (parsed.user_id, parsed.workspace_id, parsed.first_name) == ("user-1", "user-1", "Ada")
    assert parsed.created_at == 1_700_000_000 and parsed.seat_type == "workspace_admin"
    assert isinstance(parsed.subscription, el.SubscriptionResponse)
    assert parsed.subscription.character_limit == 10_000
    assert body["xi_api_key"] is None


def test_a_history_item_is_an_sdk_history_item() -> None:
    settings = default_settings_json()
    body = history_item_json(
        history_item_id="h1", voice_id=DEFAULT_VOICE_ID, voice_name="Voicer Default",
        model_id="eleven_multilingual_v2", text="Hello.", date_unix=1_700_000_000,
        character_count_change_from=10, character_count_change_to=16, output_format="mp3_44100_128",
        settings=settings)
    parsed = strictly(el.SpeechHistoryItemResponse, body)
    assert isinstance(parsed, el.SpeechHistoryItemResponse)
    assert parsed.request_id == "h1" and parsed.state == "created" and parsed.source == "TTS"
    assert parsed.content_type == "audio/mpeg" and parsed.settings == settings
    assert parsed.voice_category == "premade" and parsed.output_format == "mp3_44100_128"
    listing = strictly(el.GetSpeechHistoryResponse, {"history": [body], "has_more": False,
                                                     "last_history_item_id": "h1"})
    assert isinstance(listing, el.GetSpeechHistoryResponse)


def test_strict_validation_catches_a_wrong_shape(catalogue: VoiceCatalogue) -> None:
    body = a_subscription()
    body["current_overage"] = {"amount": 0, "currency": "usd"}  # the SDK wants the amount as a string
    with pytest.raises(pydantic.ValidationError):
        strictly(el.Subscription, body)
    del body["tier"]
    with pytest.raises(AssertionError, match="tier"):
        strictly(el.Subscription, body)


# --- search_voices --------------------------------------------------------------------------------


def test_no_filters_find_every_voice_in_catalogue_order(catalogue: VoiceCatalogue) -> None:
    page, has_more, total, token = search(catalogue, page_size=100)
    assert total == len(catalogue) and has_more and token is not None
    assert page == list(catalogue)[:100]


def test_search_matches_a_name_fragment_case_blind(catalogue: VoiceCatalogue) -> None:
    page, has_more, total, token = search(catalogue, search="VOICER def")
    assert [voice.voice_id for voice in page] == [DEFAULT_VOICE_ID]
    assert (has_more, total, token) == (False, 1, None)


def test_search_looks_in_descriptions_and_labels(catalogue: VoiceCatalogue) -> None:
    page = search(catalogue, search="ukrainian")[0]
    assert page and all("ukrainian" in (voice.accent + voice.long_description + voice.name).casefold()
                        for voice in page)
    assert search(catalogue, search="no such voice anywhere")[2] == 0


def test_gender_and_language_filters(catalogue: VoiceCatalogue) -> None:
    page, _, total, _ = search(catalogue, gender="female", language="en")
    assert total == len(page) > 0
    assert all(voice.gender == "female" and "en" in voice.languages for voice in page)
    expected = [v for v in catalogue if v.gender == "female" and "en" in v.languages]
    assert page == expected
    assert search(catalogue, language="uk")[0] == catalogue.speaking("uk")
    assert search(catalogue, language="en-US")[2] == len(catalogue.speaking("en"))


def test_age_accent_and_use_case_filters(catalogue: VoiceCatalogue) -> None:
    page = search(catalogue, age="middle-aged", accent="American", use_cases=["narration", "news"])[0]
    assert page
    assert all(v.age == "middle_aged" and v.accent == "american" and v.use_case in {"narration", "news"}
               for v in page)


def test_sort_by_name_ascending_and_descending(catalogue: VoiceCatalogue) -> None:
    up = search(catalogue, sort="name", sort_direction="asc", language="en")[0]
    down = search(catalogue, sort="name", sort_direction="desc", language="en")[0]
    names = [voice.name.casefold() for voice in up]
    assert names == sorted(names) and len(set(names)) > 1
    assert down == list(reversed(up))
    assert search(catalogue, sort="name", language="en")[0] == up


def test_created_at_ties_fall_back_to_name(catalogue: VoiceCatalogue) -> None:
    by_name = search(catalogue, sort="name")[0]
    assert search(catalogue, sort="created_at_unix", sort_direction="desc")[0] == by_name


@pytest.mark.parametrize("size", [1, 7, 10, 100])
def test_pages_cover_every_voice_exactly_once(catalogue: VoiceCatalogue, size: int) -> None:
    seen: list[str] = []
    token: str | None = None
    while True:
        page, has_more, total, token = search(catalogue, page_size=size, next_page_token=token,
                                              sort="name", sort_direction="desc")
        assert total == len(catalogue) and len(page) <= size
        seen += [voice.voice_id for voice in page]
        if not has_more:
            assert token is None
            break
        assert token and len(page) == size
    assert sorted(seen) == sorted(voice.voice_id for voice in catalogue)
    assert len(seen) == len(set(seen))


def test_voice_ids_restrict_the_result(catalogue: VoiceCatalogue) -> None:
    wanted = ["21m00Tcm4TlvDq8ikWAM", DEFAULT_VOICE_ID, "not-a-voice"]
    page, has_more, total, _ = search(catalogue, voice_ids=wanted)
    assert {voice.voice_id for voice in page} == set(wanted[:2])
    assert (has_more, total) == (False, 2)


def test_voice_type_and_category(catalogue: VoiceCatalogue) -> None:
    for kind in ("default", None):
        assert search(catalogue, voice_type=kind)[2] == len(catalogue)
    for kind in ("personal", "community", "workspace", "non-default", "saved"):
        assert search(catalogue, voice_type=kind)[2] == 0, kind
    assert search(catalogue, category="premade")[2] == len(catalogue)
    assert search(catalogue, category="cloned")[2] == 0


@pytest.mark.parametrize("token", ["garbage!!", "bm9wZQ", "dm9pY2VyLW9mZnNldDotMQ"])
def test_a_bad_page_token_is_invalid_input(catalogue: VoiceCatalogue, token: str) -> None:
    with pytest.raises(InvalidInput) as error:
        search(catalogue, next_page_token=token)
    assert error.value.field == "next_page_token"


@pytest.mark.parametrize(("field", "value"), [("sort", "age"), ("sort_direction", "up"),
                                              ("voice_type", "famous")])
def test_unknown_choices_are_invalid_input(catalogue: VoiceCatalogue, field: str, value: str) -> None:
    with pytest.raises(InvalidInput) as error:
        search(catalogue, **{field: value})
    assert error.value.field == field
