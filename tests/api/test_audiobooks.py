"""Books as tasks: chapters marked where they start, in an M4B and in an MP3's ID3 tag."""

from __future__ import annotations

import base64
import io

import av
import pytest

from tests.api.conftest import Api
from tests.audio_tools import decode_as
from tests.books.epubs import epub, png

VOICE = "en-us-espeak"
PAUSE = 1.5
CHAPTERS = [("Chapter One", "It was a dark and stormy night. The rain fell on the roofs."),
            ("Chapter Two", "Morning came at last, and the sun rose over the hills."),
            ("Chapter Three", "And that was the end of it.")]


def run_book(api: Api, text: str, text_format: str, output_format: str) -> tuple[dict, dict, bytes]:
    headers = api.user()
    created = api.client.post("/api/v1/voice/synthesize", headers=headers, json={
        "text": text, "text_format": text_format, "voice_id": VOICE, "output_format": output_format,
        "chapter_pause": PAUSE})
    assert created.status_code == 200, created.text
    status = api.wait(created.json()["task_id"], headers)
    assert status["status"] == "completed", status
    download = api.client.get(status["download_url"], headers=headers)
    assert download.status_code == 200
    return created.json(), status, download.content


def chapter_marks(data: bytes) -> tuple[list[str], list[float], dict[str, str]]:
    with av.open(io.BytesIO(data)) as container:
        chapters = container.chapters()
        metadata = dict(container.metadata)
    titles = [chapter["metadata"]["title"] for chapter in chapters]
    starts = [float(chapter["start"] * chapter["time_base"]) for chapter in chapters]
    return titles, starts, metadata


def heard_starts(data: bytes, output_format: str) -> list[float]:
    """Where each chapter is heard to start: at 0, and where each chapter pause ends."""
    audio = decode_as(data, output_format)
    return [0.0, *(start + length for start, length in audio.gaps(minimum=PAUSE - 0.2))]


def test_an_epub_becomes_an_m4b_with_its_chapters_title_author_and_cover(api: Api) -> None:
    book = epub(CHAPTERS, nav_titles=["Night", "Morning", "The End"], cover=png())
    created, status, data = run_book(api, base64.b64encode(book).decode(), "epub", "m4b_44100_64")
    assert created["chunks_count"] == 3  # one per chapter: none straddles two
    assert status["output"] == "m4b"
    assert status["characters"] == sum(len(h) + len(t) + 2 for h, t in CHAPTERS) + 2 * 2
    titles, starts, metadata = chapter_marks(data)
    assert titles == ["Night", "Morning", "The End"]
    assert starts == pytest.approx(heard_starts(data, "m4b_44100_64"), abs=0.05)
    assert metadata["major_brand"].strip() == "M4B"
    assert (metadata["title"], metadata["artist"]) == ("A Test Book", "Ann Author")
    with av.open(io.BytesIO(data)) as container:
        cover = next(s for s in container.streams if s.disposition & av.stream.Disposition.attached_pic)
        assert bytes(next(container.demux(cover))) == png()
    assert decode_as(data, "m4b_44100_64").codec == "aac"


def test_markdown_headings_become_id3_chapters_in_an_mp3(api: Api) -> None:
    text = "# A Short Book\n\n" + "".join(f"## {h}\n\n{t}\n\n" for h, t in CHAPTERS)
    _, _, data = run_book(api, text, "markdown", "mp3_44100_128")
    titles, starts, metadata = chapter_marks(data)
    assert titles == [h for h, _ in CHAPTERS]
    assert starts == pytest.approx(heard_starts(data, "mp3_44100_128"), abs=0.05)
    assert metadata["title"] == "A Short Book"


def test_an_m4b_is_one_file_so_split_output_is_refused(api: Api) -> None:
    response = api.client.post("/api/v1/voice/synthesize", headers=api.user(), json={
        "text": "Hello.", "output_format": "m4b_44100_64", "split_output": True})
    assert response.status_code == 400 and response.json()["field"] == "split_output"


def test_a_broken_epub_is_a_400_naming_the_text(api: Api) -> None:
    response = api.client.post("/api/v1/voice/synthesize", headers=api.user(), json={
        "text": base64.b64encode(b"not a zip").decode(), "text_format": "epub"})
    assert response.status_code == 400 and response.json()["field"] == "text"

