"""Books: documents with chapters (EPUB, Markdown, HTML) read into the text a task speaks.

``read_document(text, text_format)`` is the one entry point; ``Book.spoken()`` gives the text
and where each chapter starts in it, and :class:`BookTags` is what an audiobook file is tagged
with once the chapters are chunks.
"""

from voicer.books.document import Book, Chapter, TextFormat, read_document
from voicer.books.tags import BookTags, ChapterStart

__all__ = ["Book", "BookTags", "Chapter", "ChapterStart", "TextFormat", "read_document"]
