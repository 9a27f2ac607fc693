"""The signal work of a dubbing: the background under the speech, a voice for each speaker,
the dub spoken on the original's timing and mixed over the background.

    background  the input less its isolated speech (DeepFilterNet3, ``voicer.isolation``):
                what is left is the music, the room and the noise, kept at 24 kHz
    cast        each speaker's median pitch over their words (``recognition.speakers``);
                above ``FEMALE_ABOVE`` Hz a female voice of the target language, else a male
                one, neural voices first
    spoken      each speaker's segments in their voice, each fitted to its segment's time as
                the voice changer fits them (``elevenlabs.voice_changer.fitted``), all laid
                on one timeline as long as the input
    mixed       the speech over the background, clipped to 16 bits
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from voicer import isolation
from voicer.audio import Audio
from voicer.elevenlabs.voice_changer import fitted, laid
from voicer.encoding.resample import resample
from voicer.errors import InvalidInput
from voicer.pipeline.pool import WorkerPool
from voicer.recognition import speakers
from voicer.recognition.base import Segment, Transcript
from voicer.recognition.clip import Clip
from voicer.voice_settings import VoiceSettings
from voicer.voices import Voice
from voicer.voices.catalogue import Voices

RATE = 24_000  # what the dub is made at
FEMALE_ABOVE = 165.0  # Hz: a speaker's median pitch above this gets a female voice
NEURAL = ("hibari", "piper")  # engines whose voices are preferred, in this order
PREFERRED = {("en", "female"): "en-us-heart", ("en", "male"): "en-us-joe"}


def background(loud: Clip) -> Audio:
    """``loud`` (48 kHz) with its speech taken out, at 24 kHz; isolated a second at a time,
    so no more than the result is held beside the input."""
    if loud.rate != isolation.RATE:
        raise ValueError(f"the background is taken at {isolation.RATE} Hz")
    samples = loud.samples
    rest = np.empty(len(samples), "<i2")
    at = 0
    seconds = (samples[i:i + isolation.RATE] for i in range(0, len(samples), isolation.RATE))
    for speech in isolation.isolate_stream(seconds):
        end = at + len(speech)
        rest[at:end] = np.round(np.clip(samples[at:end] - speech, -1, 1) * 32767)
        at = end
    return resample(Audio.mono(rest, isolation.RATE), RATE)


def pitches(transcript: Transcript, clip: Clip) -> dict[str, float]:
    """Each speaker's median pitch (Hz) over the words they speak."""
    heard: dict[str, list[float]] = {}
    for segment in transcript.segments:
        for word in segment.words:
            pitch = float(np.exp(speakers.voice_print(clip, word.start, word.end)[-1]))
            heard.setdefault(segment.speaker or "speaker_0", []).append(pitch)
    return {speaker: float(np.median(found)) for speaker, found in heard.items()}


def cast(heard: dict[str, float], language: str, voices: Voices) -> dict[str, str]:
    """A voice id for each speaker: female or male by their pitch, speaking ``language``."""
    return {speaker: voice_for(voices, language, "female" if pitch > FEMALE_ABOVE else "male")
            for speaker, pitch in heard.items()}


def spoken(segments: list[Segment], cast: dict[str, str], voices: Voices, language: str,
           duration: float, pool: WorkerPool,
           progress: Callable[[float], None] | None = None) -> Audio:
    """``segments`` in their speakers' voices, each at its time, ``duration`` seconds long
    (longer only where a voice could not keep up); ``progress`` hears the share of the
    segments spoken after each speaker's."""
    settings = VoiceSettings()
    made: list[tuple[Segment, Audio]] = []
    for speaker in dict.fromkeys(segment.speaker or "speaker_0" for segment in segments):
        own = [segment for segment in segments if (segment.speaker or "speaker_0") == speaker]
        voice = voices.get(cast[speaker])
        made += zip(own, fitted(own, voice, settings, pool, language), strict=True)
        if progress is not None:
            progress(len(made) / len(segments))
    made.sort(key=lambda piece: piece[0].start)
    return laid(made, duration)


def mixed(speech: Audio, bed: Audio | None) -> Audio:
    """``speech`` over ``bed`` (both at 24 kHz), as long as the longer."""
    if bed is None:
        return speech
    length = max(len(speech), len(bed))
    total = np.zeros(length, np.int32)
    total[:len(speech)] += speech.samples
    total[:len(bed)] += bed.samples
    return Audio.mono(np.clip(total, -32768, 32767).astype("<i2"), RATE)


def voice_for(voices: Voices, language: str, gender: str) -> str:
    """A local voice of ``gender`` speaking ``language`` (the other gender's if it has none);
    ``InvalidInput`` naming ``target_lang`` if no local voice speaks it."""
    preferred = PREFERRED.get((language, gender))
    speaking = [voice for voice in voices.speaking(language) if voice.listing is None]
    if preferred is not None and any(voice.voice_id == preferred for voice in speaking):
        return preferred
    if not speaking:
        raise InvalidInput("target_lang", f"target_lang: no local voice speaks {language}")
    return min(speaking, key=lambda voice: _rank(voice, gender)).voice_id


def _rank(voice: Voice, gender: str) -> tuple[bool, int]:
    engine = NEURAL.index(voice.engine) if voice.engine in NEURAL else len(NEURAL)
    return voice.gender != gender, engine
