"""A live Voicer for each studio test module, and Chromium to drive it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from tests.api.conftest import Server


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, whisper_dir: Path) -> Iterator[Server]:
    running = Server(tmp_path_factory.mktemp("studio"), env={"VOICER_STT_MODEL": str(whisper_dir)})
    running.start()
    yield running
    running.stop()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(accept_downloads=True)
    yield context.new_page()
    context.close()
