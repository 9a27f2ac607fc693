"""A purchase, without HTTP: charged up front, delivered parts kept, the rest given back."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select

from tests.api.conftest import Api, make_api
from voicer import accounts
from voicer.accounts import Caller, RatePlan
from voicer.db.tables import HistoryItem, User
from voicer.elevenlabs.billing import Billing
from voicer.encoding.formats import parse_format
from voicer.errors import Conflict, QuotaExceeded
from voicer.speech import SpeechRequest
from voicer.voice_settings import VoiceSettings

VOICE = "21m00Tcm4TlvDq8ikWAM"


@pytest.fixture(scope="module")
def el(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    yield from make_api(tmp_path_factory.mktemp("billing"))


@pytest.fixture
def billing(el: Api) -> Billing:
    return el.services.billing


@pytest.fixture
def order(billing: Billing) -> SpeechRequest:
    return billing.order(VOICE, "eleven_multilingual_v2", None, VoiceSettings(),
                         parse_format("mp3_44100_128"))


def caller(el: Api, characters: int = 1_000) -> Caller:
    with el.services.database.session() as session:
        user = accounts.create_user(session, f"buyer-{id(session)}-{characters}", characters,
                                    RatePlan.basic)
        token = accounts.create_token(session, user)
        session.commit()
        return accounts.authenticate(session, token.token)


def used(el: Api, who: Caller) -> int:
    with el.services.database.session() as session:
        user = session.get(User, who.user.id)
        assert user is not None
        return user.used_characters


def history(el: Api, who: Caller) -> list[HistoryItem]:
    with el.services.database.session() as session:
        return list(session.scalars(select(HistoryItem).where(HistoryItem.user_id == who.user.id)))


def test_delivered_parts_are_one_history_item_and_the_rest_is_given_back(
        el: Api, billing: Billing, order: SpeechRequest) -> None:
    who = caller(el)
    with billing.open(who, order) as purchase:
        first, second, third = (purchase.charge(text) for text in ("One. ", "Two. ", "Three. "))
        assert used(el, who) == len("One. Two. Three. ")  # charged up front
        purchase.keep(b"audio of one, ")
        purchase.keep(b"audio of three")
        purchase.delivered(first, third)
    assert used(el, who) == len("One. Three. ")
    [item] = history(el, who)
    assert item.id == purchase.history_id and item.text == "One. Three. "
    assert item.characters == len("One. Three. ") and item.character_count_from == 0
    assert b"".join(purchase.kept().pieces) == b"audio of one, audio of three"
    assert second not in (first, third)


def test_nothing_delivered_is_given_back_whole_and_leaves_no_history(
        el: Api, billing: Billing, order: SpeechRequest) -> None:
    who = caller(el)
    with pytest.raises(RuntimeError), billing.open(who, order) as purchase:
        purchase.charge("Spoken, but the caller left. ")
        purchase.keep(b"half")
        raise RuntimeError("the caller left")
    assert used(el, who) == 0 and history(el, who) == []


def test_a_charge_is_all_or_nothing(el: Api, billing: Billing, order: SpeechRequest) -> None:
    who = caller(el, characters=10)
    with billing.open(who, order) as purchase:
        purchase.charge("Six. ")
        with pytest.raises(QuotaExceeded):
            purchase.charge("Eleven more")
        assert used(el, who) == len("Six. ")
    assert used(el, who) == 0  # nothing was delivered


def test_a_settled_purchase_takes_no_more_charges(el: Api, billing: Billing,
                                                  order: SpeechRequest) -> None:
    who = caller(el)
    purchase = billing.open(who, order)
    purchase.settle()
    with pytest.raises(Conflict):
        purchase.charge("Too late. ")
    purchase.settle()  # once is enough; again is harmless
    assert used(el, who) == 0
