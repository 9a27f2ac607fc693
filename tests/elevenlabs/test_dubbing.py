"""Dubbing through the official SDK against a live Voicer: a two-speaker clip made here is
dubbed in its own language, its resource edited and rendered again, and what cannot be done
locally is refused."""

from __future__ import annotations

import io
import time
import wave
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest
from elevenlabs import ElevenLabs
from elevenlabs.core.api_error import ApiError

from tests.api.conftest import Server
from tests.audio_tools import Decoded, decode, median_pitch
from tests.elevenlabs.conftest import sdk_on
from tests.recognition.speech import ADAM, RACHEL, wav
from voicer.recognition.clip import decode as decode_clip
from voicer.recognition.wer import word_error_rate
from voicer.recognition.whisper import WhisperRecognizer

HER = ("The weather was calm on the morning of the first day. We walked along the river and "
       "talked about the book we had read.")
HIM = ("Later that afternoon, the children played in the garden while their parents cooked "
       "dinner. In the evening we sat by the window and listened to the rain.")
RATE = 24_000
PAUSE = 0.8  # seconds between the turns


@dataclass(frozen=True)
class Dialogue:
    wav: bytes
    turn: float  # when the second speaker starts, s
    duration: float


@dataclass(frozen=True)
class Live:
    server: Server
    client: ElevenLabs


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory, whisper_dir: Path) -> Iterator[Live]:
    with sdk_on(tmp_path_factory.mktemp("dubbing"), {"VOICER_STT_MODEL": str(whisper_dir)},
                characters=200_000) as (server, client):
        yield Live(server, client)


@pytest.fixture(scope="module")
def dialogue(live: Live) -> Dialogue:
    """A female turn, a pause, a male turn, as one WAV."""
    turns = [np.frombuffer(b"".join(live.client.text_to_speech.convert(
        voice, text=text, output_format=f"pcm_{RATE}")), "<i2") for voice, text in
        ((RACHEL, HER), (ADAM, HIM))]
    samples = np.concatenate([turns[0], np.zeros(int(PAUSE * RATE), "<i2"), turns[1]])
    return Dialogue(wav(samples, RATE), (len(turns[0]) + PAUSE * RATE) / RATE, len(samples) / RATE)


@pytest.fixture(scope="module")
def dubbed(live: Live, dialogue: Dialogue) -> str:
    """The dialogue dubbed in English, its id once done."""
    made = live.client.dubbing.create(file=("dialogue.wav", dialogue.wav, "audio/wav"),
                                      source_lang="en", target_lang="en", num_speakers=2,
                                      name="two voices")
    assert made.expected_duration_sec > 0
    return _done(live.client, made.dubbing_id).dubbing_id


def test_a_dialogue_is_dubbed_in_two_voices_on_its_timing(
        live: Live, dialogue: Dialogue, dubbed: str, recognizer: WhisperRecognizer) -> None:
    project = live.client.dubbing.get(dubbed)
    assert project.status == "dubbed" and project.target_languages == ["en"]
    assert project.source_language == "en" and project.name == "two voices"
    listed = live.client.dubbing.list(dubbing_status="dubbed", page_size=10)
    assert dubbed in [dub.dubbing_id for dub in listed.dubs] and not listed.has_more
    audio = b"".join(live.client.dubbing.audio.get(dubbed, "en"))
    given, made = _floats(dialogue.wav), decode(audio)
    assert made.duration == pytest.approx(dialogue.duration, rel=0.10)
    heard_in = recognizer.recognize(decode_clip(io.BytesIO(dialogue.wav), 600)).text
    heard_out = recognizer.recognize(decode_clip(io.BytesIO(audio), 600)).text
    assert word_error_rate(heard_in, heard_out) <= 0.15
    ratio_in = _pitch(given, 0, dialogue.turn) / _pitch(given, dialogue.turn, dialogue.duration)
    ratio_out = _pitch(made, 0, dialogue.turn) / _pitch(made, dialogue.turn, dialogue.duration)
    assert ratio_in > 1.3 and ratio_out > 1.3  # her turn is higher than his, in both


def test_a_segment_edited_is_heard_after_a_render(live: Live, dubbed: str,
                                                  recognizer: WhisperRecognizer) -> None:
    client = live.client
    resource = client.dubbing.resource.get(dubbed)
    assert len(resource.speaker_tracks) == 2
    segment_id, segment = next((key, value) for key, value in resource.speaker_segments.items()
                               if "river" in (value.dubs["en"].text or ""))
    edited = (segment.dubs["en"].text or "").replace("river", "harbour")
    before = client.user.subscription.get().character_count
    version = client.dubbing.resource.segment.update(dubbed, segment_id, "en", text=edited)
    assert version.version == resource.version + 1
    assert client.dubbing.resource.get(dubbed).speaker_segments[segment_id].dubs["en"].audio_stale
    render = client.dubbing.resource.render(dubbed, "en", render_type="mp3")
    deadline = time.monotonic() + 120
    while client.dubbing.resource.get(dubbed).renders["en"].status != "complete":
        assert time.monotonic() < deadline, "the render did not complete"
        time.sleep(0.5)
    after = client.dubbing.resource.get(dubbed)
    assert after.renders["en"].id == render.render_id
    assert not after.speaker_segments[segment_id].dubs["en"].audio_stale
    assert client.user.subscription.get().character_count - before == len(edited)
    audio = b"".join(client.dubbing.audio.get(dubbed, "en"))
    assert "harbour" in recognizer.recognize(decode_clip(io.BytesIO(audio), 600)).text.lower() \
        .replace("harbor", "harbour")
    srt = client.dubbing.transcript.get_transcript_for_dub(dubbed, "en", format_type="srt")
    assert "harbour" in str(srt) and "-->" in str(srt)


def test_segments_are_added_and_deleted(live: Live, dubbed: str) -> None:
    client = live.client
    resource = client.dubbing.resource.get(dubbed)
    speaker = next(iter(resource.speaker_tracks))
    added = client.dubbing.resource.speaker.segment.create(
        dubbed, speaker, start_time=0.1, end_time=0.9, text="Hello.")
    grown = client.dubbing.resource.get(dubbed)
    assert added.new_segment in grown.speaker_tracks[speaker].segments
    assert grown.speaker_segments[added.new_segment].dubs["en"].audio_stale
    client.dubbing.resource.segment.delete(dubbed, added.new_segment)
    assert added.new_segment not in client.dubbing.resource.get(dubbed).speaker_segments
    with pytest.raises(ApiError) as refused:
        client.dubbing.resource.speaker.segment.create(dubbed, speaker, start_time=2,
                                                       end_time=1, text="Backwards.")
    assert refused.value.status_code == 400 and "start_time" in str(refused.value.body)


def test_a_segment_transcribed_again_has_the_words_of_its_audio(live: Live,
                                                                 dubbed: str) -> None:
    client = live.client
    resource = client.dubbing.resource.get(dubbed)
    first = min(resource.speaker_segments.values(), key=lambda segment: segment.start_time)
    speaker = next(track.id for track in resource.speaker_tracks.values()
                   if first.id in track.segments)
    added = client.dubbing.resource.speaker.segment.create(
        dubbed, speaker, start_time=first.start_time, end_time=first.end_time, text="Hello.")
    before = client.user.subscription.get().character_count
    version = client.dubbing.resource.transcribe(dubbed, segments=[added.new_segment]).version
    heard = client.dubbing.resource.get(dubbed)
    assert heard.version == version == added.version + 1
    segment = heard.speaker_segments[added.new_segment]
    assert word_error_rate(first.text or "", segment.text or "") <= 0.2  # the same audio
    assert segment.dubs["en"].text == "Hello."  # the dub is left as it was
    assert client.user.subscription.get().character_count > before  # charged as speech to text

    client.dubbing.resource.translate(dubbed, segments=[added.new_segment], languages=["en"])
    dub = client.dubbing.resource.get(dubbed).speaker_segments[added.new_segment].dubs["en"]
    assert dub.text == segment.text and dub.audio_stale
    with pytest.raises(ApiError) as refused:
        client.dubbing.resource.translate(dubbed, segments=[added.new_segment], languages=["de"])
    assert refused.value.status_code == 400
    assert "languages" in str(refused.value.body) and "upstream" in str(refused.value.body)
    client.dubbing.resource.segment.delete(dubbed, added.new_segment)


def test_segments_dubbed_again_are_rendered_and_charged(live: Live, dubbed: str) -> None:
    client = live.client
    resource = client.dubbing.resource.get(dubbed)
    segment_id, segment = next(iter(resource.speaker_segments.items()))
    assert not segment.dubs["en"].audio_stale
    before = client.user.subscription.get().character_count
    client.dubbing.resource.dub(dubbed, segments=[segment_id], languages=["en"])
    render = _rendered(client, dubbed)
    assert render.id != (resource.renders["en"].id if "en" in resource.renders else None)
    after = client.dubbing.resource.get(dubbed)
    assert not after.speaker_segments[segment_id].dubs["en"].audio_stale
    assert client.user.subscription.get().character_count - before == len(
        segment.dubs["en"].text or "")


def test_segments_moved_to_another_speaker_are_spoken_in_its_voice(
        live: Live, dialogue: Dialogue, dubbed: str) -> None:
    client = live.client
    resource = client.dubbing.resource.get(dubbed)
    first = min(resource.speaker_segments.values(), key=lambda segment: segment.start_time)
    her = next(track for track in resource.speaker_tracks.values() if first.id in track.segments)
    him = next(track for track in resource.speaker_tracks.values() if track.id != her.id)
    moved = client.dubbing.resource.migrate_segments(dubbed, segment_ids=list(her.segments),
                                                     speaker_id=him.id)
    tracks = client.dubbing.resource.get(dubbed).speaker_tracks
    assert moved.version == resource.version + 1 and tracks[her.id].segments == []
    assert set(tracks[him.id].segments) == set(her.segments) | set(him.segments)
    with pytest.raises(ApiError) as unknown:
        client.dubbing.resource.migrate_segments(dubbed, segment_ids=[first.id],
                                                 speaker_id="nobody")
    assert unknown.value.status_code == 404
    client.dubbing.resource.render(dubbed, "en", render_type="mp3")
    _rendered(client, dubbed)
    made = decode(b"".join(client.dubbing.audio.get(dubbed, "en")))
    # her turn is now spoken in his voice: no higher than his own
    assert _pitch(made, 0, dialogue.turn) < 1.15 * _pitch(made, dialogue.turn, dialogue.duration)


def test_another_language_without_the_upstream_is_refused(live: Live,
                                                          dialogue: Dialogue) -> None:
    before = live.client.user.subscription.get().character_count
    with pytest.raises(ApiError) as refused:
        live.client.dubbing.create(file=("dialogue.wav", dialogue.wav), source_lang="en",
                                   target_lang="de")
    assert refused.value.status_code == 400
    assert "target_lang" in str(refused.value.body) and "upstream" in str(refused.value.body)
    assert live.client.user.subscription.get().character_count == before


def test_silence_fails_and_is_refunded(live: Live) -> None:
    before = live.client.user.subscription.get().character_count
    made = live.client.dubbing.create(file=("silence.wav", wav(np.zeros(2 * RATE, "<i2"), RATE)),
                                      target_lang="en")
    failed = _done(live.client, made.dubbing_id, "failed")
    assert failed.error is not None and "no speech" in failed.error
    assert live.client.user.subscription.get().character_count == before


def test_another_users_dubbing_is_not_found_and_deleting_ends_it(live: Live,
                                                                 dubbed: str) -> None:
    with httpx.Client(timeout=60) as connection:
        stranger = ElevenLabs(base_url=live.server.url, api_key=live.server.token(),
                              httpx_client=connection)
        calls: list[Any] = [
            lambda: stranger.dubbing.get(dubbed),
            lambda: b"".join(stranger.dubbing.audio.get(dubbed, "en")),
            lambda: stranger.dubbing.resource.get(dubbed),
            lambda: stranger.dubbing.resource.render(dubbed, "en", render_type="mp3"),
            lambda: stranger.dubbing.delete(dubbed),
        ]
        for call in calls:
            with pytest.raises(ApiError) as hidden:
                call()
            assert hidden.value.status_code == 404
        assert stranger.dubbing.list().dubs == []
    assert live.client.dubbing.delete(dubbed).status == "ok"
    with pytest.raises(ApiError) as gone:
        live.client.dubbing.get(dubbed)
    assert gone.value.status_code == 404


def _done(client: ElevenLabs, dubbing_id: str, status: str = "dubbed") -> Any:
    deadline = time.monotonic() + 180
    while (project := client.dubbing.get(dubbing_id)).status == "dubbing":
        assert time.monotonic() < deadline, "the dubbing did not finish"
        time.sleep(0.5)
    assert project.status == status, project.error
    return project


def _rendered(client: ElevenLabs, dubbing_id: str) -> Any:
    """The render of English, once complete."""
    deadline = time.monotonic() + 120
    while (render := client.dubbing.resource.get(dubbing_id).renders["en"]).status != "complete":
        assert render.status == "processing", render.status
        assert time.monotonic() < deadline, "the render did not complete"
        time.sleep(0.5)
    return render


def _pitch(audio: Decoded, start: float, end: float) -> float:
    return median_pitch(audio.samples[int(start * audio.rate):int(end * audio.rate)], audio.rate)


def _floats(data: bytes) -> Decoded:
    with wave.open(io.BytesIO(data)) as file:
        samples = np.frombuffer(file.readframes(file.getnframes()), "<i2")
        return Decoded(samples.astype(np.float32) / 32768, file.getframerate(), "pcm")


