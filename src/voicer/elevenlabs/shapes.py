"""The JSON bodies the ElevenLabs API returns, built from Voicer's own objects.

Pure functions: no HTTP, no database. Every shape carries each field that the
official ``elevenlabs`` SDK's response model declares as required, with the
types it declares (checked in ``tests/elevenlabs/test_shapes.py``), plus the
optional fields real ElevenLabs responses carry, so that code written against
ElevenLabs finds what it expects.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from voicer.errors import InvalidInput
from voicer.models import DEFAULT_MODEL_ID, MODELS, Model
from voicer.voice_settings import VoiceSettings
from voicer.voices import Voice, Voices

# Every catalogue voice is an ElevenLabs "premade" voice: built in, shared by all users.
CATEGORY = "premade"

# English names of the catalogue's languages (ISO 639-1); any other code is its own name.
LANGUAGE_NAMES: dict[str, str] = {
    "af": "Afrikaans", "ar": "Arabic", "be": "Belarusian", "bg": "Bulgarian", "bn": "Bengali",
    "ca": "Catalan", "cs": "Czech", "cy": "Welsh", "da": "Danish", "de": "German", "el": "Greek",
    "en": "English", "es": "Spanish", "et": "Estonian", "fa": "Persian", "fi": "Finnish",
    "fil": "Filipino", "fr": "French", "he": "Hebrew", "hi": "Hindi", "hr": "Croatian",
    "hu": "Hungarian", "id": "Indonesian", "is": "Icelandic", "it": "Italian", "ja": "Japanese",
    "ka": "Georgian", "ko": "Korean", "lt": "Lithuanian", "lv": "Latvian", "ms": "Malay",
    "nb": "Norwegian Bokmål", "nl": "Dutch", "no": "Norwegian", "pl": "Polish", "pt": "Portuguese",
    "ro": "Romanian", "ru": "Russian", "sk": "Slovak", "sl": "Slovenian", "sr": "Serbian",
    "sv": "Swedish", "sw": "Swahili", "ta": "Tamil", "th": "Thai", "tr": "Turkish",
    "uk": "Ukrainian", "ur": "Urdu", "vi": "Vietnamese", "zh": "Chinese",
}

VOICE_TYPES = frozenset({"default", "non-default", "personal", "community", "workspace", "saved"})
SORT_FIELDS = frozenset({"name", "created_at_unix"})
SORT_DIRECTIONS = frozenset({"asc", "desc"})

_TOKEN_PREFIX = "voicer-offset:"


def language_name(code: str) -> str:
    """The English name of an ISO 639 language code, or the code itself when unknown."""
    return LANGUAGE_NAMES.get(code, code)


def default_settings_json() -> dict[str, Any]:
    """ElevenLabs' default voice settings (``GET /v1/voices/settings/default``)."""
    return VoiceSettings().model_dump()


def voice_json(voice: Voice, with_settings: bool = True,
               preview_url: Callable[[Voice], str | None] | None = None) -> dict[str, Any]:
    """An ElevenLabs ``Voice`` (``GET /v1/voices/{voice_id}``, and each item of the voice lists).

    An upstream voice is shown as the upstream lists it, with its engine named. A local voice's
    ``preview_url`` is where Voicer renders its sample (``preview_url(voice)``).
    """
    preview = preview_url(voice) if preview_url is not None else None
    if voice.listing is not None:
        return {**voice.listing, "engine": voice.engine,
                "settings": voice.listing.get("settings") if with_settings else None}
    return {
        "voice_id": voice.voice_id,
        "name": voice.name,
        "samples": None,
        "category": CATEGORY,
        "fine_tuning": None,
        "labels": _labels(voice),
        "description": voice.long_description,
        "preview_url": preview,
        "available_for_tiers": [],
        "settings": default_settings_json() if with_settings else None,
        "sharing": None,
        "high_quality_base_model_ids": [model.model_id for model in MODELS if model.multilingual],
        "verified_languages": [
            {"language": language, "model_id": DEFAULT_MODEL_ID, "accent": voice.accent,
             "locale": None, "preview_url": preview if language == voice.language else None}
            for language in voice.languages
        ],
        "collection_ids": [],
        "safety_control": None,
        "voice_verification": None,
        "permission_on_resource": None,
        "is_owner": False,
        "is_legacy": False,
        "is_mixed": False,
        "favorited_at_unix": None,
        # Premade voices have no creation time, as ElevenLabs sends for its older voices.
        "created_at_unix": None,
        "is_bookmarked": False,
        "engine": voice.engine,  # Voicer's own: which engine speaks this voice
    }


def _labels(voice: Voice) -> dict[str, str]:
    return {
        "accent": voice.accent,
        "description": voice.description,
        "age": voice.age,
        "gender": voice.gender,
        "use_case": voice.use_case,
        "language": voice.language,
    }


def model_json(model: Model, voices: Voices) -> dict[str, Any]:
    """An ElevenLabs ``Model`` (each item of ``GET /v1/models``).

    A multilingual model lists every language the catalogue speaks, English first;
    an English-only model lists English alone.
    """
    if model.listing is not None:
        return {**model.listing, "engine": model.engine}
    codes = ["en"]
    if model.multilingual:
        codes = sorted(voices.languages(), key=lambda code: (code != "en", code))
    return {
        "model_id": model.model_id,
        "name": model.name,
        "can_be_finetuned": False,
        "can_do_text_to_speech": True,
        "can_do_voice_conversion": False,
        "can_use_style": True,
        "can_use_speaker_boost": True,
        "serves_pro_voices": False,
        "token_cost_factor": 1.0,
        "description": model.description,
        "requires_alpha_access": False,
        "max_characters_request_free_user": model.max_characters,
        "max_characters_request_subscribed_user": model.max_characters,
        "maximum_text_length_per_request": model.max_characters,
        "languages": [{"language_id": code, "name": language_name(code)} for code in codes],
        "model_rates": {"character_cost_multiplier": 1.0},
        "concurrency_group": "standard_voice",
        "engine": model.engine,  # Voicer's own: which engine serves this model
        # and the local engines that speak its voices, each with the languages they list
        "engines": _engines(voices),
    }


def _engines(voices: Voices) -> list[dict[str, Any]]:
    languages: dict[str, set[str]] = {}
    for voice in voices:
        if voice.listing is None:
            languages.setdefault(voice.engine, set()).update(voice.languages)
    return [{"name": name, "languages": sorted(codes)} for name, codes in languages.items()]


def subscription_json(
    tier: str, character_count: int, character_limit: int, next_reset_unix: int
) -> dict[str, Any]:
    """An ElevenLabs ``Subscription`` (``GET /v1/user/subscription``, and inside ``User``).

    Voicer has no voice cloning and no billing: no voice slots, nothing owed.
    """
    return {
        "tier": tier,
        "character_count": character_count,
        "character_limit": character_limit,
        "max_character_limit_extension": 0,
        "max_credit_limit_extension": 0,
        "can_extend_character_limit": False,
        "allowed_to_extend_character_limit": False,
        "next_character_count_reset_unix": next_reset_unix,
        "voice_slots_used": 0,
        "professional_voice_slots_used": 0,
        "professional_voice_slots_used_in_workspace": 0,
        "voice_limit": 0,
        "max_voice_add_edits": 0,
        "voice_add_edit_counter": 0,
        "professional_voice_limit": 0,
        "can_extend_voice_limit": False,
        "can_use_instant_voice_cloning": False,
        "can_use_professional_voice_cloning": False,
        "currency": "usd",
        "current_overage": {"amount": "0", "currency": "usd"},  # the SDK's Price.amount is a string
        "status": "active",
        "billing_period": "monthly_period",
        "character_refresh_period": "monthly_period",
        "next_invoice": None,
        "open_invoices": [],
        "has_open_invoices": False,
        "pending_change": None,
    }


def user_json(user_id: str, name: str, created_at_unix: int, subscription: dict[str, Any]) -> dict[str, Any]:
    """An ElevenLabs ``User`` (``GET /v1/user``); each user is the admin of a workspace of one."""
    return {
        "user_id": user_id,
        "subscription": subscription,
        "is_new_user": False,
        "xi_api_key": None,  # older responses carried the key itself; never sent back
        "xi_api_key_preview": None,
        "can_use_delayed_payment_methods": False,
        "is_onboarding_completed": True,
        "is_onboarding_checklist_completed": True,
        "show_compliance_terms": False,
        "first_name": name,
        "is_api_key_hashed": True,
        "referral_link_code": None,
        "partnerstack_partner_default_link": None,
        "created_at": created_at_unix,
        "seat_type": "workspace_admin",
        "workspace_id": user_id,
    }


def history_item_json(
    *,
    history_item_id: str,
    voice_id: str,
    voice_name: str,
    model_id: str,
    text: str,
    date_unix: int,
    character_count_change_from: int,
    character_count_change_to: int,
    output_format: str,
    settings: dict[str, Any] | None,
    content_type: str = "audio/mpeg",
    request_id: str | None = None,
    state: str = "created",
) -> dict[str, Any]:
    """An ElevenLabs ``SpeechHistoryItemResponse`` (``GET /v1/history/{id}``, items of ``/v1/history``).

    ``request_id`` defaults to the history item id: one request made one item.
    """
    return {
        "history_item_id": history_item_id,
        "request_id": history_item_id if request_id is None else request_id,
        "voice_id": voice_id,
        "model_id": model_id,
        "voice_name": voice_name,
        "voice_category": CATEGORY,
        "text": text,
        "date_unix": date_unix,
        "character_count_change_from": character_count_change_from,
        "character_count_change_to": character_count_change_to,
        "content_type": content_type,
        "state": state,
        "settings": settings,
        "feedback": None,
        "share_link_id": None,
        "source": "TTS",
        "alignments": None,
        "dialogue": None,
        "output_format": output_format,
    }


@dataclass(frozen=True, slots=True)
class VoiceQuery:
    """The query of ``GET /v2/voices``."""

    search: str | None = None
    sort: str | None = None
    sort_direction: str | None = None
    page_size: int = 10  # 1 to 100, the caller's to validate
    next_page_token: str | None = None
    voice_type: str | None = None
    category: str | None = None
    gender: str | None = None
    age: str | None = None
    accent: str | None = None
    language: str | None = None
    use_cases: list[str] | None = None
    voice_ids: list[str] | None = None


def search_voices(voices: Iterable[Voice], query: VoiceQuery) -> tuple[list[Voice], bool, int, str | None]:
    """Filter, sort and page voices as ``GET /v2/voices`` does.

    Returns ``(page, has_more, total_count, next_page_token)``; the token is ``None``
    on the last page. Raises ``InvalidInput`` for an unknown ``voice_type``, ``sort`` or
    ``sort_direction``, and for a ``next_page_token`` this function did not make.
    """
    _check_choice("voice_type", query.voice_type, VOICE_TYPES)
    _check_choice("sort", query.sort, SORT_FIELDS)
    _check_choice("sort_direction", query.sort_direction, SORT_DIRECTIONS)
    offset = _decode_token(query.next_page_token)
    tests = _filters(query)
    found = [voice for voice in voices if all(test(voice) for test in tests)]
    found = _sorted(found, query.sort, query.sort_direction)
    page = found[offset:offset + query.page_size]
    end = offset + len(page)
    has_more = end < len(found)
    return page, has_more, len(found), _encode_token(end) if has_more else None


def _check_choice(field: str, value: str | None, allowed: frozenset[str]) -> None:
    if value is not None and value not in allowed:
        raise InvalidInput(field, f"{field} must be one of {', '.join(sorted(allowed))}, got {value!r}")


def _fold(value: str) -> str:
    """Labels compare case-blind, with '-', '_' and ' ' alike ("middle-aged" is "middle_aged")."""
    return value.casefold().replace("-", "_").replace(" ", "_")


def _primary(language: str) -> str:
    """The language subtag of a code or locale: "en-US" and "en_us" both speak "en"."""
    return _fold(language).split("_", 1)[0]


def _filters(query: VoiceQuery) -> list[Callable[[Voice], bool]]:
    """One test per filter given; a voice is found when it passes all of them."""
    tests: list[Callable[[Voice], bool]] = []
    # Catalogue voices are ElevenLabs "default" voices; a user's own voices (cloned,
    # designed) are "personal", hence "non-default" and "saved". Voicer has neither community
    # nor workspace voices.
    if query.voice_type is not None:
        kind = query.voice_type
        tests.append(lambda voice: kind in (_PERSONAL if _is_own(voice) else {"default"}))
    if query.category is not None:
        category = _fold(query.category)
        tests.append(lambda voice: _category(voice) == category)
    if query.search:
        needle = query.search.casefold()
        tests.append(lambda voice: needle in _haystack(voice))
    for field, wanted in (("gender", query.gender), ("age", query.age), ("accent", query.accent)):
        if wanted:
            tests.append(_label_is(field, wanted))
    if query.language:
        code = _primary(query.language)
        tests.append(lambda voice: code in {_primary(spoken) for spoken in voice.languages})
    if query.use_cases:
        cases = {_fold(case) for case in query.use_cases}
        tests.append(lambda voice: _fold(voice.use_case) in cases)
    if query.voice_ids:
        ids = set(query.voice_ids)
        tests.append(lambda voice: voice.voice_id in ids)
    return tests


def _label_is(field: str, wanted: str) -> Callable[[Voice], bool]:
    folded = _fold(wanted)
    return lambda voice: _fold(str(getattr(voice, field))) == folded


def _haystack(voice: Voice) -> str:
    """What ``search`` looks in: name, description, labels and category, as ElevenLabs does."""
    return "\n".join([voice.name, voice.long_description, _category(voice),
                      *_labels(voice).values()]).casefold()


_PERSONAL = frozenset({"personal", "non-default", "saved"})


def _is_own(voice: Voice) -> bool:
    return bool((voice.listing or {}).get("is_owner"))


def _category(voice: Voice) -> str:
    """premade, or what the listing says (cloned, generated…)."""
    return str((voice.listing or {}).get("category") or CATEGORY)


def _sorted(voices: list[Voice], sort: str | None, direction: str | None) -> list[Voice]:
    """Catalogue order unless asked; "name" sorts by name (case-blind, then id), in ``direction``.

    Catalogue voices have no creation time, so under "created_at_unix" they all tie
    and fall back to name order, ascending whatever the direction.
    """
    if sort is None:
        return voices
    by_name = sorted(voices, key=lambda voice: (voice.name.casefold(), voice.voice_id))
    if sort == "name" and direction == "desc":
        by_name.reverse()
    return by_name


def _encode_token(offset: int) -> str:
    return base64.urlsafe_b64encode(f"{_TOKEN_PREFIX}{offset}".encode("ascii")).decode("ascii").rstrip("=")


def _decode_token(token: str | None) -> int:
    """The offset a ``next_page_token`` stands for; no token (or an empty one) is the first page."""
    if not token:
        return 0
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode("ascii")
    except (binascii.Error, ValueError):
        raw = ""
    digits = raw.removeprefix(_TOKEN_PREFIX)
    if not raw.startswith(_TOKEN_PREFIX) or not digits.isdigit() or not digits.isascii():
        raise InvalidInput("next_page_token", "next_page_token is not one this server gave out; "
                           "start again without it")
    return int(digits)
