"""Sound effects made here, without a model: the ambient beds and cues long-form audio needs.

No sound-generation model ships its weights on PyPI, so Voicer does not pretend to turn any
prompt into any sound. It makes a documented set of sounds procedurally — noise shaped in the
frequency domain, struck partials, envelopes — chosen by the words of the prompt:

- beds: rain, wind, waves, room tone, white, pink and brown noise, a stream;
- struck: a bell, wind chimes, a singing bowl;
- interface: a click, a beep, a notification, a whoosh.

Every sound is made as one period of a circular signal: noise is shaped over the whole buffer
by one FFT, envelopes have a whole number of cycles, and struck notes wrap their tails around
the end. So a ``loop`` joins its end to its start without a click; a sound that does not loop
gets 20 ms fades instead. The same prompt, duration and ``loop`` give the same samples.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from voicer.audio import Audio, AudioFormat
from voicer.errors import InvalidInput, OutOfRange

RATE = 48_000
MIN_SECONDS, MAX_SECONDS = 0.5, 30.0
_FADE = 0.02  # seconds of fade in and out of a sound that does not loop
_PEAK = 0.7  # of full scale

Signal = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class Sound:
    name: str
    words: tuple[str, ...]  # any of these in a prompt asks for it
    seconds: float  # when the request gives no duration
    make: Callable[[int, np.random.Generator], Signal]  # samples, randomness → a signal

    def render(self, seconds: float, loop: bool, seed: int) -> Audio:
        """``seconds`` of it, exactly, at 48 kHz."""
        count = round(seconds * RATE)
        signal = self.make(count, np.random.default_rng(seed))
        peak = float(np.max(np.abs(signal))) or 1.0
        signal = signal * (_PEAK / peak) * _LEVELS.get(self.name, 1.0)
        if not loop:
            fade = min(round(_FADE * RATE), count // 2)
            ramp = np.linspace(0.0, 1.0, fade)
            signal[:fade] *= ramp
            signal[count - fade:] *= ramp[::-1]
        return Audio((signal * 32_767).astype(np.int16), AudioFormat(RATE))


def _shaped(count: int, rng: np.random.Generator, slope: float,
            low: float = 0.0, high: float = RATE / 2) -> Signal:
    """Noise with power falling as 1/f^slope between ``low`` and ``high`` Hz; circular."""
    spectrum = np.fft.rfft(rng.standard_normal(count))
    hertz = np.fft.rfftfreq(count, 1 / RATE)
    gain = np.where((hertz >= low) & (hertz <= high), 1.0, 0.0)
    gain[1:] /= hertz[1:] ** (slope / 2)
    gain[0] = 0.0
    return np.fft.irfft(spectrum * gain, count)


def _swell(count: int, cycles: int, rng: np.random.Generator, depth: float) -> Signal:
    """A slow envelope with a whole number of cycles over the buffer, so it loops."""
    phase = np.arange(count) / count * 2 * np.pi
    envelope = np.zeros(count)
    for harmonic in range(1, 4):
        envelope += np.sin(phase * cycles * harmonic + rng.uniform(0, 2 * np.pi)) / harmonic
    envelope = (envelope - envelope.min()) / (np.ptp(envelope) or 1.0)
    return np.asarray(1 - depth + depth * envelope, np.float64)


def _struck(count: int, start: int, hertz: float, ratios: tuple[float, ...], decay: float) -> Signal:
    """A struck note's partials from ``start``, its tail wrapped around the end."""
    length = min(count, round(decay * 6 * RATE))
    time = np.arange(length) / RATE
    note = np.zeros(length)
    for number, ratio in enumerate(ratios):
        note += np.sin(2 * np.pi * hertz * ratio * time) * np.exp(-time * (1 + number) / decay)
    attack = min(length, round(0.002 * RATE))
    note[:attack] *= np.linspace(0, 1, attack)
    placed = np.zeros(count)
    np.add.at(placed, (start + np.arange(length)) % count, note)
    return placed


def _count_events(count: int, per_second: float) -> int:
    return max(1, round(count / RATE * per_second))


def _rain(count: int, rng: np.random.Generator) -> Signal:
    bed = _shaped(count, rng, 1.0, 400, 12_000)
    drops = np.zeros(count)
    for start in rng.integers(0, count, _count_events(count, 40)):
        drops += _struck(count, int(start), float(rng.uniform(1_500, 5_000)), (1.0,), 0.004) \
            * rng.uniform(0.2, 1.0)
    return bed / (np.std(bed) or 1) + 0.6 * drops / (np.std(drops) or 1)


def _wind(count: int, rng: np.random.Generator) -> Signal:
    return _shaped(count, rng, 2.0, 40, 2_500) * _swell(count, max(1, round(count / RATE / 6)), rng, 0.8)


def _waves(count: int, rng: np.random.Generator) -> Signal:
    return _shaped(count, rng, 1.2, 60, 6_000) * _swell(count, max(1, round(count / RATE / 8)), rng, 0.9) ** 2


def _stream(count: int, rng: np.random.Generator) -> Signal:
    return _shaped(count, rng, 0.6, 800, 9_000) * _swell(count, max(1, round(count / RATE)), rng, 0.3)


def _room_tone(count: int, rng: np.random.Generator) -> Signal:
    noise = _shaped(count, rng, 1.5, 30, 8_000)
    hum = np.sin(2 * np.pi * round(50 * count / RATE) * np.arange(count) / count)  # mains, 50 Hz
    return noise / (np.std(noise) or 1.0) + 0.3 * hum


def _bell(count: int, rng: np.random.Generator) -> Signal:
    return _struck(count, 0, 523.25, (0.56, 0.92, 1.19, 1.71, 2.0, 2.74, 3.0, 3.76), 1.2)


def _bowl(count: int, rng: np.random.Generator) -> Signal:
    # two close fundamentals beat slowly, as a bowl's do
    return (_struck(count, 0, 220.0, (1.0, 2.71, 5.13), 4.0)
            + _struck(count, 0, 221.5, (1.0, 2.72), 4.0))


def _chimes(count: int, rng: np.random.Generator) -> Signal:
    pentatonic = (523.25, 587.33, 659.25, 783.99, 880.0, 1046.5)
    signal = np.zeros(count)
    for start in rng.integers(0, count, _count_events(count, 1.5)):
        signal += _struck(count, int(start), float(rng.choice(pentatonic)), (1.0, 2.76, 5.4), 1.5) \
            * rng.uniform(0.4, 1.0)
    return signal


def _click(count: int, rng: np.random.Generator) -> Signal:
    return _struck(count, 0, 2_000.0, (1.0, 1.5), 0.003)


def _beep(count: int, rng: np.random.Generator) -> Signal:
    length = min(count, round(0.2 * RATE))
    beep = np.sin(2 * np.pi * 1_000 * np.arange(length) / RATE)
    edge = round(0.005 * RATE)
    beep[:edge] *= np.linspace(0, 1, edge)
    beep[-edge:] *= np.linspace(1, 0, edge)
    return np.concatenate([beep, np.zeros(count - length)])


def _notification(count: int, rng: np.random.Generator) -> Signal:
    return _struck(count, 0, 880.0, (1.0, 2.0), 0.25) + _struck(count, round(0.15 * RATE), 1318.5,
                                                               (1.0, 2.0), 0.3)


def _whoosh(count: int, rng: np.random.Generator) -> Signal:
    noise = _shaped(count, rng, 1.0, 200, 8_000)
    position = np.arange(count) / count
    return noise * np.exp(-((position - 0.5) / 0.18) ** 2)


def _white(count: int, rng: np.random.Generator) -> Signal:
    return _shaped(count, rng, 0.0, 20)


def _pink(count: int, rng: np.random.Generator) -> Signal:
    return _shaped(count, rng, 1.0, 20)


def _brown(count: int, rng: np.random.Generator) -> Signal:
    return _shaped(count, rng, 2.0, 20)


# How loud each sits against the others (beds under speech, cues above it).
_LEVELS = {"room tone": 0.05, "white noise": 0.5, "pink noise": 0.6, "brown noise": 0.8}

SOUNDS: tuple[Sound, ...] = (
    Sound("rain", ("rain", "raining", "rainfall", "drizzle", "downpour", "shower"), 10.0, _rain),
    Sound("wind", ("wind", "windy", "breeze", "gust", "gale"), 10.0, _wind),
    Sound("waves", ("waves", "wave", "ocean", "sea", "surf", "shore", "beach", "tide"), 16.0, _waves),
    Sound("stream", ("stream", "brook", "creek", "river", "water", "fountain"), 10.0, _stream),
    Sound("room tone", ("room", "tone", "ambience", "ambient", "silence", "hum"), 10.0, _room_tone),
    Sound("white noise", ("white",), 10.0, _white),
    Sound("pink noise", ("pink",), 10.0, _pink),
    Sound("brown noise", ("brown", "brownian", "red"), 10.0, _brown),
    Sound("singing bowl", ("bowl", "singing", "tibetan", "meditation", "gong"), 8.0, _bowl),
    Sound("chimes", ("chimes", "chime", "windchimes"), 10.0, _chimes),
    Sound("bell", ("bell", "bells", "ding", "ring"), 4.0, _bell),
    Sound("notification", ("notification", "alert", "message", "ping"), 1.0, _notification),
    Sound("beep", ("beep", "bleep", "tone"), 0.5, _beep),
    Sound("click", ("click", "tap", "button", "tick"), 0.5, _click),
    Sound("whoosh", ("whoosh", "swoosh", "swish", "transition", "swipe"), 1.0, _whoosh),
)

_WORD = re.compile(r"[a-z]+")


def choose(prompt: str) -> Sound:
    """The sound whose words the prompt uses most (the earlier in ``SOUNDS`` on a tie), or
    ``InvalidInput`` listing what there is."""
    words = _WORD.findall(prompt.lower())
    scored = [(sum(word in sound.words for word in words), -number, sound)
              for number, sound in enumerate(SOUNDS)]
    score, _, sound = max(scored, key=lambda entry: entry[:2])
    if score == 0:
        raise InvalidInput(
            "text", f"text: no local sound matches {prompt[:80]!r}; without the ElevenLabs upstream "
                    f"Voicer makes: {', '.join(sound.name for sound in SOUNDS)}")
    return sound


def generate(prompt: str, seconds: float | None, loop: bool) -> Audio:
    """The sound the prompt asks for, ``seconds`` long (its own length when None)."""
    sound = choose(prompt)
    length = sound.seconds if seconds is None else seconds
    if not MIN_SECONDS <= length <= MAX_SECONDS:
        raise OutOfRange("duration_seconds", length, MIN_SECONDS, MAX_SECONDS)
    digest = hashlib.sha256(f"{prompt}\0{length}\0{loop}".encode()).digest()
    return sound.render(length, loop, int.from_bytes(digest[:8], "little"))
