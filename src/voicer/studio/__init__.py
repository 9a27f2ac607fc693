"""The web studio: a page for people who turn text into audio, served by Voicer itself.

Plain HTML, CSS and JavaScript modules in ``assets/``, shipped in the package: the browser
asks nothing of any other host, and the page's Content-Security-Policy says so.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, Field
from starlette.responses import HTMLResponse

from voicer import loudness, sounds
from voicer.books import TextFormat
from voicer.encoding.formats import BOOK_FORMATS, DEFAULT_FORMAT, FORMATS, OutputFormat

ASSETS = Path(__file__).parent / "assets"
PATH = "/studio"  # where the assets are served; the page itself is also at /
# The files the text box opens, each sent as its text_format: the server finds the chapters
# (an EPUB is sent base64-encoded; the others as their text).
UPLOADS = {".txt": TextFormat.plain, ".md": TextFormat.markdown, ".markdown": TextFormat.markdown,
           ".html": TextFormat.html, ".htm": TextFormat.html, ".xhtml": TextFormat.html,
           ".epub": TextFormat.epub}
RAW_CODECS = frozenset({"pcm", "ulaw", "alaw"})  # no player takes them: not offered
POLICY = ("default-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; "
          "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'")


class Output(BaseModel):
    """One entry of the studio's output menu, and what it submits."""

    id: str
    label: str
    output_format: str
    split_output: bool


class Loudness(BaseModel):
    """One entry of the loudness menu: the ``loudness`` it submits."""

    id: str
    label: str


class StudioConfig(BaseModel):
    outputs: list[Output] = Field(description="the output menu, the default first")
    uploads: dict[str, TextFormat] = Field(description="file extensions the text box opens, and "
                                                       "the text_format each is sent as")
    loudness: list[Loudness] = Field(description="the loudness presets, the default first")
    sounds: list[str] = Field(description="the sound effects this server makes itself: the "
                                          "prompts the sound effects tool suggests")
    sound_seconds: tuple[float, float] = Field(description="the shortest and longest sound "
                                                           "effect, seconds")


def config() -> StudioConfig:
    return StudioConfig(outputs=outputs(), uploads=UPLOADS, loudness=loudness_menu(),
                        sounds=[sound.name for sound in sounds.SOUNDS],
                        sound_seconds=(sounds.MIN_SECONDS, sounds.MAX_SECONDS))


def loudness_menu() -> list[Loudness]:
    """Each preset with its target, then ``off``."""
    return [*(Loudness(id=name, label=f"{name.upper() if name == 'acx' else name.capitalize()} "
                                      f"({target.integrated:g} LUFS)")
              for name, target in loudness.PRESETS.items()),
            Loudness(id=loudness.OFF, label="Off (as the voice speaks)")]


def outputs() -> list[Output]:
    """One entry per codec the server encodes and a browser plays, an M4B audiobook, then a ZIP
    of chunks."""
    best: dict[str, str] = {}
    for fmt in FORMATS.values():
        if fmt.codec not in RAW_CODECS:
            best[fmt.codec] = fmt.name  # the last listed: the highest rate and bitrate
    best[DEFAULT_FORMAT.codec] = DEFAULT_FORMAT.name
    ordered = sorted(best.items(), key=lambda item: item[0] != DEFAULT_FORMAT.codec)
    return [*(Output(id=codec, label=codec.upper(), output_format=name, split_output=False)
              for codec, name in ordered),
            Output(id="m4b", label="M4B audiobook", output_format=_best(BOOK_FORMATS),
                   split_output=False),
            Output(id="zip", label=f"ZIP of {DEFAULT_FORMAT.codec.upper()} chunks",
                   output_format=DEFAULT_FORMAT.name, split_output=True)]


def _best(formats: dict[str, OutputFormat]) -> str:
    """The highest rate, then bitrate, of ``formats``."""
    return max(formats.values(), key=lambda fmt: (fmt.rate, fmt.bitrate or 0)).name


def page() -> HTMLResponse:
    """The studio's one page, allowed to load nothing but what this server serves."""
    return HTMLResponse((ASSETS / "index.html").read_text(encoding="utf-8"),
                        headers={"Content-Security-Policy": POLICY, "Cache-Control": "no-cache",
                                 "Vary": "Accept"})


def wants_page(accept: str | None) -> bool:
    """A browser navigating asks for HTML by name; API clients ask for JSON or anything."""
    return accept is not None and "text/html" in accept.lower()
