"""OpenAI's model and voice names, and the Voicer models and voices they stand for.

=====================  ==========================================================
``tts-1``              ``eleven_flash_v2_5``: the fast model
``tts-1-hd``           ``eleven_multilingual_v2``: the default model
``gpt-4o-mini-tts``    ``eleven_multilingual_v2``, with ``instructions`` heard
=====================  ==========================================================

Which engine speaks is the voice's: OpenAI's female voices are hibari voices, its male ones
Piper's joe, each a variant with its own pitch and pace; any Voicer voice id (and any
ElevenLabs model id) is accepted as it is.
"""

from __future__ import annotations

MODELS: dict[str, str] = {
    "tts-1": "eleven_flash_v2_5",
    "tts-1-hd": "eleven_multilingual_v2",
    "gpt-4o-mini-tts": "eleven_multilingual_v2",
    "gpt-4o-mini-tts-2025-03-20": "eleven_multilingual_v2",
    "gpt-4o-mini-tts-2025-12-15": "eleven_multilingual_v2",
}

# OpenAI's voices by the gender its guide gives them; each Voicer voice named beside.
VOICES: dict[str, str] = {
    "alloy": "SAz9YHcvj6GT2YYXdXww",  # River: neutral, confident (hibari)
    "ash": "iP95p4xoKVk53GoZ742B",  # Chris: male, casual (Piper joe)
    "ballad": "GBv7mTt0atIp3Br8iCZE",  # Thomas: male, calm
    "cedar": "cjVigY5qzO86Huf0OWal",  # Eric: male, friendly
    "coral": "en-us-heart",  # Heart: female, warm (hibari)
    "echo": "en-us-joe",  # Joe: male, steady
    "fable": "JBFqnCBsd6RMkjVDRZzb",  # George: male, British
    "marin": "FGY2WhTYpPnrIDTdsKH5",  # Laura: female, upbeat
    "nova": "cgSgspJ2msm6clMCkdW9",  # Jessica: female, expressive
    "onyx": "nPczCjzI2devNBz1zQrb",  # Brian: male, deep
    "sage": "21m00Tcm4TlvDq8ikWAM",  # Rachel: female, calm
    "shimmer": "EXAVITQu4vr4xnSDxMaL",  # Sarah: female, soft
    "verse": "bIHbv24MWmeRgasZH58o",  # Will: male, friendly
}

# The recognition models OpenAI names: all are the local Whisper model.
TRANSCRIPTION_MODELS = frozenset({"whisper-1", "gpt-4o-transcribe", "gpt-4o-mini-transcribe",
                                  "gpt-4o-transcribe-diarize"})


def model_id(model: str) -> str:
    """The Voicer model an OpenAI model name stands for; any other name as it is."""
    return MODELS.get(model, model)


def voice_id(voice: str) -> str:
    """The Voicer voice an OpenAI voice name stands for; any other name as it is."""
    return VOICES.get(voice.lower(), voice)
