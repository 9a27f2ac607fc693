from pathlib import Path

import pytest
from sqlalchemy import select

from tests.api.conftest import make_api
from tests.pipeline import texts
from voicer.db.tables import TaskChunk
from voicer.engines.neural import HIBARI_SPEED, PIPER_SPEED
from voicer.models import LOCAL_ENGINE
from voicer.pipeline.workload import chunk_work
from voicer.tasks.throughput import PRIOR_PER_WORKER, ThroughputMeter

# The work model is espeak-ng's; a neural voice's first chunk in a worker also loads its model.
VOICE = "en-us-espeak"
ESPEAK = LOCAL_ENGINE


def test_the_meter_moves_toward_what_it_measures() -> None:
    meter = ThroughputMeter({ESPEAK: 100}, workers=2)
    for _ in range(30):
        meter.record(ESPEAK, 500, 1.0)
    assert meter.rate(ESPEAK) == pytest.approx(500, rel=0.01)
    meter.record(ESPEAK, 0, 1.0)  # nothing measured, nothing changed
    meter.record(ESPEAK, 10, 0.0)
    assert meter.rate(ESPEAK) == pytest.approx(500, rel=0.01)


def test_each_engine_has_its_own_speed() -> None:
    meter = ThroughputMeter({ESPEAK: 150, "hibari": 80, "piper": 12})
    for _ in range(30):
        meter.record(ESPEAK, 200, 1.0)
    assert meter.rate(ESPEAK) == pytest.approx(200, rel=0.01)
    # not measured: their priors, on a machine a third faster than the priors' (as espeak-ng is)
    assert meter.rate("hibari") == pytest.approx(80 * 200 / 150, rel=0.01)
    assert meter.rate("piper") == pytest.approx(12 * 200 / 150, rel=0.01)
    for _ in range(30):
        meter.record("piper", 6, 1.0)
    assert meter.rate("piper") == pytest.approx(6, rel=0.01)  # measured: its own
    assert meter.rate(ESPEAK) == pytest.approx(200, rel=0.01)
    assert meter.rate("elevenlabs") == PRIOR_PER_WORKER  # no prior: the default, then measured
    meter.record("elevenlabs", 30, 1.0)
    assert meter.rate("elevenlabs") < PRIOR_PER_WORKER


def test_a_burst_of_quick_chunks_does_not_run_away_with_the_rate() -> None:
    # results reach the meter in bursts: one chunk after a long wait, the next at once
    meter = ThroughputMeter({ESPEAK: 100})
    meter.record(ESPEAK, 100, 0.001)
    assert meter.rate(ESPEAK) < 200


def test_estimates_lay_the_chunks_out_on_the_workers() -> None:
    meter = ThroughputMeter({ESPEAK: 100, "piper": 10}, workers=2)
    assert meter.seconds_for(ESPEAK, [200]) == 2.0  # one chunk: one worker speaks it
    assert meter.seconds_for(ESPEAK, [200, 200]) == 2.0  # side by side
    assert meter.seconds_for(ESPEAK, [200, 100, 100]) == 2.0
    assert meter.seconds_for(ESPEAK, [200, 200, 200]) == 4.0
    assert meter.seconds_for(ESPEAK, [200], ahead=4) == 4.0  # after 4 worker-seconds queued ahead
    assert meter.seconds_for("piper", [200]) == 20.0  # at that engine's speed
    assert meter.seconds_for(ESPEAK, []) == 0.1


def test_estimates_come_from_measured_throughput(tmp_path: Path) -> None:
    text = texts.english(3_000)
    for api in make_api(tmp_path):
        meter = api.services.meter
        assert (meter.rate(ESPEAK), meter.workers) == (PRIOR_PER_WORKER, 2)
        assert (meter.rate("hibari"), meter.rate("piper")) == (HIBARI_SPEED, PIPER_SPEED)
        headers = api.user()
        first = api.client.post("/api/v1/voice/synthesize", headers=headers,
                                json={"text": text, "voice_id": VOICE}).json()
        with api.services.database.session() as session:
            chunks = session.execute(select(TaskChunk.text, TaskChunk.gap).where(
                TaskChunk.task_id == first["task_id"]).order_by(TaskChunk.index)).all()
        works = [chunk_work(chunk, gap) for chunk, gap in chunks]
        # seconds of speech, not characters: at the prior speed until something is measured
        assert first["estimated_time"] == ThroughputMeter({ESPEAK: PRIOR_PER_WORKER}, 2).seconds_for(
            ESPEAK, works)
        api.wait(first["task_id"], headers)
        measured = meter.rate(ESPEAK)
        assert measured != PRIOR_PER_WORKER
        api.wait(api.client.post("/api/v1/voice/synthesize", headers=headers,
                                 json={"text": text, "voice_id": VOICE}).json()["task_id"],
                 headers)
        live = meter.rate(ESPEAK)
    # a restarted service starts from the speed of its recent tasks, not the prior
    for api in make_api(tmp_path):
        assert api.services.meter.rate(ESPEAK) != PRIOR_PER_WORKER
        assert 0.5 < api.services.meter.rate(ESPEAK) / live < 2
        # an engine that has spoken nothing yet: its prior, as fast as espeak-ng is to its own
        assert api.services.meter.rate("piper") / PIPER_SPEED == pytest.approx(
            api.services.meter.rate(ESPEAK) / PRIOR_PER_WORKER)
