"""Real Redis and PostgreSQL servers for the tests, each on a free port in a directory of its own.

Nothing here is mocked: ``redis-server`` and PostgreSQL's ``initdb``/``pg_ctl`` run as they
would in production, with durability turned off because the data dies with the test session.
A missing binary is an error that says what to install, never a skipped test.

PostgreSQL refuses to run as root: under root (CI) its commands run as the ``postgres`` system
user that the Debian package creates, in a directory handed over to that user.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import psycopg
import redis
from psycopg import sql
from redis.backoff import NoBackoff
from redis.retry import Retry

_START_TIMEOUT = 30.0  # seconds for a server to answer


class ServerUnavailable(RuntimeError):
    """A server could not be started: its binary is missing or it did not answer."""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class RedisServer:
    directory: Path
    port: int
    process: subprocess.Popen[bytes]

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    @classmethod
    def start(cls) -> RedisServer:
        executable = shutil.which("redis-server")
        if executable is None:
            raise ServerUnavailable("redis-server not found on PATH: install it "
                                    "(Debian: apt-get install redis-server)")
        directory = Path(tempfile.mkdtemp(prefix="voicer-redis-"))
        port = free_port()
        process = subprocess.Popen(
            [executable, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(directory), "--logfile", str(directory / "log")],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        server = cls(directory, port, process)
        try:
            server._wait()
        except BaseException:
            server.stop()
            raise
        return server

    def _wait(self) -> None:
        deadline = time.monotonic() + _START_TIMEOUT
        # no retries: the client's own backoff would wait seconds on each refused connection
        with redis.Redis(port=self.port, socket_timeout=1, retry=Retry(NoBackoff(), 0)) as client:
            while time.monotonic() < deadline:
                if self.process.poll() is not None:
                    raise ServerUnavailable(f"redis-server exited: {self._log()}")
                try:
                    if client.ping():
                        return
                except redis.ConnectionError:
                    time.sleep(0.05)
        raise ServerUnavailable(f"redis-server did not answer in {_START_TIMEOUT:.0f} s")

    def _log(self) -> str:
        log = self.directory / "log"
        return log.read_text(errors="replace")[-2000:] if log.exists() else ""

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.directory, ignore_errors=True)


@dataclass
class PostgresServer:
    directory: Path  # holds data/, the socket directory and the log
    port: int
    bindir: Path
    run_as: str | None  # the system user PostgreSQL runs as when we are root

    user = "voicer"  # the cluster's superuser; local connections are trusted

    @classmethod
    def start(cls) -> PostgresServer:
        bindir = _postgres_bindir()
        directory = Path(tempfile.mkdtemp(prefix="voicer-pg-"))
        (directory / "socket").mkdir()
        run_as = _postgres_system_user() if os.geteuid() == 0 else None
        if run_as is not None:
            for path in (directory, directory / "socket"):
                shutil.chown(path, run_as, run_as)
        server = cls(directory, free_port(), bindir, run_as)
        try:
            server._initdb()
            server._pg_ctl("start", "-w", "-t", str(int(_START_TIMEOUT)), "-l",
                           str(directory / "log"), "-o", server._options())
        except BaseException:
            server.stop()
            raise
        return server

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://{self.user}@127.0.0.1:{self.port}/{database}"

    def create_database(self) -> str:
        """A new, empty database; returns its URL."""
        name = f"voicer_{uuid.uuid4().hex[:12]}"
        self._admin(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        return self.url(name)

    def drop_database(self, url: str) -> None:
        """Drop a database made by ``create_database``, closing what is still connected."""
        name = url.rsplit("/", 1)[1]
        self._admin(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))

    def stop(self) -> None:
        if (self.directory / "data" / "postmaster.pid").exists():
            self._pg_ctl("stop", "-w", "-m", "fast")
        shutil.rmtree(self.directory, ignore_errors=True)

    def _admin(self, statement: sql.Composed) -> None:
        with psycopg.connect(self.url(), autocommit=True) as connection:
            connection.execute(statement)

    def _initdb(self) -> None:
        self._run(str(self.bindir / "initdb"), "-D", str(self.directory / "data"), "-U", self.user,
                  "--auth=trust", "--encoding=UTF8", "--locale=C", "--no-sync")

    def _options(self) -> str:
        # speed over durability (the data dies with the session); room for several servers
        settings = {"listen_addresses": "127.0.0.1", "port": str(self.port),
                    "unix_socket_directories": str(self.directory / "socket"),
                    "fsync": "off", "synchronous_commit": "off", "full_page_writes": "off",
                    "max_connections": "500"}
        return " ".join(f"-c {name}={value}" for name, value in settings.items())

    def _pg_ctl(self, *args: str) -> None:
        try:
            self._run(str(self.bindir / "pg_ctl"), "-D", str(self.directory / "data"), *args)
        except ServerUnavailable as error:
            log = self.directory / "log"
            detail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise ServerUnavailable(f"{error}\n{detail}") from None

    def _run(self, *command: str) -> None:
        prefix = ["runuser", "-u", self.run_as, "--"] if self.run_as is not None else []
        done = subprocess.run([*prefix, *command], capture_output=True, text=True,
                              cwd=self.directory, env={**os.environ, "LC_ALL": "C"})
        if done.returncode != 0:
            raise ServerUnavailable(f"{' '.join(command)} failed ({done.returncode}): "
                                    f"{done.stderr.strip() or done.stdout.strip()}")


def _postgres_bindir() -> Path:
    """Where ``initdb`` and ``pg_ctl`` are: ``pg_config --bindir``, else the newest Debian one."""
    candidates: list[Path] = []
    pg_config = shutil.which("pg_config")
    if pg_config:
        done = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True)
        if done.returncode == 0:
            candidates.append(Path(done.stdout.strip()))
    debian = [Path(path) for path in glob.glob("/usr/lib/postgresql/*/bin")]
    candidates.extend(sorted(debian, key=_major_version, reverse=True))
    for candidate in candidates:
        if all(os.access(candidate / tool, os.X_OK) for tool in ("initdb", "pg_ctl")):
            return candidate
    raise ServerUnavailable("PostgreSQL server binaries (initdb, pg_ctl) not found via "
                            "pg_config --bindir or /usr/lib/postgresql/*/bin: install them "
                            "(Debian: apt-get install postgresql)")


def _major_version(bindir: Path) -> int:
    version = bindir.parent.name  # /usr/lib/postgresql/15/bin
    return int(version) if version.isdigit() else 0


def _postgres_system_user() -> str:
    try:
        return pwd.getpwnam("postgres").pw_name
    except KeyError:
        raise ServerUnavailable("running as root, and PostgreSQL refuses to: there is no "
                                "'postgres' system user to run it as (Debian: apt-get install "
                                "postgresql creates one)") from None
