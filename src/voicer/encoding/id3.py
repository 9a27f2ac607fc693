"""An ID3v2.4 tag with the book's title, author, cover and chapters (``CHAP`` frames under
one ordered ``CTOC``), written without a tagging library (mutagen is GPL).

Its size depends on the titles and the cover only, never on the times, so a merged MP3 can
reserve the tag at its start and fill the times in once every chunk is written.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

from voicer.books import BookTags

_UTF8 = b"\x03"
_NO_OFFSET = 0xFFFF_FFFF  # CHAP: "use the times, not byte offsets"
MAX_TOC_ENTRIES = 255  # a CTOC counts its entries in one byte
_FRONT_COVER = b"\x03"


@dataclass(frozen=True, slots=True)
class Mark:
    title: str
    start: float  # seconds
    end: float


def _syncsafe(size: int) -> bytes:
    return bytes([(size >> 21) & 0x7F, (size >> 14) & 0x7F, (size >> 7) & 0x7F, size & 0x7F])


def _frame(name: bytes, body: bytes) -> bytes:
    return name + _syncsafe(len(body)) + b"\x00\x00" + body


def _text(name: bytes, text: str) -> bytes:
    return _frame(name, _UTF8 + text.encode())


def _chap(number: int, mark: Mark) -> bytes:
    times = struct.pack(">IIII", round(mark.start * 1000), round(mark.end * 1000),
                        _NO_OFFSET, _NO_OFFSET)
    return _frame(b"CHAP", f"ch{number}".encode() + b"\x00" + times + _text(b"TIT2", mark.title))


def _ctoc(count: int) -> bytes:
    children = b"".join(f"ch{number}".encode() + b"\x00" for number in range(count))
    # flags: top level, ordered
    return _frame(b"CTOC", b"toc\x00" + b"\x03" + bytes([count]) + children)


def id3_tag(tags: BookTags, marks: list[Mark]) -> bytes:
    """The whole tag, header included; the table of contents lists the first 255 chapters."""
    frames = b""
    if tags.title:
        frames += _text(b"TIT2", tags.title) + _text(b"TALB", tags.title)
    if tags.author:
        frames += _text(b"TPE1", tags.author)
    if tags.cover:
        frames += _frame(b"APIC", _UTF8 + tags.cover_type.encode() + b"\x00" + _FRONT_COVER
                         + b"\x00" + tags.cover)
    if marks:
        frames += _ctoc(min(len(marks), MAX_TOC_ENTRIES))
        frames += b"".join(_chap(number, mark) for number, mark in enumerate(marks))
    return b"ID3\x04\x00\x00" + _syncsafe(len(frames)) + frames
