"""Benchmark the audio tools through a live ``voicer serve`` limited to 2 cores.

A dialogue is made by the server itself (a female and a male voice taking turns reading
English prose, with a little white noise under it), then each tool is asked over HTTP:
audio isolation, the voice changer (into a male voice), sound generation (30 s of rain, the
longest sound it makes) and dubbing (same language, two speakers, polled until dubbed). For
each: the audio seconds made, wall time, × realtime (audio seconds per wall second) and the
peak memory (PSS) of the server's whole process tree while the tool ran. Speech to text is
in ``bench_stt``.

Prints a table and writes JSON to ``benchmarks/results/``.
Run: ``python -m benchmarks.bench_tools [--seconds 60] [--cores 2]``.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import platform
import threading
import time
import wave
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass

import httpx
import numpy as np
import psutil
from rich.console import Console
from rich.table import Table
from tests.recognition.speech import wav

from benchmarks.bench_core import tree_memory
from benchmarks.report import save
from benchmarks.server import Running, running_server
from benchmarks.texts import prose

FEMALE, MALE = "21m00Tcm4TlvDq8ikWAM", "pNInz6obpgDQGcFmaJgB"  # Rachel and Adam
RATE = 24_000
CHARACTERS_PER_SECOND = 15  # what a voice reads in a second, about
NOISE_DB = 20.0  # the noise under the dialogue, below the speech


@dataclass
class Run:
    tool: str
    audio_seconds: float
    wall_seconds: float
    peak_pss_mb: float

    @property
    def realtime(self) -> float:
        return self.audio_seconds / self.wall_seconds


@contextlib.contextmanager
def peak_memory(pid: int) -> Iterator[list[int]]:
    """The peak PSS of ``pid``'s tree while the block runs, in ``found[0]`` afterwards."""
    found = [0]
    done = threading.Event()
    process = psutil.Process(pid)

    def sample() -> None:
        while not done.is_set():
            with contextlib.suppress(psutil.NoSuchProcess):
                found[0] = max(found[0], tree_memory(process)[0])
            done.wait(0.1)

    watcher = threading.Thread(target=sample, daemon=True)
    watcher.start()
    try:
        yield found
    finally:
        done.set()
        watcher.join()


def measure(server: Running, tool: str, seconds: float, call: Callable[[], object]) -> Run:
    with peak_memory(server.pid) as peak:
        started = time.perf_counter()
        call()
        wall = time.perf_counter() - started
    return Run(tool, seconds, wall, peak[0] / 2**20)


def dialogue(client: httpx.Client, seconds: float) -> bytes:
    """Two voices taking turns, about ``seconds`` long, with white noise under them, as WAV."""
    text = prose(int(seconds * CHARACTERS_PER_SECOND))
    sentences = [s.strip() + "." for s in text.replace("\n", " ").split(".") if s.strip()]
    turns = [" ".join(sentences[i:i + 2]) for i in range(0, len(sentences), 2)]
    pieces = []
    for i, turn in enumerate(turns):
        answer = client.post(f"/v1/text-to-speech/{(FEMALE, MALE)[i % 2]}", json={"text": turn},
                             params={"output_format": f"pcm_{RATE}"})
        answer.raise_for_status()
        pieces += [np.frombuffer(answer.content, "<i2"), np.zeros(RATE // 2, "<i2")]
    speech = np.concatenate(pieces).astype(np.float64)
    level = np.sqrt(np.mean(speech ** 2)) / 10 ** (NOISE_DB / 20)
    noisy = speech + np.random.default_rng(7).normal(0, level, len(speech))
    return wav(np.clip(noisy, -32768, 32767), RATE)


def dub(client: httpx.Client, audio: bytes) -> None:
    made = client.post("/v1/dubbing", files={"file": ("dialogue.wav", audio, "audio/wav")},
                       data={"source_lang": "en", "target_lang": "en", "num_speakers": "2"})
    made.raise_for_status()
    dubbing_id = made.json()["dubbing_id"]
    while (status := client.get(f"/v1/dubbing/{dubbing_id}").json()["status"]) == "dubbing":
        time.sleep(0.2)
    if status != "dubbed":
        raise SystemExit(f"dubbing {status}")
    client.get(f"/v1/dubbing/{dubbing_id}/audio/en").raise_for_status()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0, help="of dialogue to work on")
    parser.add_argument("--cores", type=int, default=2, help="CPUs the server may use")
    args = parser.parse_args()
    cores = sorted(os.sched_getaffinity(0))[:args.cores]
    os.sched_setaffinity(0, cores)  # the server and its workers inherit it
    with running_server(workers=len(cores)) as server, httpx.Client(
            base_url=server.url, headers={"xi-api-key": server.token}, timeout=3_600) as client:
        audio = dialogue(client, args.seconds)
        with wave.open(io.BytesIO(audio)) as file:
            seconds = file.getnframes() / file.getframerate()
        upload = {"audio": ("dialogue.wav", audio, "audio/wav")}

        def checked(answer: httpx.Response) -> None:
            answer.raise_for_status()

        runs = [
            measure(server, "audio isolation", seconds, lambda: checked(
                client.post("/v1/audio-isolation", files=upload))),
            measure(server, "voice changer", seconds, lambda: checked(
                client.post(f"/v1/speech-to-speech/{MALE}", files=upload))),
            measure(server, "sound generation (rain)", 30.0, lambda: checked(client.post(
                "/v1/sound-generation", json={"text": "rain", "duration_seconds": 30}))),
            measure(server, "dubbing (2 speakers)", seconds, lambda: dub(client, audio)),
        ]
    table = Table("tool", "audio s", "wall s", "× realtime", "peak PSS MB",
                  title=f"audio tools, voicer serve on {len(cores)} cores")
    for run in runs:
        table.add_row(run.tool, f"{run.audio_seconds:,.1f}", f"{run.wall_seconds:,.1f}",
                      f"{run.realtime:.1f}", f"{run.peak_pss_mb:.0f}")
    console = Console()
    console.print(table)
    path = save("tools", {"python": platform.python_version(), "seconds": seconds,
                          "cores": len(cores), "load_average": os.getloadavg(),
                          "runs": [asdict(run) | {"realtime": run.realtime} for run in runs]})
    console.print(f"wrote {path}")


if __name__ == "__main__":
    main()
