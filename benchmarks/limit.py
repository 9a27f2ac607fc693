"""The hardware limit L for a text: engine CPU time plus encoder CPU time, over the cores.

Measured by running the voice's own engine (hibari for the default voice) and the service's
own MP3 encoder (resampling, then LAME) directly on the same chunks, split over one process
per core.
"""

from __future__ import annotations

import os
import time
from concurrent.futures import ProcessPoolExecutor
from functools import partial

from voicer.audio import concatenate
from voicer.encoding.formats import DEFAULT_FORMAT
from voicer.encoding.streams import stream_encoder


def _cpu_for(voice_id: str, texts: list[str]) -> tuple[float, float, float]:
    """(engine CPU s, encoder CPU s, audio s) for these chunk texts, in this process."""
    from voicer.engines.registry import EngineRegistry
    from voicer.runtime import local_engines
    from voicer.settings import Settings
    from voicer.voice_settings import VoiceSettings

    [(local, voice)] = [(engine, voice) for engine in EngineRegistry(local_engines(Settings())).local
                        for voice in engine.voices if voice.voice_id == voice_id]
    engine = local.make()
    list(engine.synthesize("Loaded.", voice, VoiceSettings()))  # a model loads on first use
    synthesis = encoding = audio = 0.0
    for text in texts:
        started = time.process_time()
        spoken = concatenate([p.audio for p in engine.synthesize(text, voice, VoiceSettings())],
                            engine.format)
        synthesized = time.process_time()
        encoder = stream_encoder(DEFAULT_FORMAT)
        encoder.encode(spoken)
        encoder.finish()
        synthesis += synthesized - started
        encoding += time.process_time() - synthesized
        audio += spoken.duration
    return synthesis, encoding, audio


def measure(chunks: list[str], cores: int | None = None,
            voice_id: str = "AB9XsbSA4eLG12t2myjN") -> dict[str, float]:
    cores = cores or os.cpu_count() or 1
    shares = [chunks[i::cores] for i in range(cores)]
    with ProcessPoolExecutor(cores) as pool:
        parts = list(pool.map(partial(_cpu_for, voice_id), shares))
    synthesis = sum(p[0] for p in parts)
    encoding = sum(p[1] for p in parts)
    return {"engine_cpu_s": synthesis, "encoder_cpu_s": encoding,
            "audio_s": sum(p[2] for p in parts), "cores": cores,
            "limit_s": (synthesis + encoding) / cores}
