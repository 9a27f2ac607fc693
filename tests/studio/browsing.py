"""Chromium offline against a live Voicer, with what a page said and asked for kept."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlsplit

from playwright.sync_api import ConsoleMessage, Page

from tests.api.test_docs import CHROMIUM, FLAGS

__all__ = ["CHROMIUM", "FLAGS", "Watch", "sign_in"]


@dataclass
class Watch:
    """Console errors, uncaught exceptions and every host a page asked something of."""

    page: Page
    errors: list[str] = field(default_factory=list)
    hosts: set[str] = field(default_factory=set)
    paths: list[str] = field(default_factory=list)  # of this server, in the order asked

    def __post_init__(self) -> None:
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self.errors.append(f"uncaught: {error}"))
        self.page.on("request", lambda request: self._asked(request.url))

    def _console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.errors.append(message.text)

    def _asked(self, url: str) -> None:
        if not url.startswith(("data:", "blob:")):
            self.hosts.add(urlsplit(url).netloc)
            self.paths.append(urlsplit(url).path)

    def assert_clean(self, origin: str) -> None:
        assert self.errors == [], self.errors
        assert self.hosts == {urlsplit(origin).netloc}, self.hosts


def sign_in(page: Page, origin: str, token: str) -> None:
    page.goto(f"{origin}/")
    page.get_by_label("API token").fill(token)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_selector("#voice option")  # the voices have loaded

