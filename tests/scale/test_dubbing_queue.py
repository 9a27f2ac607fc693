"""Dubbing on the job queue: with a broker, the API node only stores the upload and enqueues,
a `voicer worker` process makes the project, and a worker killed mid-dub leaves it to another,
which makes it once (on Redis and PostgreSQL, through the official SDK)."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest
import redis
from elevenlabs import ElevenLabs

from tests.api.conftest import make_api
from tests.audio_tools import decode, median_pitch
from tests.recognition.speech import ADAM, RACHEL, speak, wav
from tests.scale.test_scale_out import Cluster, _environment, _until
from tests.waiting import wait_until
from voicer import accounts
from voicer.db import Database
from voicer.db.tables import DubbingProject, utcnow
from voicer.pipeline.pool import WorkerPool
from voicer.runtime import open_database
from voicer.settings import Settings

HER = "The weather was calm on the morning of the first day."
HIM = "Later that afternoon, the children played in the garden."


@pytest.fixture
def cluster(tmp_path: Path, redis_url: str, postgres_url: str,
            whisper_dir: Path) -> Iterator[Cluster]:
    """An API node with a broker; its workers are started by each test."""
    running = Cluster(tmp_path, {**_environment(tmp_path, redis_url, postgres_url),
                                 "VOICER_STT_MODEL": str(whisper_dir)})
    try:
        running.apis = [running.start_api(0)]
        yield running
    finally:
        running.stop()


@dataclass(frozen=True)
class Dialogue:
    wav: bytes
    turn: float  # when the second speaker starts, s
    duration: float


@pytest.fixture
def dialogue(pool: WorkerPool) -> Dialogue:
    """A female turn, a pause, a male turn (about 7 s), as one WAV."""
    her, him = (speak(pool, text, voice).clip for text, voice in ((HER, RACHEL), (HIM, ADAM)))
    pause = np.zeros(her.rate // 2, np.float32)
    samples = np.concatenate([her.samples, pause, him.samples])
    return Dialogue(wav(np.round(samples * 32767), her.rate),
                    (len(her.samples) + len(pause)) / her.rate, len(samples) / her.rate)


def sdk(cluster: Cluster, connection: httpx.Client) -> ElevenLabs:
    api = cluster.apis[0]
    return ElevenLabs(base_url=api.url, api_key=api.token(characters=10_000),
                      httpx_client=connection)


def dubbed(cluster: Cluster, client: ElevenLabs, dubbing_id: str) -> Any:
    def ended() -> Any:
        project = client.dubbing.get(dubbing_id)
        return project if project.status != "dubbing" else None

    project = _until(ended, timeout=240, every=0.5, why=cluster.worker_troubles)
    assert project.status == "dubbed", (project.error, cluster.worker_troubles())
    return project


def test_a_worker_makes_a_dubbing_the_api_node_enqueued(
        cluster: Cluster, dialogue: Dialogue, database: Database) -> None:
    with httpx.Client(timeout=120) as connection:
        client = sdk(cluster, connection)
        made = client.dubbing.create(file=("dialogue.wav", dialogue.wav, "audio/wav"),
                                     source_lang="en", target_lang="en", num_speakers=2)
        time.sleep(1)  # no worker yet: the API node does not make it itself
        waiting = client.dubbing.get(made.dubbing_id)
        assert (waiting.status, waiting.progress) == ("dubbing", 0)
        with database.session() as session:
            project = session.get(DubbingProject, made.dubbing_id)
            assert project is not None
            assert project.enqueued_at is not None and project.claimed_at is None
        cluster.workers = [cluster.start_worker()]
        project = dubbed(cluster, client, made.dubbing_id)
        assert project.progress == 100 and project.source_language == "en"
        audio = decode(b"".join(client.dubbing.audio.get(made.dubbing_id, "en")))
        assert audio.duration == pytest.approx(dialogue.duration, rel=0.10)
        turn = int(dialogue.turn * audio.rate)  # her turn is higher than his in the dub too
        assert (median_pitch(audio.samples[:turn], audio.rate)
                > 1.3 * median_pitch(audio.samples[turn:], audio.rate))
        assert len(client.dubbing.resource.get(made.dubbing_id).speaker_tracks) == 2
        render = client.dubbing.resource.render(made.dubbing_id, "en", render_type="mp3")

        def rendered() -> str | None:  # by the worker too
            status = client.dubbing.resource.get(made.dubbing_id).renders["en"].status
            return status if status != "processing" else None

        assert _until(rendered, timeout=120, why=cluster.worker_troubles) == "complete"
        assert client.dubbing.resource.get(made.dubbing_id).renders["en"].id == render.render_id


@pytest.mark.slow
def test_a_worker_killed_mid_dub_leaves_it_to_another_which_makes_it_once(
        cluster: Cluster, dialogue: Dialogue, database: Database) -> None:
    with httpx.Client(timeout=120) as connection:
        client = sdk(cluster, connection)
        cluster.workers = [cluster.start_worker()]
        made = client.dubbing.create(file=("dialogue.wav", dialogue.wav, "audio/wav"),
                                     source_lang="en", target_lang="en", num_speakers=2)
        charged = client.user.subscription.get().character_count

        def claimed() -> bool:
            with database.session() as session:
                project = session.get(DubbingProject, made.dubbing_id)
                return project is not None and project.claimed_at is not None

        _until(claimed, timeout=120, every=0.05, why=cluster.worker_troubles)
        os.killpg(cluster.workers[0].pid, signal.SIGKILL)  # mid-dub, the project in its hands
        cluster.workers[0].wait()
        assert client.dubbing.get(made.dubbing_id).status == "dubbing"
        cluster.workers[0] = cluster.start_worker()
        project = dubbed(cluster, client, made.dubbing_id)
        assert project.progress == 100
        assert client.user.subscription.get().character_count == charged  # charged once
        audio = decode(b"".join(client.dubbing.audio.get(made.dubbing_id, "en")))
        assert audio.duration == pytest.approx(dialogue.duration, rel=0.10)


def test_a_project_accepted_but_never_enqueued_is_enqueued_by_the_reconcile(
        tmp_path: Path, redis_url: str) -> None:
    """An API node that died between accepting a project and enqueueing it: the next node's
    reconcile hands it to the workers."""
    broker_url = f"{redis_url}/5"
    database = open_database(Settings(data_dir=tmp_path))
    with database.session() as session:
        user = accounts.create_user(session, "left-behind", 1_000, accounts.RatePlan.basic)
        session.add(DubbingProject(id="leftbehind", user_id=user.id, status="dubbing",
                                   target_language="en", duration=7.0, characters=7,
                                   created_at=utcnow() - timedelta(minutes=5)))
        session.commit()
    database.close()
    apis = make_api(tmp_path, broker_url=broker_url)
    api = next(apis)
    try:
        def enqueued() -> bool:
            with api.services.database.session() as session:
                project = session.get(DubbingProject, "leftbehind")
                return project is not None and project.enqueued_at is not None

        wait_until(enqueued, 30, "the project enqueued", every=0.1)
        with redis.Redis.from_url(broker_url) as broker:
            queued = broker.hvals("dramatiq:voicer-chunks.msgs")
        assert [message for message in queued if b"leftbehind" in message
                and b"dub_project" in message]
    finally:
        apis.close()
