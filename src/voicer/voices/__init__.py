"""The voice catalogue."""

from voicer.voices.catalogue import DEFAULT_VOICE_ID, Voice, VoiceCatalogue, Voices

__all__ = ["DEFAULT_VOICE_ID", "Voice", "VoiceCatalogue", "Voices"]
