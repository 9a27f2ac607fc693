"""The voice changer (ElevenLabs speech to speech), done honestly with what runs here: the same
words in another voice, on the original's timing.

No voice-conversion model ships its weights on PyPI, so Voicer does not convert the sound of a
voice. It recognises the input (Whisper, with word times), speaks each of its segments — the
stretches between pauses — in the target voice, and lays each where the original segment
began. A segment spoken longer or shorter than the original is spoken again at the pace that
fits it (within the engines' 0.7–1.2 speed range); whatever is left is silence, or the next
segment starts a little later. The pauses of the original are kept; its intonation, emotion
and timbre are not (the target voice's own are heard).

A voice the ElevenLabs upstream speaks is changed there (``relayed``): the upload and its fields
go on to the upstream's own ``/v1/speech-to-speech/{voice_id}``, whose answer comes back as it
is. It is bought the same way: the input is recognised here, its words charged before it goes,
given back if the upstream refuses, and kept in the history with the upstream's audio.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from voicer.accounts import Caller
from voicer.audio import Audio, AudioFormat, concatenate, silence, speech_bounds
from voicer.elevenlabs.billing import Billing, Part, Purchase
from voicer.encoding.resample import resample
from voicer.encoding.streams import encode_whole
from voicer.errors import InvalidInput
from voicer.pipeline.jobs import ChunkJob, RenderSpec
from voicer.pipeline.pool import WorkerPool
from voicer.recognition.base import Recognizer, Segment, Transcript
from voicer.recognition.clip import Clip
from voicer.speech import SpeechPool, SpeechRequest
from voicer.upstream.client import Answer
from voicer.upstream.engine import Upstream
from voicer.voice_settings import VoiceSettings
from voicer.voices import Voice

SLOWEST, FASTEST = 0.7, 1.2  # the speed range every engine takes
_FIT = 0.03  # a segment within 3 % of the original's length is not spoken again


@dataclass(frozen=True, slots=True)
class Changed:
    """The input's words in the target voice, on the input's timeline."""

    audio: Audio
    transcript: Transcript


def bought(billing: Billing, caller: Caller, order: SpeechRequest, clip: Clip,
           recognizer: Recognizer, speech: SpeechPool) -> tuple[bytes, Purchase, Part]:
    """``clip`` heard, its words charged, spoken again in ``order``'s voice and format, and kept
    in the history: one purchase, as text to speech is."""
    transcript = heard(recognizer, clip)
    purchase = billing.open(caller, order)
    part = purchase.charge(transcript.text)
    with purchase, speech.lease() as pool:
        changed = change(transcript, clip.duration, order.voice, order.settings, pool)
        data = encode_whole(changed.audio, order.format)
        purchase.keep(data)
        purchase.delivered(part)
    return data, purchase, part


@dataclass(frozen=True, slots=True)
class Upload:
    """The caller's request as the upstream is to get it: the file, the form fields, the query."""

    file: tuple[str, bytes, str]  # name, bytes, media type
    fields: Mapping[str, str | list[str]]  # a field sent more than once: its values in order
    params: Mapping[str, str]


def relayed(billing: Billing, caller: Caller, order: SpeechRequest, clip: Clip,
            recognizer: Recognizer, upstream: Upstream, upload: Upload) -> tuple[Answer, Purchase, Part]:
    """``clip`` heard and its words charged, then changed by the upstream (``upload``, sent on as
    it came) into ``order``'s voice; its answer kept in the history. One purchase, as locally."""
    transcript = heard(recognizer, clip)
    purchase = billing.open(caller, order)
    part = purchase.charge(transcript.text)
    with purchase:
        answer = upstream.send("POST", f"/v1/speech-to-speech/{order.voice.voice_id}",
                               upload.params, form=upload.fields, files={"audio": upload.file})
        purchase.keep(answer.content)
        purchase.delivered(part)
    return answer, purchase, part


def heard(recognizer: Recognizer, clip: Clip) -> Transcript:
    """What ``clip`` says; ``InvalidInput`` if it says nothing."""
    transcript = recognizer.recognize(clip)
    if not transcript.text.strip():
        raise InvalidInput("audio", "audio: no speech was heard in it")
    return transcript


def change(transcript: Transcript, duration: float, voice: Voice, settings: VoiceSettings,
           pool: WorkerPool) -> Changed:
    """``transcript``'s segments spoken by ``voice`` at their times, ``duration`` seconds in all
    (longer only where the voice could not keep up)."""
    segments = [segment for segment in transcript.segments if segment.text.strip()]
    spoken = fitted(segments, voice, settings, pool, transcript.language)
    return Changed(laid(list(zip(segments, spoken, strict=True)), duration), transcript)


def laid(spoken: list[tuple[Segment, Audio]], duration: float) -> Audio:
    """Each piece of speech where its segment starts (or just after the one before it), with
    silence between and to ``duration`` seconds."""
    fmt = spoken[0][1].format if spoken else AudioFormat(24_000)
    pieces: list[Audio] = []
    at = 0  # samples laid so far
    for segment, audio in spoken:
        start = max(at, round(segment.start * fmt.rate))
        pieces += [Audio(silence(start - at), fmt), audio]
        at = start + len(audio)
    total = max(at, round(duration * fmt.rate))
    pieces.append(Audio(silence(total - at), fmt))
    return concatenate(pieces, fmt)


def fitted(segments: list[Segment], voice: Voice, settings: VoiceSettings, pool: WorkerPool,
           language: str) -> list[Audio]:
    """Each segment spoken in ``voice`` (at 24 kHz), then again at the pace that fits its
    time."""
    first = _speak(segments, voice, settings, [settings.speed] * len(segments), pool, language)
    paces = [_pace(settings.speed, len(audio) / audio.rate, segment.end - segment.start)
             for segment, audio in zip(segments, first, strict=True)]
    again = [i for i, pace in enumerate(paces) if abs(pace - settings.speed) > _FIT * pace]
    refit = dict(zip(again, _speak([segments[i] for i in again], voice, settings,
                                   [paces[i] for i in again], pool, language), strict=True))
    return [refit.get(i, first[i]) for i in range(len(segments))]


def _speak(segments: list[Segment], voice: Voice, settings: VoiceSettings, paces: list[float],
           pool: WorkerPool, language: str) -> list[Audio]:
    """Each segment's speech, its own silences trimmed, at 24 kHz whatever the engine's rate."""
    spoken: list[Audio] = []
    for segment, pace in zip(segments, paces, strict=True):  # one pace per spec
        spec = RenderSpec(voice, settings.model_copy(update={"speed": pace}), None)
        (piece,) = pool.speak(spec, [ChunkJob(0, segment.text.strip(), language, None)])
        start, end = speech_bounds(piece.audio.samples)
        spoken.append(resample(piece.audio[start:end], 24_000))
    return spoken


def _pace(speed: float, spoken: float, wanted: float) -> float:
    """The speed at which ``spoken`` seconds (at ``speed``) would last ``wanted``."""
    if wanted <= 0 or spoken <= 0:
        return speed
    return float(np.clip(speed * spoken / wanted, SLOWEST, FASTEST))
