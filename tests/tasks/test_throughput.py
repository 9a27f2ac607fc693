from pathlib import Path

import pytest

from tests.api.conftest import make_api
from voicer.tasks.throughput import PRIOR_PER_WORKER, ThroughputMeter


def test_the_meter_moves_toward_what_it_measures() -> None:
    meter = ThroughputMeter(1_000)
    for _ in range(30):
        meter.record(5_000, 1.0)
    assert meter.rate == pytest.approx(5_000, rel=0.01)
    assert meter.seconds_for(10_000) == 2.0
    meter.record(0, 1.0)  # nothing measured, nothing changed
    meter.record(10, 0.0)
    assert meter.rate == pytest.approx(5_000, rel=0.01)


def test_estimates_come_from_measured_throughput(tmp_path: Path) -> None:
    text = "\n\n".join(f"Paragraph {i} has a handful of words in it." for i in range(20))
    for api in make_api(tmp_path):
        prior = api.services.meter.rate
        assert prior == PRIOR_PER_WORKER * 2
        headers = api.user()
        first = api.client.post("/api/v1/voice/synthesize", headers=headers,
                                json={"text": text, "split_type": "paragraphs"}).json()
        assert first["estimated_time"] == pytest.approx(len(text) / prior, abs=0.1)
        api.wait(first["task_id"], headers)
        measured = api.services.meter.rate
        assert measured != prior
        second = api.client.post("/api/v1/voice/synthesize", headers=headers,
                                 json={"text": text * 10, "split_type": "paragraphs"}).json()
        # estimates count the characters spoken: the blank lines between paragraphs are free
        assert second["estimated_time"] == pytest.approx(len(text * 10) / measured, rel=0.1)
    # a restarted service starts from the speed of its recent tasks, not the prior
    for api in make_api(tmp_path):
        assert api.services.meter.rate != PRIOR_PER_WORKER * 2
