"""hibari: a small neural English voice ("heart", en-US female, 24 kHz) whose weights are in
its PyPI wheel.

Its graph predicts spectral features and a pitch track (``f0``) per 12.5 ms frame; hibari's
numpy vocoder turns them into a waveform. A voice's ``params["hibari"]`` scales that pitch
track (``pitch``) and the pace (``pace``, times the settings' ``speed``). The vocoder's noise
comes from a generator seeded afresh for every text, so a text always sounds the same.

Phonemes a caller gives (``<phoneme>``, a dictionary's phoneme rule) are read in hibari's own
symbols in their word's place; a word starts where the graph's durations say its first phoneme
does (``voicer.engines.timing``).

Only "heart" is spoken: hibari's other voices would be downloaded at run time.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from voicer.audio import Audio, AudioFormat
from voicer.engines.base import Speech
from voicer.engines.onnx import TimedGraph, cpu_session
from voicer.engines.timing import Phonemes, has_words, symbol_starts, word_events
from voicer.text.phonemes import phonemized, to_ipa
from voicer.text.sentences import sentences
from voicer.voice_settings import VoiceSettings
from voicer.voices import Voice

NAME = "hibari"
RATE = 24_000
SEED = 0
# A sentence longer than this many phonemes is spoken a clause group at a time (as hibari does).
MAX_PHONEMES = 400
# Its decoder sounds a phoneme about this long before the frames its durations give it: Whisper
# hears its words 85 ms before those frames (median, PARAGRAPH of tests/recognition/speech.py),
# and espeak-ng's exactly known words 34 ms early.
LEAD = round(0.05 * RATE)
_CLAUSE = re.compile(r"(?<=[,;:—])\s+")
# IPA (as ``voicer.text.phonemes.to_ipa`` writes it) in the symbols of hibari's American G2P
# (misaki's): diphthongs as one capital, r-coloured vowels spelled out, no length marks.
_MISAKI = {"eɪ": "A", "aɪ": "I", "aʊ": "W", "ɔɪ": "Y", "oʊ": "O", "əʊ": "O", "tʃ": "ʧ",
           "dʒ": "ʤ", "ɾ": "T", "ɚ": "əɹ", "ɝ": "ɜɹ", "ɜːɹ": "ɜɹ", "ɜː": "ɜɹ", "ː": "",
           "ɐ": "ə", "ɒ": "ɑ", "r": "ɹ", "ɫ": "l", "g": "ɡ"}
_MISAKI_SYMBOL = re.compile("|".join(re.escape(s) for s in sorted(_MISAKI, key=len, reverse=True)))


@dataclass(frozen=True, slots=True)
class HibariVoice:
    pitch: float = 1.0  # times the model's pitch track
    pace: float = 1.0  # times the model's speaking rate

    @classmethod
    def of(cls, voice: Voice) -> HibariVoice:
        own: dict[str, Any] = dict(voice.params.get(NAME) or {})
        return cls(float(own.get("pitch", 1.0)), float(own.get("pace", 1.0)))


class HibariEngine:
    """hibari's "heart", loaded on first use (``prepare``), so workers that never speak it stay
    small."""

    format = AudioFormat(RATE)
    # It reads phonemes given as [[…]] in espeak-ng's mnemonics (``voicer.text.prepare`` writes
    # them for phoneme elements and pronunciation rules), in its own symbols.
    reads_espeak_phonemes = True

    def __init__(self) -> None:
        self._model: _Model | None = None

    def prepare(self, voice: Voice) -> None:
        if self._model is None:
            self._model = _Model()

    def synthesize(self, text: str, voice: Voice, settings: VoiceSettings,
                   language: str | None = None) -> Iterator[Speech]:
        self.prepare(voice)
        assert self._model is not None
        own = HibariVoice.of(voice)
        rng = np.random.default_rng(SEED)
        offset = 0
        for span in sentences(text, (0, len(text)), "en"):
            if not has_words(text[span[0]:span[1]]):
                continue  # the model would sound marks alone ("...", "—")
            samples, said = self._model.speak(text[span[0]:span[1]], own, settings.speed, rng)
            yield Speech(Audio(samples, self.format),
                         tuple(word_events(text, span, samples, RATE, offset, said)))
            offset += len(samples)
        if offset == 0:
            yield Speech(Audio(np.zeros(0, np.int16), self.format))


class _Model:
    """hibari's graph, G2P and vocoder: the same steps as ``hibari.Hibari``, with Voicer's
    session options and the pitch track at hand."""

    def __init__(self) -> None:
        from hibari import dsp
        from hibari.g2p import G2P
        from hibari.g2p.oov import OOV
        from hibari.voices import voice_path

        self._synth = dsp.synth
        self._graph = TimedGraph(Path(voice_path("heart")))
        assets = Path(dsp.__file__).parent / "assets"
        self._vocab: dict[str, int] = json.loads((assets / "vocab.json").read_text("utf-8"))
        unknown = assets / "oov.onnx"  # the net that reads words its lexicon lacks
        self._g2p = G2P(oov=OOV(str(unknown), session=cpu_session(unknown)), british=False)
        self.speak("Ready.", HibariVoice(), 1.0, np.random.default_rng(SEED))  # loads the lexicons

    def speak(self, sentence: str, voice: HibariVoice, speed: float, rng: np.random.Generator
              ) -> tuple[np.ndarray[Any, np.dtype[np.int16]], Phonemes | None]:
        """The sentence's samples, and its phonemes with their starts (None: the graph did not
        say its durations)."""
        runs = self._phonemes(sentence)
        parts: list[np.ndarray[Any, np.dtype[np.float32]]] = []
        starts: list[int] = []
        made = 0
        for phonemes in runs:
            wave, run_starts = self._run(phonemes, voice, speed, rng)
            if starts:
                starts.append(-1)  # the space between two runs
            starts += [-1 if start < 0 else made + start for start in run_starts] \
                if run_starts is not None else [-1] * len(phonemes)
            parts.append(wave)
            made += len(wave)
        if not parts:
            return np.zeros(0, np.int16), None
        samples = (np.clip(np.concatenate(parts), -1.0, 1.0) * 32767).astype(np.int16)
        return samples, Phonemes(" ".join(runs), starts, self._spell, LEAD)

    def _spell(self, text: str) -> str:
        """``text`` as hibari's phonemes, its phonemes given as [[…]] in hibari's symbols
        (those it lacks are left out as its ids are made)."""
        return phonemized(text, self._g2p, misaki)

    def _phonemes(self, sentence: str) -> list[str]:
        phonemes = self._spell(sentence)
        if not phonemes or len(phonemes) <= MAX_PHONEMES:
            return [phonemes] if phonemes else []
        runs, current = [], ""
        for part in _CLAUSE.split(phonemes):
            if current and len(current) + len(part) + 1 > MAX_PHONEMES:
                runs.append(current)
                current = part
            else:
                current = f"{current} {part}" if current else part
        return [*runs, current] if current else runs

    def _run(self, phonemes: str, voice: HibariVoice, speed: float, rng: np.random.Generator
             ) -> tuple[np.ndarray[Any, np.dtype[np.float32]], list[int] | None]:
        ids, positions = [0], []
        for c in phonemes:
            positions.append(len(ids) if c in self._vocab else -1)
            if c in self._vocab:
                ids.append(self._vocab[c])
        ids.append(0)
        if len(ids) < 3:
            return np.zeros(0, np.float32), None
        outputs, frames = self._graph.run({
            "ids": np.asarray([ids], np.int64),
            "speed": np.asarray([speed * voice.pace], np.float32)})
        lh, theta, ln, lr, phi, f0 = (output[0] for output in outputs)
        wave: np.ndarray[Any, np.dtype[np.float32]] = self._synth(
            lh, theta, ln, lr, phi, f0 * np.float32(voice.pitch), rng)
        if frames is None or len(frames) != len(ids):
            return wave, None
        return wave, symbol_starts(positions, frames, len(wave))


def misaki(mnemonics: str) -> str:
    """espeak-ng's mnemonics in hibari's symbols."""
    return _MISAKI_SYMBOL.sub(lambda match: _MISAKI[match.group()], to_ipa(mnemonics))
