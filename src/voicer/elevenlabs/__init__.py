"""The ElevenLabs-compatible API."""
