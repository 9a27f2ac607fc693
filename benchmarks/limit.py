"""The hardware limit L for a text: engine CPU time plus encoder CPU time, over the cores.

Measured by running espeak-ng and LAME directly on the same chunks, with the
same settings the service uses, split over one process per core.
"""

from __future__ import annotations

import os
import time
from concurrent.futures import ProcessPoolExecutor

import lameenc
import numpy as np

from voicer.encoding.mp3 import QUALITY


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
        pcm = np.concatenate([p.samples for p in engine.synthesize(text, voice, VoiceSettings())])
        synthesized = time.process_time()
        encoder = lameenc.Encoder()
        encoder.set_bit_rate(128)
        encoder.set_in_sample_rate(22_050)
        encoder.set_out_sample_rate(44_100)
        encoder.set_channels(1)
        encoder.set_quality(QUALITY)
        encoder.encode(pcm.tobytes())
        encoder.flush()
        synthesis += synthesized - started
        encoding += time.process_time() - synthesized
        audio += len(pcm) / 22_050
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
