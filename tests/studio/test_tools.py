"""The studio's audio tools page, driven by Chromium: isolation, the voice changer, sound effects
and dubbing, each on audio made here, what comes back played, downloaded and measured."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import numpy as np
import pytest
from playwright.sync_api import Locator, Page, expect

from tests.api.conftest import Server
from tests.audio_tools import decode, median_pitch
from tests.recognition.speech import RACHEL, wav
from tests.studio.browsing import Watch, audio_duration, sign_in
from tests.waiting import wait_until

RATE = 24_000
SAID = "The weather was calm on the morning of the first day."
LEAD = 0.6  # seconds of noise alone before the speech


@pytest.fixture(scope="module")
def token(server: Server) -> str:
    return server.token(characters=200_000)


@pytest.fixture(scope="module")
def speech(server: Server, token: str) -> np.ndarray:
    """SAID in a female espeak voice, 24 kHz, 16-bit."""
    answer = httpx.post(f"{server.url}/v1/text-to-speech/{RACHEL}", headers={"xi-api-key": token},
                        params={"output_format": f"pcm_{RATE}"}, json={"text": SAID}, timeout=60)
    answer.raise_for_status()
    return np.frombuffer(answer.content, "<i2")


@pytest.fixture(scope="module")
def spoken(speech: np.ndarray, tmp_path_factory: pytest.TempPathFactory) -> Path:
    clip = tmp_path_factory.mktemp("clips") / "weather.wav"
    clip.write_bytes(wav(speech, RATE))
    return clip


def tools(page: Page, server: Server, token: str) -> Watch:
    watch = Watch(page)
    sign_in(page, server.url, token)
    page.get_by_role("link", name="Tools").click()
    return watch


def made_seconds(form: Locator, said: str = "Made") -> float:
    """The seconds of audio the form's status says it made."""
    status = form.get_by_role("status")
    expect(status).to_contain_text(f"{said}:", timeout=120_000)
    found = re.search(r"([\d.]+) s of audio", status.inner_text())
    assert found, status.inner_text()
    return float(found.group(1))


def plays(page: Page, selector: str) -> None:
    """The audio element starts and its position moves on."""
    audio_duration(page, selector)
    page.locator(selector).evaluate("audio => audio.play()")
    wait_until(lambda: page.locator(selector).evaluate("audio => audio.currentTime > 0.2"), 10,
               f"{selector} playing")


def downloaded(page: Page, form: Locator, name: str, folder: Path) -> Path:
    with page.expect_download() as download:
        form.get_by_role("link", name=name).click()
    saved = folder / download.value.suggested_filename
    download.value.save_as(saved)
    return saved


def rms(samples: np.ndarray) -> float:
    return float(np.sqrt(np.mean(np.square(samples.astype(np.float64)))))


def test_isolation_takes_the_noise_out_of_a_clip(server: Server, token: str, speech: np.ndarray,
                                                  page: Page, tmp_path: Path) -> None:
    noise = np.random.default_rng(7).normal(0, 0.3 * rms(speech), len(speech) + int(LEAD * RATE))
    noisy = noise.copy()
    noisy[int(LEAD * RATE):] += speech
    clip = tmp_path / "noisy.wav"
    clip.write_bytes(wav(np.clip(noisy, -32_768, 32_767).astype("<i2"), RATE))
    watch = tools(page, server, token)
    form = page.locator("#isolate-form")
    form.get_by_label("Recording to clean").set_input_files(clip)
    form.get_by_role("button", name="Isolate the speech").click()

    seconds = made_seconds(form)
    assert seconds == pytest.approx(len(noisy) / RATE, abs=0.15)
    plays(page, "#isolate-audio")
    cleaned = decode(downloaded(page, form, "Download isolated speech", tmp_path))
    assert cleaned.duration == pytest.approx(len(noisy) / RATE, abs=0.15)
    lead_before = rms(noisy[:int(0.5 * RATE)]) / 32_768
    lead_after = rms(cleaned.samples[:int(0.5 * cleaned.rate)])
    assert lead_after < 0.1 * lead_before, (lead_after, lead_before)  # the noise alone is gone
    assert rms(cleaned.samples) > 0.3 * rms(speech) / 32_768  # the speech stays
    watch.assert_clean(server.url)


def test_a_sound_effect_of_two_seconds(server: Server, token: str, page: Page,
                                       tmp_path: Path) -> None:
    watch = tools(page, server, token)
    form = page.locator("#sound-form")
    expect(form.get_by_text("Sounds this server makes itself")).to_contain_text("rain")
    form.get_by_label("Describe the sound").fill("rain")
    form.get_by_label("Duration, seconds").fill("2")
    form.get_by_role("button", name="Make the sound").click()

    assert made_seconds(form) == pytest.approx(2.0, abs=0.1)
    plays(page, "#sound-audio")
    saved = downloaded(page, form, "Download sound effect", tmp_path)
    assert saved.name == "rain.mp3"
    assert decode(saved).duration == pytest.approx(2.0, abs=0.1)
    watch.assert_clean(server.url)


def test_the_voice_changer_says_a_clip_again_in_the_chosen_voice(
        server: Server, token: str, speech: np.ndarray, spoken: Path, page: Page,
        tmp_path: Path) -> None:
    watch = tools(page, server, token)
    form = page.locator("#sts-form")
    form.get_by_label("Recording to change").set_input_files(spoken)
    form.get_by_label("Search target voices").fill("en-us-joe")
    expect(form.get_by_label("Target voice", exact=True)).to_have_value("en-us-joe")
    form.get_by_role("button", name="Change the voice").click()
    expect(form.get_by_role("button", name="Change the voice")).to_be_disabled()  # busy

    seconds = made_seconds(form)
    assert seconds == pytest.approx(len(speech) / RATE, rel=0.15)
    plays(page, "#sts-audio")
    saved = downloaded(page, form, "Download changed voice", tmp_path)
    assert saved.name == "weather-en-us-joe.mp3"
    changed = decode(saved)
    given = speech.astype(np.float32) / 32_768
    assert median_pitch(changed.samples, changed.rate) <= 0.85 * median_pitch(given, RATE)
    watch.assert_clean(server.url)


def test_a_clip_is_dubbed_in_its_own_language_and_played(
        server: Server, token: str, speech: np.ndarray, spoken: Path, page: Page,
        tmp_path: Path) -> None:
    watch = tools(page, server, token)
    form = page.locator("#dub-form")
    form.get_by_label("Audio or video to dub").set_input_files(spoken)
    form.get_by_label("Spoken language").select_option("en")
    form.get_by_label("Dub into").select_option("en")
    form.get_by_label("Speakers").fill("1")
    form.get_by_role("button", name="Dub", exact=True).click()
    expect(form.get_by_role("status")).to_contain_text(re.compile(r"Dubbing · \d+%"))
    expect(form.get_by_role("button", name="Dub", exact=True)).to_be_disabled()

    seconds = made_seconds(form, "Dubbed")
    assert seconds == pytest.approx(len(speech) / RATE, abs=0.5)
    plays(page, "#dub-audio")
    saved = downloaded(page, form, "Download dub", tmp_path)
    assert saved.name == "weather-en.mp3"
    assert decode(saved).duration == pytest.approx(seconds, abs=0.1)
    dubs = httpx.get(f"{server.url}/v1/dubbing", headers={"xi-api-key": token}).json()["dubs"]
    assert [dub["status"] for dub in dubs] == ["dubbed"]
    watch.assert_clean(server.url)


def test_a_text_file_is_refused_with_the_apis_message(server: Server, token: str, page: Page,
                                                      tmp_path: Path) -> None:
    text = tmp_path / "notes.txt"
    text.write_text("Not audio at all.\n", encoding="utf-8")
    refused = httpx.post(f"{server.url}/v1/audio-isolation", headers={"xi-api-key": token},
                         files={"audio": ("notes.txt", text.read_bytes(), "text/plain")})
    assert refused.status_code == 400
    watch = tools(page, server, token)
    form = page.locator("#isolate-form")
    form.get_by_label("Recording to clean").set_input_files(text)
    form.get_by_role("button", name="Isolate the speech").click()

    expect(page.get_by_role("alert")).to_have_text(refused.json()["detail"]["message"])
    expect(form.get_by_role("button", name="Isolate the speech")).to_be_enabled()
    expect(form.get_by_role("status")).to_have_text("")
    watch.assert_clean(server.url, refused=("400 /v1/audio-isolation",))


CONTROLS = ["isolate-file", "isolate-submit", "sts-file", "sts-voice-search", "sts-voice-language",
            "sts-voice", "sts-voice-preview", "sts-output", "sts-denoise", "sts-submit",
            "sound-text", "sound-seconds", "sound-loop", "sound-submit", "dub-file", "dub-source",
            "dub-target", "dub-speakers", "dub-submit"]


def test_every_tool_is_reached_by_keyboard_in_order_with_its_focus_shown(
        server: Server, token: str, page: Page) -> None:
    tools(page, server, token)
    page.wait_for_selector("#sts-voice option")
    page.get_by_role("link", name="Tools").focus()
    outlines = {}  # of each control reached
    for _ in range(len(CONTROLS) + 4):
        page.keyboard.press("Tab")
        focused = page.evaluate("document.activeElement.id")
        if focused in CONTROLS:
            outlines[focused] = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert list(outlines) == CONTROLS
    assert set(outlines.values()) == {"solid"}
