"""The OpenAI audio API over Voicer's own engines: ``/v1/audio/speech`` and
``/v1/audio/transcriptions``, below HTTP."""
