"""(X)HTML as the text to speak: paragraphs on blank lines, headings and anchors located.

The standard library's tolerant parser reads both HTML and an EPUB's XHTML; it builds no
tree, so a long chapter costs little more than its text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

_BLOCKS = {"p", "div", "section", "article", "blockquote", "li", "ul", "ol", "table", "tr",
           "h1", "h2", "h3", "h4", "h5", "h6", "pre", "header", "footer", "aside", "figure",
           "figcaption", "dd", "dt", "hr", "body", "nav"}
_SKIPPED = {"script", "style", "head", "title", "template", "svg", "math"}
HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
_SPACES = re.compile(r"[ \t\r\f\v\n\u00a0]+")


@dataclass(frozen=True, slots=True)
class Heading:
    level: int  # 1 for h1
    start: int  # where its text starts in the document's text
    title: str


@dataclass(slots=True)
class HtmlText:
    """A document's text, with where its anchors (``id``) and headings are in it."""

    text: str = ""
    anchors: dict[str, int] = field(default_factory=dict)
    headings: list[Heading] = field(default_factory=list)


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.length = 0
        self.skipping = 0
        self.result = HtmlText()
        self.heading: tuple[int, int, list[str]] | None = None  # level, start, its words

    def _break(self) -> None:
        """End the current paragraph: a blank line, once."""
        if self.parts and not self.parts[-1].endswith("\n\n"):
            tail = "\n\n" if not self.parts[-1].endswith("\n") else "\n"
            self.parts.append(tail)
            self.length += len(tail)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIPPED:
            self.skipping += 1
            return
        if tag in _BLOCKS:
            self._break()
        elif tag == "br":
            self._write("\n")
        for name, value in attrs:
            if name in ("id", "name") and value:
                self.result.anchors.setdefault(value, self.length)
        if tag in HEADINGS and self.heading is None:
            self.heading = (int(tag[1]), self.length, [])

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED:
            self.skipping = max(0, self.skipping - 1)
            return
        if tag in HEADINGS and self.heading is not None and int(tag[1]) == self.heading[0]:
            level, start, words = self.heading
            title = _SPACES.sub(" ", "".join(words)).strip()
            if title:
                self.result.headings.append(Heading(level, start, title))
            self.heading = None
        if tag in _BLOCKS:
            self._break()

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in ("br",):
            self.handle_endtag(tag)

    def handle_data(self, data: str) -> None:
        if self.skipping:
            return
        text = _SPACES.sub(" ", data)
        if not self.parts or self.parts[-1].endswith("\n"):
            text = text.lstrip()
        if self.heading is not None:
            self.heading[2].append(data)
        self._write(text)

    def _write(self, text: str) -> None:
        if text:
            self.parts.append(text)
            self.length += len(text)


def html_text(document: str) -> HtmlText:
    """The text of ``document`` as it is read aloud, with its anchors and headings."""
    reader = _Reader()
    reader.feed(document)
    reader.close()
    reader.result.text = "".join(reader.parts)
    return reader.result
