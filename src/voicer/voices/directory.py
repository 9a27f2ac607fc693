"""Every voice and model a caller can name, and which engine speaks each.

A voice id resolves to exactly one engine:

- With no upstream, every voice is the local engine's.
- With an upstream and ``premade="upstream"`` (the default), the ElevenLabs premade
  ids (the 20-character ids of the bundled catalogue) are the upstream's, so code
  written for ElevenLabs gets the real voices; Voicer's own voices (``uk-oksana``…)
  stay local; any other id is looked up in the upstream's listing.
- With ``premade="local"``, every bundled id stays local and only ids the bundled
  catalogue lacks go to the upstream.

Each user's own voices (``owned``: cloned, designed) are found by id after the local ones,
each spoken by the engine it names, and listed to their owner only (``voices.owned.viewer``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from typing import Protocol

from voicer.errors import EngineNotConfigured, UnknownModel, UnknownVoice
from voicer.models import MODELS, Model, get_model
from voicer.voices.catalogue import Voice, VoiceCatalogue
from voicer.voices.owned import OwnedVoices

_ELEVENLABS_ID = re.compile(r"[A-Za-z0-9]{20}")


class UpstreamListing(Protocol):
    """What the directory needs of an upstream: its name, voices and models."""

    name: str
    def voices(self) -> dict[str, Voice]: ...
    def models(self) -> dict[str, Model]: ...
    def find_voice(self, voice_id: str) -> Voice | None: ...


class VoiceDirectory:
    def __init__(self, local: VoiceCatalogue, upstream: UpstreamListing | None = None,
                 premade: str = "upstream", owned: OwnedVoices | None = None) -> None:
        self.local = local
        self.upstream = upstream
        self.owned = owned
        # the ElevenLabs premade ids, as the bundled catalogue has them; an id another engine's
        # voice has, even one shaped like ElevenLabs', stays with that engine
        premade_ids = {voice.voice_id for voice in VoiceCatalogue.bundled()
                       if _ELEVENLABS_ID.fullmatch(voice.voice_id)}
        self._bundled = frozenset(voice.voice_id for voice in local)
        self._routed = frozenset(
            voice.voice_id for voice in local
            if upstream is not None and premade == "upstream" and voice.voice_id in premade_ids
        )

    def get(self, voice_id: str, engine: str | None = None) -> Voice:
        own = self._own(voice_id)
        if own is not None:
            if engine is not None and own.engine != engine:
                raise EngineNotConfigured(voice_id, engine)
            return own
        if engine is not None:  # as that engine has it, whatever the routing is now
            if self.upstream is not None and self._upstream_speaks(engine):
                return self._upstream_voice(self.upstream, voice_id)
            return self.local.get(voice_id, engine)  # refuses an engine not configured here
        if self.upstream is None:
            return self.local.get(voice_id)
        if voice_id in self._routed:
            # the upstream's own entry when it lists the voice; the bundled one meanwhile
            listed = self.upstream.voices().get(voice_id)
            return listed or replace(self.local.get(voice_id), engine=self.upstream.name)
        try:
            return self.local.get(voice_id)
        except UnknownVoice:
            found = self.upstream.find_voice(voice_id)
            if found is None:
                raise
            return found

    def _own(self, voice_id: str) -> Voice | None:
        """A user's own voice the caller may see; the bundled ids are never one."""
        if self.owned is None or voice_id in self._bundled:
            return None
        return self.owned.get(voice_id)

    def _upstream_speaks(self, engine: str) -> bool:
        return self.upstream is not None and engine == self.upstream.name

    def _upstream_voice(self, upstream: UpstreamListing, voice_id: str) -> Voice:
        """The voice as the upstream has it."""
        found = upstream.voices().get(voice_id) or upstream.find_voice(voice_id)
        if found is not None:
            return found
        # a premade id while the listing cannot be read: the bundled entry, spoken upstream
        return replace(self.local.get(voice_id), engine=upstream.name)

    def __iter__(self) -> Iterator[Voice]:
        """The upstream's voices, the local ones, then the caller's own."""
        local = [voice for voice in self.local if voice.voice_id not in self._routed]
        own = self.owned.visible() if self.owned is not None else []
        ids = {voice.voice_id for voice in [*local, *own]}
        upstream = list(self.upstream.voices().values()) if self.upstream is not None else []
        # an upstream clone made for a user of this Voicer is listed to its owner only, as theirs
        kept = self.owned.kept([voice.voice_id for voice in upstream]) if self.owned else set()
        upstream = [voice for voice in upstream if voice.voice_id not in ids | kept]
        return iter([*upstream, *local, *own])

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def languages(self) -> set[str]:
        return {language for voice in self for language in voice.languages}

    def speaking(self, language: str) -> list[Voice]:
        return [voice for voice in self if language in voice.languages]

    def model(self, model_id: str, voice: Voice) -> Model:
        """The model ``voice``'s engine offers under ``model_id``, with that engine's limits."""
        if self.upstream is None or not self._upstream_speaks(voice.engine):
            return get_model(model_id)
        models = self.upstream.models()
        if not models:  # the listing could not be read yet: assume ElevenLabs' documented limits
            return replace(get_model(model_id), engine=self.upstream.name)
        if model_id not in models:
            raise UnknownModel(model_id, sorted(models))
        return models[model_id]

    def models(self) -> list[Model]:
        """The upstream's models, then the local ones it does not have."""
        upstream = list(self.upstream.models().values()) if self.upstream else []
        taken = {model.model_id for model in upstream}
        return [*upstream, *(model for model in MODELS if model.model_id not in taken)]
