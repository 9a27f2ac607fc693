"""Speech engines: each turns (text, voice, settings) into PCM and word events."""

from voicer.engines.base import Engine, EngineFactory, Loading, Speech, WordEvent

__all__ = ["Engine", "EngineFactory", "Loading", "Speech", "WordEvent"]
