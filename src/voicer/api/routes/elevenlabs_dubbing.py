"""ElevenLabs dubbing: ``/v1/dubbing`` (create, read, audio, transcript, delete) and the
dubbing resource (``/v1/dubbing/resource/...``: read it, edit, add and delete segments,
transcribe, translate and dub segments again, move them to another speaker, render a language
again).

A dubbing is made in the background (``voicer.dubbing.tasks``); ``GET /v1/dubbing/{id}`` says
``dubbing`` (with ``progress``), then ``dubbed`` or ``failed``. Locally it re-voices: the
target language must be the source's. The audio of a language is its latest: the dub, or its
last render once a render is complete. A dubbing into another language is the upstream's:
every request about it is relayed there under the upstream's id.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, File, Form, Query, UploadFile
from fastapi.responses import Response

from voicer.accounts import Caller
from voicer.api.deps import ElevenLabsCaller, ServicesDep
from voicer.api.responses import AUTHENTICATED, elevenlabs_errors
from voicer.api.services import Services
from voicer.dubbing import resource as resources
from voicer.dubbing.tasks import DubbingRequest
from voicer.errors import InvalidInput
from voicer.webhooks import targets

router = APIRouter(responses=elevenlabs_errors(*AUTHENTICATED, 400, 403, 404, 409),
                   prefix="/v1/dubbing", tags=["ElevenLabs: dubbing"])

UNFETCHED = "media is never fetched from a URL here: upload it as `file`"


@router.post("")
def create(
    caller: ElevenLabsCaller,
    services: ServicesDep,
    file: Annotated[UploadFile | None, File(description="audio or video, any container "
                                                         "FFmpeg reads")] = None,
    name: Annotated[str | None, Form(max_length=200)] = None,
    source_url: Annotated[str | None, Form()] = None,
    source_lang: Annotated[str | None, Form(description="ISO 639-1 or 639-3; auto or none: "
                                                        "detected")] = None,
    target_lang: Annotated[str | None, Form(description="the source language: local dubbing "
                                                        "re-voices")] = None,
    num_speakers: Annotated[int | None, Form(ge=0, le=32, description="0: found")] = None,
    watermark: Annotated[bool, Form(description="accepted; audio carries none")] = False,
    start_time: Annotated[int | None, Form(ge=0, description="seconds")] = None,
    end_time: Annotated[int | None, Form(ge=1, description="seconds")] = None,
    highest_resolution: Annotated[bool, Form(description="accepted")] = False,
    drop_background_audio: Annotated[bool, Form()] = False,
    use_profanity_filter: Annotated[bool, Form(description="accepted; nothing is "
                                                           "censored")] = False,
    dubbing_studio: Annotated[bool, Form(description="accepted: every dubbing has its "
                                                     "resource")] = False,
    disable_voice_cloning: Annotated[bool, Form(description="accepted: voices are never "
                                                            "cloned")] = False,
    mode: Annotated[Literal["automatic", "manual"], Form()] = "automatic",
    csv_file: Annotated[UploadFile | None, File()] = None,
    foreground_audio_file: Annotated[UploadFile | None, File()] = None,
    background_audio_file: Annotated[UploadFile | None, File()] = None,
    webhook_url: Annotated[str | None, Form(
        description="Voicer's own: POSTed a signed dubbing.completed or dubbing.failed event; "
                    "default: your own (PUT /api/v1/user/webhook); private addresses are "
                    "refused")] = None,
) -> dict[str, Any]:
    """Accepted at once, dubbed in the background. Charged by the audio's duration
    (VOICER_DUBBING_CHARACTERS_PER_SECOND), refunded if it fails."""
    if file is None:
        raise InvalidInput("source_url" if source_url else "file",
                           f"source_url: {UNFETCHED}" if source_url
                           else "file is required: upload the audio or video as `file`")
    for field, given in (("csv_file", csv_file), ("foreground_audio_file", foreground_audio_file),
                         ("background_audio_file", background_audio_file)):
        if given is not None:
            raise InvalidInput(field, f"{field} is not taken here: dubbing finds the segments "
                                      "and the background itself")
    if mode == "manual":
        raise InvalidInput("mode", "mode manual needs a CSV transcript, not taken here: use "
                                   "automatic")
    if target_lang is None:
        raise InvalidInput("target_lang", "target_lang is required: the language to dub into")
    if webhook_url is not None:
        targets.check(webhook_url, services.settings.webhook_allowed_hosts)
    request = DubbingRequest(file.filename or "upload", target_lang, source_lang, name,
                             num_speakers, start_time, end_time, drop_background_audio,
                             webhook_url)
    project = services.dubbing.submit(caller.user, file.file, request)
    return {"dubbing_id": project.id, "expected_duration_sec": round(project.duration * 2, 1)}


@router.get("")
def list_dubs(
    caller: ElevenLabsCaller, services: ServicesDep,
    cursor: Annotated[str | None, Query(pattern=r"^\d{1,9}$",
                                        description="next_cursor of the page before")] = None,
    page_size: Annotated[int, Query(ge=1, le=200)] = 100,
    dubbing_status: Annotated[Literal["dubbing", "dubbed", "failed"] | None, Query()] = None,
    order_direction: Annotated[Literal["DESCENDING", "ASCENDING"], Query()] = "DESCENDING",
) -> dict[str, Any]:
    """The caller's dubbings, newest first, a page at a time."""
    return services.dubbing.page(caller.user, int(cursor or 0), page_size, dubbing_status,
                                 order_direction == "ASCENDING")


@router.get("/{dubbing_id}")
def get(dubbing_id: str, caller: ElevenLabsCaller, services: ServicesDep) -> dict[str, Any]:
    """Its status (``dubbing`` with ``progress``, ``dubbed``, ``failed`` with ``error``)."""
    return services.dubbing.status(caller.user, dubbing_id)


@router.delete("/{dubbing_id}")
def delete(dubbing_id: str, caller: ElevenLabsCaller, services: ServicesDep) -> dict[str, str]:
    services.dubbing.delete(caller.user, dubbing_id)
    return {"status": "ok"}


@router.get("/{dubbing_id}/audio/{language_code}", response_class=Response,
            responses={200: {"content": {"audio/mpeg": {}}}})
def audio(dubbing_id: str, language_code: str, caller: ElevenLabsCaller,
          services: ServicesDep) -> Response:
    """The dubbed audio of ``language_code`` as MP3: its last render, or the first dub."""
    if far := _relayed(services, caller, dubbing_id, "GET", "/v1/dubbing/{}/audio/"
                       f"{language_code}"):
        return far
    return Response(services.dubbing.audio(caller.user, dubbing_id, language_code),
                    media_type="audio/mpeg")


@router.get("/{dubbing_id}/transcript/{language_code}", response_model=str)
def transcript(dubbing_id: str, language_code: str, caller: ElevenLabsCaller,
               services: ServicesDep,
               format_type: Annotated[Literal["srt", "webvtt"], Query()] = "srt",
               ) -> str | Response:
    """The dub's segments (``source``: the original's) as SRT or WebVTT."""
    if far := _relayed(services, caller, dubbing_id, "GET", "/v1/dubbing/{}/transcript/"
                       f"{language_code}", {"format_type": format_type}):
        return far
    with services.database.session() as session:
        project = services.dubbing.made(session, caller.user, dubbing_id)
        assert project.resource is not None
        return resources.subtitles(project.resource, language_code, format_type == "webvtt")


@router.get("/resource/{dubbing_id}", response_model=None)
def resource(dubbing_id: str, caller: ElevenLabsCaller,
             services: ServicesDep) -> dict[str, Any] | Response:
    """The speakers, the segments with their dubs, and the renders."""
    if far := _relayed(services, caller, dubbing_id, "GET", "/v1/dubbing/resource/{}"):
        return far
    with services.database.session() as session:
        project = services.dubbing.made(session, caller.user, dubbing_id)
        assert project.resource is not None
        media = {"src": project.name, "content_type": "audio/mpeg", "bucket_name": "",
                 "random_path_slug": project.id, "duration_secs": project.duration,
                 "is_audio": True, "url": ""}
        return resources.sdk_view(project.id, project.resource, media,
                                  f"/v1/dubbing/{project.id}/audio")


@router.patch("/resource/{dubbing_id}/segment/{segment_id}/{language}", response_model=None)
def update_segment(dubbing_id: str, segment_id: str, language: str, caller: ElevenLabsCaller,
                   services: ServicesDep,
                   start_time: Annotated[float | None, Body(ge=0)] = None,
                   end_time: Annotated[float | None, Body(gt=0)] = None,
                   text: Annotated[str | None, Body(max_length=5_000)] = None,
                   ) -> dict[str, int] | Response:
    """A dub's text or times changed; heard at the language's next render."""
    if far := _relayed(services, caller, dubbing_id, "PATCH", "/v1/dubbing/resource/{}/segment/"
                       f"{segment_id}/{language}", body={"start_time": start_time,
                                                        "end_time": end_time, "text": text}):
        return far
    changed = services.dubbing.edit(caller.user, dubbing_id, lambda made: resources.updated(
        made, segment_id, language, start_time, end_time, text))
    return {"version": changed["version"]}


@router.delete("/resource/{dubbing_id}/segment/{segment_id}", response_model=None)
def delete_segment(dubbing_id: str, segment_id: str, caller: ElevenLabsCaller,
                   services: ServicesDep) -> dict[str, int] | Response:
    if far := _relayed(services, caller, dubbing_id, "DELETE", "/v1/dubbing/resource/{}/segment/"
                       f"{segment_id}"):
        return far
    changed = services.dubbing.edit(caller.user, dubbing_id,
                                    lambda made: resources.removed(made, segment_id))
    return {"version": changed["version"]}


@router.post("/resource/{dubbing_id}/speaker/{speaker_id}/segment", response_model=None)
def add_segment(dubbing_id: str, speaker_id: str, caller: ElevenLabsCaller,
                services: ServicesDep,
                start_time: Annotated[float, Body(ge=0)],
                end_time: Annotated[float, Body(gt=0)],
                text: Annotated[str | None, Body(max_length=5_000)] = None,
                translations: Annotated[dict[str, str | None] | None, Body()] = None,
                ) -> dict[str, Any] | Response:
    """A new segment for ``speaker_id``, in every language; spoken at the next render."""
    if far := _relayed(services, caller, dubbing_id, "POST", "/v1/dubbing/resource/{}/speaker/"
                       f"{speaker_id}/segment", body={
                           "start_time": start_time, "end_time": end_time, "text": text,
                           "translations": translations}):
        return far
    new: list[str] = []

    def add(made: resources.Resource) -> resources.Resource:
        changed, segment_id = resources.added(made, speaker_id, start_time, end_time, text,
                                              translations)
        new.append(segment_id)
        return changed

    changed = services.dubbing.edit(caller.user, dubbing_id, add)
    return {"version": changed["version"], "new_segment": new[0]}


@router.post("/resource/{dubbing_id}/render/{language}", response_model=None)
def render(dubbing_id: str, language: str, caller: ElevenLabsCaller, services: ServicesDep,
           render_type: Annotated[str, Body(description="mp3 (the audio is MP3 whatever is "
                                                        "asked)")] = "mp3",
           normalize_volume: Annotated[bool | None, Body()] = None,
           ) -> dict[str, Any] | Response:
    """``language`` spoken again from the resource as edited, in the background; its render
    in the resource says ``processing``, then ``complete``. The dubs changed since the last
    render are charged as their characters."""
    if far := _relayed(services, caller, dubbing_id, "POST", "/v1/dubbing/resource/{}/render/"
                       f"{language}", body={"render_type": render_type,
                                            "normalize_volume": normalize_volume}):
        return far
    changed = services.dubbing.render(caller.user, dubbing_id, language)
    return {"version": changed["version"], "render_id": changed["renders"][language]["id"]}


@router.post("/resource/{dubbing_id}/transcribe", response_model=None)
def transcribe(dubbing_id: str, caller: ElevenLabsCaller, services: ServicesDep,
               segments: Annotated[list[str], Body(embed=True, max_length=1_000,
                                                   description="none: every segment")],
               ) -> dict[str, int] | Response:
    """The segments' source audio heard again: their source text as heard (their dubs are
    unchanged). Charged as speech to text of the segments' seconds."""
    if far := _relayed(services, caller, dubbing_id, "POST", "/v1/dubbing/resource/{}/transcribe",
                       body={"segments": segments}):
        return far
    return {"version": services.dubbing.transcribe(caller.user, dubbing_id, segments)["version"]}


@router.post("/resource/{dubbing_id}/translate", response_model=None)
def translate(dubbing_id: str, caller: ElevenLabsCaller, services: ServicesDep,
              segments: Annotated[list[str], Body(max_length=1_000,
                                                  description="none: every segment")],
              languages: Annotated[list[str] | None, Body(max_length=32)] = None,
              ) -> dict[str, int] | Response:
    """The segments' dubs given their source text: locally, only into the source language
    (another is a 400 naming ``languages``). The dubs are spoken at the next render."""
    if far := _relayed(services, caller, dubbing_id, "POST", "/v1/dubbing/resource/{}/translate",
                       body={"segments": segments, "languages": languages}):
        return far
    changed = services.dubbing.edit(caller.user, dubbing_id, lambda made: resources.translated(
        made, segments, languages or []))
    return {"version": changed["version"]}


@router.post("/resource/{dubbing_id}/dub", response_model=None)
def dub(dubbing_id: str, caller: ElevenLabsCaller, services: ServicesDep,
        segments: Annotated[list[str], Body(max_length=1_000,
                                            description="none: every segment")],
        languages: Annotated[list[str] | None, Body(max_length=32)] = None,
        ) -> dict[str, int] | Response:
    """The segments spoken again in each language, which is then rendered in the background
    (charged as a render: the characters of the dubs spoken again)."""
    if far := _relayed(services, caller, dubbing_id, "POST", "/v1/dubbing/resource/{}/dub",
                       body={"segments": segments, "languages": languages}):
        return far
    return {"version": services.dubbing.dub(caller.user, dubbing_id, segments,
                                            languages or [])["version"]}


@router.post("/resource/{dubbing_id}/migrate-segments", response_model=None)
def migrate_segments(dubbing_id: str, caller: ElevenLabsCaller, services: ServicesDep,
                     segment_ids: Annotated[list[str], Body(max_length=1_000)],
                     speaker_id: Annotated[str, Body(max_length=100)],
                     ) -> dict[str, int] | Response:
    """The segments moved to ``speaker_id``: spoken in its voice at the next render."""
    if far := _relayed(services, caller, dubbing_id, "POST",
                       "/v1/dubbing/resource/{}/migrate-segments",
                       body={"segment_ids": segment_ids, "speaker_id": speaker_id}):
        return far
    changed = services.dubbing.edit(caller.user, dubbing_id, lambda made: resources.migrated(
        made, segment_ids, speaker_id))
    return {"version": changed["version"]}


def _relayed(services: Services, caller: Caller, dubbing_id: str, method: str, path: str,
             params: dict[str, Any] | None = None,
             body: dict[str, Any] | None = None) -> Response | None:
    """The upstream's answer, if the caller's dubbing ``dubbing_id`` is the upstream's
    (``path`` with ``{}`` where its id goes); None for a local one."""
    far = services.dubbing.upstream_of(caller.user, dubbing_id)
    if far is None:
        return None
    sent = None if body is None else {key: value for key, value in body.items()
                                      if value is not None}
    answer = services.dubbing.relay(method, path.replace("{}", far, 1), params, sent)
    return Response(answer.content, media_type=answer.headers.get("content-type"))
