"""The web studio, driven by Chromium with no network beyond the Voicer that serves it."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
from playwright.sync_api import Browser, Page, expect

from tests.api.conftest import Server
from tests.audio_tools import decode
from tests.books.epubs import epub
from tests.studio.browsing import Watch, audio_duration, sign_in
from tests.waiting import wait_until
from voicer.studio import ASSETS

VOICE = "en-us-espeak"
CHAPTERS = ("Chapter one. The old lighthouse keeper watched the harbour at dawn.\n\n"
            "Chapter two. A small boat came in with the morning tide.")
PAUSE = 1.5  # the audiobooks preset
LONG = " ".join(f"Sentence number {n} is here to keep the task busy." for n in range(1_500))
# Any address of another host; an SVG's namespace is a name, never fetched.
OTHER_HOST = re.compile(r"(?:https?:)?//(?!www\.w3\.org/2000/svg)[\w.-]+\.\w+")
EPUB_CHAPTERS = [("One", "The keeper climbed the stairs."), ("Two", "A boat came in at dawn."),
                 ("Three", "The lamp was lit again.")]
EPUB_TITLES = ["The Stairs", "The Boat", "The Lamp"]
HEARD = "The weather was calm on the morning of the first day."


def test_a_browser_gets_the_studio_and_api_clients_keep_the_json(server: Server) -> None:
    info = httpx.get(f"{server.url}/")
    assert info.json()["service"] == "Voicer API" and info.headers["vary"] == "Accept"
    assert httpx.get(f"{server.url}/", headers={"Accept": "application/json"}).json()["studio"] == "/studio"
    html = httpx.get(f"{server.url}/", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert html.headers["content-type"].startswith("text/html")
    assert "default-src 'self'" in html.headers["content-security-policy"]
    assert "<title>Voicer Studio</title>" in html.text
    assets = sorted(path.name for path in ASSETS.iterdir())
    sources = {name: httpx.get(f"{server.url}/studio/{name}").text for name in assets}
    assert {"app.js", "studio.css"} <= sources.keys()
    named = {name: OTHER_HOST.findall(text) for name, text in sources.items()}
    assert all(urls == [] for urls in named.values()), named


def test_sign_in_speak_two_chapters_play_jump_and_download(server: Server, page: Page,
                                                           tmp_path: Path) -> None:
    watch = Watch(page)
    token = server.token()
    sign_in(page, server.url, token)
    page.get_by_label("Text to speak").fill(CHAPTERS)
    page.get_by_label("Search voices").fill(VOICE)
    expect(page.get_by_label("Voice", exact=True)).to_have_value(VOICE)
    page.get_by_label("Split into chunks by").select_option("paragraphs")
    page.get_by_label("Pauses between chunks").check()
    page.get_by_label("Made for").select_option("audiobooks")
    expect(page.get_by_label("Pause, seconds")).to_have_value(str(PAUSE))
    page.get_by_role("button", name="Speak", exact=True).click()

    expect(page.get_by_role("status")).to_contain_text("Completed · 2 of 2 chunks · 100%",
                                                       timeout=60_000)
    jumps = page.get_by_role("list", name="Jump to").get_by_role("button")
    expect(jumps).to_have_count(2)
    expect(jumps.nth(1)).to_contain_text("Chapter two.")
    duration = audio_duration(page, "#player")
    jumps.nth(1).click()
    second = page.evaluate("document.getElementById('player').currentTime")
    wait_until(lambda: page.evaluate(f"document.getElementById('player').currentTime > {second} + 0.3"),
               10, "the player playing on from the jump")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download MP3").click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)

    task_id = saved.stem.removeprefix("voicer-")
    assert f"/api/v1/voice/status/{task_id}/events" in watch.paths  # progress came live
    audio = decode(saved)
    assert saved.suffix == ".mp3"
    assert abs(audio.duration - duration) < 0.1
    # the jump lands where the pause after chapter one ends
    assert any(start <= second <= start + length + 0.05 and length >= PAUSE - 0.05
               for start, length in audio.gaps(minimum=0.5)), (second, audio.gaps(minimum=0.5))
    watch.assert_clean(server.url)


def test_cancel_a_running_task_from_the_history(server: Server, page: Page) -> None:
    watch = Watch(page)
    token = server.token(characters=200_000)
    sign_in(page, server.url, token)
    page.get_by_label("Text to speak").fill(LONG)
    page.get_by_label("Search voices").fill(VOICE)
    page.get_by_label("Split into chunks by").select_option("sentences")
    page.get_by_role("button", name="Speak", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("chunks")

    page.get_by_role("link", name="Tasks").click()
    row = page.get_by_role("row").filter(has_text="processing").or_(
        page.get_by_role("row").filter(has_text="pending"))
    row.get_by_role("button", name=re.compile("^Cancel")).click()
    expect(page.get_by_role("row").nth(1)).to_contain_text("cancelled")

    tasks = httpx.get(f"{server.url}/api/v1/voice/tasks",
                      headers={"Authorization": f"Bearer {token}"}).json()["tasks"]
    assert [task["status"] for task in tasks] == ["cancelled"]
    assert tasks[0]["chunks_completed"] < tasks[0]["chunks_total"]
    watch.assert_clean(server.url)


def test_usage_and_quota_are_the_accounts_until_sign_out(server: Server, page: Page) -> None:
    watch = Watch(page)
    token = server.token(characters=5_000)
    sign_in(page, server.url, token)
    page.get_by_label("Text to speak").fill("Counted.")
    page.get_by_label("Search voices").fill(VOICE)
    page.get_by_role("button", name="Speak", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("Completed", timeout=60_000)
    page.get_by_role("link", name="Account").click()

    expect(page.locator("#stat-used_characters")).to_have_text("8")
    expect(page.locator("#stat-remaining_characters")).to_have_text("4,992")
    assert page.get_by_label("Characters used").evaluate("meter => meter.value") == 8
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_label("API token")).to_be_visible()
    assert page.evaluate("localStorage.length") == 0
    watch.assert_clean(server.url)


def test_preview_a_voice_found_by_language(server: Server, page: Page) -> None:
    watch = Watch(page)
    sign_in(page, server.url, server.token())
    page.get_by_label("Language", exact=True).select_option("de")
    names = page.get_by_label("Voice", exact=True).locator("option").all_inner_texts()
    assert names and all(" de" in name or "de," in name for name in names)
    page.get_by_role("button", name="Preview voice").click()
    assert audio_duration(page, "#preview-audio") > 0.5
    watch.assert_clean(server.url)


def test_the_speech_to_text_page_transcribes_a_file(server: Server, page: Page, tmp_path: Path) -> None:
    token = server.token()
    spoken = httpx.post(f"{server.url}/v1/text-to-speech/{VOICE}", headers={"xi-api-key": token},
                        json={"text": HEARD}, timeout=60)
    clip = tmp_path / "weather.mp3"
    clip.write_bytes(spoken.content)
    watch = Watch(page)
    sign_in(page, server.url, token)
    page.get_by_role("link", name="Speech to text").click()
    page.get_by_label("Audio or video file").set_input_files(clip)
    page.get_by_label("Language (optional)").fill("en")
    page.get_by_role("button", name="Transcribe").click()

    transcript = page.get_by_label("Transcript")
    expect(transcript).to_be_visible(timeout=120_000)
    heard = transcript.input_value().lower()
    assert all(word in heard for word in ("weather", "calm", "morning")), heard
    watch.assert_clean(server.url)


def test_design_a_voice_play_a_preview_keep_it_speak_with_it_and_delete_it(server: Server,
                                                                          page: Page) -> None:
    watch = Watch(page)
    token = server.token()
    sign_in(page, server.url, token)
    page.get_by_role("link", name="Voices").click()
    expect(page.get_by_text("No voices of your own yet")).to_be_visible()
    page.get_by_label("Describe the voice").fill("A deep, calm male narrator")
    page.get_by_role("button", name="Make previews").click()
    previews = page.get_by_role("list", name="Previews").get_by_role("listitem")
    expect(previews).to_have_count(3, timeout=60_000)
    page.get_by_role("button", name="Play Preview 2").click()
    assert audio_duration(page, "#design-audio") > 1.0
    page.get_by_label("Name for the designed voice").fill("Deep narrator")
    page.get_by_role("button", name="Keep Preview 2").click()

    row = page.get_by_role("row").filter(has_text="Deep narrator")
    expect(row).to_contain_text("Designed")
    listed = httpx.get(f"{server.url}/v1/voices", headers={"xi-api-key": token}).json()["voices"]
    (kept,) = [voice for voice in listed if voice["name"] == "Deep narrator"]
    assert kept["category"] == "generated"
    page.get_by_role("link", name="Speak").click()
    page.get_by_label("Search voices").fill("Deep narrator")
    expect(page.get_by_label("Voice", exact=True)).to_have_value(kept["voice_id"])

    page.get_by_role("link", name="Voices").click()
    row.get_by_role("button", name="Delete Deep narrator").click()
    expect(row).to_have_count(0)
    expect(page.get_by_text("No voices of your own yet")).to_be_visible()
    page.get_by_role("link", name="Speak").click()
    page.get_by_label("Search voices").fill("Deep narrator")
    expect(page.get_by_label("Voice", exact=True).locator("option")).to_have_count(0)
    listed = httpx.get(f"{server.url}/v1/voices", headers={"xi-api-key": token}).json()["voices"]
    assert all(voice["voice_id"] != kept["voice_id"] for voice in listed)
    watch.assert_clean(server.url)


def test_a_markdown_file_is_sent_as_markdown_for_the_server_to_find_its_chapters(
        server: Server, page: Page, tmp_path: Path) -> None:
    book = tmp_path / "book.md"
    markdown = "# Chapter one\n\nThe **old** keeper read.\n\n## Chapter two\n\nA boat came in.\n"
    book.write_text(markdown, encoding="utf-8")
    sign_in(page, server.url, server.token())
    expect(page.get_by_label("Pause after each chapter, seconds")).to_be_hidden()
    page.get_by_label("Or open a file").set_input_files(book)
    expect(page.get_by_label("Text to speak")).to_have_value(markdown)
    expect(page.get_by_label("Text is")).to_have_value("markdown")
    expect(page.get_by_label("Pause after each chapter, seconds")).to_be_visible()


def test_an_epub_becomes_an_m4b_whose_chapters_the_player_jumps_to(server: Server, page: Page,
                                                                   tmp_path: Path) -> None:
    book = tmp_path / "lighthouse.epub"
    book.write_bytes(epub(EPUB_CHAPTERS, nav_titles=EPUB_TITLES))
    watch = Watch(page)
    token = server.token()
    sign_in(page, server.url, token)
    page.get_by_label("Or open a file").set_input_files(book)
    expect(page.get_by_label("Text is")).to_have_value("epub")
    page.get_by_label("Search voices").fill(VOICE)
    page.get_by_label("Output").select_option("m4b")
    page.get_by_label("Loudness").select_option("audiobook")
    page.get_by_label("Pause after each chapter, seconds").fill("1.5")
    page.get_by_role("button", name="Speak", exact=True).click()

    expect(page.get_by_role("status")).to_contain_text("Completed", timeout=60_000)
    chapters = page.get_by_role("list", name="Chapters").get_by_role("button")
    expect(chapters).to_have_count(len(EPUB_TITLES))
    assert [text.split(" — ", 1)[1] for text in chapters.all_inner_texts()] == EPUB_TITLES
    audio_duration(page, "#player")
    chapters.nth(2).click()
    landed = page.evaluate("document.getElementById('player').currentTime")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download M4B").click()
    task_id = Path(download.value.suggested_filename).stem.removeprefix("voicer-")

    headers = {"Authorization": f"Bearer {token}"}
    task = httpx.get(f"{server.url}/api/v1/voice/status/{task_id}", headers=headers).json()
    assert task["output"] == "m4b"
    marks = httpx.get(f"{server.url}/api/v1/voice/tasks/{task_id}/chunks", headers=headers).json()
    starts = [mark["start"] for mark in marks if mark["chapter"] is not None]
    assert len(starts) == 3 and starts[2] > 0
    assert abs(landed - starts[2]) <= 0.3, (landed, starts)
    watch.assert_clean(server.url)


# Each visible text's colour against the first opaque background behind it: [ratio, text].
CONTRASTS = """() => {
  const rgb = (css) => css.match(/[\\d.]+/g).map(Number);
  const lum = ([r, g, b]) => [r, g, b].map((v) => v / 255)
    .map((v) => (v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4))
    .reduce((sum, v, i) => sum + v * [0.2126, 0.7152, 0.0722][i], 0);
  const behind = (el) => {
    for (; el; el = el.parentElement) {
      const bg = rgb(getComputedStyle(el).backgroundColor);
      if (bg.length === 3 || bg[3] === 1) return bg.slice(0, 3);
    }
    return [255, 255, 255];
  };
  return [...document.querySelectorAll('body *')]
    .filter((el) => el.checkVisibility() && !el.disabled
            && [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim()))
    .map((el) => {
      const [a, b] = [lum(rgb(getComputedStyle(el).color)), lum(behind(el))].sort((x, y) => y - x);
      return [(a + 0.05) / (b + 0.05), el.textContent.trim().slice(0, 30)];
    });
}"""


PAGES = ("speak", "tasks", "stt", "voices", "tools", "account")
LOADED = {"tasks": "#tasks-empty:not([hidden])", "voices": "#voices-empty:not([hidden])",
          "tools": "#sts-voice option", "account": "#stats dd"}  # what each page fetches


def test_every_control_is_labelled_reached_by_keyboard_and_legible(server: Server,
                                                                    page: Page) -> None:
    sign_in(page, server.url, server.token())
    for name in PAGES:
        page.goto(f"{server.url}/#{name}")
        page.wait_for_selector(f"#page-{name}:not([hidden])")
        page.wait_for_selector(LOADED.get(name, "body"))
        texts = page.evaluate(CONTRASTS)
        faint = [(round(ratio, 1), text) for ratio, text in texts if ratio < 7]
        assert len(texts) >= 10 and faint == [], name  # WCAG AAA: 7:1
    page.goto(f"{server.url}/#speak")
    unlabelled = page.evaluate("""() => [...document.querySelectorAll(
        'input, select, textarea, meter, progress')]
        .filter(el => !el.hidden && el.type !== 'hidden' && !el.labels?.length
                && !el.getAttribute('aria-label') && !el.getAttribute('aria-labelledby'))
        .map(el => el.id)""")
    assert unlabelled == []
    page.get_by_label("Text to speak").focus()
    reached = []
    for _ in range(12):
        page.keyboard.press("Tab")
        reached.append(page.evaluate("document.activeElement.id"))
    assert {"text-file", "voice-search", "voice-language", "voice", "voice-preview", "model"} <= set(reached)


def test_the_studio_fits_a_phone(server: Server, browser: Browser) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True,
                                  has_touch=True)
    page = context.new_page()
    sign_in(page, server.url, server.token())
    for name in PAGES:
        page.goto(f"{server.url}/#{name}")
        page.wait_for_selector(f"#page-{name}:not([hidden])")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, name
    context.close()
