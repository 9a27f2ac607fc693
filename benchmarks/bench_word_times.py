"""How close Whisper's word starts are to the speech engine's own, before and after Voicer corrects
them (``voicer.recognition.word_starts``).

Three English paragraphs, each spoken by three espeak-ng voices (whose word events are exact),
are recognised once by Whisper base with its own word times; the same words are then corrected
on the clip's sound. For each clip and in all: words matched, the share within ±100 ms, the
median and worst error, and the WER (the words themselves are not changed). Prints a table and
writes JSON to ``benchmarks/results/``.

Run: ``python -m benchmarks.bench_word_times``.
"""

from __future__ import annotations

import statistics
import tempfile
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table
from tests.recognition.speech import ADAM, PARAGRAPHS, RACHEL, speak
from tests.recognition.test_whisper import timing_errors

from benchmarks.report import save
from voicer.pipeline.pool import WorkerPool
from voicer.recognition.base import Word
from voicer.recognition.weights import DEFAULT_STT_MODEL, model_directory
from voicer.recognition.wer import word_error_rate
from voicer.recognition.whisper import WhisperRecognizer
from voicer.recognition.word_starts import refined

VOICES = {"en-us-espeak": "en-us-espeak", "adam (m4)": ADAM, "rachel (f3)": RACHEL}
WITHIN = 0.1  # seconds


def figures(errors: list[float]) -> dict[str, Any]:
    return {"words": len(errors), "within": sum(e <= WITHIN for e in errors),
            "share": round(sum(e <= WITHIN for e in errors) / len(errors), 3),
            "median_ms": round(statistics.median(errors) * 1000),
            "worst_ms": round(max(errors) * 1000)}


def errors(spoken: list[tuple[str, float]], words: list[Word]) -> list[float]:
    return [abs(e) for e in timing_errors(spoken, [(w.text, w.start) for w in words])]


def main() -> None:
    recognizer = WhisperRecognizer(model_directory(DEFAULT_STT_MODEL, Path(tempfile.mkdtemp())),
                                   refine=False)
    rows: list[dict[str, Any]] = []
    with WorkerPool(1) as pool:
        for paragraph, text in PARAGRAPHS.items():
            for voice, voice_id in VOICES.items():
                spoken = speak(pool, text, voice_id)
                clip = spoken.clip
                transcript = recognizer.recognize(clip, "en")
                corrected = [w for s in refined(list(transcript.segments), clip) for w in s.words]
                rows.append({"paragraph": paragraph, "voice": voice, "spoken": len(spoken.words),
                             "wer": round(word_error_rate(text, transcript.text), 3),
                             "whisper": errors(spoken.words, transcript.words),
                             "corrected": errors(spoken.words, corrected)})
    table = Table("paragraph", "voice", "WER", "whisper ±100 ms", "median", "worst",
                  "corrected ±100 ms", "median", "worst")
    total = {"paragraph": "all", "voice": "", "spoken": sum(r["spoken"] for r in rows),
             "wer": round(statistics.mean(r["wer"] for r in rows), 3),
             "whisper": [e for r in rows for e in r["whisper"]],
             "corrected": [e for r in rows for e in r["corrected"]]}
    for row in [*rows, total]:
        before, after = figures(row.pop("whisper")), figures(row.pop("corrected"))
        row.update(whisper=before, corrected=after)
        table.add_row(row["paragraph"], row["voice"], f"{row['wer']:.1%}",
                      f"{before['within']}/{before['words']} ({before['share']:.0%})",
                      f"{before['median_ms']} ms", f"{before['worst_ms']} ms",
                      f"{after['within']}/{after['words']} ({after['share']:.0%})",
                      f"{after['median_ms']} ms", f"{after['worst_ms']} ms")
    Console().print(table)
    print(save("word-times", {"rows": rows}))


if __name__ == "__main__":
    main()
