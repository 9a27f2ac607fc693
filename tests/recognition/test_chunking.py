"""Long audio cut at silences."""

from __future__ import annotations

import itertools

import numpy as np

from voicer.recognition.chunking import cut
from voicer.recognition.clip import RATE, Clip, LongClip


def speech_with_pauses(stretches: list[tuple[float, float]]) -> Clip:
    """Loud noise for each (sound, then pause) pair of seconds."""
    rng = np.random.default_rng(7)
    parts = []
    for sound, pause in stretches:
        parts += [rng.uniform(-0.5, 0.5, int(sound * RATE)), np.zeros(int(pause * RATE))]
    return Clip(np.concatenate(parts).astype(np.float32))


def test_short_audio_is_one_piece() -> None:
    assert [(p.start, p.end) for p in cut(speech_with_pauses([(5, 1)]))] == [(0.0, 6.0)]


def test_cuts_fall_in_pauses_and_pieces_stay_short() -> None:
    clip = speech_with_pauses([(7.0, 0.6)] * 12)  # 91.2 s, a pause every 7.6 s
    pieces = cut(clip, 28.0)
    assert pieces[0].start == 0.0 and pieces[-1].end == clip.duration
    assert all(a.end == b.start for a, b in itertools.pairwise(pieces))
    assert all(p.duration <= 28.0 for p in pieces) and len(pieces) == 4
    for piece in pieces[1:]:
        into = piece.start % 7.6
        assert 7.0 < into < 7.6  # inside a pause


def test_without_pauses_it_still_cuts() -> None:
    pieces = cut(speech_with_pauses([(65.0, 0.0)]), 28.0)
    assert len(pieces) == 3 and all(p.duration <= 28.0 for p in pieces)


def test_sixteen_bit_audio_is_cut_where_its_float_copy_is() -> None:
    clip = speech_with_pauses([(7.0, 0.6), (9.0, 0.3), (5.0, 1.2)] * 20)  # 7.7 minutes
    long = LongClip(np.round(clip.samples * 32767).astype(np.int16))
    assert cut(long, 28.0) == cut(clip, 28.0)
    assert len(cut(long, 28.0)) > 16
