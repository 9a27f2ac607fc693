"""A local voice's ``stream-input`` conversation: text in as it is written, generations out.

No WebSocket here: the route reads the caller's messages and hands each to ``receive``, which
says when a generation is due; ``generate`` charges and speaks it (blocking: run it in a
thread); ``sent`` says its audio reached the caller, so it stays paid for. The route settles
the purchase when the conversation ends, however it ends.

What is spoken when (ElevenLabs' rules): text accumulates until it reaches the next size of
the ``chunk_length_schedule`` (when ``try_trigger_generation``, the default) or a ``flush``;
it is spoken up to its last word boundary, all of it on a flush or at the end. A tag or a
phoneme element split across messages waits for its end.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from voicer.alignment import Alignment
from voicer.elevenlabs.billing import Part, Purchase
from voicer.encoding.streams import StreamEncoder, stream_encoder
from voicer.language import LanguageDetector
from voicer.speech import AudioPiece, SpeechPool, speak_into
from voicer.text import markup, ssml
from voicer.voices import Voices


@dataclass(frozen=True, slots=True)
class Due:
    """A generation due now: its text, and whether it is the conversation's last."""

    text: str
    end: bool


@dataclass(frozen=True, slots=True)
class Generation:
    """What one generation made: its charge (None for whitespace alone), its audio, and the
    alignment of its characters (the WebSocket's shape; None when nothing was spoken)."""

    part: Part | None
    audio: bytes
    alignment: dict[str, Any] | None
    normalized_alignment: dict[str, Any] | None = None  # of the text as said


class Conversation:
    def __init__(self, purchase: Purchase, schedule: tuple[int, ...], speech: SpeechPool,
                 voices: Voices, detector: LanguageDetector, ssml_parsing: bool = False) -> None:
        self.purchase = purchase
        self.schedule = schedule
        self._encoder: StreamEncoder = stream_encoder(purchase.order.format)
        self._speech = speech
        self._voices = voices
        self._detector = detector
        self._buffer = ""
        self._generations = 0
        self._after_break = False  # the last generation ended in a <break>
        # with enable_ssml_parsing: the SSML tags open after what was spoken so far
        self._ssml: str | None = "<speak>" if ssml_parsing else None

    def receive(self, message: dict[str, Any]) -> Due | None:
        """Take in one message; the generation it makes due, if any."""
        text = message.get("text")
        if text == "":  # the end of the input
            return self._cut(whole=True, end=True)
        self._buffer += text or ""
        if message.get("flush"):
            return self._cut(whole=True, end=False)
        if message.get("try_trigger_generation", True) and len(self._buffer.strip()) >= self._threshold():
            return self._cut(whole=False, end=False)
        return None

    def generate(self, due: Due) -> Generation:
        """Charge ``due``'s text (whitespace alone is neither charged nor spoken) and speak it;
        at the end, close the encoder too."""
        pieces: list[AudioPiece] = []
        part = self.purchase.charge(due.text, self._ssml) if due.text.strip() else None
        if part is not None:
            with self._speech.lease() as pool:
                pieces = list(speak_into(self._encoder, due.text, self.purchase.order, pool,
                                         self._voices, self._detector,
                                         after_break=self._after_break,
                                         ssml_context=self._ssml))
            self._after_break = markup.ends_with_break(due.text)
            if self._ssml is not None:
                self._ssml = ssml.context(self._ssml + due.text, len(self._ssml + due.text))
        audio = b"".join(piece.audio for piece in pieces)
        if due.end:
            audio += self._encoder.finish()
        self._generations += 1
        timing = Alignment.join([piece.alignment for piece in pieces if piece.alignment])
        said = Alignment.join([piece.normalized_alignment for piece in pieces
                               if piece.normalized_alignment])
        if not timing.characters:
            return Generation(part, audio, None)
        return Generation(part, audio, timing.to_websocket_json(), said.to_websocket_json())

    def sent(self, generation: Generation) -> None:
        """``generation``'s audio reached the caller: keep it, and its charge, for history."""
        if generation.audio:
            self.purchase.keep(generation.audio)
        if generation.part is not None:
            self.purchase.delivered(generation.part)

    def _threshold(self) -> int:
        return self.schedule[min(self._generations, len(self.schedule) - 1)]

    def _cut(self, whole: bool, end: bool) -> Due:
        """The buffer up to its last word boundary (all of it when ``whole``)."""
        complete = whole or self._buffer[-1:].isspace()  # a trailing space ends the last word
        cut = len(self._buffer) if complete else self._buffer.rfind(" ") + 1
        if not whole:  # markup still being written waits for its end
            cut = markup.complete_before(self._buffer, cut)
        text, self._buffer = self._buffer[:cut], self._buffer[cut:]
        return Due(text, end)
