"""The interactive docs work with no network: Swagger UI comes from Voicer itself."""

from __future__ import annotations

from urllib.parse import urlsplit

import httpx
from playwright.sync_api import Browser

from tests.api.conftest import Server


def test_the_docs_render_every_operation_from_voicer_alone(server: Server, browser: Browser) -> None:
    page = browser.new_page()
    asked: list[str] = []
    page.on("request", lambda request: asked.append(request.url))
    page.goto(f"{server.url}/docs")
    page.wait_for_selector(".opblock-summary-path", timeout=30_000)
    text = page.inner_text("body")
    page.close()

    assert "/api/v1/voice/synthesize" in text
    assert "/v1/text-to-speech/{voice_id}" in text
    hosts = {urlsplit(url).netloc for url in asked if not url.startswith(("data:", "blob:"))}
    assert hosts == {f"127.0.0.1:{server.port}"}


def test_the_docs_page_names_no_other_host(server: Server) -> None:
    page = httpx.get(f"{server.url}/docs").text
    assert "https://" not in page and "http://" not in page
