from pathlib import Path

import pytest
from sqlalchemy import select

from tests.api.conftest import make_api
from tests.pipeline import texts
from voicer.db.tables import TaskChunk
from voicer.pipeline.workload import chunk_work
from voicer.tasks.throughput import PRIOR_PER_WORKER, ThroughputMeter

# The work model is espeak-ng's; a neural voice's first chunk in a worker also loads its model.
VOICE = "en-us-espeak"


def test_the_meter_moves_toward_what_it_measures() -> None:
    meter = ThroughputMeter(100, workers=2)
    for _ in range(30):
        meter.record(500, 1.0)
    assert meter.rate == pytest.approx(500, rel=0.01)
    meter.record(0, 1.0)  # nothing measured, nothing changed
    meter.record(10, 0.0)
    assert meter.rate == pytest.approx(500, rel=0.01)


def test_a_burst_of_quick_chunks_does_not_run_away_with_the_rate() -> None:
    # results reach the meter in bursts: one chunk after a long wait, the next at once
    meter = ThroughputMeter(100)
    meter.record(100, 0.001)
    assert meter.rate < 200


def test_estimates_lay_the_chunks_out_on_the_workers() -> None:
    meter = ThroughputMeter(100, workers=2)
    assert meter.seconds_for([200]) == 2.0  # one chunk: one worker speaks it
    assert meter.seconds_for([200, 200]) == 2.0  # side by side
    assert meter.seconds_for([200, 100, 100]) == 2.0
    assert meter.seconds_for([200, 200, 200]) == 4.0
    assert meter.seconds_for([200], ahead=400) == 4.0  # after the work queued ahead
    assert meter.seconds_for([]) == 0.1


def test_estimates_come_from_measured_throughput(tmp_path: Path) -> None:
    text = texts.english(3_000)
    for api in make_api(tmp_path):
        meter = api.services.meter
        assert (meter.rate, meter.workers) == (PRIOR_PER_WORKER, 2)
        headers = api.user()
        first = api.client.post("/api/v1/voice/synthesize", headers=headers,
                                json={"text": text, "voice_id": VOICE}).json()
        with api.services.database.session() as session:
            chunks = session.execute(select(TaskChunk.text, TaskChunk.gap).where(
                TaskChunk.task_id == first["task_id"]).order_by(TaskChunk.index)).all()
        works = [chunk_work(chunk, gap) for chunk, gap in chunks]
        # seconds of speech, not characters: at the prior speed until something is measured
        assert first["estimated_time"] == ThroughputMeter(PRIOR_PER_WORKER, 2).seconds_for(works)
        api.wait(first["task_id"], headers)
        measured = meter.rate
        assert measured != PRIOR_PER_WORKER
        api.wait(api.client.post("/api/v1/voice/synthesize", headers=headers,
                                 json={"text": text, "voice_id": VOICE}).json()["task_id"],
                 headers)
        live = meter.rate
    # a restarted service starts from the speed of its recent tasks, not the prior
    for api in make_api(tmp_path):
        assert api.services.meter.rate != PRIOR_PER_WORKER
        assert 0.5 < api.services.meter.rate / live < 2
