"""ElevenLabs text to dialogue, spoken by the local engines: each turn in its own voice, one audio.

The turns are spoken one after another through one encoder, ``TURN_GAP`` of silence between two
turns, so the answer is one stream in the format asked. The characters of the dialogue are the
turns' texts one after another; every piece of audio says which turn (``VoiceSegment``) and
which characters it holds, on the same clock as the alignment.

A dialogue is one purchase: all its characters are charged before the first turn is spoken, and
it becomes one history item (its voice is the first turn's, its text the turns' texts in order).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from voicer.audio import Audio, silence
from voicer.elevenlabs.billing import Part, Purchase
from voicer.encoding.formats import OutputFormat
from voicer.encoding.streams import stream_encoder
from voicer.language import LanguageDetector
from voicer.pipeline.pool import WorkerPool
from voicer.speech import AudioPiece, SpeechPool, SpeechRequest, speak_into
from voicer.voices import Voices

TURN_GAP = 0.3  # seconds of silence between two turns, beside what the voices leave themselves
_GAP_RATE = 24_000  # the silence's own rate (the encoder resamples it to the format's)


@dataclass(frozen=True, slots=True)
class Turn:
    text: str
    speech: SpeechRequest  # its voice, and how it is spoken


@dataclass(frozen=True, slots=True)
class VoiceSegment:
    """A stretch of the audio spoken by one voice, for one turn (ElevenLabs' shape)."""

    voice_id: str
    start: float  # seconds
    end: float
    character_start: int  # in the dialogue's characters
    character_end: int  # exclusive
    turn: int

    def to_json(self) -> dict[str, Any]:
        return {"voice_id": self.voice_id, "start_time_seconds": self.start,
                "end_time_seconds": self.end, "character_start_index": self.character_start,
                "character_end_index": self.character_end, "dialogue_input_index": self.turn}

    def then(self, later: VoiceSegment) -> VoiceSegment:
        """This segment and a later one of the same turn, as one."""
        return VoiceSegment(self.voice_id, self.start, later.end, self.character_start,
                            later.character_end, self.turn)


@dataclass(frozen=True, slots=True)
class DialoguePiece:
    audio: AudioPiece
    segment: VoiceSegment | None  # None for the silence between turns and the stream's end


def merged(segments: Sequence[VoiceSegment]) -> list[VoiceSegment]:
    """One segment per turn, from the pieces' segments."""
    whole: list[VoiceSegment] = []
    for segment in segments:
        if whole and whole[-1].turn == segment.turn:
            whole[-1] = whole[-1].then(segment)
        else:
            whole.append(segment)
    return whole


def charge(purchase: Purchase, turns: Sequence[Turn]) -> Part:
    """Every turn's characters, at once, before anything is spoken."""
    return purchase.charge("".join(turn.text for turn in turns))


def spoken(purchase: Purchase, part: Part, turns: Sequence[Turn], speech: SpeechPool,
           voices: Voices, detector: LanguageDetector) -> Iterator[DialoguePiece]:
    """The dialogue piece by piece, a copy kept for the history; settled however it ends."""
    with purchase, speech.lease() as pool:
        for piece in speak(turns, purchase.order.format, pool, voices, detector):
            purchase.keep(piece.audio.audio)
            yield piece
        purchase.delivered(part)


def speak(turns: Sequence[Turn], fmt: OutputFormat, pool: WorkerPool, voices: Voices,
          detector: LanguageDetector) -> Iterator[DialoguePiece]:
    """The turns one after another in ``fmt``, ``TURN_GAP`` apart, piece by piece."""
    encoder = stream_encoder(fmt)
    elapsed, offset = 0.0, 0
    for index, turn in enumerate(turns):
        if index:
            gap = encoder.encode(Audio.mono(silence(round(TURN_GAP * _GAP_RATE)), _GAP_RATE))
            elapsed += TURN_GAP
            yield DialoguePiece(AudioPiece(gap, None), None)
        for piece in speak_into(encoder, turn.text, turn.speech, pool, voices, detector, elapsed):
            segment = None
            if piece.alignment and piece.alignment.characters:
                timing = piece.alignment
                segment = VoiceSegment(turn.speech.voice.voice_id, timing.starts[0],
                                       timing.ends[-1], offset, offset + len(timing.characters),
                                       index)
                offset, elapsed = segment.character_end, segment.end
            yield DialoguePiece(piece, segment)
    yield DialoguePiece(AudioPiece(encoder.finish(), None), None)
