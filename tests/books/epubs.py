"""EPUBs made in the tests: zipped here, as an e-book tool writes them."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

CONTAINER = """<?xml version="1.0"?>
<container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">
 <rootfiles><rootfile full-path="OEBPS/content.opf" media-type="application/oebps-package+xml"/></rootfiles>
</container>"""


def png(size: int = 4) -> bytes:
    """A small red PNG."""
    raw = b"".join(b"\x00" + b"\xff\x00\x00" * size for _ in range(size))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def xhtml(body: str) -> str:
    return ('<?xml version="1.0" encoding="utf-8"?>\n<html xmlns="http://www.w3.org/1999/xhtml">'
            f"<head><title>x</title><style>p {{ margin: 0 }}</style></head><body>{body}</body></html>")


def ncx(names: list[str], titles: list[str]) -> str:
    points = "".join(f'<navPoint id="p{n}" playOrder="{n + 1}"><navLabel><text>{title}</text>'
                     f'</navLabel><content src="{name}#top"/></navPoint>'
                     for n, (name, title) in enumerate(zip(names, titles, strict=True)))
    return ('<?xml version="1.0"?><ncx xmlns="http://www.daisy.org/z3986/2005/ncx/" version="2005-1">'
            f"<navMap>{points}</navMap></ncx>")


def epub(chapters: list[tuple[str, str]], title: str = "A Test Book", author: str = "Ann Author",
         toc: bool = True, nav_titles: list[str] | None = None, cover: bytes | None = None,
         version: int = 3) -> bytes:
    """An EPUB with one XHTML file per chapter (a ``<h1>`` and its paragraphs) and, with
    ``toc``, a table of contents whose titles may differ from the headings: an EPUB 3
    navigation document, or in ``version`` 2 an NCX (and the cover named by a meta)."""
    names = [f"text/ch{number}.xhtml" for number in range(1, len(chapters) + 1)]
    manifest = "".join(f'<item id="c{n}" href="{name}" media-type="application/xhtml+xml"/>'
                       for n, name in enumerate(names))
    spine = "".join(f'<itemref idref="c{n}"/>' for n in range(len(names)))
    titles = nav_titles or [heading for heading, _ in chapters]
    if toc and version == 3:
        manifest += '<item id="nav" href="nav.xhtml" media-type="application/xhtml+xml" properties="nav"/>'
    if toc and version == 2:
        manifest += '<item id="ncx" href="toc.ncx" media-type="application/x-dtbncx+xml"/>'
    if cover:
        role = 'properties="cover-image"' if version == 3 else ""
        manifest += f'<item id="cover" href="cover.png" media-type="image/png" {role}/>'
    cover_meta = '<meta name="cover" content="cover"/>' if cover and version == 2 else ""
    spine_toc = ' toc="ncx"' if toc and version == 2 else ""
    opf = f"""<?xml version="1.0" encoding="utf-8"?>
<package xmlns="http://www.idpf.org/2007/opf" version="{version}.0" unique-identifier="id">
 <metadata xmlns:dc="http://purl.org/dc/elements/1.1/">
  <dc:identifier id="id">urn:uuid:1</dc:identifier><dc:title>{title}</dc:title>
  <dc:creator>{author}</dc:creator><dc:language>en</dc:language>{cover_meta}
 </metadata>
 <manifest>{manifest}</manifest><spine{spine_toc}>{spine}</spine>
</package>"""
    file = io.BytesIO()
    with zipfile.ZipFile(file, "w") as archive:
        archive.writestr("mimetype", "application/epub+zip", zipfile.ZIP_STORED)
        archive.writestr("META-INF/container.xml", CONTAINER)
        archive.writestr("OEBPS/content.opf", opf)
        for name, (heading, text) in zip(names, chapters, strict=True):
            paragraphs = "".join(f"<p>{paragraph}</p>" for paragraph in text.split("\n\n"))
            archive.writestr(f"OEBPS/{name}", xhtml(f'<h1 id="top">{heading}</h1>{paragraphs}'))
        if toc and version == 2:
            archive.writestr("OEBPS/toc.ncx", ncx(names, titles))
        if toc and version == 3:
            items = "".join(f'<li><a href="{name}#top">{title}</a></li>'
                            for name, title in zip(names, titles, strict=True))
            archive.writestr("OEBPS/nav.xhtml", xhtml(
                f'<nav xmlns:epub="http://www.idpf.org/2007/ops" epub:type="toc"><ol>{items}</ol></nav>'))
        if cover:
            archive.writestr("OEBPS/cover.png", cover)
    return file.getvalue()
