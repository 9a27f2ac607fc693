"""The runtime every Voicer process builds from its settings: what it holds, and that closing it
lets go of what it opened."""

from __future__ import annotations

import multiprocessing
import threading
from collections.abc import Iterator
from importlib import resources
from pathlib import Path

import pytest
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from tests.tone_engine import TONE, TONE_VOICE_ID
from tests.waiting import wait_until
from voicer.db import Database
from voicer.errors import StorageError
from voicer.models import LOCAL_ENGINE
from voicer.runtime import Runtime, task_runner
from voicer.settings import Settings
from voicer.storage import LocalStorage
from voicer.tasks.queue import QueueRunner
from voicer.tasks.runner import EmbeddedRunner
from voicer.tasks.throughput import ThroughputMeter
from voicer.upstream.engine import Upstream
from voicer.voices.directory import VoiceDirectory


@pytest.fixture
def runtimes() -> Iterator[list[Runtime]]:
    """Runtimes a test opened, closed after it whatever happens (closing twice is harmless)."""
    opened: list[Runtime] = []
    yield opened
    for runtime in opened:
        runtime.close()


def _revision(database: Database) -> str | None:
    with database.engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def _head() -> str | None:
    migrations = str(resources.files("voicer.db").joinpath("migrations"))
    return ScriptDirectory(migrations).get_current_head()


def _threads(prefix: str) -> list[str]:
    return [thread.name for thread in threading.enumerate() if thread.name.startswith(prefix)]


def _open(path: Path) -> list[Path]:
    """This process's open files at ``path`` (SQLite's connections to a database file)."""
    links = (fd.readlink() for fd in Path("/proc/self/fd").iterdir() if fd.is_symlink())
    return [link for link in links if link == path.resolve()]


def _stores(runtime: Runtime) -> bool:
    runtime.storage.put_chunk("task", 0, b"a chunk of audio")
    return runtime.storage.read_chunk("task", 0) == b"a chunk of audio"


def test_the_embedded_runtime_speaks_in_local_processes_and_the_upstream(
        tmp_path: Path, runtimes: list[Runtime]) -> None:
    settings = Settings(data_dir=tmp_path / "data", workers=1, elevenlabs_api_key="sk-unused",
                        elevenlabs_base_url="http://127.0.0.1:9", elevenlabs_concurrency=2)
    runtime = Runtime.open(settings)
    runtimes.append(runtime)
    assert isinstance(runtime.storage, LocalStorage) and runtime.storage.root == settings.data_dir
    assert _stores(runtime)
    assert _revision(runtime.database) == _head()
    assert isinstance(runtime.upstream, Upstream) and runtime.upstream.running
    assert isinstance(runtime.voices, VoiceDirectory) and runtime.voices.upstream is runtime.upstream

    others = set(multiprocessing.active_children())  # other tests' pools, not this runtime's
    runner = task_runner(runtime, ThroughputMeter({}))
    assert isinstance(runner, EmbeddedRunner)
    runner.start()
    wait_until(lambda: set(multiprocessing.active_children()) - others, 30,
               "the engine process started")
    assert _threads("voicer-upstream-") == ["voicer-upstream-0", "voicer-upstream-1"]
    assert _open(settings.data_dir / "voicer.db")
    runner.stop()
    runtime.close()
    assert set(multiprocessing.active_children()) <= others
    assert not _threads("voicer-runner") and not _threads("voicer-upstream")
    assert not runtime.upstream.running
    assert not _open(settings.data_dir / "voicer.db")


def test_the_queue_runtime_enqueues_for_workers(
        tmp_path: Path, redis_url: str, runtimes: list[Runtime]) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    settings = Settings(data_dir=tmp_path / "data", broker_url=f"{redis_url}/5",
                        storage_url=shared.as_uri())
    runtime = Runtime.open(settings)
    runtimes.append(runtime)
    assert isinstance(runtime.storage, LocalStorage) and runtime.storage.root == shared
    assert _stores(runtime) and any(shared.iterdir())
    assert _revision(runtime.database) == _head()
    assert runtime.upstream is None and runtime.voices.upstream is None
    assert runtime.voices.get("uk-oksana").engine == LOCAL_ENGINE

    others = set(multiprocessing.active_children())  # other tests' pools, not this runtime's
    runner = task_runner(runtime, ThroughputMeter({}))
    assert isinstance(runner, QueueRunner)
    runner.ping()  # its broker reaches Redis
    runner.start()
    assert _threads("voicer-enqueuer") and _open(settings.data_dir / "voicer.db")
    runner.stop()
    runtime.close()
    assert not _threads("voicer-enqueuer")
    assert set(multiprocessing.active_children()) <= others  # a queue's API node speaks nothing
    assert not _open(settings.data_dir / "voicer.db")


def test_a_worker_process_leaves_migrating_to_its_supervisor(
        tmp_path: Path, runtimes: list[Runtime]) -> None:
    runtime = Runtime.open(Settings(data_dir=tmp_path), migrate=False)
    runtimes.append(runtime)
    assert _revision(runtime.database) is None


def test_bad_storage_settings_fail_before_anything_is_opened(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", storage_url=(tmp_path / "missing").as_uri())
    with pytest.raises(StorageError, match="does not exist"):
        Runtime.open(settings)
    assert not (tmp_path / "data" / "voicer.db").exists()


def test_engines_named_in_the_environment_are_registered(
        tmp_path: Path, runtimes: list[Runtime], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VOICER_ENGINES", " tests.tone_engine:TONE , ")
    settings = Settings(data_dir=tmp_path)
    assert settings.engines == ("tests.tone_engine:TONE",)
    runtime = Runtime.open(settings)
    runtimes.append(runtime)
    assert runtime.engines.names[0] == LOCAL_ENGINE and runtime.engines.names[-1] == TONE.name
    assert runtime.voices.get(TONE_VOICE_ID).engine == TONE.name
    assert dict(runtime.engines.workers().factories)[TONE.name] == TONE.make


@pytest.mark.parametrize(("value", "message"), [
    ("tests.tone_engine", "not an import path"),
])
def test_a_malformed_engine_path_is_refused_by_the_settings(value: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Settings(engines=value)  # type: ignore[arg-type]


@pytest.mark.parametrize(("path", "error"), [
    ("tests.no_such_module:TONE", ImportError),
    ("tests.tone_engine:speech_seconds", TypeError),
])
def test_an_engine_path_that_names_no_engine_fails_at_start(
        tmp_path: Path, path: str, error: type[Exception]) -> None:
    with pytest.raises(error, match=path):
        Runtime.open(Settings(data_dir=tmp_path, engines=(path,)))
