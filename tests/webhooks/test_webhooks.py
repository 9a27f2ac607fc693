"""Webhooks end to end: a receiver started here gets exactly the signed events of the tasks
that name it (or of their owner's default), again once it comes back after being down; a
private, loopback or link-local callback is refused at submit."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.api.conftest import Api, make_api
from tests.pipeline.test_pipeline import BrokenEngine
from tests.servers import free_port
from tests.waiting import wait_until
from tests.webhooks.receiver import FAST, Receiver, secret

TEXT = "The weather was calm on the morning of the first day."


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    yield from make_api(tmp_path_factory.mktemp("webhooks"), requests_per_minute=10_000, **FAST)


def submit(api: Api, headers: dict[str, str], **asked: object) -> str:
    created = api.client.post("/api/v1/voice/synthesize", headers=headers,
                              json={"text": TEXT, "voice_id": "en-us-espeak", **asked})
    assert created.status_code == 200, created.text
    task_id: str = created.json()["task_id"]
    return task_id


def test_a_completed_task_posts_one_signed_event(api: Api, receiver: Receiver) -> None:
    headers = api.user()
    task_id = submit(api, headers, webhook_url=receiver.url)
    assert api.wait(task_id, headers)["status"] == "completed"
    wait_until(lambda: receiver.received, 10, "the event")
    time.sleep(0.5)  # nothing more comes
    (got,) = receiver.received
    assert got.signed_with(secret(api, headers))
    assert not got.signed_with("whsec_someone_else")
    event = got.event
    assert event["type"] == "task.completed" and got.headers["voicer-event-id"] == event["id"]
    assert event["data"]["task_id"] == task_id and event["data"]["status"] == "completed"
    assert abs(int(got.headers["voicer-timestamp"]) - time.time()) < 60
    download = api.client.get(event["data"]["download_path"], headers=headers)
    assert download.status_code == 200 and download.content


def test_the_users_default_callback_and_a_failed_task(tmp_path: Path, receiver: Receiver) -> None:
    for api in make_api(tmp_path, engine=BrokenEngine, **FAST):
        headers = api.user()
        put = api.client.put("/api/v1/user/webhook", headers=headers, json={"url": receiver.url})
        assert put.status_code == 200 and put.json()["url"] == receiver.url
        task_id = submit(api, headers, text="Then boom happens.")
        assert api.wait(task_id, headers)["status"] == "failed"
        wait_until(lambda: receiver.received, 10, "the event")
        (got,) = receiver.received
        assert got.signed_with(put.json()["secret"])
        assert got.event["type"] == "task.failed" and got.event["data"]["task_id"] == task_id
        assert got.event["data"]["error"]


def test_an_event_waits_for_its_receiver_to_come_back(api: Api) -> None:
    receiver = Receiver(free_port())  # down: its connections are refused
    headers = api.user()
    task_id = submit(api, headers, webhook_url=receiver.url)
    assert api.wait(task_id, headers)["status"] == "completed"
    time.sleep(2.0)  # several attempts fail meanwhile
    receiver.up()
    try:
        wait_until(lambda: receiver.received, 10, "the event, once the receiver is back")
        time.sleep(1.0)
        (got,) = receiver.received
        assert got.event["data"]["task_id"] == task_id and got.signed_with(secret(api, headers))
    finally:
        receiver.down()


@pytest.mark.parametrize("url", [
    "http://127.0.0.1:8080/hook", "http://localhost/hook", "http://10.1.2.3/hook",
    "http://192.168.0.10/hook", "http://169.254.169.254/latest/meta-data", "http://[::1]/hook",
    "http://[::ffff:10.0.0.1]/hook", "ftp://example.com/hook", "not a url",
])
def test_private_callbacks_are_refused_at_submit(tmp_path_factory: pytest.TempPathFactory,
                                                 refusing: Api, url: str) -> None:
    headers = refusing.user()
    refused = refusing.client.post("/api/v1/voice/synthesize", headers=headers,
                                   json={"text": TEXT, "webhook_url": url})
    assert refused.status_code == 400 and refused.json()["field"] == "webhook_url"
    default = refusing.client.put("/api/v1/user/webhook", headers=headers, json={"url": url})
    assert default.status_code == 400 and default.json()["field"] == "url"
    assert refusing.client.get("/api/v1/user/stats", headers=headers).json()["used_characters"] == 0


@pytest.fixture(scope="module")
def refusing(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    """Voicer as deployed by default: no host allowed."""
    yield from make_api(tmp_path_factory.mktemp("refusing"), requests_per_minute=10_000)


@pytest.mark.slow
def test_a_receiver_down_for_a_minute_gets_the_event_with_the_default_backoff(
        tmp_path: Path) -> None:
    receiver = Receiver(free_port())
    for api in make_api(tmp_path, webhook_allowed_hosts=("127.0.0.1",), webhook_poll_seconds=0.2):
        headers = api.user()
        task_id = submit(api, headers, webhook_url=receiver.url)
        assert api.wait(task_id, headers)["status"] == "completed"
        time.sleep(60)
        receiver.up()
        try:
            # attempts at 0, 5, 15, 35 and 75 s: the fifth finds it
            wait_until(lambda: receiver.received, 60, "the event, a minute late")
            (got,) = receiver.received
            assert got.event["data"]["task_id"] == task_id and got.signed_with(secret(api, headers))
        finally:
            receiver.down()
