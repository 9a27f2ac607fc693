import pytest

from voicer.engines.espeak import EspeakEngine, EspeakVoice
from voicer.errors import UnknownVoice
from voicer.voice_settings import VoiceSettings
from voicer.voices import DEFAULT_VOICE_ID, VoiceCatalogue

SEED_VOICES = ["AB9XsbSA4eLG12t2myjN", "21m00Tcm4TlvDq8ikWAM", "EXAVITQu4vr4xnSDxMaL",
               "ErXwobaYiN019PkySvjV"]


def test_the_catalogue_is_large_and_multilingual(catalogue: VoiceCatalogue) -> None:
    assert len(catalogue) >= 50
    assert len(catalogue.languages()) >= 20
    for language in ("en", "uk", "ru"):
        assert len(catalogue.speaking(language)) >= 3


@pytest.mark.parametrize("voice_id", SEED_VOICES)
def test_the_seed_voices_exist(catalogue: VoiceCatalogue, voice_id: str) -> None:
    voice = catalogue.get(voice_id)
    assert voice.name and voice.description and voice.gender in {"male", "female", "neutral"}


def test_the_default_voice_is_the_seed_default(catalogue: VoiceCatalogue) -> None:
    assert catalogue.get(DEFAULT_VOICE_ID).voice_id == "AB9XsbSA4eLG12t2myjN"


def test_an_unknown_voice_is_named_in_the_error(catalogue: VoiceCatalogue) -> None:
    with pytest.raises(UnknownVoice, match="'nope'") as error:
        catalogue.get("nope")
    assert error.value.field == "voice_id"


def test_every_voice_speaks_its_own_language(catalogue: VoiceCatalogue, engine: EspeakEngine) -> None:
    settings = VoiceSettings()
    for voice in catalogue:
        pieces = list(engine.synthesize("1 2 3", voice, settings))
        seconds = sum(len(piece.samples) for piece in pieces) / engine.format.rate
        assert seconds > 0.3, voice.voice_id
        assert (EspeakVoice.of(voice).variant or "") in engine.voice_name(voice, None)


def test_voices_are_distinct(catalogue: VoiceCatalogue) -> None:
    sounds = {EspeakVoice.of(v) for v in catalogue}
    assert len(sounds) == len(catalogue)
