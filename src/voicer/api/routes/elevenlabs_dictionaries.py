"""ElevenLabs pronunciation dictionaries: create (from a PLS file or from rules), list, get,
rename or archive, add, remove or set rules (each change a new version), download a version
as PLS. A caller sees only their own."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Form, Query, UploadFile
from fastapi.responses import Response
from pydantic import BaseModel, Field

from voicer.api.deps import ElevenLabsCaller, SessionDep
from voicer.api.responses import AUTHENTICATED, elevenlabs_errors
from voicer.api.strict_json import StrictJsonRoute
from voicer.db.tables import PronunciationDictionary, PronunciationDictionaryVersion
from voicer.errors import InvalidInput
from voicer.pronunciation import dictionaries, pls

router = APIRouter(route_class=StrictJsonRoute,
                   responses=elevenlabs_errors(*AUTHENTICATED, 400, 404),
                   prefix="/v1/pronunciation-dictionaries",
                   tags=["ElevenLabs: pronunciation dictionaries"])
PLS_MEDIA_TYPE = "application/pls+xml"


class FromRules(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    rules: list[dict[str, Any]]
    description: str | None = Field(None, max_length=4000)
    workspace_access: str | None = None  # accepted; a dictionary is its owner's alone


class RulesBody(BaseModel):
    rules: list[dict[str, Any]]


class RemoveRulesBody(BaseModel):
    rule_strings: list[str]


class UpdateBody(BaseModel):
    name: str | None = Field(None, min_length=1, max_length=200)
    archived: bool | None = None


@router.post("/add-from-file")
def add_from_file(caller: ElevenLabsCaller, session: SessionDep,
                  name: Annotated[str, Form(min_length=1, max_length=200)],
                  file: Annotated[UploadFile | None, File()] = None,
                  description: Annotated[str | None, Form(max_length=4000)] = None,
                  workspace_access: Annotated[str | None, Form()] = None) -> dict[str, Any]:
    """A dictionary from a lexicon .PLS file."""
    try:
        rules = pls.read(file.file.read(pls.MAX_BYTES + 1)) if file is not None else []
    except ValueError as error:
        raise InvalidInput("file", f"file: {error}") from None
    made = dictionaries.create(session, caller.user, name, rules, description)
    return _created(*made)


@router.post("/add-from-rules")
def add_from_rules(body: FromRules, caller: ElevenLabsCaller,
                   session: SessionDep) -> dict[str, Any]:
    rules = dictionaries.parse_rules(body.rules)
    made = dictionaries.create(session, caller.user, body.name, rules, body.description)
    return _created(*made)


@router.get("")
def list_dictionaries(
    caller: ElevenLabsCaller, session: SessionDep, cursor: str | None = None,
    page_size: Annotated[int, Query(ge=1, le=100)] = 30,
    sort: Literal["creation_time_unix", "name"] = "creation_time_unix",
    sort_direction: Literal["ascending", "descending"] = "descending",
    include_archived: bool = False,
) -> dict[str, Any]:
    found, following = dictionaries.listed(session, caller.user, page_size, cursor,
                                           sort == "name", sort_direction == "ascending",
                                           include_archived)
    return {"pronunciation_dictionaries": [
        dictionaries.metadata(d, dictionaries.rules_count(session, d)) for d in found],
        "next_cursor": following, "has_more": following is not None}


@router.get("/{dictionary_id}")
def get_dictionary(dictionary_id: str, caller: ElevenLabsCaller,
                   session: SessionDep) -> dict[str, Any]:
    dictionary = dictionaries.get(session, caller.user, dictionary_id)
    rules = dictionaries.rules_of(dictionaries.version(session, dictionary))
    return {**dictionaries.metadata(dictionary, len(rules)),
            "rules": [rule.model_dump(mode="json") for rule in rules]}


@router.patch("/{dictionary_id}")
def update_dictionary(dictionary_id: str, body: UpdateBody, caller: ElevenLabsCaller,
                      session: SessionDep) -> dict[str, Any]:
    dictionary = dictionaries.get(session, caller.user, dictionary_id)
    dictionaries.update(session, dictionary, body.name, body.archived)
    return dictionaries.metadata(dictionary, dictionaries.rules_count(session, dictionary))


@router.post("/{dictionary_id}/add-rules")
def add_rules(dictionary_id: str, body: RulesBody, caller: ElevenLabsCaller,
              session: SessionDep) -> dict[str, Any]:
    dictionary = dictionaries.get(session, caller.user, dictionary_id)
    made = dictionaries.add_rules(session, dictionary, dictionaries.parse_rules(body.rules))
    return _changed(dictionary, made)


@router.post("/{dictionary_id}/remove-rules")
def remove_rules(dictionary_id: str, body: RemoveRulesBody, caller: ElevenLabsCaller,
                 session: SessionDep) -> dict[str, Any]:
    dictionary = dictionaries.get(session, caller.user, dictionary_id)
    return _changed(dictionary, dictionaries.remove_rules(session, dictionary, body.rule_strings))


@router.post("/{dictionary_id}/set-rules")
def set_rules(dictionary_id: str, body: RulesBody, caller: ElevenLabsCaller,
              session: SessionDep) -> dict[str, Any]:
    dictionary = dictionaries.get(session, caller.user, dictionary_id)
    made = dictionaries.set_rules(session, dictionary, dictionaries.parse_rules(body.rules))
    return _changed(dictionary, made)


@router.get("/{dictionary_id}/{version_id}/download",
            responses={200: {"content": {PLS_MEDIA_TYPE: {}}}})
def download(dictionary_id: str, version_id: str, caller: ElevenLabsCaller,
             session: SessionDep) -> Response:
    """A version's rules as a PLS file."""
    dictionary = dictionaries.get(session, caller.user, dictionary_id)
    rules = dictionaries.rules_of(dictionaries.version(session, dictionary, version_id))
    return Response(pls.write(rules), media_type=PLS_MEDIA_TYPE, headers={
        "content-disposition": f'attachment; filename="{dictionary_id}_{version_id}.pls"'})


def _created(dictionary: PronunciationDictionary,
             version: PronunciationDictionaryVersion) -> dict[str, Any]:
    return {"id": dictionary.id, "name": dictionary.name, "created_by": dictionary.user_id,
            "creation_time_unix": int(dictionary.created_at.timestamp()),
            "version_id": version.id, "version_rules_num": len(version.rules),
            "description": dictionary.description, "permission_on_resource": "admin"}


def _changed(dictionary: PronunciationDictionary,
             version: PronunciationDictionaryVersion) -> dict[str, Any]:
    return {"id": dictionary.id, "version_id": version.id,
            "version_rules_num": len(version.rules)}
