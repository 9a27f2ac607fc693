"""Pronunciation dictionaries in the database, private to their owner: created, listed, read,
renamed or archived, their rules changed (each change a new version), and the rules that
``pronunciation_dictionary_locators`` point at. No HTTP here."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import TypeAdapter, ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from voicer.db.tables import PronunciationDictionary, PronunciationDictionaryVersion, User, utcnow
from voicer.errors import InvalidInput, NotFound
from voicer.pronunciation import rules as rule_checks
from voicer.pronunciation.rules import AliasRule, PhonemeRule, Rule

MAX_LOCATORS = 3  # ElevenLabs applies up to three dictionaries to a request
Rules = list[AliasRule | PhonemeRule]
_RULES: TypeAdapter[list[AliasRule | PhonemeRule]] = TypeAdapter(list[Rule])


@dataclass(frozen=True, slots=True)
class Locator:
    dictionary_id: str
    version_id: str | None = None  # None: the latest


def create(session: Session, user: User, name: str, rules: Rules,
           description: str | None = None) -> tuple[PronunciationDictionary, PronunciationDictionaryVersion]:
    _check(rules)
    dictionary = PronunciationDictionary(id=_new_id(), user_id=user.id, name=name,
                                         description=description, latest_version_id="")
    session.add(dictionary)
    version = _new_version(session, dictionary, rules, 1)
    session.commit()
    return dictionary, version


def listed(session: Session, user: User, page_size: int, cursor: str | None,
           sort_by_name: bool, ascending: bool,
           archived: bool) -> tuple[list[PronunciationDictionary], str | None]:
    """A page of the user's dictionaries, and the cursor of the next (None at the end)."""
    query = select(PronunciationDictionary).where(PronunciationDictionary.user_id == user.id)
    if not archived:
        query = query.where(PronunciationDictionary.archived_at.is_(None))
    key = PronunciationDictionary.name if sort_by_name else PronunciationDictionary.created_at
    query = query.order_by(key.asc() if ascending else key.desc(), PronunciationDictionary.id)
    offset = int(cursor) if cursor and cursor.isdigit() else 0
    found = list(session.scalars(query.offset(offset).limit(page_size + 1)))
    more = len(found) > page_size
    return found[:page_size], str(offset + page_size) if more else None


def get(session: Session, user: User, dictionary_id: str) -> PronunciationDictionary:
    """The user's dictionary of that id; another user's is as unknown as a missing one."""
    dictionary = session.get(PronunciationDictionary, dictionary_id)
    if dictionary is None or dictionary.user_id != user.id:
        raise NotFound(f"pronunciation dictionary {dictionary_id} not found")
    return dictionary


def version(session: Session, dictionary: PronunciationDictionary,
            version_id: str | None = None) -> PronunciationDictionaryVersion:
    found = session.get(PronunciationDictionaryVersion, version_id or dictionary.latest_version_id)
    if found is None or found.dictionary_id != dictionary.id:
        raise NotFound(f"version {version_id} of pronunciation dictionary {dictionary.id} "
                       "not found")
    return found


def rules_of(found: PronunciationDictionaryVersion) -> Rules:
    return _RULES.validate_python(found.rules)


def update(session: Session, dictionary: PronunciationDictionary, name: str | None,
           archived: bool | None) -> None:
    if name is not None:
        dictionary.name = name
    if archived is not None:
        dictionary.archived_at = utcnow() if archived else None
    session.commit()


def add_rules(session: Session, dictionary: PronunciationDictionary,
              added: Rules) -> PronunciationDictionaryVersion:
    """A new version: a rule for a string already there replaces it."""
    _check(added, "rules")
    strings = {rule.string_to_replace for rule in added}
    kept = [rule for rule in rules_of(version(session, dictionary))
            if rule.string_to_replace not in strings]
    made = _next_version(session, dictionary, kept + added)
    session.commit()
    return made


def remove_rules(session: Session, dictionary: PronunciationDictionary,
                 strings: Sequence[str]) -> PronunciationDictionaryVersion:
    gone = set(strings)
    kept = [rule for rule in rules_of(version(session, dictionary))
            if rule.string_to_replace not in gone]
    made = _next_version(session, dictionary, kept)
    session.commit()
    return made


def set_rules(session: Session, dictionary: PronunciationDictionary,
              rules: Rules) -> PronunciationDictionaryVersion:
    _check(rules, "rules")
    made = _next_version(session, dictionary, rules)
    session.commit()
    return made


def resolve(session: Session, user: User, locators: Sequence[Locator]) -> tuple[AliasRule | PhonemeRule, ...]:
    """The rules that ``locators`` point at, in order (the first dictionary's win)."""
    if len(locators) > MAX_LOCATORS:
        raise InvalidInput("pronunciation_dictionary_locators",
                           f"pronunciation_dictionary_locators takes at most {MAX_LOCATORS} "
                           f"dictionaries, got {len(locators)}")
    found: Rules = []
    for locator in locators:
        try:
            dictionary = get(session, user, locator.dictionary_id)
            found += rules_of(version(session, dictionary, locator.version_id))
        except NotFound as missing:
            raise InvalidInput("pronunciation_dictionary_locators", missing.message) from None
    return tuple(found)


def metadata(dictionary: PronunciationDictionary, rules_count: int) -> dict[str, Any]:
    """ElevenLabs' shape of a dictionary's metadata."""
    return {"id": dictionary.id, "latest_version_id": dictionary.latest_version_id,
            "latest_version_rules_num": rules_count, "name": dictionary.name,
            "permission_on_resource": "admin", "created_by": dictionary.user_id,
            "creation_time_unix": int(dictionary.created_at.timestamp()),
            "archived_time_unix": (int(dictionary.archived_at.timestamp())
                                   if dictionary.archived_at else None),
            "description": dictionary.description}


def rules_count(session: Session, dictionary: PronunciationDictionary) -> int:
    return len(version(session, dictionary).rules)


def parse_rules(given: Any, field: str = "rules") -> Rules:
    """Rules as ElevenLabs sends them, checked; ``InvalidInput`` naming the bad one."""
    try:
        return _RULES.validate_python(given)
    except ValidationError as error:
        problem = error.errors()[0]
        where = ".".join(str(part) for part in (field, *problem["loc"]))
        raise InvalidInput(field, f"{where}: {problem['msg']}") from None


def _check(rules: Rules, field: str = "rules") -> None:
    try:
        rule_checks.check(rules)
    except ValueError as error:
        raise InvalidInput(field, f"{field}: {error}") from None


def _next_version(session: Session, dictionary: PronunciationDictionary,
                  rules: Rules) -> PronunciationDictionaryVersion:
    last = session.scalar(select(func.max(PronunciationDictionaryVersion.number)).where(
        PronunciationDictionaryVersion.dictionary_id == dictionary.id)) or 0
    return _new_version(session, dictionary, rules, last + 1)


def _new_version(session: Session, dictionary: PronunciationDictionary, rules: Rules,
                 number: int) -> PronunciationDictionaryVersion:
    made = PronunciationDictionaryVersion(
        id=_new_id(), dictionary_id=dictionary.id, number=number,
        rules=[rule.model_dump(mode="json") for rule in rules])
    session.add(made)
    dictionary.latest_version_id = made.id
    session.flush()
    return made


def _new_id() -> str:
    return secrets.token_hex(10)
