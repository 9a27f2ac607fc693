"""A voice's preview: a short sample in its own language, rendered by Voicer once and kept in
storage under a key that names the voice as it is spoken now (engine and parameters), so a
changed voice gets a new sample."""

from __future__ import annotations

import hashlib
import json

from voicer.encoding.formats import parse_format
from voicer.errors import NotFound
from voicer.language import LanguageDetector
from voicer.models import DEFAULT_MODEL_ID, get_model
from voicer.speech import SpeechPool, SpeechRequest, speak
from voicer.storage import Storage, Stored
from voicer.voice_settings import VoiceSettings
from voicer.voices.catalogue import Voice, Voices

FORMAT = "mp3_44100_128"
SAMPLES = {
    "en": "Hello! This is how I sound when I read a story aloud, sentence after sentence.",
    "ru": "Здравствуйте! Так звучит мой голос, когда я читаю вслух.",
    "uk": "Вітаю! Так звучить мій голос, коли я читаю вголос.",
    "de": "Hallo! So klingt meine Stimme, wenn ich einen Text vorlese.",
    "fr": "Bonjour ! Voici ma voix quand je lis un texte à voix haute.",
    "es": "¡Hola! Así suena mi voz cuando leo un texto en voz alta.",
    "it": "Ciao! Ecco come suona la mia voce quando leggo ad alta voce.",
    "pt": "Olá! É assim que a minha voz soa quando leio em voz alta.",
    "pl": "Dzień dobry! Tak brzmi mój głos, kiedy czytam na głos.",
}


def sample_text(voice: Voice) -> tuple[str, str]:
    """What the preview says, and in which language: the voice's own where there is a sample,
    else English."""
    language = voice.language if voice.language in SAMPLES else "en"
    return SAMPLES[language], language


def preview_key(voice: Voice) -> str:
    text, language = sample_text(voice)
    said = json.dumps([voice.voice_id, voice.engine, dict(voice.params), text, language, FORMAT],
                      sort_keys=True, default=str)
    return hashlib.sha256(said.encode()).hexdigest()[:32]


def preview(voice: Voice, storage: Storage, speech: SpeechPool, voices: Voices,
            detector: LanguageDetector) -> Stored:
    """The voice's sample, rendered the first time it is asked for."""
    key = preview_key(voice)
    try:
        return storage.open_preview(key)
    except NotFound:
        pass
    text, language = sample_text(voice)
    request = SpeechRequest(voice, get_model(DEFAULT_MODEL_ID), VoiceSettings(),
                            parse_format(FORMAT), language)
    with storage.write_preview(key) as file, speech.lease() as pool:
        for piece in speak(text, request, pool, voices, detector):
            file.write(piece.audio)
    return storage.open_preview(key)
