"""Voice cloning: a reference measured, and a voice of the local engines derived to match it
(or, with an ElevenLabs key, the upstream's own instant clone)."""
