"""``POST /v1/audio/speech`` below HTTP: an OpenAI speech request as a Voicer purchase, its
audio, and the Server-Sent Events that carry it with ``stream_format=sse``.

The request is charged and kept in the history like ElevenLabs' text to speech
(``voicer.elevenlabs.tts``). ``instructions`` are heard where a word of them names one of
the audio tags' prosodies (``voicer.text.cues``): "whisper", "softly", "shout", "excited",
"sad", "slowly", "calm", "quickly" and their kin; the first such word counts, the rest of
the instructions is ignored.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import pairwise

from voicer.accounts import Caller
from voicer.elevenlabs import tts
from voicer.elevenlabs.billing import Billing
from voicer.encoding.formats import FORMATS, OPENAI_FORMATS, OutputFormat
from voicer.errors import InvalidInput, OutOfRange
from voicer.language import LanguageDetector
from voicer.openai.names import model_id, voice_id
from voicer.speech import SpeechPool
from voicer.text import SplitType, split_text
from voicer.voice_settings import VoiceSettings

MAX_INPUT = 4_096  # characters, as OpenAI allows
SLOWEST, FASTEST = 0.25, 4.0

# response_format → the format made; pcm is OpenAI's: 24 kHz, 16-bit, mono, little-endian
RESPONSE_FORMATS: dict[str, OutputFormat] = {
    "mp3": FORMATS["mp3_44100_128"],
    "opus": FORMATS["opus_48000_64"],
    "aac": OPENAI_FORMATS["aac_24000_64"],
    "flac": OPENAI_FORMATS["flac_24000"],
    "wav": FORMATS["wav_24000"],
    "pcm": FORMATS["pcm_24000"],
}

# The words of ``instructions`` that are heard, and the audio tag each one stands for.
_CUES: dict[str, str] = {word: tag for tag, words in {
    "whisper": ("whisper", "whispers", "whispering", "whispered"),
    "softly": ("soft", "softly", "quiet", "quietly", "gentle", "gently", "hushed"),
    "shouting": ("shout", "shouts", "shouting", "loud", "loudly", "yell", "yelling"),
    "excited": ("excited", "excitedly", "enthusiastic", "energetic", "cheerful", "happy",
                "joyful"),
    "sad": ("sad", "sadly", "somber", "sombre", "melancholy", "tired", "gloomy"),
    "slowly": ("slow", "slowly", "unhurried"),
    "calm": ("calm", "calmly", "relaxed", "soothing", "serene"),
    "quickly": ("fast", "quick", "quickly", "rapid", "rapidly", "brisk", "briskly"),
}.items() for word in words}
_WORD = re.compile(r"[a-z]+")

# Voicer's names of a refused field, as OpenAI's request names it
_PARAMS = {"text": "input", "voice_id": "voice", "model_id": "model"}


@dataclass(frozen=True, slots=True)
class Asked:
    """An OpenAI speech request, its fields as OpenAI names them."""

    input: str
    model: str
    voice: str
    response_format: str = "mp3"
    speed: float = 1.0
    instructions: str | None = None


def charge(billing: Billing, caller: Caller, asked: Asked) -> tts.Charged:
    """The request checked, and its characters taken from the caller's quota."""
    if len(asked.input) > MAX_INPUT:
        raise InvalidInput("input", f"input is {len(asked.input):,} characters; the limit is "
                                    f"{MAX_INPUT:,}")
    if not SLOWEST <= asked.speed <= FASTEST:
        raise OutOfRange("speed", asked.speed, SLOWEST, FASTEST)
    # the engines take any speed; VoiceSettings' own bounds are ElevenLabs' (0.7 to 1.2)
    settings = VoiceSettings().model_copy(update={"speed": asked.speed})
    try:
        order = billing.order(voice_id(asked.voice), model_id(asked.model), None, settings,
                              RESPONSE_FORMATS[asked.response_format])
        return tts.charge(billing, caller, order, asked.input)
    except InvalidInput as error:
        if error.field not in _PARAMS:
            raise
        param = _PARAMS[error.field]
        raise InvalidInput(param, error.message.replace(error.field, param, 1)) from None


def audio(charged: tts.Charged, speech: SpeechPool, detector: LanguageDetector,
          instructions: str | None) -> Iterator[bytes]:
    """The audio as it is made, in the format asked; settled however it ends."""
    said = cued(charged.part.text, instructions, charged.speech.voice.language)
    return (piece.audio for piece in tts.spoken(charged, speech, detector, said) if piece.audio)


def cue(instructions: str | None) -> str | None:
    """The audio tag the first heard word of ``instructions`` stands for, if one does."""
    words = _WORD.findall((instructions or "").lower())
    return next((_CUES[word] for word in words if word in _CUES), None)


def cued(text: str, instructions: str | None, language: str) -> str | None:
    """``text`` with the instructions' tag before every sentence (a tag holds to the end of
    the piece it starts in); None when the instructions name none."""
    tag = cue(instructions)
    if tag is None:
        return None
    starts = [chunk.start for chunk in split_text(text, SplitType.sentences, len(text), language)]
    cuts = [0, *starts[1:], len(text)]
    return "".join(f"[{tag}] {text[begin:end]}" for begin, end in pairwise(cuts))


def events(audio: Iterator[bytes], characters: int) -> Iterator[bytes]:
    """``stream_format=sse``: a ``speech.audio.delta`` per piece of audio (base64), then
    ``speech.audio.done`` with the usage (characters charged, counted as input tokens)."""
    for piece in audio:
        yield _event({"type": "speech.audio.delta", "audio": base64.b64encode(piece).decode()})
    usage = {"input_tokens": characters, "output_tokens": 0, "total_tokens": characters}
    yield _event({"type": "speech.audio.done", "usage": usage})


def _event(data: dict[str, object]) -> bytes:
    return f"data: {json.dumps(data)}\n\n".encode()
