"""Every output format, encoded piece by piece and decoded back by FFmpeg (PyAV)."""

from __future__ import annotations

import io
import struct
import wave
from dataclasses import dataclass
from pathlib import Path

import av
import numpy as np
import numpy.typing as npt
import pytest

from voicer.audio import Audio
from voicer.encoding.formats import FORMATS, OutputFormat, parse_format
from voicer.encoding.mp3 import DELAY
from voicer.encoding.streams import UNKNOWN_SIZE, WAV_HEADER_SIZE, finalize_wav, stream_encoder
from voicer.engines.espeak import EspeakEngine
from voicer.errors import InvalidInput
from voicer.voice_settings import VoiceSettings
from voicer.voices import VoiceCatalogue

RATE = 22_050
ELEVENLABS_NAMES = {
    "mp3_22050_32", "mp3_24000_48", "mp3_44100_32", "mp3_44100_64", "mp3_44100_96", "mp3_44100_128",
    "mp3_44100_192", "pcm_8000", "pcm_16000", "pcm_22050", "pcm_24000", "pcm_32000", "pcm_44100",
    "pcm_48000", "wav_8000", "wav_16000", "wav_22050", "wav_24000", "wav_32000", "wav_44100", "wav_48000",
    "ulaw_8000", "alaw_8000",
    "opus_48000_32", "opus_48000_64", "opus_48000_96", "opus_48000_128", "opus_48000_192",
}  # fmt: skip
CODEC_NAMES = {
    "mp3": {"mp3", "mp3float"},
    "opus": {"opus", "libopus"},
    "pcm": {"pcm_s16le"},
    "wav": {"pcm_s16le"},
    "ulaw": {"pcm_mulaw"},
    "alaw": {"pcm_alaw"},
}
# PyAV demuxers for the headerless formats
RAW_DEMUXERS = {"pcm": "s16le", "ulaw": "mulaw", "alaw": "alaw"}
ALL = pytest.mark.parametrize("fmt", list(FORMATS.values()), ids=list(FORMATS))


@dataclass(frozen=True)
class Decoded:
    codec: str
    rate: int
    samples: npt.NDArray[np.float64]  # on the int16 scale, whatever the decoder's sample format

    @property
    def duration(self) -> float:
        return len(self.samples) / self.rate


def decode(data: bytes, fmt: OutputFormat) -> Decoded:
    """Decode with FFmpeg; a corrupt MP3 frame raises."""
    if fmt.codec in RAW_DEMUXERS:
        options = {"sample_rate": str(fmt.rate), "ch_layout": "mono"}
        container = av.open(io.BytesIO(data), format=RAW_DEMUXERS[fmt.codec], options=options)
    else:
        container = av.open(io.BytesIO(data))
    with container:
        stream = container.streams.audio[0]
        stream.codec_context.options = {"err_detect": "explode"}
        pieces = []
        for frame in container.decode(stream):
            assert frame.layout.nb_channels == 1
            scale = 1.0 if frame.format.name.startswith("s16") else 32_768.0
            pieces.append(frame.to_ndarray().reshape(-1).astype(np.float64) * scale)
        samples = np.concatenate(pieces) if pieces else np.zeros(0)
        return Decoded(stream.codec_context.name, stream.codec_context.sample_rate, samples)


def rms(samples: npt.NDArray[np.generic]) -> float:
    return float(np.sqrt(np.mean(samples.astype(np.float64) ** 2)))


def envelope(samples: npt.NDArray[np.generic], rate: int, window: float = 0.02) -> npt.NDArray[np.float64]:
    """Loudness (RMS) per 20 ms window."""
    size = round(window * rate)
    count = len(samples) // size
    blocks = samples[: count * size].astype(np.float64).reshape(count, size)
    return np.sqrt(np.mean(blocks**2, axis=1))


def encode(fmt: OutputFormat, pieces: list[npt.NDArray[np.int16]]) -> bytes:
    encoder = stream_encoder(fmt)
    return b"".join(encoder.encode(Audio.mono(piece, RATE)) for piece in pieces) + encoder.finish()


def noisy_tone(seconds: float, seed: int = 0) -> npt.NDArray[np.int16]:
    """A 440 Hz tone under noise: loud from the first sample to the last."""
    t = np.arange(round(seconds * RATE)) / RATE
    noise = np.random.default_rng(seed).normal(0, 2_000, len(t))
    return (np.sin(2 * np.pi * 440 * t) * 8_000 + noise).astype(np.int16)


@pytest.fixture(scope="module")
def speech(engine: EspeakEngine, catalogue: VoiceCatalogue) -> npt.NDArray[np.int16]:
    pieces = engine.synthesize("The quick brown fox jumps over the lazy dog.",
                               catalogue.get("21m00Tcm4TlvDq8ikWAM"), VoiceSettings())
    samples = np.concatenate([piece.samples for piece in pieces])
    assert 1.5 < len(samples) / RATE < 4
    return samples


def uneven_pieces(samples: npt.NDArray[np.int16]) -> list[npt.NDArray[np.int16]]:
    """Pieces of odd lengths, one of them empty, as a sentence splitter might deliver."""
    return np.split(samples, [1_001, 17_000, 17_000, 30_011, 30_500])


def test_the_names_are_exactly_elevenlabs_output_formats() -> None:
    assert set(FORMATS) == ELEVENLABS_NAMES
    for name, fmt in FORMATS.items():
        assert fmt.name == name
        assert name == "_".join(str(part) for part in (fmt.codec, fmt.rate, fmt.bitrate) if part is not None)
        assert parse_format(name) is fmt


def test_media_types_and_extensions() -> None:
    expected = {
        "mp3_44100_128": ("audio/mpeg", "mp3"),
        "pcm_16000": ("audio/pcm", "pcm"),
        "wav_44100": ("audio/wav", "wav"),
        "ulaw_8000": ("audio/basic", "ulaw"),
        "alaw_8000": ("audio/x-alaw-basic", "alaw"),
        "opus_48000_64": ("audio/ogg", "ogg"),
    }
    assert {name: (FORMATS[name].media_type, FORMATS[name].extension) for name in expected} == expected


@pytest.mark.parametrize("name", ["mp3_44100_999", "flac", "", "MP3_44100_128"])
def test_unknown_names_are_invalid_input_listing_the_supported_ones(name: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_format(name)
    assert caught.value.field == "output_format"
    assert repr(name) in caught.value.message
    assert all(supported in caught.value.message for supported in FORMATS)


@ALL
def test_every_format_really_is_that_codec_rate_and_length(fmt: OutputFormat,
                                                           speech: npt.NDArray[np.int16]) -> None:
    data = encode(fmt, uneven_pieces(speech))
    decoded = decode(data, fmt)
    assert decoded.codec in CODEC_NAMES[fmt.codec]
    assert decoded.rate == fmt.rate
    expected = len(speech) / RATE
    if fmt.codec == "mp3":
        # LAME's delay comes first; its padding fills the last frame (under 2 frames in all)
        heard = len(decoded.samples[DELAY:]) / fmt.rate
        assert expected - 0.005 < heard < expected + 0.06
    elif fmt.codec == "opus":  # the Ogg pre-skip and end granule trim Opus's own padding
        assert decoded.duration == pytest.approx(expected, abs=0.005)
    else:  # flushing the resampler keeps its last ~1 ms too
        assert len(decoded.samples) == pytest.approx(len(speech) * fmt.rate / RATE, abs=1)


@ALL
def test_every_format_sounds_like_its_input(fmt: OutputFormat, speech: npt.NDArray[np.int16]) -> None:
    decoded = decode(encode(fmt, uneven_pieces(speech)), fmt)
    # MP3 decodes DELAY samples late; everything else starts on time
    heard = decoded.samples[DELAY:] if fmt.codec == "mp3" else decoded.samples
    assert rms(heard) > 500  # not silent
    assert 0.5 < rms(heard) / rms(speech) < 2
    wanted, got = envelope(speech, RATE), envelope(heard, fmt.rate)
    length = min(len(wanted), len(got))
    assert np.corrcoef(wanted[:length], got[:length])[0, 1] > 0.95


@pytest.mark.parametrize("fmt", [fmt for fmt in FORMATS.values() if fmt.bitrate],
                         ids=[name for name, fmt in FORMATS.items() if fmt.bitrate])
def test_lossy_formats_keep_their_nominal_bitrate(fmt: OutputFormat, speech: npt.NDArray[np.int16]) -> None:
    # 5 s: the Ogg and Opus headers weigh little against it
    data = encode(fmt, uneven_pieces(np.tile(speech, 2)))
    bitrate = len(data) * 8 / decode(data, fmt).duration / 1000
    assert bitrate == pytest.approx(fmt.bitrate, rel=0.15)


@ALL
def test_bytes_flow_while_pieces_are_still_fed(fmt: OutputFormat) -> None:
    encoder = stream_encoder(fmt)
    outputs = [encoder.encode(Audio.mono(noisy_tone(1.0, seed), RATE)) for seed in range(10)]
    tail = encoder.finish()
    # after a short warm-up every piece yields bytes: nothing piles up inside the encoder
    assert all(outputs[2:])
    assert len(tail) < 0.1 * (sum(map(len, outputs)) + len(tail))


@pytest.mark.parametrize("name", ["pcm_8000", "pcm_22050", "pcm_44100", "pcm_48000", "ulaw_8000"])
def test_many_tiny_pieces_lose_no_samples_to_resampling(name: str) -> None:
    fmt = FORMATS[name]
    samples = noisy_tone(2.0)
    data = encode(fmt, np.array_split(samples, 397))
    width = 2 if fmt.codec == "pcm" else 1
    assert len(data) / width == pytest.approx(len(samples) * fmt.rate / RATE, abs=1)


def test_streamed_wav_says_its_length_is_unknown() -> None:
    data = encode(FORMATS["wav_16000"], [noisy_tone(0.5)])
    riff_size, data_size = struct.unpack_from("<I", data, 4)[0], struct.unpack_from("<I", data, 40)[0]
    assert (data[:4], data[8:16], data[36:40]) == (b"RIFF", b"WAVEfmt ", b"data")
    assert riff_size == data_size == UNKNOWN_SIZE


@pytest.mark.parametrize("name", ["wav_8000", "wav_44100"])
def test_finalize_wav_writes_the_true_sizes(name: str, tmp_path: Path) -> None:
    fmt = FORMATS[name]
    path = tmp_path / "out.wav"
    encoder = stream_encoder(fmt)
    with path.open("wb") as out:
        for seed in range(3):
            out.write(encoder.encode(Audio.mono(noisy_tone(0.7, seed), RATE)))
        out.write(encoder.finish())
    with path.open("r+b") as file:
        finalize_wav(file)
    size = path.stat().st_size
    with wave.open(str(path), "rb") as wav:
        assert (wav.getnchannels(), wav.getsampwidth(), wav.getframerate()) == (1, 2, fmt.rate)
        assert wav.getnframes() == (size - WAV_HEADER_SIZE) // 2
        assert wav.getnframes() / fmt.rate == pytest.approx(2.1, abs=0.002)
    assert struct.unpack_from("<I", path.read_bytes(), 4)[0] == size - 8


def test_finalize_wav_refuses_what_is_not_its_wav() -> None:
    with pytest.raises(ValueError, match="not a WAV"):
        finalize_wav(io.BytesIO(b"ID3" + bytes(100)))


@pytest.mark.parametrize("name", ["mp3_44100_128", "wav_22050", "opus_48000_64"])
def test_an_empty_stream_still_decodes(name: str) -> None:
    fmt = FORMATS[name]
    data = stream_encoder(fmt).finish()
    decoded = decode(data, fmt)
    assert decoded.rate == fmt.rate
    assert decoded.duration < 0.1
    assert np.abs(decoded.samples).max(initial=0) < 2


@pytest.mark.parametrize("name", ["pcm_16000", "ulaw_8000", "alaw_8000"])
def test_an_empty_headerless_stream_is_empty(name: str) -> None:
    encoder = stream_encoder(FORMATS[name])
    assert encoder.encode(Audio.mono(np.zeros(0, dtype=np.int16), RATE)) == b""
    assert encoder.finish() == b""


@pytest.mark.parametrize("name", ["mp3_44100_128", "pcm_16000", "opus_48000_64"])
def test_anything_but_int16_is_refused(name: str) -> None:
    with pytest.raises(ValueError, match="int16"):
        stream_encoder(FORMATS[name]).encode(Audio.mono(np.zeros(100, dtype=np.float32), RATE))  # type: ignore[arg-type]
