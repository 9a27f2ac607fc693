"""A dubbing's resource: its speakers and segments, each segment's text in the source language
and its dub in the target, as ElevenLabs' dubbing resource shows them, and the edits made to
it (a segment's text or times changed, a segment added or removed).

The SDK's other resource calls work on it too: ``transcribe`` puts what is heard again in
segments' source text, ``translate`` copies a segment's source text into its dub (the only
translation done locally: the dub speaks the source language), ``dub`` marks segments' dubs to
be spoken again at the render it starts, ``migrate_segments`` moves segments to another speaker
(their dubs then spoken in that speaker's voice).

It is kept as JSON in the project's row: ``version`` counts the edits; a dub whose text or
times changed since its audio was made is ``audio_stale`` until the language is rendered again.
"""

from __future__ import annotations

import copy
from typing import Any

from voicer.errors import InvalidInput, NotFound
from voicer.recognition.base import Segment, Transcript

Resource = dict[str, Any]
UNTRANSLATED = ("languages: {language} is not this dubbing's source language ({source}); Voicer "
                "translates locally only into the source language (re-voicing: no translation "
                "model ships its weights here), and other languages need the ElevenLabs "
                "upstream: create the dubbing with that target_lang and "
                "VOICER_ELEVENLABS_API_KEY set")


def built(transcript: Transcript, voices: dict[str, str], source: str, target: str) -> Resource:
    """The resource of a dubbing that heard ``transcript`` and speaks each speaker in
    ``voices[speaker]``."""
    speakers: dict[str, Any] = {}
    segments: dict[str, Any] = {}
    for index, segment in enumerate(s for s in transcript.segments if s.text.strip()):
        segment_id = f"segment_{index}"
        speaker = segment.speaker or "speaker_0"
        speakers.setdefault(speaker, {"name": speaker, "voices": {target: voices[speaker]},
                                      "segments": []})["segments"].append(segment_id)
        text = segment.text.strip()
        segments[segment_id] = {"speaker": speaker, "start": segment.start, "end": segment.end,
                                "text": text, "dubs": {target: _dub(segment.start, segment.end,
                                                                   text)}}
    return {"version": 0, "source_language": source, "target_languages": [target],
            "speakers": speakers, "segments": segments, "next_segment": len(segments),
            "renders": {}}


def updated(resource: Resource, segment_id: str, language: str, start: float | None,
            end: float | None, text: str | None) -> Resource:
    """``segment_id``'s dub in ``language`` with new times or text; its audio is stale."""
    changed = copy.deepcopy(resource)
    dub = _segment(changed, segment_id)["dubs"].get(language)
    if dub is None:
        raise NotFound(f"segment {segment_id} has no dub in {language}: the dubbing's "
                       f"languages are {', '.join(changed['target_languages'])}")
    start = dub["start_time"] if start is None else start
    end = dub["end_time"] if end is None else end
    _check_times(start, end)
    dub.update(start_time=start, end_time=end, audio_stale=True)
    if text is not None:
        if not text.strip():
            raise InvalidInput("text", "text must hold words; delete the segment to drop it")
        dub["text"] = text.strip()
    return _next(changed)


def removed(resource: Resource, segment_id: str) -> Resource:
    changed = copy.deepcopy(resource)
    segment = _segment(changed, segment_id)
    del changed["segments"][segment_id]
    changed["speakers"][segment["speaker"]]["segments"].remove(segment_id)
    return _next(changed)


def added(resource: Resource, speaker_id: str, start: float, end: float, text: str | None,
          translations: dict[str, str | None] | None) -> tuple[Resource, str]:
    """A new segment of ``speaker_id``'s, with its dub in each language (its translation there,
    else ``text``); its audio is made at the next render."""
    changed = copy.deepcopy(resource)
    speaker = changed["speakers"].get(speaker_id)
    if speaker is None:
        raise NotFound(f"speaker {speaker_id} not found in this dubbing; its speakers are "
                       f"{', '.join(changed['speakers'])}")
    _check_times(start, end)
    segment_id = f"segment_{changed['next_segment']}"
    changed["next_segment"] += 1
    source = (text or "").strip()
    dubs = {}
    for language in changed["target_languages"]:
        said = ((translations or {}).get(language) or source).strip()
        dubs[language] = {**_dub(start, end, said), "audio_stale": True}
    changed["segments"][segment_id] = {"speaker": speaker_id, "start": start, "end": end,
                                       "text": source, "dubs": dubs}
    speaker["segments"].append(segment_id)
    return _next(changed), segment_id


def chosen(resource: Resource, segment_ids: list[str]) -> list[str]:
    """``segment_ids`` (none: every segment), each one of the resource's, else ``NotFound``."""
    for segment_id in segment_ids:
        _segment(resource, segment_id)
    return list(dict.fromkeys(segment_ids)) or list(resource["segments"])


def transcribed(resource: Resource, heard: dict[str, str]) -> Resource:
    """Each segment of ``heard`` with its source text as heard again; its dubs unchanged."""
    changed = copy.deepcopy(resource)
    for segment_id, text in heard.items():
        _segment(changed, segment_id)["text"] = text.strip()
    return _next(changed)


def translated(resource: Resource, segment_ids: list[str], languages: list[str]) -> Resource:
    """The dubs of ``segment_ids`` in ``languages`` (none: the dubbing's; each must be the
    source language) given their segment's source text; a dub whose text so changed is
    ``audio_stale``. Another language is refused naming ``languages``."""
    source = resource["source_language"]
    languages = languages or resource["target_languages"]
    for language in languages:
        if language != source:
            raise InvalidInput("languages", UNTRANSLATED.format(language=language, source=source))
    changed = copy.deepcopy(resource)
    for segment_id in chosen(changed, segment_ids):
        segment = _segment(changed, segment_id)
        for language in languages:
            dub = segment["dubs"].setdefault(
                language, {**_dub(segment["start"], segment["end"], ""), "audio_stale": True})
            if dub["text"] != segment["text"]:
                dub.update(text=segment["text"], audio_stale=True)
    return _next(changed)


def restaled(resource: Resource, segment_ids: list[str], language: str) -> Resource:
    """The dubs of ``segment_ids`` in ``language`` to be spoken again at the next render."""
    changed = copy.deepcopy(resource)
    for segment_id in segment_ids:
        dub = _segment(changed, segment_id)["dubs"].get(language)
        if dub is not None and dub["text"].strip():
            dub["audio_stale"] = True
    return changed


def migrated(resource: Resource, segment_ids: list[str], speaker_id: str) -> Resource:
    """``segment_ids`` moved to ``speaker_id``: spoken in its voice at the next render."""
    changed = copy.deepcopy(resource)
    speaker = changed["speakers"].get(speaker_id)
    if speaker is None:
        raise NotFound(f"speaker {speaker_id} not found in this dubbing; its speakers are "
                       f"{', '.join(changed['speakers'])}")
    for segment_id in segment_ids:
        segment = _segment(changed, segment_id)
        if segment["speaker"] == speaker_id:
            continue
        changed["speakers"][segment["speaker"]]["segments"].remove(segment_id)
        segment["speaker"] = speaker_id
        speaker["segments"].append(segment_id)
        for dub in segment["dubs"].values():
            dub["audio_stale"] = True
    speaker["segments"].sort(key=lambda segment_id: changed["segments"][segment_id]["start"])
    return _next(changed)


def spoken(resource: Resource, language: str) -> list[Segment]:
    """Each segment's dub in ``language`` that has words, in the order they start."""
    said = [Segment(dub["start_time"], dub["end_time"], dub["text"], (), segment["speaker"])
            for segment in resource["segments"].values()
            if (dub := segment["dubs"].get(language)) is not None and dub["text"].strip()]
    return sorted(said, key=lambda segment: segment.start)


def stale_characters(resource: Resource, language: str) -> int:
    """The characters a render of ``language`` speaks anew: the dubs changed since the last."""
    return sum(len(dub["text"]) for segment in resource["segments"].values()
               if (dub := segment["dubs"].get(language)) is not None and dub["audio_stale"])


def rendering(resource: Resource, language: str, render_id: str, characters: int) -> Resource:
    """A render of ``language`` started, ``characters`` charged for it."""
    changed = copy.deepcopy(resource)
    changed["renders"][language] = {"id": render_id, "version": changed["version"],
                                    "language": language, "type": "mp3",
                                    "status": "processing", "characters": characters}
    return changed


def rendered(resource: Resource, language: str, render_id: str, ok: bool) -> Resource:
    """The render ``render_id`` finished (or failed): its dubs' audio is current."""
    changed = copy.deepcopy(resource)
    render = changed["renders"].get(language)
    if render is None or render["id"] != render_id:
        return changed  # superseded by a later render
    render["status"] = "complete" if ok else "failed"
    if ok:
        for segment in changed["segments"].values():
            if language in segment["dubs"]:
                segment["dubs"][language]["audio_stale"] = False
    return changed


def language_of(resource: Resource, language: str) -> str:
    """``language`` if the dubbing speaks it; ``NotFound`` naming those it does otherwise."""
    if language not in resource["target_languages"]:
        raise NotFound(f"this dubbing has no {language}; its languages are "
                       f"{', '.join(resource['target_languages'])}")
    return language


def sdk_view(dubbing_id: str, resource: Resource, media: dict[str, Any],
             audio_url: str) -> dict[str, Any]:
    """What ``GET /v1/dubbing/resource/{id}`` answers (the SDK's ``DubbingResource``)."""
    renders = {language: {**render, "media_ref": {**media, "url": f"{audio_url}/{language}"}}
               for language, render in resource["renders"].items()}
    return {
        "id": dubbing_id, "version": resource["version"],
        "source_language": resource["source_language"],
        "target_languages": resource["target_languages"],
        "input": media, "background": None, "foreground": None,
        "speaker_tracks": {speaker_id: {"id": speaker_id, "media_ref": media,
                                        "speaker_name": speaker["name"],
                                        "voices": speaker["voices"],
                                        "segments": speaker["segments"]}
                           for speaker_id, speaker in resource["speakers"].items()},
        "speaker_segments": {segment_id: {
            "id": segment_id, "start_time": segment["start"], "end_time": segment["end"],
            "text": segment["text"], "subtitles": [_frame(segment["start"], segment["end"],
                                                          segment["text"])],
            "dubs": {language: {**dub, "subtitles": [_frame(dub["start_time"], dub["end_time"],
                                                            dub["text"])], "media_ref": None}
                     for language, dub in segment["dubs"].items()}}
            for segment_id, segment in resource["segments"].items()},
        "renders": renders,
    }


def subtitles(resource: Resource, language: str, webvtt: bool) -> str:
    """The dub's (or, for ``source``, the original's) segments as SRT or WebVTT."""
    if language == "source":
        cues = sorted((s["start"], s["end"], s["text"]) for s in resource["segments"].values())
    else:
        cues = [(s.start, s.end, s.text) for s in spoken(resource, language_of(resource,
                                                                                language))]
    mark = "." if webvtt else ","
    blocks = [f"{i}\n{_time(start, mark)} --> {_time(end, mark)}\n{text}"
              for i, (start, end, text) in enumerate(cues, 1)]
    return ("WEBVTT\n\n" if webvtt else "") + "\n\n".join(blocks) + "\n"


def _time(seconds: float, mark: str) -> str:
    millis = round(seconds * 1000)
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    return f"{hours:02d}:{minutes:02d}:{rest // 1000:02d}{mark}{rest % 1000:03d}"


def _dub(start: float, end: float, text: str) -> dict[str, Any]:
    return {"start_time": start, "end_time": end, "text": text, "audio_stale": False}


def _frame(start: float, end: float, text: str) -> dict[str, Any]:
    return {"start_time": start, "end_time": end, "lines": [text]}


def _segment(resource: Resource, segment_id: str) -> dict[str, Any]:
    segment = resource["segments"].get(segment_id)
    if segment is None:
        raise NotFound(f"segment {segment_id} not found in this dubbing")
    segment_dict: dict[str, Any] = segment
    return segment_dict


def _check_times(start: float, end: float) -> None:
    if not 0 <= start < end:
        raise InvalidInput("start_time", f"start_time ({start}) must be at least 0 and before "
                                         f"end_time ({end})")


def _next(resource: Resource) -> Resource:
    resource["version"] += 1
    return resource
