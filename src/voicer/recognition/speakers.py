"""Who speaks when. For now every segment is said to be the one speaker's, ``speaker_0``."""

from __future__ import annotations

from voicer.recognition.base import Transcript
from voicer.recognition.clip import Clip


def diarize(transcript: Transcript, clip: Clip, num_speakers: int | None = None) -> Transcript:
    segments = tuple(segment.spoken_by("speaker_0") for segment in transcript.segments)
    return Transcript(segments, transcript.language, transcript.language_probability,
                      transcript.duration)
