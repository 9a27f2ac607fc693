"""The hardware limit L for a text: engine CPU time plus encoder CPU time, over the cores.

Measured by running espeak-ng and the service's own MP3 encoder (resampling, then LAME)
directly on the same chunks, split over one process per core.
"""

from __future__ import annotations

import os
import time
from concurrent.futures import ProcessPoolExecutor

from voicer.audio import concatenate
from voicer.encoding.formats import DEFAULT_FORMAT
from voicer.encoding.streams import stream_encoder


def _cpu_for(texts: list[str]) -> tuple[float, float, float]:
    """(engine CPU s, encoder CPU s, audio s) for these chunk texts, in this process."""
    from voicer.engines.espeak import EspeakEngine
    from voicer.voice_settings import VoiceSettings
    from voicer.voices import VoiceCatalogue

    engine = EspeakEngine()
    voice = VoiceCatalogue.bundled().get("AB9XsbSA4eLG12t2myjN")
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


def measure(chunks: list[str], cores: int | None = None) -> dict[str, float]:
    cores = cores or os.cpu_count() or 1
    shares = [chunks[i::cores] for i in range(cores)]
    with ProcessPoolExecutor(cores) as pool:
        parts = list(pool.map(_cpu_for, shares))
    synthesis = sum(p[0] for p in parts)
    encoding = sum(p[1] for p in parts)
    return {"engine_cpu_s": synthesis, "encoder_cpu_s": encoding,
            "audio_s": sum(p[2] for p in parts), "cores": cores,
            "limit_s": (synthesis + encoding) / cores}
