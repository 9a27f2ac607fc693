"""The README's pictures of the studio: ``python -m tests.studio.screenshots`` writes them to
docs/images/ from a live server, as a new user sees it after one three-chapter book and one
sound effect."""

from __future__ import annotations

import tempfile
from pathlib import Path

from playwright.sync_api import Page, expect, sync_playwright

from tests.api.conftest import Server
from tests.studio.browsing import CHROMIUM, FLAGS, sign_in

IMAGES = Path(__file__).resolve().parents[2] / "docs" / "images"
TEXT = ("# The Harbour\n\n## Dawn\n\nThe old lighthouse keeper watched the harbour at dawn. The "
        "gulls were already awake.\n\n## The Boat\n\nA small boat came in with the morning tide, "
        "and the village woke to the sound of its bell.\n\n## Noon\n\nBy noon the whole harbour "
        "knew.")


def speak(page: Page) -> None:
    page.get_by_label("Text to speak").fill(TEXT)
    page.get_by_label("Text is").select_option("markdown")
    page.get_by_label("Search voices").fill("en-us-espeak")
    page.get_by_label("Split into chunks by").select_option("paragraphs")
    page.get_by_label("Output").select_option("m4b")
    page.get_by_label("Loudness").select_option("audiobook")
    page.get_by_role("button", name="Speak", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("Completed", timeout=60_000)
    expect(page.get_by_role("list", name="Chapters").get_by_role("button")).to_have_count(3)
    page.get_by_label("Search voices").fill("")
    page.get_by_label("Search voices").blur()


def sound(page: Page) -> None:
    page.get_by_role("link", name="Tools").click()
    form = page.locator("#sound-form")
    form.get_by_label("Describe the sound").fill("rain on a window")
    form.get_by_label("Duration, seconds").fill("2")
    form.get_by_role("button", name="Make the sound").click()
    expect(form.get_by_role("status")).to_contain_text("Made:", timeout=60_000)


def main() -> None:
    IMAGES.mkdir(parents=True, exist_ok=True)
    server = Server(Path(tempfile.mkdtemp(prefix="voicer-shots-")))
    server.start()
    try:
        token = server.token()
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
            desktop = browser.new_page(viewport={"width": 1100, "height": 1000})
            sign_in(desktop, server.url, token)
            speak(desktop)
            desktop.screenshot(path=IMAGES / "studio-speak.png", full_page=True)
            desktop.get_by_role("link", name="Tasks").click()
            desktop.wait_for_selector("#tasks-table tbody tr")
            desktop.set_viewport_size({"width": 1100, "height": 360})
            desktop.screenshot(path=IMAGES / "studio-tasks.png")
            desktop.set_viewport_size({"width": 1100, "height": 1000})
            sound(desktop)
            desktop.screenshot(path=IMAGES / "studio-tools.png", full_page=True)
            phone = browser.new_page(viewport={"width": 390, "height": 844}, device_scale_factor=1,
                                     is_mobile=True, has_touch=True)
            sign_in(phone, server.url, token)
            phone.get_by_label("Text to speak").fill(TEXT)
            phone.get_by_label("Text to speak").blur()
            phone.evaluate("window.scrollTo(0, 0)")
            phone.screenshot(path=IMAGES / "studio-phone.png")
            browser.close()
    finally:
        server.stop()
    for image in sorted(IMAGES.glob("studio-*.png")):
        print(f"{image.relative_to(IMAGES.parents[1])}: {image.stat().st_size // 1024} KB")


if __name__ == "__main__":
    main()
