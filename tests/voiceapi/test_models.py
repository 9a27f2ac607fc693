"""The Voice API's models list on `GET /v1/models`, against a live Voicer: fuzzy titles,
language, tag, sort order, pages, the cache and `refresh`; the ElevenLabs SDK's plain list
on the same path unchanged."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from elevenlabs import ElevenLabs

from tests.api.conftest import Server
from voicer.voiceapi.models import score


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    server = Server(tmp_path_factory.mktemp("models"),
                    env={"VOICER_READS_PER_MINUTE": "10000"})
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def headers(server: Server) -> dict[str, str]:
    return {"Authorization": f"Bearer {server.token()}"}


def models(server: Server, headers: dict[str, str], **params: Any) -> httpx.Response:
    return httpx.get(f"{server.url}/v1/models", headers=headers, params=params)


def test_the_sdk_still_reads_a_plain_list_of_speech_models(server: Server) -> None:
    with httpx.Client(timeout=60) as connection:
        listed = ElevenLabs(base_url=server.url, api_key=server.token(),
                            httpx_client=connection).models.list()
    assert "eleven_multilingual_v2" in {model.model_id for model in listed}


def test_a_fuzzy_title_finds_the_voice_first(server: Server, headers: dict[str, str]) -> None:
    page = models(server, headers, title="rachl").json()
    assert page["items"][0]["title"] == "Rachel" and page["items"][0]["model_id"]
    assert all(score("rachl", item["title"]) >= 0.6 for item in page["items"])
    assert models(server, headers, title="zzzzqqq").json()["total"] == 0


def test_language_tag_sort_and_pages(server: Server, headers: dict[str, str]) -> None:
    ukrainian = models(server, headers, language="uk", page_size=100).json()
    assert ukrainian["total"] > 0 and all("uk" in item["languages"] for item in ukrainian["items"])
    male = models(server, headers, tag="male", sort="-title", page_size=100).json()["items"]
    assert male and all("male" in item["tags"] for item in male)
    titles = [item["title"].casefold() for item in male]
    assert titles == sorted(titles, reverse=True)

    every = models(server, headers, page_size=100).json()
    first, second = (models(server, headers, page=n, page_size=5).json() for n in (1, 2))
    assert first["total"] == every["total"] > 10
    assert [i["model_id"] for i in first["items"] + second["items"]] == [
        i["model_id"] for i in every["items"][:10]]


def test_pages_are_cached_and_refresh_bypasses_the_cache(server: Server,
                                                          headers: dict[str, str]) -> None:
    asked = {"tag": "female", "page_size": 7}
    assert models(server, headers, **asked).headers["X-Cache"] == "MISS"
    assert models(server, headers, **asked).headers["X-Cache"] == "HIT"
    fresh = models(server, headers, **asked, refresh="true")
    assert fresh.headers["X-Cache"] == "MISS"
    assert fresh.json() == models(server, headers, **asked).json()


def test_a_bad_sort_is_refused_naming_it(server: Server, headers: dict[str, str]) -> None:
    refused = models(server, headers, sort="loudest")
    assert refused.status_code == 400 and "sort" in refused.text and "title" in refused.text
