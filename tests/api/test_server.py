"""A real ``voicer serve`` on a free port: the seed's own examples, verbatim, and concurrency."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from tests.api.conftest import Server, check_quota_is_never_overdrawn, task_ended
from tests.audio_tools import decode

SEED_EXAMPLES = {
    "basic": ({"text": "Привет! Это простой пример.", "voice_id": "21m00Tcm4TlvDq8ikWAM",
               "model_id": "eleven_multilingual_v2"}, []),
    "audiobook": ({"text": "Глава 1. Текст главы...\n\nГлава 2. Текст главы...",
                   "split_type": "paragraphs", "auto_pause_enabled": True,
                   "auto_pause_duration": 1.5, "auto_pause_frequency": 1}, [1.5]),
    "course": ({"text": "Вопрос 1? Вопрос 2? Вопрос 3?", "split_type": "sentences",
                "auto_pause_enabled": True, "auto_pause_duration": 5.0,
                "auto_pause_frequency": 1}, [5.0, 5.0]),
    "podcast": ({"text": "Длинный текст подкаста...", "split_type": "smart",
                 "auto_pause_enabled": True, "auto_pause_duration": 3.0,
                 "auto_pause_frequency": 10}, []),
    "meditation": ({"text": "Вдох. Задержите дыхание. Выдох.", "split_type": "sentences",
                    "auto_pause_enabled": True, "auto_pause_duration": 15.0,
                    "voice_settings": {"stability": 0.8}}, [15.0, 15.0]),
}

# The seed's "Пример на Python", exactly, but for the two lines a user changes.
SEED_PYTHON = '''
import requests

API_BASE = "https://elevenlabs-unlimited.net/api/v1"
TOKEN = "YOUR_TOKEN_HERE"
headers = {"Authorization": f"Bearer {TOKEN}"}

# Создание задачи с автопаузами
response = requests.post(
    f"{API_BASE}/voice/synthesize",
    headers=headers,
    json={
        "text": "Текст с паузами.",
        "voice_id": "21m00Tcm4TlvDq8ikWAM",
        "auto_pause_enabled": True,
        "auto_pause_duration": 1.5
    }
)

task_id = response.json()["task_id"]

# Проверка статуса
status = requests.get(
    f"{API_BASE}/voice/status/{task_id}",
    headers=headers
).json()

# Скачивание
if status["status"] == "completed":
    audio = requests.get(
        f"{API_BASE}/voice/download/{task_id}",
        headers=headers
    )
    with open("audio.mp3", "wb") as f:
        f.write(audio.content)
'''


@pytest.fixture(scope="module")
def small_bodies(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    running = Server(tmp_path_factory.mktemp("small"), env={"VOICER_MAX_REQUEST_BYTES": "10000"})
    running.start()
    yield running
    running.stop()


def wait(server: Server, task_id: str, headers: dict[str, str], timeout: float = 60) -> dict:
    return task_ended(lambda: httpx.get(f"{server.url}/api/v1/voice/status/{task_id}",
                                        headers=headers).json(), timeout)


@pytest.mark.parametrize("name", list(SEED_EXAMPLES))
def test_the_seed_examples_run_and_their_pauses_are_in_the_file(server: Server, name: str) -> None:
    body, pauses = SEED_EXAMPLES[name]
    headers = {"Authorization": f"Bearer {server.token()}"}
    created = httpx.post(f"{server.url}/api/v1/voice/synthesize", headers=headers, json=body)
    assert created.status_code == 200, created.text
    status = wait(server, created.json()["task_id"], headers)
    assert status["status"] == "completed"
    audio = decode(httpx.get(status["download_url"], headers=headers).content)
    assert audio.duration == pytest.approx(status["audio_duration_seconds"], abs=0.001)
    long_gaps = [length for _, length in audio.gaps(minimum=1.0)]
    assert long_gaps == pytest.approx(pauses, abs=0.03)


def test_the_seed_python_example_runs_verbatim(server: Server, tmp_path: Path) -> None:
    token = server.token()
    script = SEED_PYTHON.replace("https://elevenlabs-unlimited.net/api/v1",
                                 f"{server.url}/api/v1").replace("YOUR_TOKEN_HERE", token)
    subprocess.run([sys.executable, "-c", script], cwd=tmp_path, check=True, timeout=60)
    # the seed checks the status once, right after submitting: that status request waits for
    # a task this short to end, so the file is saved
    assert decode(tmp_path / "audio.mp3").duration > 0.5


def test_the_seed_python_example_status_then_download(server: Server, tmp_path: Path) -> None:
    """The same example with the polling a user adds: status until done, then download."""
    token = server.token()
    script = textwrap.dedent(SEED_PYTHON).replace(
        "https://elevenlabs-unlimited.net/api/v1", f"{server.url}/api/v1").replace(
        "YOUR_TOKEN_HERE", token).replace(
        "# Скачивание", "import time\nwhile status['status'] in ('pending', 'processing'):\n"
        "    time.sleep(0.2)\n    status = requests.get(f'{API_BASE}/voice/status/{task_id}',"
        " headers=headers).json()\n# Скачивание")
    subprocess.run([sys.executable, "-c", script], cwd=tmp_path, check=True, timeout=60)
    assert decode(tmp_path / "audio.mp3").duration > 0.5


@pytest.mark.skipif(shutil.which("curl") is None, reason="the cURL example needs curl")
def test_the_seed_curl_example_runs(server: Server) -> None:
    token = server.token()
    done = subprocess.run([
        "curl", "-s", "-X", "POST", f"{server.url}/api/v1/voice/synthesize",
        "-H", f"Authorization: Bearer {token}", "-H", "Content-Type: application/json",
        "-d", '{\n    "text": "Текст с паузами между предложениями.",\n'
              '    "voice_id": "21m00Tcm4TlvDq8ikWAM",\n    "auto_pause_enabled": true,\n'
              '    "auto_pause_duration": 2.0\n  }'], capture_output=True, text=True, check=True)
    created = json.loads(done.stdout)
    assert created["status"] == "pending" and created["chunks_count"] == 1


def test_concurrent_submits_never_overdraw_the_quota(server: Server) -> None:
    check_quota_is_never_overdrawn(server)


def test_a_huge_content_length_is_refused_before_the_body(small_bodies: Server) -> None:
    with socket.create_connection(("127.0.0.1", small_bodies.port), timeout=10) as connection:
        connection.sendall(b"POST /api/v1/voice/synthesize HTTP/1.1\r\nHost: voicer\r\n"
                           b"Content-Type: application/json\r\nContent-Length: 1000000000\r\n\r\n")
        answer = connection.recv(65_536)
    assert answer.startswith(b"HTTP/1.1 413")


def test_a_streamed_body_over_the_limit_is_refused_without_reading_it(small_bodies: Server) -> None:
    token = small_bodies.token()
    with socket.create_connection(("127.0.0.1", small_bodies.port), timeout=10) as connection:
        connection.sendall(
            b"POST /api/v1/voice/synthesize HTTP/1.1\r\nHost: voicer\r\n"
            b"Authorization: Bearer " + token.encode() + b"\r\n"
            b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
            b"a\r\n{\"text\": \"\r\n")
        connection.settimeout(0.05)
        sent, answer = 0, b""
        for _ in range(1_000):  # offer up to 1 MB
            try:
                connection.sendall(b"3e8\r\n" + b"x" * 1_000 + b"\r\n")
                sent += 1_000
                answer += connection.recv(65_536)
            except TimeoutError:
                continue
            except OSError:
                break
            if answer:
                break
        connection.settimeout(5)
        while b"\r\n\r\n" not in answer:
            answer += connection.recv(65_536)
    assert answer.startswith(b"HTTP/1.1 413")
    assert sent < 200_000


def test_two_hundred_concurrent_clients_are_all_answered(server: Server) -> None:
    tokens = [server.token() for _ in range(4)]

    def ask(i: int) -> int:
        headers = {"Authorization": f"Bearer {tokens[i % 4]}"}
        return httpx.get(f"{server.url}/api/v1/user/stats", headers=headers, timeout=30).status_code

    with ThreadPoolExecutor(200) as pool:
        codes = list(pool.map(ask, range(200)))
    assert codes == [200] * 200
