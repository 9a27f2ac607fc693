"""The SQLAlchemy engine for a database URL, migrated to the latest schema.

SQLite (the default, a file in the data directory) or PostgreSQL through psycopg 3:
``postgresql://user:password@host:5432/voicer``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from typing import Any, cast

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, CursorResult, Engine, Result, create_engine, event, make_url, text
from sqlalchemy.orm import Session, sessionmaker

# The key of the PostgreSQL advisory lock that migrations hold: any fixed number will do, as
# long as every Voicer process uses the same one ("voicer" in ASCII).
MIGRATION_LOCK = 0x766F69636572


class Database:
    """One engine and its session factory, held by the app."""

    def __init__(self, url: str) -> None:
        self.url = normalise(url)
        self.engine = _engine(self.url)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)

    def migrate(self) -> None:
        """Apply every Alembic migration not yet applied."""
        config = Config()
        config.set_main_option(
            "script_location", str(resources.files("voicer.db").joinpath("migrations"))
        )
        with self.engine.begin() as connection:
            _lock_migrations(connection)
            config.attributes["connection"] = connection
            command.upgrade(config, "head")

    @contextmanager
    def session(self) -> Iterator[Session]:
        with self.sessions() as session:
            yield session

    def ping(self) -> None:
        with self.engine.connect() as connection:
            connection.execute(text("SELECT 1"))

    def close(self) -> None:
        self.engine.dispose()


def normalise(url: str) -> str:
    """``postgresql://`` and ``postgres://`` URLs mean psycopg 3, not SQLAlchemy's psycopg2."""
    for scheme in ("postgresql://", "postgres://"):
        if url.startswith(scheme):
            return "postgresql+psycopg://" + url.removeprefix(scheme)
    return url


def rowcount(result: Result[Any]) -> int:
    """Rows an UPDATE or DELETE matched (the typed Result hides its cursor's count)."""
    return cast(CursorResult[Any], result).rowcount


def _lock_migrations(connection: Connection) -> None:
    """On PostgreSQL, make servers that start at once migrate one after the other.

    The lock is held until the migration's transaction ends (DDL is transactional there), so
    the next server finds the schema at head and has nothing to do.
    """
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})


_CONNECT_TIMEOUT = 10  # seconds; PostgreSQL (psycopg)


def _engine(url: str) -> Engine:
    # A request holds its connection across several threadpool hops (dependencies, then the
    # route). With fewer connections than threads, threads waiting for a connection can hold
    # every thread that would give one back: the pool is larger than the thread pool (40).
    # Nothing holds one longer than its route runs: sessions close before the answer is sent,
    # and event streams and waiting status requests share one short look at a time
    # (voicer.tasks.watch), so the pool bounds requests being worked on, not clients connected.
    if make_url(url).get_backend_name() != "sqlite":
        # a database host that stops answering costs a connect seconds, not minutes
        return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=50,
                             connect_args={"connect_timeout": _CONNECT_TIMEOUT})
    engine = create_engine(url, pool_size=50, max_overflow=50,
                           connect_args={"check_same_thread": False, "timeout": 30})

    @event.listens_for(engine, "connect")
    def _pragmas(connection: Any, _: Any) -> None:
        cursor = connection.cursor()
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    with engine.connect() as connection:  # WAL is a property of the file: set it once
        connection.exec_driver_sql("PRAGMA journal_mode=WAL")
    return engine
