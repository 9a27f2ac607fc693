from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import TypeVar

import pytest
from playwright.sync_api import Browser, sync_playwright

from tests.chromium import CHROMIUM, FLAGS
from tests.servers import PostgresServer, RedisServer, ServerUnavailable
from voicer.engines.espeak import EspeakEngine
from voicer.engines.registry import EngineRegistry
from voicer.language import LanguageDetector
from voicer.models import LOCAL_ENGINE
from voicer.pipeline.pool import WorkerPool
from voicer.recognition.weights import DEFAULT_STT_MODEL, model_directory
from voicer.recognition.whisper import WhisperRecognizer
from voicer.runtime import local_engines
from voicer.settings import Settings
from voicer.voices import VoiceCatalogue

S = TypeVar("S", RedisServer, PostgresServer)


@pytest.fixture(scope="session")
def engine() -> EspeakEngine:
    # libespeak-ng is one instance per process: the test process holds exactly one.
    return EspeakEngine()


@pytest.fixture(scope="session")
def catalogue() -> VoiceCatalogue:
    """Every bundled voice, spoken by espeak-ng (or the stand-in a test's pool has in its
    place), as the pipeline tests' pools speak them."""
    return espeak_catalogue()


def espeak_catalogue() -> VoiceCatalogue:
    return VoiceCatalogue([replace(voice, engine=LOCAL_ENGINE)
                           for voice in VoiceCatalogue.bundled()])


@pytest.fixture(scope="session")
def detector() -> LanguageDetector:
    return LanguageDetector()


@pytest.fixture(scope="session")
def pool() -> Iterator[WorkerPool]:
    with WorkerPool(2) as workers:
        yield workers


@pytest.fixture(scope="session")
def whisper_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The default recognition model, joined from its two packages once for the session
    (servers are given it as VOICER_STT_MODEL, a directory)."""
    return model_directory(DEFAULT_STT_MODEL, tmp_path_factory.mktemp("stt"))


@pytest.fixture(scope="session")
def recognizer(whisper_dir: Path) -> WhisperRecognizer:
    return WhisperRecognizer(whisper_dir)


@pytest.fixture(scope="session")
def neural() -> Iterator[tuple[WorkerPool, VoiceCatalogue]]:
    """Workers with every built-in engine (espeak-ng, hibari, Piper), and their voices."""
    registry = EngineRegistry(local_engines(Settings()))
    with WorkerPool(2, registry.workers()) as workers:
        yield workers, VoiceCatalogue(registry.voices())


def _started(start: Callable[[], S]) -> S:
    """A server for the session; a missing one fails the tests that need it, never skips them."""
    try:
        return start()
    except ServerUnavailable as error:
        message = str(error)
    pytest.fail(message, pytrace=False)


@pytest.fixture(scope="session")
def redis_server() -> Iterator[RedisServer]:
    server = _started(RedisServer.start)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def redis_url(redis_server: RedisServer) -> str:
    return redis_server.url


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    server = _started(PostgresServer.start)
    yield server
    server.stop()


@pytest.fixture
def postgres_url(postgres_server: PostgresServer) -> Iterator[str]:
    """A fresh, empty database of its own for each test."""
    url = postgres_server.create_database()
    yield url
    postgres_server.drop_database(url)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Debian's Chromium, headless, for the module's pages."""
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        yield launched
        launched.close()
