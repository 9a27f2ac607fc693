"""The output formats, by their ElevenLabs ``output_format`` names (``codec_rate[_kbps]``).

This is the one table of formats: tasks, synchronous speech, the WebSocket
and the history all accept exactly these names.

==========  =============================================================
``mp3``     CBR MP3 from LAME, at 22.05, 24 or 44.1 kHz
``pcm``     raw s16le, mono
``wav``     s16le behind a RIFF header
``ulaw``    raw G.711 at 8 kHz
``alaw``
``opus``    Opus at 48 kHz in Ogg
``m4b``     AAC in MP4, an audiobook with chapters: tasks only (a whole file,
            written with its index at the end)
==========  =============================================================

The OpenAI speech API adds AAC (in ADTS) and FLAC, at 24 kHz (``OPENAI_FORMATS``).
"""

from __future__ import annotations

from dataclasses import dataclass

from voicer.errors import InvalidInput

OPUS_RATE = 48_000

MEDIA_TYPES = {
    "mp3": "audio/mpeg",
    "pcm": "audio/pcm",
    "wav": "audio/wav",
    "ulaw": "audio/basic",
    "alaw": "audio/x-alaw-basic",
    "opus": "audio/ogg",
    "aac": "audio/aac",
    "flac": "audio/flac",
    "m4b": "audio/mp4",
}


@dataclass(frozen=True, slots=True)
class OutputFormat:
    """One ``output_format``: codec, output sample rate and, for lossy codecs, kbps."""

    name: str
    codec: str
    rate: int
    bitrate: int | None = None

    @property
    def media_type(self) -> str:
        return MEDIA_TYPES[self.codec]

    @property
    def extension(self) -> str:
        return "ogg" if self.codec == "opus" else self.codec


def _format(codec: str, rate: int, bitrate: int | None = None) -> OutputFormat:
    name = f"{codec}_{rate}" if bitrate is None else f"{codec}_{rate}_{bitrate}"
    return OutputFormat(name, codec, rate, bitrate)


_MP3 = ((22_050, 32), (24_000, 48), (44_100, 32), (44_100, 64), (44_100, 96), (44_100, 128), (44_100, 192))
_PCM_RATES = (8_000, 16_000, 22_050, 24_000, 32_000, 44_100, 48_000)

FORMATS: dict[str, OutputFormat] = {
    fmt.name: fmt
    for fmt in (
        *(_format("mp3", rate, bitrate) for rate, bitrate in _MP3),
        *(_format("pcm", rate) for rate in _PCM_RATES),
        *(_format("wav", rate) for rate in _PCM_RATES),
        _format("ulaw", 8_000),
        _format("alaw", 8_000),
        *(_format("opus", OPUS_RATE, bitrate) for bitrate in (32, 64, 96, 128, 192)),
    )
}
DEFAULT_FORMAT = FORMATS["mp3_44100_128"]
# Formats only a task's merged output can have: they are not streams
BOOK_FORMATS: dict[str, OutputFormat] = {
    fmt.name: fmt for fmt in (_format("m4b", rate, bitrate)
                              for rate, bitrate in ((24_000, 64), (44_100, 64), (44_100, 128)))
}

# Formats only the OpenAI speech API asks for (``voicer.openai.speech``): not ElevenLabs
# names, so not in FORMATS, yet a history item may be kept in them.
OPENAI_FORMATS: dict[str, OutputFormat] = {
    fmt.name: fmt for fmt in (_format("aac", 24_000, 64), _format("flac", 24_000))}


def parse_format(name: str) -> OutputFormat:
    """The format called ``name``; :class:`InvalidInput` naming the supported ones otherwise."""
    try:
        return FORMATS[name]
    except KeyError:
        message = f"output_format {name!r} is not supported; use one of {', '.join(FORMATS)}"
        raise InvalidInput("output_format", message) from None


def kept_format(name: str) -> OutputFormat:
    """The format a history item was kept in: any of FORMATS or OPENAI_FORMATS."""
    return OPENAI_FORMATS.get(name) or parse_format(name)


def parse_task_format(name: str) -> OutputFormat:
    """A format a task may write: any of :data:`FORMATS`, or an audiobook's (``m4b_44100_64``)."""
    if name in BOOK_FORMATS:
        return BOOK_FORMATS[name]
    try:
        return parse_format(name)
    except InvalidInput:
        names = ", ".join([*FORMATS, *BOOK_FORMATS])
        raise InvalidInput("output_format", f"output_format {name!r} is not supported; use one "
                                            f"of {names}") from None
