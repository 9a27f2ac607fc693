"""Loudness: measured per ITU-R BS.1770-4, and every chunk brought to one target.

Each chunk is measured when it is rendered (its gated integrated loudness, in the worker
that spoke it), given one static gain toward the target, and kept under the true-peak
ceiling by a look-ahead limiter that only touches the rare peaks. A static gain per chunk
cannot pump, chunks rendered in parallel need nothing from each other, and the merged file,
whose pauses the gates leave out, measures at the target too.

==============  =========================  ================================
preset          integrated                 true peak
==============  =========================  ================================
``podcast``     -16 LUFS (the default)     -1 dBTP
``audiobook``   -18 LUFS                   -3 dBTP
``acx``         -20 LUFS (ACX: -23…-18)    -3 dBTP
``broadcast``   -23 LUFS (EBU R 128)       -1 dBTP
==============  =========================  ================================
"""

from __future__ import annotations

import math
from functools import cache

import numpy as np
import numpy.typing as npt
from pydantic import BaseModel, ConfigDict, Field

from voicer.audio import Audio
from voicer.errors import InvalidInput

Floats = npt.NDArray[np.float64]

_BLOCK = 0.4  # seconds per gating block, overlapping by 75 %
_ABSOLUTE_GATE = -70.0  # LUFS
_RELATIVE_GATE = -10.0  # LU under the ungated loudness
_OVERSAMPLE = 4  # true peak: the signal between the samples, at 4x
_LIMITER_WINDOW = 0.005  # seconds the limiter looks ahead (and releases over)
_HEADROOM = 0.3  # dB the limiter keeps under the ceiling: the codecs' overshoot
_PASSES = 3  # gain, limit, measure: at most this many times
_MAX_GAIN = 30.0  # dB: a whisper is raised, near-silence is not made noise
_PEAK_BLOCK = 1 << 16  # samples oversampled at once, so a long chunk's 4x copy never exists whole


def load() -> None:
    """Import what measuring and limiting need (SciPy's filters: half a second, tens of MB).
    A worker does it once, before it forks to render, so no fork pays for it; a process that
    only reads targets (the API's) never does."""
    _interpolator()
    from scipy.ndimage import minimum_filter1d  # noqa: F401


class LoudnessTarget(BaseModel):
    """Where every chunk is brought: integrated loudness and the true-peak ceiling."""

    model_config = ConfigDict(frozen=True)

    integrated: float = Field(-16.0, ge=-40.0, le=-5.0, description="LUFS")
    true_peak: float = Field(-1.0, ge=-9.0, le=0.0, description="dBTP")


OFF = "off"
PRESETS = {
    "podcast": LoudnessTarget(integrated=-16.0, true_peak=-1.0),
    "audiobook": LoudnessTarget(integrated=-18.0, true_peak=-3.0),
    "acx": LoudnessTarget(integrated=-20.0, true_peak=-3.0),
    "broadcast": LoudnessTarget(integrated=-23.0, true_peak=-1.0),
}


def target(loudness: float | str, true_peak: float | None = None) -> LoudnessTarget | None:
    """The target a request names: LUFS or a preset (its ceiling unless ``true_peak`` says);
    ``None`` for ``off``."""
    if loudness == OFF:
        return None
    if isinstance(loudness, str):
        if loudness not in PRESETS:
            try:
                loudness = float(loudness)
            except ValueError:
                raise InvalidInput("loudness", f"loudness {loudness!r} is not a number of LUFS or "
                                               f"one of {', '.join([*PRESETS, OFF])}") from None
        else:
            preset = PRESETS[loudness]
            return preset if true_peak is None else preset.model_copy(update={"true_peak": true_peak})
    try:
        return LoudnessTarget(integrated=loudness,
                              true_peak=-1.0 if true_peak is None else true_peak)
    except ValueError as error:  # pydantic's, naming the bound
        raise InvalidInput("loudness", f"loudness {loudness} LUFS and true_peak {true_peak} "
                                       "dBTP must be -40 to -5 LUFS and -9 to 0 dBTP") from error


def _k_filters(rate: int) -> tuple[tuple[Floats, Floats], tuple[Floats, Floats]]:
    """BS.1770's two K-weighting stages, a high shelf and the RLB high-pass, designed for
    ``rate`` from their analogue prototypes (libebur128's design; the standard gives 48 kHz)."""
    k = math.tan(math.pi * 1681.974450955533 / rate)
    q = 0.7071752369554196
    vh = 10 ** (3.999843853973347 / 20)
    vb = vh ** 0.4996667741545416
    a0 = 1 + k / q + k * k
    shelf = (np.array([vh + vb * k / q + k * k, 2 * (k * k - vh), vh - vb * k / q + k * k]) / a0,
             np.array([a0, 2 * (k * k - 1), 1 - k / q + k * k]) / a0)
    k = math.tan(math.pi * 38.13547087602444 / rate)
    q = 0.5003270373238773
    a0 = 1 + k / q + k * k
    high_pass = (np.array([1.0, -2.0, 1.0]), np.array([a0, 2 * (k * k - 1), 1 - k / q + k * k]) / a0)
    return shelf, high_pass


def k_weighted(samples: Floats, rate: int) -> Floats:
    from scipy.signal import lfilter

    shelf, high_pass = _k_filters(rate)
    weighted: Floats = lfilter(*high_pass, lfilter(*shelf, samples))
    return weighted


def block_powers(samples: npt.NDArray[np.floating], rate: int,
                 block: float = _BLOCK) -> Floats:
    """Mean square of the K-weighted signal in each ``block``-second block, 75 % overlap;
    a signal shorter than a block is one block. Filtered ``_PEAK_BLOCK`` samples at a time
    (the filters' state carried on), summed by quarter block: a chunk's weighted copy never
    exists whole."""
    from scipy.signal import lfilter, lfilter_zi

    size, hop = round(block * rate), round(block * rate / 4)
    if len(samples) <= size:
        weighted = k_weighted(np.asarray(samples, np.float64), rate)
        return np.array([float(np.mean(weighted ** 2))]) if len(weighted) else np.zeros(0)
    filters = _k_filters(rate)
    states = [lfilter_zi(*stage) * 0.0 for stage in filters]  # at rest, as a whole-signal run
    quarters = np.zeros(len(samples) // hop)
    step, whole = max(1, _PEAK_BLOCK // hop) * hop, len(quarters) * hop
    for start in range(0, whole, step):
        end = min(start + step, whole)
        piece = np.asarray(samples[start:end], np.float64)
        for index, stage in enumerate(filters):
            piece, states[index] = lfilter(*stage, piece, zi=states[index])
        quarters[start // hop:end // hop] = (piece ** 2).reshape(-1, hop).sum(axis=1)
    powers: Floats = (quarters[:-3] + quarters[1:-2] + quarters[2:-1] + quarters[3:]) / size
    return powers


def _lufs(power: float | Floats) -> Floats:
    result: Floats = -0.691 + 10 * np.log10(np.maximum(power, 1e-20))
    return result


def integrated(samples: npt.NDArray[np.floating], rate: int) -> float:
    """Gated integrated loudness, LUFS (``-inf``: silence), of samples in [-1, 1]."""
    powers = block_powers(samples, rate)
    powers = powers[_lufs(powers) > _ABSOLUTE_GATE]
    if not len(powers):
        return -math.inf
    gate = float(_lufs(float(np.mean(powers)))) + _RELATIVE_GATE
    return float(_lufs(float(np.mean(powers[_lufs(powers) > gate]))))


def true_peak(samples: Floats) -> float:
    """The highest level between the samples, dBTP, from 4x oversampling."""
    if not len(samples):
        return -math.inf
    return 20 * math.log10(max(float(np.max(_peaks(samples))), 1e-10))


_TAPS = 48  # of the interpolator: 12 per phase of the 4x oversampling, as in BS.1770-4 Annex 2
_DELAY = (_TAPS - 1) // 2  # in oversampled points
_REACH = _TAPS // _OVERSAMPLE  # samples on either side an oversampled point depends on


@cache
def _interpolator() -> npt.NDArray[np.float32]:
    from scipy.signal import firwin

    taps = firwin(_TAPS, 0.9 / _OVERSAMPLE, window=("kaiser", 8.0)) * _OVERSAMPLE
    return np.asarray(taps, dtype=np.float32)


def _peaks(samples: npt.NDArray[np.floating]) -> npt.NDArray[np.floating]:
    """Each sample's true peak: the highest of it and the oversampled points around it
    (in single precision: a peak needs no more), ``_PEAK_BLOCK`` samples at a time with the
    samples around each block, so the values are those of the whole at once."""
    peaks: npt.NDArray[np.floating] = np.abs(samples)
    for start in range(0, len(samples), _PEAK_BLOCK):
        end = min(start + _PEAK_BLOCK, len(samples))
        lead = min(start, _REACH)
        piece = samples[start - lead:min(end + _REACH, len(samples))]
        between = _oversampled(piece)[lead * _OVERSAMPLE:(lead + end - start) * _OVERSAMPLE]
        phases = [between[phase::_OVERSAMPLE] for phase in range(_OVERSAMPLE)]
        np.maximum(peaks[start:end], np.maximum.reduce(phases), out=peaks[start:end])
    return peaks


def _oversampled(samples: npt.NDArray[np.floating]) -> npt.NDArray[np.float32]:
    """|samples| at 4x, aligned: point ``4 * i + phase`` follows sample ``i``."""
    from scipy.signal import upfirdn

    between = upfirdn(_interpolator(), samples.astype(np.float32), _OVERSAMPLE)
    return np.asarray(np.abs(between[_DELAY:_DELAY + len(samples) * _OVERSAMPLE]), np.float32)


def _limit(scaled: npt.NDArray[np.floating], peaks: npt.NDArray[np.floating], linear: float,
           ceiling: float, rate: int) -> bool:
    """Keep ``scaled`` (the samples times ``linear``; their true ``peaks`` before it) under
    ``ceiling``, in place; False if nothing was over it. What each sample needs, its minimum
    over a short window on either side (look-ahead and hold), averaged over half that window
    (smooth: no clicks), which never exceeds it — worked out only around the peaks over the
    ceiling (everywhere else it is 1), so a chunk costs what its loud moments cost."""
    from scipy.ndimage import minimum_filter1d, uniform_filter1d

    over = np.flatnonzero(peaks > ceiling / linear)
    if not len(over):
        return False
    window = max(1, round(_LIMITER_WINDOW * rate))
    reach = 3 * window + 2  # beyond this from every peak over, the gain is 1
    apart = np.flatnonzero(np.diff(over) > 2 * reach)
    for first, last in zip(over[np.r_[0, apart + 1]], over[np.r_[apart, len(over) - 1]],
                           strict=True):
        start, end = max(0, int(first) - reach), min(len(scaled), int(last) + reach + 1)
        needed = np.minimum(1.0, ceiling / np.maximum(peaks[start:end] * linear, 1e-10))
        held = minimum_filter1d(needed, 2 * window + 1, mode="nearest")
        scaled[start:end] *= uniform_filter1d(held, window + 1, mode="nearest")
    return True


def normalized(audio: Audio, target: LoudnessTarget) -> Audio:
    """``audio`` with one gain that brings it to ``target``, its true peaks limited. What the
    limiter takes off is given back once more, and limited again (it converges at once for
    speech; a target too loud for its ceiling stays under it)."""
    if len(audio) == 0:
        return audio
    samples = audio.samples.astype(np.float32) / np.float32(32768.0)
    loudness = integrated(samples, audio.rate)
    if loudness == -math.inf:
        return audio
    ceiling = 10 ** ((target.true_peak - _HEADROOM) / 20)
    peaks = _peaks(samples)  # true peaks scale with the gain: found once
    gain = min(target.integrated - loudness, _MAX_GAIN)
    for _ in range(_PASSES):
        linear = 10 ** (gain / 20)
        scaled = samples * np.float32(linear)
        if not _limit(scaled, peaks, linear, ceiling, audio.rate):
            break
        short = target.integrated - integrated(scaled, audio.rate)
        if abs(short) < 0.05 or gain + short > _MAX_GAIN:
            break
        gain += short
    scaled *= 32768.0
    np.clip(np.round(scaled, out=scaled), -32768, 32767, out=scaled)
    return Audio.mono(scaled.astype(np.int16), audio.rate)
