"""How well Whisper hears normalized Russian and Ukrainian from espeak-ng.

A normalization set (dates, money, abbreviations, ordinals, roman numerals, percentages,
times) is spoken by a voice through ``/v1/text-to-speech`` with ``apply_text_normalization``
on and off, at a speed, each sentence alone or all of them as one text, and transcribed by
Whisper base with the language forced. An item is a hit where every value it says is found in
the transcript, as digits or as a number word's stem ("12" or "двенадцат", and "март").
Prints a table of hit rates and writes JSON to ``benchmarks/results/``.

Run: ``python -m benchmarks.bench_heard_slavic [voice:speed:alone|joined ...]``.
"""

from __future__ import annotations

import io
import re
import sys
import tempfile
from pathlib import Path

from fastapi.testclient import TestClient
from rich.console import Console
from rich.table import Table

from benchmarks.report import save
from voicer import accounts
from voicer.api import create_app
from voicer.recognition.clip import decode
from voicer.recognition.weights import DEFAULT_STT_MODEL, model_directory
from voicer.recognition.whisper import WhisperRecognizer
from voicer.settings import Settings

SETS = {
    "ru": [("Встреча назначена на 12.03.2025.", (r"12|двенадцат", r"март")),
           ("Билет стоит 1 200 ₽.", (r"1 ?200|тысяч\w* двест", r"рубл")),
           ("Бюджет составил 5 млн ₽.", (r"\b5\b|пят", r"миллион")),
           ("Д-р Иванов пришёл первым.", (r"доктор",)),
           ("Он занял 3-е место.", (r"трет|\b3\b",)),
           ("Глава IV начинается здесь.", (r"четыр|\b4\b",)),
           ("Пётр I основал город.", (r"перв",)),
           ("Осталось 25 % работы.", (r"\b25\b|двадцать пять", r"процент")),
           ("Поезд отходит в 14:30.", (r"\b14\b|четырнадцат", r"\b30\b|тридцат"))],
    "uk": [("Зустріч призначена на 12.03.2025.", (r"12|дванадцят", r"берез")),
           ("Квиток коштує 1 200 грн.", (r"1 ?200|тисяч\w* двіст", r"грив")),
           ("Бюджет становить 5 млн грн.", (r"\b5\b|п.ят", r"мільйон")),
           ("Д-р Шевченко прийшов першим.", (r"доктор",)),
           ("Він посів 3-є місце.", (r"трет|\b3\b",)),
           ("Розділ IV починається тут.", (r"чотир|\b4\b",)),
           ("Петро I заснував місто.", (r"перш",)),
           ("Залишилося 25 % роботи.", (r"\b25\b|двадцять п.ять", r"відсот"))],
}
DEFAULT = ("ru-dmitry:1.0:alone", "ru-dmitry:0.7:joined", "ru-ivan:0.7:joined",
           "uk-taras:0.7:joined")


def heard(client: TestClient, key: str, recognizer: WhisperRecognizer, voice: str,
          text: str, speed: float, normalization: str) -> str:
    answer = client.post(f"/v1/text-to-speech/{voice}?output_format=mp3_44100_128",
                         headers={"xi-api-key": key},
                         json={"text": text, "apply_text_normalization": normalization,
                               "voice_settings": {"speed": speed}})
    answer.raise_for_status()
    language = voice.split("-")[0]
    return recognizer.recognize(decode(io.BytesIO(answer.content), 120), language).text.lower()


def hits(transcripts: list[str], items: list[tuple[str, tuple[str, ...]]]) -> list[bool]:
    said = transcripts * len(items) if len(transcripts) == 1 else transcripts
    return [all(re.search(value, heard) for value in values)
            for heard, (_, values) in zip(said, items, strict=True)]


def main(configurations: list[str]) -> None:
    folder = Path(tempfile.mkdtemp())
    recognizer = WhisperRecognizer(model_directory(DEFAULT_STT_MODEL, folder / "stt"))
    rows = []
    with TestClient(create_app(Settings(data_dir=folder, requests_per_minute=10_000))) as client:
        with client.app.state.services.database.session() as session:  # type: ignore[attr-defined]
            key = accounts.create_token(session, accounts.create_user(
                session, "bench", 10_000_000, accounts.RatePlan.basic)).token
            session.commit()
        for configuration in configurations:
            voice, speed, mode = configuration.split(":")
            items = SETS[voice.split("-")[0]]
            texts = [" ".join(text for text, _ in items)] if mode == "joined" else [
                text for text, _ in items]
            for normalization in ("on", "off"):
                said = [heard(client, key, recognizer, voice, text, float(speed), normalization)
                        for text in texts]
                found = hits(said, items)
                rows.append({"voice": voice, "speed": float(speed), "mode": mode,
                             "normalization": normalization, "hits": sum(found),
                             "items": len(items), "per_item": found, "transcripts": said})
    table = Table("voice", "speed", "mode", "normalization", "hit rate")
    for row in rows:
        table.add_row(row["voice"], f"{row['speed']:g}", row["mode"], row["normalization"],
                      f"{row['hits']}/{row['items']}")
    Console().print(table)
    print(save("heard-slavic", {"rows": rows}))


if __name__ == "__main__":
    main(sys.argv[1:] or list(DEFAULT))
