"""The ``voicer`` command, run as a user runs it."""

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import av
import pytest

from tests.audio_tools import decode, decode_as
from tests.books.epubs import epub
from tests.recognition.speech import PARAGRAPH, speak
from tests.tone_engine import TONE_VOICE_ID, speech_seconds
from voicer.accounts import authenticate
from voicer.db import Database
from voicer.errors import NotAuthenticated
from voicer.pipeline.pool import WorkerPool
from voicer.recognition.wer import word_error_rate

VOICER = [sys.executable, "-m", "voicer"]


def voicer(*args: str, stdin: str | None = None,
           env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*VOICER, *args], input=stdin, capture_output=True, text=True,
                          timeout=120, check=False, env={**os.environ, **(env or {})})


def test_synthesize_reads_stdin_and_writes_a_merged_mp3(tmp_path: Path) -> None:
    out = tmp_path / "news.mp3"
    done = voicer("synthesize", "-", "-o", str(out), "--split", "sentences", "--pause", "0.8",
                  "--speed", "1.1", "--workers", "2",
                  stdin="Breaking news. The river rose overnight. Schools are closed today.")
    assert done.returncode == 0, done.stderr
    assert "wrote" in done.stderr and "3 chunks" in done.stderr
    audio = decode(out)
    assert [length for _, length in audio.gaps(0.6)] == pytest.approx([0.8, 0.8], abs=0.03)


def test_synthesize_a_file_into_a_zip(tmp_path: Path) -> None:
    source = tmp_path / "book.txt"
    source.write_text("Глава 1. Текст главы.\n\nГлава 2. Текст главы.", "utf-8")
    out = tmp_path / "book.zip"
    done = voicer("synthesize", str(source), "-o", str(out), "--split", "paragraphs",
                  "--voice", "ru-natalia", "--pause", "1.5", "--pause-every", "1")
    assert done.returncode == 0, done.stderr
    with zipfile.ZipFile(out) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        assert sorted(archive.namelist()) == ["0001.mp3", "0002.mp3", "captions.json", "captions.srt",
                                             "captions.vtt", "manifest.json"]
    assert [c["text"] for c in manifest["chunks"]] == ["Глава 1. Текст главы.", "Глава 2. Текст главы."]


def test_synthesize_verified_hears_every_chunk_back(tmp_path: Path, whisper_dir: Path) -> None:
    out = tmp_path / "verified.zip"
    done = voicer("synthesize", "-", "-o", str(out), "--split", "sentences", "--voice",
                  "en-us-heart", "--verify", stdin="The river rose overnight. Schools are "
                  "closed for 2 days.", env={"VOICER_STT_MODEL": str(whisper_dir)})
    assert done.returncode == 0, done.stderr
    assert "verified: 2 chunks heard back" in done.stderr
    with zipfile.ZipFile(out) as archive:
        manifest = json.loads(archive.read("manifest.json"))
    assert [chunk["word_error_rate"] for chunk in manifest["chunks"]] == pytest.approx(
        [0, 0], abs=0.1)
    assert "river" in manifest["chunks"][0]["heard"].lower()


def test_synthesize_verified_names_a_chunk_that_skipped_a_sentence(
        tmp_path: Path, whisper_dir: Path) -> None:
    out = tmp_path / "verified.mp3"
    done = voicer("synthesize", "-", "-o", str(out), "--split", "paragraphs", "--voice",
                  "voicer-skipping", "--verify",
                  stdin="The boats were blue. A forgotten song drifted by.\n\nThe sun was warm.",
                  env={"VOICER_STT_MODEL": str(whisper_dir),
                       "VOICER_ENGINES": "tests.forgetful_engine:SKIPPING"})
    assert done.returncode == 0, done.stderr
    worst = [line for line in done.stderr.splitlines() if line.startswith("  chunk ")]
    assert worst and worst[0].startswith("  chunk 1: "), done.stderr
    assert "forgotten" in worst[0]


def test_synthesize_in_another_format(tmp_path: Path) -> None:
    out = tmp_path / "news.ogg"
    done = voicer("synthesize", "-", "-o", str(out), "--format", "opus_48000_64", "--split",
                  "sentences", "--pause", "0.8", stdin="Breaking news. The river rose overnight.")
    assert done.returncode == 0, done.stderr
    audio = decode_as(out.read_bytes(), "opus_48000_64")
    assert (audio.codec, audio.rate) == ("opus", 48_000)
    assert [length for _, length in audio.gaps(0.6)] == pytest.approx([0.8], abs=0.03)


def test_engines_named_in_the_settings_speak_in_the_cli(tmp_path: Path) -> None:
    """VOICER_ENGINES registers an engine in every process: the CLI lists its voice and speaks
    with it (a 48 kHz tone as long as the text), beside espeak-ng."""
    env = {"VOICER_ENGINES": "tests.tone_engine:TONE"}
    listed = voicer("voices", env=env)
    assert listed.returncode == 0, listed.stderr
    assert TONE_VOICE_ID in listed.stdout and "ru-natalia" in listed.stdout
    out = tmp_path / "tone.wav"
    text = "A tone as long as this text."
    done = voicer("synthesize", "-", "-o", str(out), "--voice", TONE_VOICE_ID, "--format",
                  "wav_48000", stdin=text, env=env)
    assert done.returncode == 0, done.stderr
    audio = decode_as(out.read_bytes(), "wav_48000")
    start, end = audio.sound_span()
    assert audio.rate == 48_000
    assert end - start == pytest.approx(speech_seconds(text), abs=0.02)
    without = voicer("synthesize", "-", "-o", str(tmp_path / "tone.mp3"), "--voice", TONE_VOICE_ID,
                     stdin=text)
    assert without.returncode == 2 and "not found" in without.stderr


def test_an_engine_that_cannot_be_imported_is_named() -> None:
    done = voicer("voices", env={"VOICER_ENGINES": "tests.tone_engine:NOPE"})
    assert done.returncode != 0 and "tests.tone_engine:NOPE" in done.stderr


@pytest.mark.parametrize(("args", "stdin", "message"), [
    (["--voice", "nope"], "Hello.", "voice 'nope' not found"),
    ([], "   \n", "text is empty"),
    (["--pause", "31"], "Hello.", "--pause: Input should be less than or equal to 30"),
    (["--pause", "0.05"], "Hello.", "--pause: Input should be greater than or equal to 0.1"),
    (["--pause", "1", "--pause-every", "101"], "Hello.", "--pause-every"),
    (["--speed", "1.5"], "Hello.", "--speed: Input should be less than or equal to 1.2"),
    (["--model", "gpt-4"], "Hello.", "model 'gpt-4' not found"),
    (["--max-chunk", "20000"], "Hello.", "max_chunk must be between 50 and 10000"),
    (["--language", "xx"], "Hello.", "language_code 'xx' is not supported"),
    (["--split", "words"], "Hello.", "Invalid value for '--split'"),
])
def test_bad_input_exits_nonzero_with_one_clear_line(tmp_path: Path, args: list[str],
                                                     stdin: str, message: str) -> None:
    out = tmp_path / "x.mp3"
    done = voicer("synthesize", "-", "-o", str(out), *args, stdin=stdin)
    assert done.returncode == 2
    assert message in " ".join(done.stderr.split())
    assert "Traceback" not in done.stderr
    assert not out.exists()


def test_a_missing_input_file_is_named(tmp_path: Path) -> None:
    done = voicer("synthesize", str(tmp_path / "none.txt"), "-o", str(tmp_path / "x.mp3"))
    assert done.returncode == 2 and "none.txt does not exist" in done.stderr
    assert "Traceback" not in done.stderr


def test_the_output_must_be_mp3_or_zip(tmp_path: Path) -> None:
    done = voicer("synthesize", "-", "-o", str(tmp_path / "x.wav"), stdin="Hi.")
    assert done.returncode == 2 and "must end in .mp3 or .zip" in done.stderr


def test_voices_lists_the_catalogue_by_language() -> None:
    done = voicer("voices", "--language", "uk")
    assert done.returncode == 0
    assert "uk-oksana" in done.stdout and "21m00Tcm4TlvDq8ikWAM" not in done.stdout
    everything = voicer("voices")
    assert "21m00Tcm4TlvDq8ikWAM" in everything.stdout and "Rachel" in everything.stdout


def test_voices_for_an_unknown_language_is_an_error() -> None:
    done = voicer("voices", "--language", "tlh")
    assert done.returncode == 2 and "no voice speaks 'tlh'" in done.stderr


def account_command(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "VOICER_DATA_DIR": str(data_dir)}
    return subprocess.run([*VOICER, *args], capture_output=True, text=True, timeout=60,
                          env=env, check=False)


def test_users_and_tokens_from_the_command_line(tmp_path: Path) -> None:
    created = account_command(tmp_path, "users", "create", "alice", "--characters", "5000",
                              "--plan", "pro", "--json")
    assert created.returncode == 0, created.stderr
    first = json.loads(created.stdout)
    assert first["user_id"].startswith("user_") and first["token"].startswith("vk_")
    again = account_command(tmp_path, "users", "create", "alice")
    assert again.returncode == 2 and "exists already" in again.stderr

    second = account_command(tmp_path, "tokens", "create", "alice", "--name", "laptop")
    assert second.returncode == 0 and second.stdout.strip().startswith("vk_")
    listed = account_command(tmp_path, "tokens", "list", "alice")
    assert listed.stdout.count("tok_") == 2 and "vk_" not in listed.stdout

    database = Database(f"sqlite:///{tmp_path / 'voicer.db'}")
    with database.session() as session:
        caller = authenticate(session, first["token"])
        assert caller.user.plan == "pro" and caller.user.total_characters == 5000
        token_id = caller.token_id
    revoked = account_command(tmp_path, "tokens", "revoke", token_id)
    assert revoked.returncode == 0
    with database.session() as session, pytest.raises(NotAuthenticated):
        authenticate(session, first["token"])
    with database.session() as session:
        assert authenticate(session, second.stdout.strip()).user.name == "alice"
    database.close()
    database.close()
    unknown = account_command(tmp_path, "tokens", "create", "bob")
    assert unknown.returncode == 2 and "no user 'bob'" in unknown.stderr


def transcribe(whisper_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*VOICER, "transcribe", *args], capture_output=True, text=True,
                          timeout=300, check=False,
                          env={**os.environ, "VOICER_STT_MODEL": str(whisper_dir)})


@pytest.fixture(scope="module")
def spoken(tmp_path_factory: pytest.TempPathFactory, pool: WorkerPool) -> Path:
    path = tmp_path_factory.mktemp("spoken") / "paragraph.wav"
    path.write_bytes(speak(pool, PARAGRAPH).wav)
    return path


def test_transcribe_prints_the_text(whisper_dir: Path, spoken: Path) -> None:
    done = transcribe(whisper_dir, str(spoken))
    assert done.returncode == 0, done.stderr
    assert word_error_rate(PARAGRAPH, done.stdout) <= 0.05
    assert "listening" in done.stderr


@pytest.mark.parametrize("suffix", [".srt", ".txt", ".json"])
def test_transcribe_writes_subtitles_text_or_json(whisper_dir: Path, spoken: Path,
                                                  tmp_path: Path, suffix: str) -> None:
    out = tmp_path / f"paragraph{suffix}"
    done = transcribe(whisper_dir, str(spoken), "-o", str(out), "--language", "en",
                      "--speakers", "1")
    assert done.returncode == 0, done.stderr
    assert f"wrote {out}" in done.stderr and "language en" in done.stderr
    content = out.read_text()
    if suffix == ".srt":
        assert content.startswith("1\n00:00:00,") and "speaker_0: The weather" in content
    elif suffix == ".txt":
        assert content.startswith("[00:00:00.") and "speaker_0:" in content
    else:
        body = json.loads(content)
        assert body["language"] == "en" and body["segments"][0]["speaker"] == "speaker_0"
        assert word_error_rate(PARAGRAPH, body["text"]) <= 0.05


@pytest.mark.parametrize(("args", "message"), [
    (["missing.wav"], "FILE: missing.wav does not exist"),
    (["{spoken}", "-o", "out.mp3"], "must end in .srt, .txt, .json"),
    (["{spoken}", "--language", "klingon"], "--language 'klingon' is not a language"),
    (["{text}"], "FILE is not audio"),
])
def test_transcribe_refuses_with_one_clear_line(whisper_dir: Path, spoken: Path, tmp_path: Path,
                                                args: list[str], message: str) -> None:
    text = tmp_path / "notes.txt"
    text.write_text("not audio at all " * 50)
    done = transcribe(whisper_dir, *[a.format(spoken=spoken, text=text) for a in args])
    assert done.returncode == 2 and message in done.stderr
def sounding_seconds(path: Path) -> float:
    start, end = decode_as(path.read_bytes(), "pcm_16000").sound_span()
    return end - start


def test_synthesize_normalizes_unless_told_not_to(tmp_path: Path) -> None:
    heard = {}
    espeak = ("--voice", "en-us-espeak")  # it reads digits as written
    for mode in ("on", "off"):
        out = tmp_path / f"{mode}.pcm"
        done = voicer("synthesize", "-", "-o", str(out), "--format", "pcm_16000", *espeak,
                      "--normalize", mode, stdin="Due 12/03/2025.")
        assert done.returncode == 0, done.stderr
        heard[mode] = sounding_seconds(out)
    said = tmp_path / "said.pcm"
    voicer("synthesize", "-", "-o", str(said), "--format", "pcm_16000", *espeak, "--normalize",
           "off", stdin="Due December third, twenty twenty-five.")
    assert heard["on"] == pytest.approx(sounding_seconds(said), abs=0.05)
    assert abs(heard["on"] - heard["off"]) > 0.3


def test_synthesize_with_a_pls_dictionary(tmp_path: Path) -> None:
    lexicon = tmp_path / "acronyms.pls"
    lexicon.write_text('<lexicon version="1.0" alphabet="ipa" '
                       'xmlns="http://www.w3.org/2005/01/pronunciation-lexicon">'
                       "<lexeme><grapheme>UN</grapheme><alias>United Nations</alias></lexeme>"
                       "</lexicon>", "utf-8")
    aliased, spelled = tmp_path / "aliased.pcm", tmp_path / "spelled.pcm"
    done = voicer("synthesize", "-", "-o", str(aliased), "--format", "pcm_16000",
                  "--dictionary", str(lexicon), stdin="The UN met.")
    assert done.returncode == 0, done.stderr
    voicer("synthesize", "-", "-o", str(spelled), "--format", "pcm_16000",
           stdin="The United Nations met.")
    assert sounding_seconds(aliased) == pytest.approx(sounding_seconds(spelled), abs=0.05)
    broken = tmp_path / "broken.pls"
    broken.write_text("<lexicon", "utf-8")
    refused = voicer("synthesize", "-", "-o", str(tmp_path / "x.mp3"), "--dictionary", str(broken),
                     stdin="The UN met.")
    assert refused.returncode != 0 and "broken.pls" in refused.stderr


def test_synthesize_an_epub_into_an_m4b_with_chapters(tmp_path: Path) -> None:
    source = tmp_path / "book.epub"
    source.write_bytes(epub([("Chapter One", "It was a dark night."),
                             ("Chapter Two", "Morning came at last.")]))
    out = tmp_path / "book.m4b"  # m4b_44100_64, as the name says
    done = voicer("synthesize", str(source), "-o", str(out), "--voice", "en-us-espeak",
                  "--chapter-pause", "1.2", "--workers", "1")
    assert done.returncode == 0, done.stderr
    audio = decode_as(out.read_bytes(), "m4b_44100_64")
    assert (audio.codec, audio.rate) == ("aac", 44_100)
    with av.open(str(out)) as container:
        chapters = container.chapters()
    assert [chapter["metadata"]["title"] for chapter in chapters] == ["Chapter One", "Chapter Two"]
    heard = [start + length for start, length in audio.gaps(1.0)]
    assert [float(chapters[1]["start"] * chapters[1]["time_base"])] == pytest.approx(heard, abs=0.05)
