"""The ``voicer`` command line."""

from __future__ import annotations

import base64
import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Column, Table
from sqlalchemy.orm import Session

from voicer import accounts, loudness
from voicer.accounts import RatePlan
from voicer.atomic import atomic_file
from voicer.books import TextFormat
from voicer.encoding.formats import DEFAULT_FORMAT, parse_task_format
from voicer.engines.registry import EngineRegistry
from voicer.errors import VoicerError
from voicer.language import LanguageDetector
from voicer.models import DEFAULT_MODEL_ID
from voicer.output import OutputFile
from voicer.output.base import WORST_CHUNKS
from voicer.pauses import PausePlan
from voicer.pipeline.plan import Plan, SynthesisOptions, plan_document
from voicer.pipeline.pool import WorkerPool
from voicer.pipeline.run import RunProgress, run
from voicer.pipeline.verify import ChunkVerifier, Heard
from voicer.pronunciation import pls
from voicer.pronunciation.rules import AliasRule, PhonemeRule
from voicer.runtime import local_engines
from voicer.settings import Settings
from voicer.text import SplitType
from voicer.text.normalize import Normalization
from voicer.voice_settings import VoiceSettings
from voicer.voices import DEFAULT_VOICE_ID, VoiceCatalogue

app = typer.Typer(help="Voicer: long text to speech, offline.", no_args_is_help=True,
                  pretty_exceptions_enable=False)
err = Console(stderr=True)


def fail(message: str) -> NoReturn:
    err.print(f"[red]error:[/red] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(2)


@app.command()
def synthesize(
    source: Annotated[str, typer.Argument(metavar="INPUT", help="a UTF-8 .txt file, or - for stdin; "
                                                                "a book: .epub, .md or .html, whose "
                                                                "chapters are marked in MP3 or M4B")],
    out: Annotated[Path, typer.Option("-o", "--output",
                                      help="OUT.mp3 (OUT.wav, OUT.m4b, ... as --format says), or "
                                           "OUT.zip for one file per chunk")],
    output_format: Annotated[str, typer.Option("--format", help="codec_rate[_kbps], as ElevenLabs' "
                                                                 "output_format")] = DEFAULT_FORMAT.name,
    voice: Annotated[str, typer.Option("--voice", help="voice id (see `voicer voices`)")] = DEFAULT_VOICE_ID,
    model: Annotated[str, typer.Option("--model", help="model id")] = DEFAULT_MODEL_ID,
    split: Annotated[SplitType, typer.Option("--split", help="how to cut the text")] = SplitType.smart,
    max_chunk: Annotated[int | None, typer.Option("--max-chunk", help="max characters per chunk")] = None,
    pause: Annotated[float | None, typer.Option("--pause", help="seconds of silence, 0.1-30")] = None,
    pause_every: Annotated[int, typer.Option("--pause-every", help="pause every N-th chunk, 1-100")] = 1,
    speed: Annotated[float, typer.Option("--speed", help="speaking rate, 0.7-1.2")] = 1.0,
    stability: Annotated[float, typer.Option("--stability", help="0 expressive - 1 monotone")] = 0.5,
    language: Annotated[str | None, typer.Option("--language", help="force a language (ISO 639-1)")] = None,
    workers: Annotated[int | None, typer.Option("--workers", help="processes [default: cores]")] = None,
    normalize: Annotated[Normalization, typer.Option(
        "--normalize", help="read numbers, dates, money, abbreviations as said (auto: on)")] = (
        Normalization.auto),
    dictionary: Annotated[list[Path] | None, typer.Option(
        "--dictionary", help="a pronunciation lexicon (.pls); repeat for more, the first wins")] = None,
    chapter_pause: Annotated[float, typer.Option(
        "--chapter-pause", help="seconds of silence after each chapter of a book, 0.1-30")] = 2.0,
    loudness_target: Annotated[str, typer.Option(
        "--loudness", help="LUFS every chunk is brought to (-40 to -5), or podcast, audiobook, "
                           "acx, broadcast, off")] = "-16",
    true_peak: Annotated[float | None, typer.Option(
        "--true-peak", help="true-peak ceiling, dBTP (-9 to 0) [default: -1 or the preset's]")] = None,
    verify: Annotated[bool, typer.Option(
        "--verify", help="hear every chunk back with the local Whisper model (VOICER_STT_MODEL): "
                         "word error rates in a ZIP's manifest, the worst chunks shown")] = False,
) -> None:
    """Speak a text into one audio file (MP3 unless --format says otherwise), or a ZIP of
    per-chunk files."""
    settings = Settings()
    if out.suffix.lower() == ".m4b" and output_format == DEFAULT_FORMAT.name:
        output_format = BOOK_FORMAT  # the name says an audiobook
    _check_output(out, output_format)
    lexicon = _lexicon(dictionary or [])
    try:
        options = SynthesisOptions(
            voice_id=voice, model_id=model, language_code=language, split_type=split,
            max_chunk=max_chunk or settings.chunk_limit, split_output=out.suffix.lower() == ".zip",
            pauses=PausePlan(enabled=pause is not None, duration=pause or 0.5, frequency=pause_every),
            voice_settings=VoiceSettings(speed=speed, stability=stability),
            output_format=output_format, apply_text_normalization=normalize, lexicon=lexicon,
            text_format=_text_format(source), chapter_pause=chapter_pause,
            loudness=loudness.target(loudness_target, true_peak), verify=verify,
        )
    except ValidationError as error:
        fail(_describe(error))
    except VoicerError as error:
        fail(error.message)
    text = _read_book(source) if options.text_format == TextFormat.epub else _read(source)
    registry = _engines(settings)
    try:
        plan = plan_document(text, options, _voices(registry), LanguageDetector())
    except VoicerError as error:
        fail(error.message)
    processes = min(workers or settings.workers, len(plan.jobs))
    with _progress() as bar, WorkerPool(processes, registry.workers()) as pool:
        task = bar.add_task("speaking", total=plan.characters,
                            chunks=f"0/{len(plan.jobs)}", rate="")

        def show(progress: RunProgress) -> None:
            rate = progress.characters_done / max(progress.elapsed, 1e-6)
            bar.update(task, completed=progress.characters_done, rate=f"{rate:,.0f} chars/s",
                       chunks=f"{progress.chunks_done}/{progress.chunks_total}")

        try:
            with atomic_file(out) as file:
                result = run(plan, pool, plan.output_file.open(file, plan.tags), show,
                             _verifier(settings, registry, processes) if verify else None)
        except VoicerError as error:
            fail(error.message)
    err.print(f"wrote {out}: {result.duration:,.1f} s of audio, {result.chunks} chunks, "
              f"{result.characters:,} characters in {result.elapsed:.1f} s")
    if verify:
        _show_heard(plan, result.heard)


def _verifier(settings: Settings, registry: EngineRegistry, threads: int) -> ChunkVerifier:
    """Whisper on as many threads as there are workers: once they have rendered the last
    chunks, hearing the rest back has every core."""
    from voicer.recognition.weights import model_directory  # heavy: only to verify
    from voicer.recognition.whisper import WhisperRecognizer

    recognizer = WhisperRecognizer(model_directory(settings.stt_model, settings.data_dir),
                                   threads=threads)
    return ChunkVerifier(lambda: recognizer, settings.verify_threshold, settings.verify_attempts,
                         registry.varies)


def _show_heard(plan: Plan, heard: tuple[Heard, ...]) -> None:
    """How the chunks were heard back: the mean word error rate, and the worst chunks."""
    mean = sum(chunk.word_error_rate for chunk in heard) / max(len(heard), 1)
    err.print(f"verified: {len(heard)} chunks heard back, mean word error rate {mean:.1%}",
              highlight=False)
    worst = sorted((chunk for chunk in zip(plan.chunks, heard, strict=True)
                    if chunk[1].word_error_rate > 0),
                   key=lambda chunk: (-chunk[1].word_error_rate, chunk[0].index))[:WORST_CHUNKS]
    for chunk, chunk_heard in worst:
        err.print(f"  chunk {chunk.index + 1}: {chunk_heard.word_error_rate:.0%} of words wrong; "
                  f"said {_clipped(chunk.text)!r}, heard {_clipped(chunk_heard.text)!r}",
                  highlight=False, soft_wrap=True)


def _clipped(text: str, length: int = 80) -> str:
    return text if len(text) <= length else text[:length - 1] + "…"


def _lexicon(files: list[Path]) -> tuple[AliasRule | PhonemeRule, ...]:
    """The rules of the lexicon files, in order."""
    rules: list[AliasRule | PhonemeRule] = []
    for file in files:
        try:
            rules += pls.read(file.read_bytes())
        except (OSError, ValueError) as error:
            fail(f"--dictionary {file}: {error}")
    return tuple(rules)


def _engines(settings: Settings) -> EngineRegistry:
    """The local engines and their voices, as a server would have them."""
    return EngineRegistry(local_engines(settings))


def _voices(registry: EngineRegistry) -> VoiceCatalogue:
    from voicer.runtime import local_voices

    return local_voices(registry)


def _check_output(out: Path, output_format: str) -> None:
    """The output file's name says what it holds: the format's own suffix, or .zip."""
    try:
        suffix = OutputFile(False, parse_task_format(output_format)).suffix
    except VoicerError as error:
        fail(error.message)
    if out.suffix.lower() not in (suffix, ".zip"):
        fail(f"output: {out} must end in {suffix} or .zip")


TRANSCRIPTS = (".srt", ".txt", ".json")


@app.command()
def transcribe(
    source: Annotated[Path, typer.Argument(metavar="FILE", help="audio or video in any format "
                                                                "FFmpeg reads")],
    out: Annotated[Path | None, typer.Option("-o", "--output",
                                             help="OUT.srt, OUT.txt or OUT.json; default: the "
                                                  "text on stdout")] = None,
    language: Annotated[str | None, typer.Option("--language", help="ISO 639-1 or 639-3; "
                                                                    "default: detected")] = None,
    speakers: Annotated[int | None, typer.Option("--speakers", min=1, max=32,
                                                 help="label N speakers")] = None,
    workers: Annotated[int | None, typer.Option("--workers", min=1, max=64,
                                                help="pieces heard at once [default: cores]")] = None,
) -> None:
    """Recognise the speech in FILE with the local Whisper model (VOICER_STT_MODEL)."""
    from voicer.recognition import exports, registry  # heavy: only for this command
    from voicer.recognition.clip import Sound, StreamedClip, decode_long
    from voicer.recognition.languages import whisper_language
    from voicer.recognition.speakers import diarize

    settings = Settings()
    if out is not None and out.suffix.lower() not in TRANSCRIPTS:
        fail(f"output: {out} must end in {', '.join(TRANSCRIPTS)}")
    try:
        asked = whisper_language(language, "--language")
        if speakers is None:  # decoded as it is heard: an hour costs no copy of itself
            clip: Sound = StreamedClip(source, 24 * 3600.0, "FILE")
        else:  # telling speakers apart needs it all at once (16-bit: an hour is 115 MB)
            with source.open("rb") as file:
                clip = decode_long(file, 24 * 3600.0, "FILE")
        recognizer = registry.threaded_whisper(settings.stt_model, settings.data_dir,
                                               workers or settings.stt_workers)
        try:
            with _listening(clip.duration) as heard:
                transcript = recognizer.recognize(clip, asked, heard)
            if speakers is not None:
                transcript = diarize(transcript, clip, speakers)
        finally:
            recognizer.close()
    except FileNotFoundError:
        fail(f"FILE: {source} does not exist")
    except VoicerError as error:
        fail(error.message)
    if out is None:
        typer.echo(transcript.text)
        return
    with atomic_file(out) as written:
        written.write(exports.file_content(transcript, out.suffix.lower()).encode())
    err.print(f"wrote {out}: {clip.duration:,.1f} s of audio, {len(transcript.words):,} words, "
              f"language {transcript.language}", soft_wrap=True, highlight=False)


@contextmanager
def _listening(duration: float) -> Iterator[Callable[[float], None]]:
    columns = (TextColumn("{task.description}"), BarColumn(),
               TextColumn("{task.completed:,.0f}/{task.total:,.0f} s"), TimeElapsedColumn(),
               TextColumn("ETA"), TimeRemainingColumn())
    with Progress(*columns, console=err) as bar:
        task = bar.add_task("listening", total=duration)
        yield lambda seconds: bar.update(task, completed=seconds)
        bar.update(task, completed=duration)


@app.command()
def voices(
    language: Annotated[str | None, typer.Option("--language", help="only voices of this language")] = None,
) -> None:
    """List the voice catalogue."""
    catalogue = _voices(_engines(Settings()))
    chosen = catalogue.speaking(language.lower()) if language else list(catalogue)
    if not chosen:
        fail(f"language: no voice speaks {language!r}; known: {', '.join(sorted(catalogue.languages()))}")
    # ids are for copying: never wrap or cut them
    table = Table(Column("voice_id", no_wrap=True), Column("name", no_wrap=True),
                  "language", "engine", "gender", "age", "accent", "description")
    for voice in chosen:
        table.add_row(voice.voice_id, voice.name, ",".join(voice.languages), voice.engine,
                      voice.gender, voice.age, voice.accent, voice.description)
    Console().print(table)


@app.command()
def serve(
    host: Annotated[str | None, typer.Option("--host", help="address to listen on")] = None,
    port: Annotated[int | None, typer.Option("--port", help="port to listen on")] = None,
    ssl_certfile: Annotated[Path | None, typer.Option("--ssl-certfile", help="serve TLS")] = None,
    ssl_keyfile: Annotated[Path | None, typer.Option("--ssl-keyfile", help="its key")] = None,
) -> None:
    """Run the Voicer API (SQLite and local disk in VOICER_DATA_DIR; workers in-process, or
    `voicer worker` processes when VOICER_BROKER_URL is set)."""
    from voicer.api import create_app, server

    if (ssl_certfile is None) != (ssl_keyfile is None):
        fail("--ssl-certfile and --ssl-keyfile go together")
    settings = Settings()
    server.run(create_app(settings), settings, host or settings.host, port or settings.port,
               ssl_certfile, ssl_keyfile)


@app.command()
def worker(
    processes: Annotated[int | None, typer.Option("--processes", help="worker processes")] = None,
    threads: Annotated[int | None, typer.Option("--threads", help="chunks at once per process")]
    = None,
) -> None:
    """Speak the chunks API nodes enqueue (needs VOICER_BROKER_URL; see the deployment guide)."""
    from voicer.tasks import worker as chunk_worker

    overrides: dict[str, int] = {}
    if processes is not None:
        overrides["worker_processes"] = processes
    if threads is not None:
        overrides["worker_threads"] = threads
    settings = Settings(**overrides)  # type: ignore[arg-type]
    if settings.broker_url is None:
        fail("voicer worker needs VOICER_BROKER_URL=redis://…")
    chunk_worker.serve(settings)


users = typer.Typer(help="Manage users.", no_args_is_help=True)
tokens = typer.Typer(help="Manage API tokens.", no_args_is_help=True)
app.add_typer(users, name="users")
app.add_typer(tokens, name="tokens")


@users.command("create")
def create_user(
    name: Annotated[str, typer.Argument(help="a unique user name")],
    characters: Annotated[int, typer.Option("--characters", help="character quota")] = 100_000,
    plan: Annotated[RatePlan, typer.Option("--plan", help="rate-limit plan")] = RatePlan.basic,
    as_json: Annotated[bool, typer.Option("--json", help="print {user_id, token} as JSON")] = False,
) -> None:
    """Create a user and print their first API token (shown once)."""
    with _database() as session:
        try:
            user = accounts.create_user(session, name, characters, plan)
            new = accounts.create_token(session, user, "default")
        except VoicerError as error:
            fail(error.message)
        session.commit()
    if as_json:
        print(json.dumps({"user_id": new.user_id, "token": new.token}))
    else:
        Console().print(f"user [bold]{name}[/bold] ({new.user_id}), plan {plan}, "
                        f"{characters:,} characters\ntoken: {new.token}", highlight=False)


@tokens.command("create")
def create_token(
    user: Annotated[str, typer.Argument(help="user name or id")],
    name: Annotated[str, typer.Option("--name", help="a label for the token")] = "",
) -> None:
    """Issue another token for a user (shown once)."""
    with _database() as session:
        try:
            new = accounts.create_token(session, accounts.find_user(session, user), name)
        except VoicerError as error:
            fail(error.message)
        session.commit()
    print(new.token)


@tokens.command("revoke")
def revoke_token(token_id: Annotated[str, typer.Argument(help="the token id (tok_...)")]) -> None:
    """Revoke a token: it stops working at once."""
    with _database() as session:
        try:
            accounts.revoke_token(session, token_id)
        except VoicerError as error:
            fail(error.message)
        session.commit()
    err.print(f"revoked {token_id}")


@tokens.command("list")
def list_tokens(user: Annotated[str | None, typer.Argument(help="only this user's")] = None) -> None:
    """List tokens (ids, owners, state; never the secrets)."""
    with _database() as session:
        try:
            owner = accounts.find_user(session, user) if user else None
        except VoicerError as error:
            fail(error.message)
        rows = accounts.list_tokens(session, owner)
    table = Table(Column("token_id", no_wrap=True), Column("user_id", no_wrap=True), "name",
                  "created", "state")
    for row in rows:
        table.add_row(row.id, row.user_id, row.name, f"{row.created_at:%Y-%m-%d %H:%M}",
                      "revoked" if row.revoked_at else "active")
    Console().print(table)


@contextmanager
def _database() -> Iterator[Session]:
    from voicer.runtime import open_database  # loaded by the commands that use it

    database = open_database(Settings())
    try:
        with database.session() as session:
            yield session
    finally:
        database.close()


def _progress() -> Progress:
    return Progress(
        TextColumn("{task.description}"), BarColumn(), TextColumn("chunks {task.fields[chunks]}"),
        MofNCompleteColumn(), TextColumn("chars  {task.fields[rate]}"),
        TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn(), console=err,
    )


BOOK_FORMAT = "m4b_44100_64"  # an OUT.m4b without --format
_TEXT_FORMATS = {".epub": TextFormat.epub, ".md": TextFormat.markdown,
                 ".markdown": TextFormat.markdown, ".html": TextFormat.html, ".htm": TextFormat.html,
                 ".xhtml": TextFormat.html}


def _text_format(source: str) -> TextFormat:
    """What the input is, by its name: a book (EPUB, Markdown, HTML) or plain text."""
    return _TEXT_FORMATS.get(Path(source).suffix.lower(), TextFormat.plain)


def _read_book(source: str) -> str:
    """An EPUB as the API takes it: base64."""
    try:
        return base64.b64encode(Path(source).read_bytes()).decode()
    except OSError as error:
        fail(f"input: cannot read {source}: {error.strerror}")


def _read(source: str) -> str:
    try:
        if source == "-":
            return sys.stdin.buffer.read().decode("utf-8")
        return Path(source).read_text("utf-8")
    except FileNotFoundError:
        fail(f"input: {source} does not exist")
    except UnicodeDecodeError as error:
        fail(f"input: {source} is not UTF-8 text ({error.reason} at byte {error.start})")
    except OSError as error:
        fail(f"input: cannot read {source}: {error.strerror}")


# Validation errors name model fields; tell the user which option to fix.
_OPTION_NAMES = {
    "duration": "--pause", "frequency": "--pause-every", "speed": "--speed",
    "stability": "--stability", "max_chunk": "--max-chunk",
}


def _describe(error: ValidationError) -> str:
    first = error.errors()[0]
    field = ".".join(str(part) for part in first["loc"])
    field = _OPTION_NAMES.get(field, field)
    return f"{field}: {first['msg']} (got {first.get('input')!r})"
