"""Books as tasks: chapters marked where they start, in an M4B and in an MP3's ID3 tag."""

from __future__ import annotations

import base64
import io
import json
import zipfile

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


def run_book(api: Api, text: str, text_format: str, output_format: str,
             headers: dict[str, str] | None = None) -> tuple[dict, dict, bytes]:
    headers = headers or api.user()
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



def test_the_chunk_times_name_each_chapter_where_the_m4b_marks_it(api: Api) -> None:
    book = epub(CHAPTERS, nav_titles=["Night", "Morning", "The End"])
    headers = api.user()
    created, _, data = run_book(api, base64.b64encode(book).decode(), "epub", "m4b_44100_64", headers)
    marks = api.client.get(f"/api/v1/voice/tasks/{created['task_id']}/chunks", headers=headers).json()
    opening = [mark for mark in marks if mark["chapter"] is not None]
    titles, starts, _ = chapter_marks(data)
    assert [mark["chapter"] for mark in opening] == titles == ["Night", "Morning", "The End"]
    assert [mark["start"] for mark in opening] == pytest.approx(starts, abs=0.05)


def test_a_zip_of_a_books_chunks_lists_its_chapters_in_the_manifest(api: Api) -> None:
    text = "".join(f"## {h}\n\n{t}\n\n" for h, t in CHAPTERS)
    headers = api.user()
    created = api.client.post("/api/v1/voice/synthesize", headers=headers, json={
        "text": text, "text_format": "markdown", "voice_id": VOICE, "split_output": True,
        "chapter_pause": PAUSE}).json()
    status = api.wait(created["task_id"], headers)
    download = api.client.get(status["download_url"], headers=headers)
    with zipfile.ZipFile(io.BytesIO(download.content)) as archive:
        manifest = json.loads(archive.read("manifest.json"))
    starts = {entry["index"]: entry["start_seconds"] for entry in manifest["chunks"]}
    assert [c["title"] for c in manifest["chapters"]] == [h for h, _ in CHAPTERS]
    assert all(c["start_seconds"] == starts[c["chunk"]] for c in manifest["chapters"])
    assert manifest["chapters"][0]["start_seconds"] == 0 < manifest["chapters"][1]["start_seconds"]
