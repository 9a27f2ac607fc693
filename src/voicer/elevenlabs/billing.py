"""What a caller pays for ElevenLabs speech, and the history they get for it. No HTTP here.

A ``Purchase`` is one request or one ``stream-input`` conversation. It is settled once:

    charge(text)     the text's characters are taken from the quota before it is spoken,
                     all or nothing; each charge is a ``Part``
    keep(audio)      audio that reached the caller, copied for the history
    delivered(part)  the part's audio reached the caller: it stays paid for
    settle()         every part not delivered is given back; the delivered ones become one
                     history item (their text, their characters, the audio kept)

So every character a caller is left paying for is in exactly one history item. What counts
as delivered is the caller's to say: a one-shot request's single part once its last byte
went out, a local conversation's generation once its audio message was sent, a relayed
message once the upstream answered it with audio or finished.
"""

from __future__ import annotations

import asyncio
import secrets
import shutil
import tempfile
import threading
from dataclasses import dataclass
from types import TracebackType

from voicer.accounts import Caller, refund_characters, reserve_characters
from voicer.db import Database
from voicer.db.tables import HistoryItem, User
from voicer.encoding.formats import OutputFormat
from voicer.encoding.streams import complete_file
from voicer.engines.registry import EngineRegistry
from voicer.errors import Conflict, InvalidInput
from voicer.metrics import Metrics
from voicer.pipeline.plan import check_language, check_text
from voicer.pronunciation.rules import AliasRule, PhonemeRule
from voicer.speech import SpeechRequest
from voicer.storage import Storage, Stored
from voicer.text.normalize import Normalization
from voicer.voice_settings import VoiceSettings
from voicer.voices import Voices

AUDIO_IN_MEMORY = 4 * 1024 * 1024  # a purchase's audio past this waits on disk until settled


@dataclass(frozen=True, slots=True, eq=False)  # parts are told apart by identity, not text
class Part:
    """One charged text: a request's whole text, or one piece of a conversation."""

    text: str


@dataclass(frozen=True, slots=True)
class Billing:
    """Charges, refunds and history of ElevenLabs speech; built at start-up, held by the app."""

    database: Database
    storage: Storage
    voices: Voices
    metrics: Metrics
    engines: EngineRegistry  # which voices are relayed to the upstream

    def order(self, voice_id: str, model_id: str, language_code: str | None,
              settings: VoiceSettings, output: OutputFormat,
              normalization: Normalization = Normalization.auto,
              lexicon: tuple[AliasRule | PhonemeRule, ...] = ()) -> SpeechRequest:
        """What is bought, checked: how every part of a purchase is spoken."""
        voice = self.voices.get(voice_id)
        return SpeechRequest(voice, self.voices.model(model_id, voice), settings, output,
                             check_language(language_code, self.voices), normalization, lexicon)

    def open(self, caller: Caller, order: SpeechRequest) -> Purchase:
        return Purchase(self, caller.user.id, order)


class Purchase:
    """One request or conversation: its charges, its audio, and how they are settled."""

    def __init__(self, billing: Billing, user_id: str, order: SpeechRequest) -> None:
        self.billing = billing
        self.user_id = user_id
        self.order = order
        self.request_id = secrets.token_hex(10)
        self.history_id = secrets.token_hex(10)  # named now: a response's headers carry it
        self._charged: list[Part] = []
        self._delivered: list[Part] = []
        self._count_before = 0  # the caller's used characters before the first charge
        self._audio: tempfile.SpooledTemporaryFile[bytes] | None = None
        self._lock = threading.Lock()  # a charge still running in a thread, against settle
        self._settled = False

    def charge(self, text: str, ssml_context: str | None = None) -> Part:
        """Take ``text``'s characters from the quota before it is spoken; ``QuotaExceeded``
        (nothing taken) if they are not all there. ``ssml_context``: the text is SSML, read
        inside these open tags."""
        check_text(text, ssml_context)
        model = self.order.model
        if len(text) > model.max_characters:
            raise InvalidInput("text", f"text is {len(text):,} characters; {model.model_id} "
                                       f"takes at most {model.max_characters:,} per request")
        with self._lock:
            if self._settled:
                raise Conflict("this purchase is settled; it takes no more charges")
            self._reserve(len(text))
            part = Part(text)
            self._charged.append(part)
        self._count(part)
        return part

    def keep(self, audio: bytes) -> None:
        """Audio that reached the caller, in order: the history keeps a copy."""
        if self._audio is None:
            self._audio = tempfile.SpooledTemporaryFile(max_size=AUDIO_IN_MEMORY)  # noqa: SIM115 (settle closes it)
        self._audio.write(audio)

    def delivered(self, *parts: Part) -> None:
        """These parts reached the caller: they stay paid for, and go into the history."""
        self._delivered += [part for part in parts if part not in self._delivered]

    def kept(self) -> Stored:
        """The history item's audio, once settled with something delivered."""
        return self.billing.storage.open_history(self.history_id, self.order.format.extension)

    def settle(self) -> None:
        """Give back what was not delivered and keep what was; once, however it ended."""
        with self._lock:
            if self._settled:
                return
            self._settled = True
        delivered = [part for part in self._charged if part in self._delivered]
        try:
            if delivered:
                self._store_audio()
        except BaseException:  # what the history cannot show is not charged for
            self._account(self._charged, [])
            raise
        finally:
            if self._audio is not None:
                self._audio.close()
        self._account([part for part in self._charged if part not in delivered], delivered)

    def __enter__(self) -> Purchase:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.settle()

    async def __aenter__(self) -> Purchase:
        return self

    async def __aexit__(self, kind: type[BaseException] | None, error: BaseException | None,
                        trace: TracebackType | None) -> None:
        # in a thread (it writes to the database and storage), and to the end even if the
        # task awaiting it is cancelled: a charge is never left unsettled
        await asyncio.shield(asyncio.ensure_future(asyncio.to_thread(self.settle)))

    def _reserve(self, characters: int) -> None:
        with self.billing.database.session() as session:
            if not self._charged:
                user = session.get(User, self.user_id)
                self._count_before = user.used_characters if user else 0
            reserve_characters(session, self.user_id, characters)
            session.commit()

    def _count(self, part: Part) -> None:
        metrics = self.billing.metrics
        if len(self._charged) == 1:  # a refused request is no speech request
            metrics.speech_requests.labels(self.order.format.name).inc()
        metrics.speech_characters.inc(len(part.text))

    def _store_audio(self) -> None:
        audio = self._audio
        if audio is None:  # delivered, yet silent (punctuation alone): an empty file
            audio = self._audio = tempfile.SpooledTemporaryFile()  # noqa: SIM115 (settle closes it)
        elif not self.billing.engines.relays(self.order.voice.engine):
            complete_file(self.order.format, audio)  # what our streaming encoder wrote
        audio.seek(0)
        with self.billing.storage.write_history(self.history_id,
                                                self.order.format.extension) as file:
            shutil.copyfileobj(audio, file)

    def _account(self, given_back: list[Part], delivered: list[Part]) -> None:
        """Give back ``given_back`` and keep ``delivered`` as one history item, at once."""
        with self.billing.database.session() as session:
            refund_characters(session, self.user_id, sum(len(part.text) for part in given_back))
            if delivered:
                session.add(self._history_item(delivered))
            session.commit()

    def _history_item(self, delivered: list[Part]) -> HistoryItem:
        order = self.order
        text = "".join(part.text for part in delivered)
        return HistoryItem(
            id=self.history_id, user_id=self.user_id, request_id=self.request_id,
            voice_id=order.voice.voice_id, voice_name=order.voice.name,
            model_id=order.model.model_id, text=text, characters=len(text),
            character_count_from=self._count_before, output_format=order.format.name,
            content_type=order.format.media_type, settings=order.settings.model_dump())
