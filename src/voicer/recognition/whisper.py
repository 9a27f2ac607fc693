"""Whisper through faster-whisper (CTranslate2), on the CPU with int8 weights.

The model is loaded on first use, once per process, and given a local directory only: with a
path faster-whisper never looks at the network. Words come with their own times (cross-attention
alignment), their starts corrected on the clip's sound (``voicer.recognition.word_starts``); a
voice activity filter (Silero VAD, bundled with faster-whisper) skips silence.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from voicer.recognition.base import Progress, Segment, Transcript, Word
from voicer.recognition.clip import Clip
from voicer.recognition.word_starts import refined

if TYPE_CHECKING:
    from faster_whisper import WhisperModel

WHISPER = "whisper"  # the engine's name


@dataclass
class WhisperRecognizer:
    """A Whisper model in a directory, loaded when first asked to listen."""

    directory: Path
    threads: int = 1  # CPU threads per recognition
    workers: int = 1  # recognitions at once (model replicas), each on its own threads
    beam_size: int = 5
    refine: bool = True  # word starts corrected on the sound (False: Whisper's own)
    name: str = WHISPER
    _model: WhisperModel | None = field(default=None, init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    def model(self) -> WhisperModel:
        with self._lock:
            if self._model is None:
                from faster_whisper import WhisperModel  # heavy: only where recognition runs

                self._model = WhisperModel(str(self.directory), device="cpu",
                                           compute_type="int8", cpu_threads=self.threads,
                                           num_workers=self.workers, local_files_only=True)
            return self._model

    def recognize(self, clip: Clip, language: str | None = None,
                  progress: Progress | None = None) -> Transcript:
        found, info = self.model().transcribe(
            clip.samples, language=language, beam_size=self.beam_size, word_timestamps=True,
            vad_filter=True, condition_on_previous_text=False)
        segments: list[Segment] = []
        for piece in found:  # a generator: recognition happens as it is read
            words = tuple(Word(word.word.strip(), _seconds(word.start), _seconds(word.end),
                               round(float(word.probability), 4))
                          for word in piece.words or () if word.word.strip())
            segments.append(Segment(_seconds(piece.start), _seconds(piece.end),
                                    piece.text.strip(), words))
            if progress is not None:
                progress(float(piece.end))
        if self.refine:
            segments = refined(segments, clip)
        return Transcript(tuple(segments), info.language,
                          round(float(info.language_probability), 4), clip.duration)


def _seconds(value: float) -> float:
    return round(float(value), 3)
