"""Listening for a caller: an upload decoded within its caps, charged, recognised, diarized.

Every way in (ElevenLabs' speech to text and forced alignment, the Voice API's STT tasks)
comes through here, so the caps and the charge are the same for all of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import BinaryIO

from voicer.accounts import paid
from voicer.db import Database
from voicer.errors import InvalidInput
from voicer.recognition import speakers
from voicer.recognition.base import Progress, Recognizer, Transcript
from voicer.recognition.charge import audio_characters
from voicer.recognition.clip import RATE, Clip, decode
from voicer.recognition.parallel import ParallelRecognizer
from voicer.recognition.registry import RecognizerRegistry
from voicer.settings import Settings

RAW_PCM = "pcm_s16le_16"  # ElevenLabs' file_format for raw 16 kHz mono 16-bit audio


LONG_AUDIO = 28.0  # seconds: longer audio goes to the parallel recognizer, in pieces


@dataclass(frozen=True, slots=True)
class Listener:
    database: Database
    recognizers: RecognizerRegistry
    settings: Settings
    parallel: ParallelRecognizer | None = None  # the same model in worker processes

    def clip(self, file: BinaryIO, file_format: str | None = None, field: str = "file",
             rate: int = RATE) -> Clip:
        """The upload, decoded at ``rate`` (16 kHz: what Whisper hears); ``InvalidInput`` naming
        ``field`` if it is not audio or too long."""
        if file_format not in (None, "other", RAW_PCM):
            raise InvalidInput("file_format", f"file_format must be {RAW_PCM} or other")
        if file_format == RAW_PCM:
            clip = Clip.from_pcm16(file.read(int(self.settings.max_audio_seconds * 32_000) + 2))
            if clip.duration > self.settings.max_audio_seconds:
                raise InvalidInput(field, f"{field} is longer than the limit of "
                                          f"{self.settings.max_audio_seconds:,.0f} seconds of audio")
            return clip.at(rate)
        return decode(file, self.settings.max_audio_seconds, field, rate)

    def cost(self, clip: Clip) -> int:
        return audio_characters(clip.duration, self.settings.stt_characters_per_second)

    def listen(self, user_id: str, clip: Clip, recognizer: Recognizer, language: str | None,
               diarize: bool = False, num_speakers: int | None = None,
               progress: Progress | None = None) -> Transcript:
        """``clip`` recognised (and its speakers told apart if asked), charged to ``user_id``."""
        if (self.parallel is not None and clip.duration > LONG_AUDIO
                and recognizer.name == self.parallel.name):
            recognizer = self.parallel  # every core on a long file, not one thread
        with paid(self.database, user_id, self.cost(clip)):
            return recognized(clip, recognizer, language, diarize, num_speakers, progress)


def recognized(clip: Clip, recognizer: Recognizer, language: str | None, diarize: bool = False,
               num_speakers: int | None = None, progress: Progress | None = None) -> Transcript:
    """``clip`` recognised, and its speakers told apart if asked."""
    transcript = recognizer.recognize(clip, language, progress)
    return speakers.diarize(transcript, clip, num_speakers) if diarize else transcript
