"""apply_text_normalization through the real app: what is written is said, and the two
alignments map to the text as sent and as said."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.api.conftest import Api, make_api

VOICE = "en-us-espeak"  # espeak-ng: it reads digits as written, and phonemes


@pytest.fixture(scope="module")
def el(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    yield from make_api(tmp_path_factory.mktemp("norm"), requests_per_minute=10_000)


def key(api: Api) -> dict[str, str]:
    return {"xi-api-key": api.user(100_000)["Authorization"].split()[1]}


def seconds(api: Api, text: str, **body: object) -> float:
    """Seconds of raw engine audio for ``text`` (PCM, nothing trimmed)."""
    answer = api.client.post(f"/v1/text-to-speech/{VOICE}?output_format=pcm_16000",
                             headers=key(api), json={"text": text, **body})
    assert answer.status_code == 200, answer.text
    return len(answer.content) / 32_000


def timed(api: Api, text: str, **body: object) -> dict:
    answer = api.client.post(f"/v1/text-to-speech/{VOICE}/with-timestamps", headers=key(api),
                             json={"text": text, **body})
    assert answer.status_code == 200, answer.text
    return answer.json()


@pytest.mark.parametrize(("text", "said", "language"), [
    ("Due 12/03/2025.", "Due December third, twenty twenty-five.", "en"),
    ("It cost $5.2M.", "It cost five point two million dollars.", "en"),
    ("Оплата 1 200 грн до 12.03.2025.",
     "Оплата одна тисяча двісті гривень до дванадцятого березня дві тисячі двадцять п'ятого року.",
     "uk"),
    ("Д-р Иванов, 5 млн ₽.", "Доктор Иванов, пять миллионов рублей.", "ru"),
])
def test_the_written_form_is_spoken_as_said(el: Api, text: str, said: str,
                                             language: str) -> None:
    options = {"language_code": language}
    normalized = seconds(el, text, **options)
    as_written = seconds(el, text, apply_text_normalization="off", **options)
    # the normalized text, given as it is, sounds the same length as the normalized request
    spelled_out = seconds(el, said, apply_text_normalization="off", **options)
    assert normalized == pytest.approx(spelled_out, abs=0.05)
    assert abs(normalized - as_written) > 0.3
    answer = timed(el, text, **options)
    assert "".join(answer["alignment"]["characters"]) == text
    assert "".join(answer["normalized_alignment"]["characters"]) == said


def test_auto_is_on_for_the_local_engine(el: Api) -> None:
    assert seconds(el, "Due 12/03/2025.") == pytest.approx(
        seconds(el, "Due 12/03/2025.", apply_text_normalization="on"), abs=0.05)


def test_off_keeps_both_alignments_on_the_text_as_sent(el: Api) -> None:
    answer = timed(el, "Due 12/03/2025.", apply_text_normalization="off")
    assert answer["alignment"] == answer["normalized_alignment"]


def test_timestamps_of_a_normalized_span_cover_what_was_said(el: Api) -> None:
    text = "On 12/03/2025 we met."
    answer = timed(el, text)
    alignment, said = answer["alignment"], answer["normalized_alignment"]
    starts, ends = alignment["character_start_times_seconds"], alignment["character_end_times_seconds"]
    date = slice(text.index("12"), text.index("2025") + 4)
    # "12/03/2025" lasts as long as "December third, twenty twenty-five" does
    spoken = "".join(said["characters"])
    first, last = spoken.index("December"), spoken.index(" we")
    said_span = (said["character_end_times_seconds"][last - 1]
                 - said["character_start_times_seconds"][first])
    assert ends[date][-1] - starts[date][0] == pytest.approx(said_span, abs=0.1)
    assert starts[text.index("we")] == pytest.approx(
        said["character_start_times_seconds"][spoken.index("we ")], abs=0.02)
    assert ends[-1] == said["character_end_times_seconds"][-1]


def test_an_unknown_normalization_mode_is_refused_naming_the_field(el: Api) -> None:
    answer = el.client.post(f"/v1/text-to-speech/{VOICE}", headers=key(el),
                            json={"text": "Hi.", "apply_text_normalization": "sometimes"})
    assert answer.status_code in (400, 422)
    assert "apply_text_normalization" in answer.text


def conversation(api: Api, text: str, query: str = "") -> list[dict]:
    with api.client.websocket_connect(f"/v1/text-to-speech/{VOICE}/stream-input"
                                      f"?output_format=pcm_16000{query}", headers=key(api)) as ws:
        ws.send_json({"text": " "})
        ws.send_json({"text": text, "flush": True})
        ws.send_json({"text": ""})
        messages = []
        while not (message := ws.receive_json()).get("isFinal"):
            messages.append(message)
    return [message for message in messages if message.get("alignment")]


def test_the_websocket_normalizes_and_says_so(el: Api) -> None:
    [spoken] = conversation(el, "Due 12/03/2025. ")
    assert "".join(spoken["alignment"]["chars"]).strip() == "Due 12/03/2025."
    assert "".join(spoken["normalizedAlignment"]["chars"]).strip() == (
        "Due December third, twenty twenty-five.")
    [written] = conversation(el, "Due 12/03/2025. ", "&apply_text_normalization=off")
    assert written["normalizedAlignment"] == written["alignment"]


def test_the_websocket_refuses_an_unknown_normalization_mode(el: Api) -> None:
    with el.client.websocket_connect(f"/v1/text-to-speech/{VOICE}/stream-input"
                                     "?apply_text_normalization=maybe", headers=key(el)) as ws:
        ws.send_json({"text": " "})
        refusal = ws.receive_json()
    assert "apply_text_normalization" in refusal["message"]


def task_seconds(api: Api, text: str, **body: object) -> float:
    headers = api.user()
    created = api.client.post("/api/v1/voice/synthesize", headers=headers,
                              json={"text": text, "output_format": "pcm_16000", **body})
    assert created.status_code == 200, created.text
    status = api.wait(created.json()["task_id"], headers)
    assert status["status"] == "completed", status
    return len(api.client.get(f"/api/v1/voice/download/{status['task_id']}",
                              headers=headers).content) / 32_000


def test_a_task_normalizes_unless_told_not_to(el: Api) -> None:
    text = "Сплатіть 1 200 грн до 12.03.2025, будь ласка."
    normalized = task_seconds(el, text)
    assert normalized == pytest.approx(task_seconds(el, text, apply_text_normalization="on"),
                                       abs=0.05)
    assert normalized - task_seconds(el, text, apply_text_normalization="off") > 0.5
    refused = el.client.post("/api/v1/voice/synthesize", headers=el.user(),
                             json={"text": text, "apply_text_normalization": "always"})
    assert refused.status_code == 422 and "apply_text_normalization" in refused.text
