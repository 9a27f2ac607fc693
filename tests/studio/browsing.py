"""Chromium offline against a live Voicer, with what a page said and asked for kept."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlsplit

from playwright.sync_api import ConsoleMessage, Page

from tests.chromium import CHROMIUM, FLAGS
from tests.waiting import wait_until

__all__ = ["CHROMIUM", "FLAGS", "Watch", "audio_duration", "sign_in"]


# How Chromium logs an answer of 4xx or 5xx to any request, fetch included: no page can keep it
# from the console, so a test names the requests it expects to be refused.
REFUSED = "Failed to load resource: the server responded with a status of "


@dataclass
class Watch:
    """Console errors, uncaught exceptions, requests answered with an error, and every host a
    page asked something of."""

    page: Page
    errors: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)  # "400 /path" of each
    hosts: set[str] = field(default_factory=set)
    paths: list[str] = field(default_factory=list)  # of this server, in the order asked

    def __post_init__(self) -> None:
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self.errors.append(f"uncaught: {error}"))
        self.page.on("request", lambda request: self._asked(request.url))

    def _console(self, message: ConsoleMessage) -> None:
        if message.type == "error" and message.text.startswith(REFUSED):
            status = message.text.removeprefix(REFUSED).split()[0]
            self.refused.append(f"{status} {urlsplit(message.location['url']).path}")
        elif message.type == "error":
            self.errors.append(message.text)

    def _asked(self, url: str) -> None:
        if not url.startswith(("data:", "blob:")):
            self.hosts.add(urlsplit(url).netloc)
            self.paths.append(urlsplit(url).path)

    def assert_clean(self, origin: str, refused: tuple[str, ...] = ()) -> None:
        """No console error and no other host; no request refused but those expected."""
        assert self.errors == [], self.errors
        assert self.refused == list(refused), self.refused
        assert self.hosts == {urlsplit(origin).netloc}, self.hosts


def sign_in(page: Page, origin: str, token: str) -> None:
    page.goto(f"{origin}/")
    page.get_by_label("API token").fill(token)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_selector("#voice option")  # the voices have loaded



def audio_duration(page: Page, selector: str) -> float:
    """The seconds an audio element has loaded, once it knows (the page's CSP forbids the
    eval that ``wait_for_function`` polls with)."""
    element = page.locator(selector)
    return wait_until(lambda: element.evaluate("audio => audio.duration || null"), 60,
                      f"{selector} knowing its duration", every=0.1)
