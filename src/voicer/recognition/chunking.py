"""Long audio cut at silences into pieces a worker recognises on its own.

Whisper listens in 30-second windows, so a piece of at most ``longest`` seconds (28) costs one
window or two. Each cut is made in the longest pause of the last third of the stretch
(10 ms frames quieter than 40 dB under the file's loud level); where no pause is found, at the
quietest frame. A word is never cut in two where there is a pause to cut in instead.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from voicer.recognition.clip import RATE, Sound

_FRAME = RATE // 100  # 10 ms
_QUIET_DB = 40.0
_BLOCK = 6_000  # frames: a minute


@dataclass(frozen=True, slots=True)
class Piece:
    """Where a piece of the clip starts and ends, in seconds."""

    start: float
    end: float

    @property
    def duration(self) -> float:
        return self.end - self.start


def cut(clip: Sound, longest: float = 28.0) -> list[Piece]:
    """``clip`` as consecutive pieces of at most ``longest`` seconds, cut in pauses."""
    frames = clip.length // _FRAME
    if clip.duration <= longest or frames < 2:
        return [Piece(0.0, clip.duration)]
    level = _levels(clip, frames)
    quiet = level < np.percentile(level, 95) - _QUIET_DB
    span = int(longest * 100)
    cuts, at = [0], 0
    while frames - at > span:
        low, high = at + 2 * span // 3, at + span
        at = _pause(quiet[low:high], level[low:high]) + low
        cuts.append(at)
    bounds = [round(c / 100, 2) for c in cuts] + [clip.duration]
    return [Piece(a, b) for a, b in itertools.pairwise(bounds)]


def _levels(clip: Sound, frames: int) -> npt.NDArray[np.float64]:
    """Each 10 ms frame's loudness, dB; a minute at a time, so an hour costs no copy of itself."""
    power = np.concatenate([
        np.square(clip.floats(at * _FRAME, min(at + _BLOCK, frames) * _FRAME)
                  .reshape(-1, _FRAME), dtype=np.float64).mean(axis=1)
        for at in range(0, frames, _BLOCK)])
    level: npt.NDArray[np.float64] = 10 * np.log10(power + 1e-18)
    return level


def _pause(quiet: npt.NDArray[np.bool_], level: npt.NDArray[np.float64]) -> int:
    """The middle of the longest quiet run, or the quietest frame if none."""
    best_start, best_length, start = 0, 0, None
    for i, silent in enumerate([*quiet.tolist(), False]):
        if silent and start is None:
            start = i
        elif not silent and start is not None:
            if i - start > best_length:
                best_start, best_length = start, i - start
            start = None
    if best_length:
        return best_start + best_length // 2
    return int(np.argmin(level))
