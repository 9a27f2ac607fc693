"""The web studio: a page for people who turn text into audio, served by Voicer itself.

Plain HTML, CSS and JavaScript modules in ``assets/``, shipped in the package: the browser
asks nothing of any other host, and the page's Content-Security-Policy says so.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, Field
from starlette.responses import HTMLResponse

from voicer.encoding.formats import DEFAULT_FORMAT, FORMATS

ASSETS = Path(__file__).parent / "assets"
PATH = "/studio"  # where the assets are served; the page itself is also at /
UPLOADS = (".txt", ".md")  # read as text by the browser
RAW_CODECS = frozenset({"pcm", "ulaw", "alaw"})  # no player takes them: not offered
POLICY = ("default-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; "
          "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'")


class Output(BaseModel):
    """One entry of the studio's output menu, and what it submits."""

    id: str
    label: str
    output_format: str
    split_output: bool


class StudioConfig(BaseModel):
    outputs: list[Output] = Field(description="the output menu, the default first")
    uploads: list[str] = Field(description="file extensions the text box opens")


def config() -> StudioConfig:
    return StudioConfig(outputs=outputs(), uploads=list(UPLOADS))


def outputs() -> list[Output]:
    """One entry per codec the server encodes and a browser plays, then a ZIP of chunks."""
    best: dict[str, str] = {}
    for fmt in FORMATS.values():
        if fmt.codec not in RAW_CODECS:
            best[fmt.codec] = fmt.name  # the last listed: the highest rate and bitrate
    best[DEFAULT_FORMAT.codec] = DEFAULT_FORMAT.name
    ordered = sorted(best.items(), key=lambda item: item[0] != DEFAULT_FORMAT.codec)
    return [*(Output(id=codec, label=codec.upper(), output_format=name, split_output=False)
              for codec, name in ordered),
            Output(id="zip", label=f"ZIP of {DEFAULT_FORMAT.codec.upper()} chunks",
                   output_format=DEFAULT_FORMAT.name, split_output=True)]


def page() -> HTMLResponse:
    """The studio's one page, allowed to load nothing but what this server serves."""
    return HTMLResponse((ASSETS / "index.html").read_text(encoding="utf-8"),
                        headers={"Content-Security-Policy": POLICY, "Cache-Control": "no-cache",
                                 "Vary": "Accept"})


def wants_page(accept: str | None) -> bool:
    """A browser navigating asks for HTML by name; API clients ask for JSON or anything."""
    return accept is not None and "text/html" in accept.lower()
