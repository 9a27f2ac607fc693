"""What a worker process receives: small values, cheap to pickle, light to import.

Worker processes import only this, the renderer and the engine, never the
planning side (segmenter, language model), to keep each worker small.
"""

from __future__ import annotations

from dataclasses import dataclass

from voicer.encoding.formats import OutputFormat
from voicer.loudness import LoudnessTarget
from voicer.models import DEFAULT_MODEL_ID
from voicer.pronunciation.rules import AliasRule, PhonemeRule
from voicer.text.normalize import Normalization
from voicer.voice_settings import VoiceSettings
from voicer.voices import Voice


@dataclass(frozen=True, slots=True)
class RenderSpec:
    """What every chunk of one task shares."""

    voice: Voice
    settings: VoiceSettings
    output: OutputFormat | None  # None: hand back the engine's PCM as it is
    model_id: str = DEFAULT_MODEL_ID  # what an upstream engine is asked for
    language_code: str | None = None  # forced by the caller, not detected
    normalization: Normalization = Normalization.auto  # apply_text_normalization
    lexicon: tuple[AliasRule | PhonemeRule, ...] = ()  # pronunciation rules, the first wins
    loudness: LoudnessTarget | None = None  # every chunk brought to it; None: as spoken


STITCHED_REQUESTS = 3  # the previous_request_ids ElevenLabs accepts


@dataclass(frozen=True, slots=True)
class ChunkJob:
    index: int
    text: str
    language: str | None  # None: the voice's own language
    gap: float | None  # seconds of pause after it; None: natural gap; 0: the last chunk
    # The neighbouring chunks' texts: an upstream engine continues the prosody across them.
    previous_text: str = ""
    next_text: str = ""
    # The upstream request-ids of the (up to three) chunks right before it, when already spoken.
    previous_request_ids: tuple[str, ...] = ()
    # The SSML tags open where the chunk starts ("<speak><prosody rate='slow'>"); "": not SSML
    context: str = ""
