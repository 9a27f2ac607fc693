"""Uploads decoded: any container, 16 kHz mono, refused when not audio or too long; long audio
kept as 16-bit samples."""

from __future__ import annotations

import io
import tracemalloc
from pathlib import Path

import av
import numpy as np
import pytest

from tests.recognition.speech import wav
from voicer.errors import InvalidInput
from voicer.recognition.chunking import cut
from voicer.recognition.clip import RATE, Clip, LongClip, StreamedClip, decode, decode_long


def tone(seconds: float, rate: int = 44_100) -> np.ndarray:
    t = np.arange(int(seconds * rate)) / rate
    return (np.sin(2 * np.pi * 440 * t) * 12_000).astype("<i2")


def encoded(container: str, codec: str, seconds: float = 1.5, rate: int = 44_100) -> bytes:
    out = io.BytesIO()
    with av.open(out, "w", format=container) as file:
        stream = file.add_stream(codec, rate=rate, layout="stereo")
        samples = np.repeat(tone(seconds, rate)[None, :], 2, axis=0)
        frame = av.AudioFrame.from_ndarray(samples.reshape(1, -1), format="s16", layout="stereo")
        frame.rate = rate
        for packet in stream.encode(frame):
            file.mux(packet)
        for packet in stream.encode(None):
            file.mux(packet)
    return out.getvalue()


@pytest.mark.parametrize(("container", "codec"), [
    ("mp3", "libmp3lame"), ("ogg", "libopus"), ("flac", "flac"), ("ipod", "aac"),
    ("webm", "libopus")])
def test_containers_decode_to_16_khz_mono(container: str, codec: str) -> None:
    clip = decode(io.BytesIO(encoded(container, codec, rate=48_000 if "opus" in codec else 44_100)), 60)
    assert clip.samples.dtype == np.float32 and clip.samples.ndim == 1
    assert clip.duration == pytest.approx(1.5, abs=0.1)
    assert 0.2 < float(np.abs(clip.samples).max()) <= 1.0


def test_a_wav_keeps_its_length() -> None:
    clip = decode(io.BytesIO(wav(tone(2.0, 22_050), 22_050)), 60)
    assert len(clip.samples) == pytest.approx(2 * RATE, abs=32)


def test_what_is_not_audio_is_refused_naming_the_field() -> None:
    with pytest.raises(InvalidInput, match="not audio") as refused:
        decode(io.BytesIO(b"%PDF-1.4 this is a document, not audio" * 50), 60, "file")
    assert refused.value.field == "file"


def test_an_empty_file_is_refused() -> None:
    with pytest.raises(InvalidInput):
        decode(io.BytesIO(b""), 60)


def test_audio_past_the_cap_is_refused_before_it_is_decoded_whole() -> None:
    with pytest.raises(InvalidInput, match="longer than the limit of 1 seconds") as refused:
        decode(io.BytesIO(wav(tone(3.0, 16_000), 16_000)), 1)
    assert refused.value.field == "file"


def test_raw_pcm_is_read_as_16_khz() -> None:
    assert Clip.from_pcm16(tone(1.0, 16_000).tobytes()).duration == 1.0


def test_long_audio_is_decoded_into_two_bytes_a_sample() -> None:
    minutes = wav(np.tile(tone(1.0, 16_000), 600), 16_000)  # ten minutes: 9.6 million samples
    tracemalloc.start()
    try:
        clip = decode_long(io.BytesIO(minutes), 3600)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert isinstance(clip, LongClip) and clip.pcm.dtype == np.int16
    assert clip.duration == pytest.approx(600.0, abs=0.1)
    assert peak < 2.2 * clip.length  # float32 would be 4 bytes a sample, twice it while growing


def test_long_audio_cuts_into_the_floats_decode_gives() -> None:
    data = wav(tone(3.0, 22_050), 22_050)
    whole, long = decode(io.BytesIO(data), 60), decode_long(io.BytesIO(data), 60)
    assert long.length == whole.length
    piece = long.cut(1.0, 2.5)
    assert piece.samples.dtype == np.float32 and piece.duration == pytest.approx(1.5)
    assert np.abs(piece.samples - whole.cut(1.0, 2.5).samples).max() < 2 / 32768


def test_long_audio_past_the_cap_is_refused_naming_the_field() -> None:
    with pytest.raises(InvalidInput, match="longer than the limit of 1 seconds") as refused:
        decode_long(io.BytesIO(wav(tone(3.0, 16_000), 16_000)), 1, "FILE")
    assert refused.value.field == "FILE"


def test_a_streamed_file_reads_as_the_whole_decoded_one(tmp_path: Path) -> None:
    rng = np.random.default_rng(7)
    noise = (rng.uniform(-0.3, 0.3, 90 * 22_050) * 32767).astype("<i2")
    noise[::7 * 22_050] = 0
    path = tmp_path / "long.wav"
    path.write_bytes(wav(noise, 22_050))
    streamed, whole = StreamedClip(path, 3600), decode_long(io.BytesIO(path.read_bytes()), 3600)
    assert streamed.length == whole.length
    assert cut(streamed, 28.0) == cut(whole, 28.0)
    for first, last in [(0, 1000), (500_000, 800_000), (800_000, 1_200_000), (10, 20),
                        (whole.length - 100, whole.length + 100)]:  # behind: decoded again
        assert np.array_equal(streamed.floats(first, last), whole.floats(first, last))


def test_a_streamed_file_holds_only_what_is_being_read(tmp_path: Path) -> None:
    path = tmp_path / "twenty-minutes.wav"
    path.write_bytes(wav(np.tile(tone(1.0, 16_000), 1200), 16_000))
    tracemalloc.start()
    try:
        pieces = cut(StreamedClip(path, 3600), 28.0)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert pieces[-1].end == pytest.approx(1200.0, abs=0.1)
    assert peak < 0.5 * 2 * 1200 * RATE  # the 16-bit copy would be 38 MB


def test_a_streamed_file_that_is_not_audio_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "document.pdf"
    path.write_bytes(b"%PDF-1.4 this is a document, not audio" * 50)
    with pytest.raises(InvalidInput, match="not audio") as refused:
        StreamedClip(path, 60, "FILE")
    assert refused.value.field == "FILE"
