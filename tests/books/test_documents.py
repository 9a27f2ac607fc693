"""Books read into chapters: EPUB by its table of contents (else its headings), Markdown and
HTML by their headings."""

from __future__ import annotations

import base64

import pytest

from tests.books.epubs import epub, png
from voicer.books import TextFormat, read_document
from voicer.errors import InvalidInput

CHAPTERS = [("Chapter One", "It was a dark night.\n\nThe rain fell."),
            ("Chapter Two", "Morning came."), ("Chapter Three", "The end.")]


def read_epub(data: bytes):  # type: ignore[no-untyped-def]
    return read_document(base64.b64encode(data).decode(), TextFormat.epub)


def test_an_epub_is_cut_by_its_table_of_contents_with_its_titles() -> None:
    book = read_epub(epub(CHAPTERS, nav_titles=["Night", "Morning", "End"], cover=png()))
    assert [chapter.title for chapter in book.chapters] == ["Night", "Morning", "End"]
    assert book.chapters[0].text == "Chapter One\n\nIt was a dark night.\n\nThe rain fell."
    assert (book.title, book.author, book.cover_type) == ("A Test Book", "Ann Author", "image/png")
    assert book.cover == png()


def test_an_epub_2_is_cut_by_its_ncx_and_names_its_cover_in_a_meta() -> None:
    book = read_epub(epub(CHAPTERS, nav_titles=["Night", "Morning", "End"], cover=png(), version=2))
    assert [chapter.title for chapter in book.chapters] == ["Night", "Morning", "End"]
    assert book.chapters[2].text == "Chapter Three\n\nThe end."
    assert (book.cover, book.cover_type) == (png(), "image/png")


def test_an_epub_without_a_table_of_contents_is_cut_at_its_headings() -> None:
    book = read_epub(epub(CHAPTERS, toc=False))
    assert [(c.title, c.text.split("\n\n")[-1]) for c in book.chapters] == [
        ("Chapter One", "The rain fell."), ("Chapter Two", "Morning came."),
        ("Chapter Three", "The end.")]


def test_markdown_headings_make_chapters_and_a_lone_top_heading_the_title() -> None:
    book = read_document("# The Book\n\nA *short* preface.\n\n## First\n\nSee [this](http://x).\n\n"
                         "## Second\n\n- one\n- two\n", TextFormat.markdown)
    assert book.title == "The Book"
    assert [chapter.title for chapter in book.chapters] == ["First", "Second"]
    assert book.chapters[0].text == "The Book\n\nA short preface.\n\nFirst\n\nSee this."
    assert book.chapters[1].text == "Second\n\none\n\ntwo"
    text, starts = book.spoken()
    assert [text[start:].split("\n")[0] for start in starts] == ["The Book", "Second"]


def test_html_headings_make_chapters_and_scripts_are_not_read() -> None:
    book = read_document("<h2>One</h2><p>Hello &amp; welcome.</p><script>var x;</script>"
                         "<h2>Two</h2><p>Bye<br>now.</p>", TextFormat.html)
    assert [(c.title, c.text) for c in book.chapters] == [
        ("One", "One\n\nHello & welcome."), ("Two", "Two\n\nBye\nnow.")]


@pytest.mark.parametrize("text", ["not base64!", base64.b64encode(b"not a zip").decode()])
def test_a_broken_epub_is_refused_naming_the_text(text: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        read_document(text, TextFormat.epub)
    assert refused.value.field == "text" and "EPUB" in refused.value.message
