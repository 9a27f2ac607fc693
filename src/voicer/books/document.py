"""A task's text as a document: plain text, or a book whose headings or table of contents
make chapters.

==============  ================================================================
``plain``       the text as it is, no chapters
``markdown``    CommonMark (markdown-it-py); its headings make chapters
``html``        HTML; its headings make chapters
``epub``        an EPUB file, base64-encoded; its table of contents makes the
                chapters, its headings where it has none
==============  ================================================================

Chapters come from the highest heading level that appears more than once; a single heading
above them that opens the document is the book's title, not a chapter.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from markdown_it import MarkdownIt

from voicer.books.html import Heading, html_text
from voicer.errors import InvalidInput


class TextFormat(StrEnum):
    plain = "plain"
    markdown = "markdown"
    html = "html"
    epub = "epub"


@dataclass(frozen=True, slots=True)
class Chapter:
    title: str
    text: str


@dataclass(frozen=True, slots=True)
class Book:
    """A document to speak: its chapters in order (one, untitled, for plain text)."""

    chapters: tuple[Chapter, ...]
    title: str = ""
    author: str = ""
    cover: bytes | None = None
    cover_type: str = ""

    def spoken(self) -> tuple[str, list[int]]:
        """The text to speak, chapter after chapter, and where each chapter starts in it."""
        starts: list[int] = []
        parts: list[str] = []
        length = 0
        for chapter in self.chapters:
            starts.append(length)
            parts.append(chapter.text)
            length += len(chapter.text) + 2
        return "\n\n".join(parts), starts


def read_document(text: str, text_format: TextFormat) -> Book:
    """``text`` read as ``text_format``; :class:`InvalidInput` naming ``text`` if it is not."""
    if text_format == TextFormat.plain:
        return Book((Chapter("", text),))
    if text_format == TextFormat.epub:
        from voicer.books.epub import read_epub  # zip and XML: only for EPUBs

        try:
            data = base64.b64decode(text, validate=True)
        except (binascii.Error, ValueError):
            raise InvalidInput("text", "text_format is epub: text must be the EPUB file, "
                                       "base64-encoded") from None
        return read_epub(data)
    html = _MARKDOWN.render(text) if text_format == TextFormat.markdown else text
    return html_book(html)


_MARKDOWN = MarkdownIt("commonmark")


def html_book(html: str, title: str = "", author: str = "") -> Book:
    """An HTML document's chapters, cut at its headings."""
    page = html_text(html)
    heading, chapters = chapter_headings(page.headings)
    if heading is not None:
        title = title or heading.title
    return Book(cut(page.text, [(h.start, h.title) for h in chapters]), title, author)


def chapter_headings(headings: Sequence[Heading]) -> tuple[Heading | None, list[Heading]]:
    """The book's title heading, if one opens it, and the headings that start chapters."""
    for level in range(1, 7):
        at_level = [h for h in headings if h.level == level]
        if len(at_level) > 1:
            return None, at_level
        if len(at_level) == 1 and headings and headings[0] is at_level[0]:
            return at_level[0], chapter_headings([h for h in headings if h.level > level])[1]
    return None, []


def cut(text: str, marks: Sequence[tuple[int, str]]) -> tuple[Chapter, ...]:
    """``text`` cut where each ``(position, title)`` says; what comes before the first mark
    opens the first chapter. Chapters with nothing to say are left out."""
    if not marks:
        return (Chapter("", text.strip()),) if text.strip() else ()
    positions = [0, *(position for position, _ in marks[1:]), len(text)]
    titles = [title for _, title in marks]
    chapters = (Chapter(title, text[begin:end].strip())
                for title, begin, end in zip(titles, positions, positions[1:], strict=False))
    return tuple(chapter for chapter in chapters if chapter.text)
