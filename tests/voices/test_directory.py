"""Which engine a voice id resolves to when the ElevenLabs upstream is configured."""

from __future__ import annotations

from dataclasses import replace

from tests.tone_engine import TONE
from voicer.models import Model
from voicer.voices import DEFAULT_VOICE_ID, Voice, VoiceCatalogue
from voicer.voices.directory import VoiceDirectory


class Listing:
    """An upstream that lists no voice of its own."""

    name = "elevenlabs"

    def voices(self) -> dict[str, Voice]:
        return {}

    def models(self) -> dict[str, Model]:
        return {}

    def find_voice(self, voice_id: str) -> Voice | None:
        return None


def test_premade_ids_go_upstream_but_another_engines_voice_stays_with_it() -> None:
    tone = TONE.voices[0]
    lookalike = replace(tone, voice_id="Zz9TonE48kHzVoiceId1")  # shaped like an ElevenLabs id
    directory = VoiceDirectory(VoiceCatalogue([*VoiceCatalogue.bundled(), lookalike]), Listing())
    assert directory.get(DEFAULT_VOICE_ID).engine == "elevenlabs"
    assert directory.get("uk-oksana").engine != "elevenlabs"
    assert directory.get(lookalike.voice_id).engine == TONE.name
    assert lookalike.voice_id in {voice.voice_id for voice in directory}
