"""espeak-ng, bound with ctypes to the library that ``espeakng-loader`` ships.

libespeak-ng keeps one global synthesizer per process and is not thread-safe,
so a process holds at most one :class:`EspeakEngine` and uses it from one thread.
The library, and the voice it has now, are that process's :func:`library`: the
engine speaks with it, and :func:`phonemize` (Piper's phonemes) reads with it.

How ElevenLabs voice settings map onto espeak-ng:

==================  ==========================================================
``speed``           rate: 175 words per minute × speed (0.7 → 122, 1.2 → 210)
``stability``       intonation range: 20 + 60 × (1 − stability); 0.5 gives
                    espeak's default 50, 1.0 a near-monotone 20
``style``           widens the intonation further: + 20 × style (max 100)
``similarity_boost`` no meaning for a formant synthesizer; accepted, ignored
``use_speaker_boost`` likewise accepted and ignored
==================  ==========================================================
"""

from __future__ import annotations

import ctypes
import functools
from collections.abc import Iterator
from dataclasses import dataclass
from typing import ClassVar

import espeakng_loader
import numpy as np

from voicer.audio import Audio, AudioFormat
from voicer.engines.base import Speech, WordEvent
from voicer.errors import EngineError
from voicer.voice_settings import VoiceSettings
from voicer.voices import Voice

# speak_lib.h constants
_AUDIO_OUTPUT_SYNCHRONOUS = 2
_INITIALIZE_DONT_EXIT = 0x8000
_POS_CHARACTER = 1
_CHARS_UTF8 = 1
_ENDPAUSE = 0x1000
_PHONEMES = 0x100  # [[…]] in the text holds espeak-ng phoneme mnemonics
_PHONEMES_IPA = 0x02
_EVENT_LIST_TERMINATED = 0
_EVENT_WORD = 1
_PARAM_RATE, _PARAM_VOLUME, _PARAM_PITCH, _PARAM_RANGE = 1, 2, 3, 4
# Milliseconds of audio per callback: larger pieces mean fewer Python calls.
_BUFFER_MS = 1000
_BASE_RATE = 175
# ISO 639-1 codes that espeak-ng names otherwise.
_LANGUAGE_ALIASES = {"zh": "cmn", "no": "nb", "en": "en-us"}
# Clause punctuation kept in phonemes: a Piper voice pauses and intones by it.
_CLAUSE_MARKS = {",": ",", ".": ".", "!": "!", "?": "?", ";": ";", ":": ":", "…": ".",
                 "\u2014": ",", "\u2013": ","}


@dataclass(frozen=True, slots=True)
class EspeakVoice:
    """What espeak-ng reads of a voice: its ``params``, as the bundled catalogue gives them."""

    name: str  # espeak-ng language voice, e.g. "en-us"
    variant: str | None  # e.g. "f3"
    pitch: int = 50

    @classmethod
    def of(cls, voice: Voice) -> EspeakVoice:
        """A voice of another engine that espeak-ng speaks for it (a language its own engine
        lacks) may name no espeak-ng voice: it is spoken in its own language's."""
        params = voice.params
        variant = params.get("variant")
        return cls(str(params.get("espeak_voice", voice.language)),
                   None if variant is None else str(variant), int(params.get("pitch", 50)))


@dataclass(frozen=True, slots=True)
class EspeakParams:
    rate: int
    pitch: int
    pitch_range: int


def espeak_params(settings: VoiceSettings, voice: Voice) -> EspeakParams:
    """Translate ElevenLabs-style settings into espeak-ng parameters (see module docstring)."""
    pitch_range = 20 + 60 * (1 - settings.stability) + 20 * settings.style
    return EspeakParams(
        rate=round(_BASE_RATE * settings.speed),
        pitch=EspeakVoice.of(voice).pitch,
        pitch_range=min(100, round(pitch_range)),
    )


class _Event(ctypes.Structure):
    _fields_: ClassVar = [
        ("type", ctypes.c_int),
        ("unique_identifier", ctypes.c_uint),
        ("text_position", ctypes.c_int),
        ("length", ctypes.c_int),
        ("audio_position", ctypes.c_int),
        ("sample", ctypes.c_int),
        ("user_data", ctypes.c_void_p),
        ("id", ctypes.c_char * 8),
    ]


class _Voice(ctypes.Structure):
    _fields_: ClassVar = [
        ("name", ctypes.c_char_p),
        ("languages", ctypes.POINTER(ctypes.c_char)),
        ("identifier", ctypes.c_char_p),
        ("gender", ctypes.c_ubyte),
        ("age", ctypes.c_ubyte),
        ("variant", ctypes.c_ubyte),
        ("xx1", ctypes.c_ubyte),
        ("score", ctypes.c_int),
        ("spare", ctypes.c_void_p),
    ]


_Callback = ctypes.CFUNCTYPE(
    ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.POINTER(_Event)
)


class Library:
    """The process's libespeak-ng, initialised, and the voice it has now."""

    def __init__(self) -> None:
        self.lib = _load_library()
        data = espeakng_loader.get_data_path().encode()
        self.rate = self.lib.espeak_Initialize(
            _AUDIO_OUTPUT_SYNCHRONOUS, _BUFFER_MS, data, _INITIALIZE_DONT_EXIT
        )
        if self.rate <= 0:
            raise EngineError(f"espeak-ng failed to initialise (code {self.rate})")
        self.voice = ""
        self.params: EspeakParams | None = None  # set with the voice; a new voice resets them
        # The engine the library calls back now. Held here, so its ctypes thunk lives while
        # the library points at it: another engine of the process that goes away never
        # leaves the library calling freed memory.
        self.speaker: EspeakEngine | None = None

    def use(self, name: str) -> bool:
        """Switch to voice ``name``; whether it was another (which resets the parameters)."""
        if name == self.voice:
            return False
        if self.lib.espeak_SetVoiceByName(name.encode()) != 0:
            raise EngineError(f"espeak-ng has no voice {name!r}")
        self.voice = name
        self.params = None
        return True


@functools.cache
def library() -> Library:
    """This process's one libespeak-ng (the library itself is process-global)."""
    return Library()


def phonemize(text: str, voice: str) -> str:
    """``text`` as espeak-ng's IPA in ``voice``, stress marks and clause punctuation kept,
    clauses joined by a space: what a Piper voice is trained on."""
    espeak = library()
    espeak.use(voice)
    encoded = text.encode("utf-8")
    buffer = ctypes.create_string_buffer(encoded)
    start = ctypes.addressof(buffer)
    pointer = ctypes.c_void_p(start)
    clauses: list[str] = []
    while pointer.value:
        ipa = espeak.lib.espeak_TextToPhonemes(ctypes.byref(pointer), _CHARS_UTF8, _PHONEMES_IPA)
        # espeak-ng has read one character past the clause, unless it reached the end
        read = encoded[:pointer.value - start].decode("utf-8", "ignore")[:-1] \
            if pointer.value else text
        mark = _CLAUSE_MARKS.get(read.rstrip()[-1:], "")
        phonemes = (ipa or b"").decode("utf-8", "ignore").strip()
        if phonemes or mark:
            clauses.append(phonemes + mark)
    return " ".join(clauses)


class EspeakEngine:
    """The embedded default engine: espeak-ng, 22,050 Hz 16-bit mono."""

    # It reads phonemes given as [[…]] (``voicer.text.prepare`` writes them, and keeps a
    # caller's own "[[" as text).
    reads_espeak_phonemes = True

    def __init__(self) -> None:
        self._espeak = library()
        self._lib = self._espeak.lib
        self.format = AudioFormat(rate=self._espeak.rate)
        self.languages = self._list_languages()
        self._pieces: list[Speech] = []
        self._seen_positions: set[int] = set()
        # The library calls back into this object; keep the ctypes thunk alive with it.
        self._callback = _Callback(self._on_audio)

    def synthesize(
        self, text: str, voice: Voice, settings: VoiceSettings, language: str | None = None
    ) -> Iterator[Speech]:
        if self._espeak.speaker is not self:  # the library is the process's: point it here
            self._lib.espeak_SetSynthCallback(self._callback)
            self._espeak.speaker = self
        self._configure(self.voice_name(voice, language), espeak_params(settings, voice))
        self._pieces, self._seen_positions = [], set()
        data = text.encode("utf-8") + b"\0"
        # phoneme input only where phonemes are given: a stray "[[" would leave espeak-ng
        # reading everything after it, in this call and the next, as phonemes
        flags = _CHARS_UTF8 | _ENDPAUSE | (_PHONEMES if "[[" in text else 0)
        code = self._lib.espeak_Synth(
            data, len(data), 0, _POS_CHARACTER, 0, flags, None, None
        )
        if code != 0:
            raise EngineError(f"espeak-ng could not synthesize (code {code})")
        pieces, self._pieces = self._pieces, []
        yield from pieces

    def voice_name(self, voice: Voice, language: str | None) -> str:
        """The espeak-ng voice that speaks ``language`` in ``voice``'s variant."""
        own = EspeakVoice.of(voice)
        base = own.name
        if language is not None and language != voice.language:
            base = self.languages.get(language, base)
        return f"{base}+{own.variant}" if own.variant else base

    def _configure(self, name: str, params: EspeakParams) -> None:
        self._espeak.use(name)
        if params != self._espeak.params:
            self._lib.espeak_SetParameter(_PARAM_RATE, params.rate, 0)
            self._lib.espeak_SetParameter(_PARAM_PITCH, params.pitch, 0)
            self._lib.espeak_SetParameter(_PARAM_RANGE, params.pitch_range, 0)
            self._espeak.params = params

    def _list_languages(self) -> dict[str, str]:
        """Map language codes to the espeak-ng voice names (identifier basenames) speaking them."""
        table = self._lib.espeak_ListVoices(None)
        found: dict[str, str] = {}
        i = 0
        while table[i]:
            name = table[i].contents.identifier.decode().rsplit("/", 1)[-1].lower()
            found.setdefault(name, name)
            found.setdefault(_first_language(table[i].contents), name)
            i += 1
        for code, name in _LANGUAGE_ALIASES.items():
            if name in found:
                found[code] = name
        return found

    def _on_audio(self, wav: ctypes._Pointer[ctypes.c_short], count: int,
                  events: ctypes._Pointer[_Event]) -> int:
        words: list[WordEvent] = []
        i = 0
        while events[i].type != _EVENT_LIST_TERMINATED:
            event = events[i]
            # Numbers raise several events at one position; keep the first.
            if event.type == _EVENT_WORD and event.text_position not in self._seen_positions:
                self._seen_positions.add(event.text_position)
                sample = event.audio_position * self.format.rate // 1000
                words.append(WordEvent(event.text_position - 1, event.length, sample))
            i += 1
        if count > 0 and wav:
            samples = np.ctypeslib.as_array(wav, shape=(count,)).copy()
            self._pieces.append(Speech(Audio(samples, self.format), tuple(words)))
        elif words:
            self._pieces.append(Speech(Audio(np.zeros(0, np.int16), self.format), tuple(words)))
        return 0


def _load_library() -> ctypes.CDLL:
    lib = ctypes.CDLL(espeakng_loader.get_library_path())
    lib.espeak_Initialize.restype = ctypes.c_int
    lib.espeak_Initialize.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_int]
    lib.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]
    lib.espeak_SetParameter.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int]
    lib.espeak_Synth.argtypes = [
        ctypes.c_char_p, ctypes.c_size_t, ctypes.c_uint, ctypes.c_int,
        ctypes.c_uint, ctypes.c_uint, ctypes.c_void_p, ctypes.c_void_p,
    ]
    lib.espeak_ListVoices.restype = ctypes.POINTER(ctypes.POINTER(_Voice))
    lib.espeak_TextToPhonemes.restype = ctypes.c_char_p
    lib.espeak_TextToPhonemes.argtypes = [ctypes.POINTER(ctypes.c_void_p), ctypes.c_int,
                                          ctypes.c_int]
    return lib


def _first_language(voice: _Voice) -> str:
    """``languages`` is a priority byte followed by a NUL-terminated name; take the first."""
    return ctypes.string_at(ctypes.addressof(voice.languages.contents) + 1).decode()
