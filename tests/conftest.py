from collections.abc import Iterator

import pytest

from voicer.engines.espeak import EspeakEngine
from voicer.language import LanguageDetector
from voicer.pipeline.workers import WorkerPool
from voicer.voices import VoiceCatalogue


@pytest.fixture(scope="session")
def engine() -> EspeakEngine:
    # libespeak-ng is one instance per process: the test process holds exactly one.
    return EspeakEngine()


@pytest.fixture(scope="session")
def catalogue() -> VoiceCatalogue:
    return VoiceCatalogue.bundled()


@pytest.fixture(scope="session")
def detector() -> LanguageDetector:
    return LanguageDetector()


@pytest.fixture(scope="session")
def pool() -> Iterator[WorkerPool]:
    with WorkerPool(2) as workers:
        yield workers
