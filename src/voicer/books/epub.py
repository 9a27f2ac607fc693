"""EPUB 2 and 3 read with the standard library: the ZIP, the package (OPF), the table of
contents (the EPUB 3 navigation document, or the EPUB 2 NCX) and the XHTML of the spine.

No EPUB library: the well-kept one (EbookLib) is AGPL, and what Voicer needs of the format,
the reading order, the table of contents, title, author and cover, is a few XML lookups.
"""

from __future__ import annotations

import io
import posixpath
import zipfile
from urllib.parse import unquote, urldefrag
from xml.etree import ElementTree

from voicer.books.document import Book, Chapter, chapter_headings, cut
from voicer.books.html import Heading, html_text
from voicer.errors import InvalidInput

_NS = {
    "c": "urn:oasis:names:tc:opendocument:xmlns:container",
    "opf": "http://www.idpf.org/2007/opf",
    "dc": "http://purl.org/dc/elements/1.1/",
    "ncx": "http://www.daisy.org/z3986/2005/ncx/",
    "x": "http://www.w3.org/1999/xhtml",
    "epub": "http://www.idpf.org/2007/ops",
}
MAX_ENTRY_BYTES = 64 * 2**20  # one file inside the EPUB, unpacked: no ZIP bombs
_XHTML = ("application/xhtml+xml", "text/html")


def read_epub(data: bytes) -> Book:
    try:
        return _Epub(zipfile.ZipFile(io.BytesIO(data))).book()
    except (zipfile.BadZipFile, ElementTree.ParseError, KeyError, UnicodeDecodeError) as error:
        raise InvalidInput("text", f"text is not a readable EPUB: {error}") from None


class _Epub:
    def __init__(self, archive: zipfile.ZipFile) -> None:
        self.archive = archive
        container = self._xml("META-INF/container.xml")
        rootfile = container.find(".//c:rootfile", _NS)
        if rootfile is None:
            raise KeyError("META-INF/container.xml names no package")
        self.opf_path = rootfile.attrib["full-path"]
        self.opf = self._xml(self.opf_path)
        self.items = {item.attrib["id"]: item for item in self.opf.iterfind(".//opf:manifest/opf:item", _NS)}

    def _read(self, path: str) -> bytes:
        info = self.archive.getinfo(path)
        if info.file_size > MAX_ENTRY_BYTES:
            raise InvalidInput("text", f"the EPUB's {path} unpacks to {info.file_size:,} bytes; "
                                       f"the limit is {MAX_ENTRY_BYTES:,}")
        return self.archive.read(info)

    def _xml(self, path: str) -> ElementTree.Element:
        return ElementTree.fromstring(self._read(path))

    def _href(self, item: ElementTree.Element) -> str:
        """The ZIP path of a manifest item."""
        return posixpath.normpath(posixpath.join(posixpath.dirname(self.opf_path),
                                                 unquote(item.attrib["href"])))

    def _meta(self, name: str) -> str:
        found = self.opf.find(f".//opf:metadata/dc:{name}", _NS)
        return (found.text or "").strip() if found is not None else ""

    def book(self) -> Book:
        text, anchors, headings = self._spine()
        first: dict[int, str] = {}  # one chapter per position: the first entry there
        for title, target in self._toc():
            if target in anchors:
                first.setdefault(anchors[target], title)
        marks = sorted(first.items())
        if not marks:
            marks = [(h.start, h.title) for h in chapter_headings(headings)[1]]
        cover, cover_type = self._cover()
        return Book(cut(text, marks) or (Chapter("", text.strip()),), self._meta("title"),
                    self._meta("creator"), cover, cover_type)

    def _spine(self) -> tuple[str, dict[str, int], list[Heading]]:
        """The spine's documents as one text; where each document and anchor starts in it
        (``path`` and ``path#id``); and its headings."""
        parts: list[str] = []
        anchors: dict[str, int] = {}
        headings: list[Heading] = []
        length = 0
        for ref in self.opf.iterfind(".//opf:spine/opf:itemref", _NS):
            item = self.items.get(ref.attrib.get("idref", ""))
            if item is None or item.attrib.get("media-type") not in _XHTML:
                continue
            path = self._href(item)
            page = html_text(self._read(path).decode("utf-8"))
            anchors.setdefault(path, length)
            for anchor, position in page.anchors.items():
                anchors.setdefault(f"{path}#{anchor}", length + position)
            headings += [Heading(h.level, h.start + length, h.title) for h in page.headings]
            parts.append(page.text.rstrip() + "\n\n")
            length += len(parts[-1])
        return "".join(parts), anchors, headings

    def _toc(self) -> list[tuple[str, str]]:
        """The table of contents, every level in reading order: (title, ``path[#id]``)."""
        nav = next((item for item in self.items.values()
                    if "nav" in item.attrib.get("properties", "").split()), None)
        if nav is not None:
            return self._nav(nav)
        spine = self.opf.find(".//opf:spine", _NS)
        ncx = self.items.get(spine.attrib.get("toc", "")) if spine is not None else None
        return self._ncx(ncx) if ncx is not None else []

    def _target(self, base: str, href: str) -> str:
        path, fragment = urldefrag(href)
        path = posixpath.normpath(posixpath.join(posixpath.dirname(base), unquote(path)))
        return f"{path}#{fragment}" if fragment else path

    def _nav(self, item: ElementTree.Element) -> list[tuple[str, str]]:
        path = self._href(item)
        document = self._xml(path)
        for nav in document.iter(f"{{{_NS['x']}}}nav"):
            if nav.attrib.get(f"{{{_NS['epub']}}}type") == "toc":
                return [(" ".join("".join(a.itertext()).split()), self._target(path, a.attrib["href"]))
                        for a in nav.iter(f"{{{_NS['x']}}}a") if a.attrib.get("href")]
        return []

    def _ncx(self, item: ElementTree.Element) -> list[tuple[str, str]]:
        path = self._href(item)
        entries = []
        for point in self._xml(path).iter(f"{{{_NS['ncx']}}}navPoint"):
            label = point.find("ncx:navLabel/ncx:text", _NS)
            content = point.find("ncx:content", _NS)
            if label is not None and content is not None:
                entries.append((" ".join((label.text or "").split()),
                                self._target(path, content.attrib["src"])))
        return entries

    def _cover(self) -> tuple[bytes | None, str]:
        """The cover image: the EPUB 3 ``cover-image`` item, or the EPUB 2 ``cover`` meta."""
        item = next((item for item in self.items.values()
                     if "cover-image" in item.attrib.get("properties", "").split()), None)
        if item is None:
            meta = self.opf.find(".//opf:metadata/opf:meta[@name='cover']", _NS)
            item = self.items.get(meta.attrib.get("content", "")) if meta is not None else None
        if item is None or item.attrib.get("media-type") not in ("image/jpeg", "image/png"):
            return None, ""
        return self._read(self._href(item)), item.attrib["media-type"]
