"""A completed task's captions: parsed by standard parsers, on the audio's clock to ±50 ms
at its start, its end and around the pauses between chunks, in the ZIP as well, and heard by
Whisper where they say."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
import srt
import webvtt

from tests.api.conftest import Api
from tests.audio_tools import Decoded, decode_as
from voicer.recognition.clip import decode
from voicer.recognition.wer import word_error_rate, words
from voicer.recognition.whisper import WhisperRecognizer

PAUSE = 1.5
TEXT = ("The weather was calm on the morning of the first day. We walked along the river.\n\n"
        "Later that afternoon, while their parents cooked dinner in the small kitchen, the "
        "children played in the garden until the sun went down behind the hills.")
NEAR = 0.05  # seconds: how close a cue's edge is to the sound it captions


def spoken(api: Api, voice: str, split_output: bool = False) -> tuple[str, dict[str, str], bytes]:
    """TEXT as a task, a paragraph a chunk with PAUSE after the first; its id, the caller's
    headers, and its download."""
    headers = api.user()
    created = api.client.post("/api/v1/voice/synthesize", headers=headers, json={
        "text": TEXT, "voice_id": voice, "split_type": "paragraphs", "split_output": split_output,
        "auto_pause_enabled": True, "auto_pause_duration": PAUSE})
    assert created.status_code == 200, created.text
    status = api.wait(created.json()["task_id"], headers)
    assert status["status"] == "completed", status
    return status["task_id"], headers, api.client.get(status["download_url"], headers=headers).content


def captions(api: Api, task_id: str, headers: dict[str, str], kind: str) -> str:
    answer = api.client.get(f"/api/v1/voice/tasks/{task_id}/captions", params={"format": kind},
                            headers=headers)
    assert answer.status_code == 200, answer.text
    return answer.text


def check_against(subtitles: list[srt.Subtitle], audio: Decoded) -> None:
    """Cues of sensible size that start and end with the sound, and leave the pause empty."""
    for subtitle in subtitles:
        lines = subtitle.content.split("\n")
        assert len(lines) <= 2 and all(len(line) <= 42 for line in lines), subtitle.content
        assert 0 < (subtitle.end - subtitle.start).total_seconds() <= 7.0
    starts = [subtitle.start.total_seconds() for subtitle in subtitles]
    ends = [subtitle.end.total_seconds() for subtitle in subtitles]
    first, last = audio.sound_span()
    assert starts[0] == pytest.approx(first, abs=NEAR)
    assert ends[-1] == pytest.approx(last, abs=NEAR)
    (gap_start, gap), = audio.gaps(minimum=1.0)  # the pause between the paragraphs
    assert gap == pytest.approx(PAUSE, abs=0.03)
    before = max(end for end in ends if end < gap_start + gap / 2)
    after = min(start for start in starts if start > gap_start + gap / 2)
    assert before == pytest.approx(gap_start, abs=NEAR)
    assert after == pytest.approx(gap_start + gap, abs=NEAR)
    said = " ".join(subtitle.content.replace("\n", " ") for subtitle in subtitles)
    assert said == " ".join(TEXT.split())


@pytest.mark.parametrize("voice", ["en-us-espeak", "en-us-joe", "en-us-heart"])
def test_captions_follow_the_audio(api: Api, voice: str) -> None:
    task_id, headers, data = spoken(api, voice)
    audio = decode_as(data, "mp3_44100")
    subtitles = list(srt.parse(captions(api, task_id, headers, "srt")))
    assert len(subtitles) >= 4  # two sentences, then one too long for a single cue
    check_against(subtitles, audio)
    cues = webvtt.from_buffer(io.StringIO(captions(api, task_id, headers, "vtt")))
    assert [cue.text for cue in cues] == [subtitle.content for subtitle in subtitles]
    assert [cue.end for cue in cues] == [srt.timedelta_to_srt_timestamp(subtitle.end)
                                         .replace(",", ".") for subtitle in subtitles]
    words = json.loads(captions(api, task_id, headers, "json"))
    assert " ".join(word["text"] for word in words["words"]) == " ".join(TEXT.split())
    assert all(TEXT[word["text_offset"]:].startswith(word["text"].rstrip(".,"))
               for word in words["words"])
    assert words["duration"] == pytest.approx(audio.duration, abs=0.01)


def test_a_zipped_task_holds_its_captions(api: Api) -> None:
    task_id, headers, data = spoken(api, "en-us-espeak", split_output=True)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert {"captions.srt", "captions.vtt", "captions.json"} <= set(archive.namelist())
        kept = archive.read("captions.srt").decode()
        assert webvtt.from_buffer(io.StringIO(archive.read("captions.vtt").decode()))
    assert kept == captions(api, task_id, headers, "srt")
    assert len(list(srt.parse(kept))) >= 4


def test_captions_only_of_ones_own_completed_task(api: Api) -> None:
    headers = api.user()
    created = api.client.post("/api/v1/voice/synthesize", headers=headers,
                              json={"text": TEXT * 20, "voice_id": "en-us-espeak"}).json()
    early = api.client.get(f"/api/v1/voice/tasks/{created['task_id']}/captions", headers=headers)
    assert early.status_code == 409
    stranger = api.client.get(f"/api/v1/voice/tasks/{created['task_id']}/captions",
                              headers=api.user())
    assert stranger.status_code == 404
    api.client.delete(f"/api/v1/voice/tasks/{created['task_id']}", headers=headers)


def test_each_cue_is_heard_at_its_time(api: Api, recognizer: WhisperRecognizer) -> None:
    """Whisper's words heard within a cue's times (±0.2 s) are the cue's words."""
    task_id, headers, data = spoken(api, "en-us-joe")
    heard = recognizer.recognize(decode(io.BytesIO(data), 60), "en").words
    for cue in srt.parse(captions(api, task_id, headers, "srt")):
        start, end = cue.start.total_seconds() - 0.2, cue.end.total_seconds() + 0.2
        inside = " ".join(word.text for word in heard if start <= (word.start + word.end) / 2 <= end)
        assert word_error_rate(cue.content.replace("\n", " "), inside) <= 0.2, (cue, inside)


@pytest.mark.parametrize("voice", ["en-us-heart", "en-us-joe"])
def test_a_cue_inside_a_sentence_starts_with_its_word(api: Api, recognizer: WhisperRecognizer,
                                                      voice: str) -> None:
    """A long sentence's second cue starts where Whisper hears its first word (±50 ms), on the
    neural engines' own durations: the letter-count estimate put joe's 0.3 s early."""
    task_id, headers, data = spoken(api, voice)
    heard = recognizer.recognize(decode(io.BytesIO(data), 60), "en").words
    inside = [cue for cue in srt.parse(captions(api, task_id, headers, "srt"))
              if cue.content[0].islower()]
    assert inside  # "the children played …"
    for cue in inside:
        first = words(cue.content)[0]
        start = cue.start.total_seconds()
        said = [word.start for word in heard if (words(word.text) or [""])[0] == first]
        assert min(abs(at - start) for at in said) <= NEAR, (cue, said)
