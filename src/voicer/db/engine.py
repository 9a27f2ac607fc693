"""The SQLAlchemy engine for a database URL, migrated to the latest schema."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from typing import Any, cast

from alembic import command
from alembic.config import Config
from sqlalchemy import CursorResult, Engine, Result, create_engine, event, text
from sqlalchemy.orm import Session, sessionmaker


class Database:
    """One engine and its session factory, held by the app."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = _engine(url)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)

    def migrate(self) -> None:
        """Apply every Alembic migration not yet applied."""
        config = Config()
        config.set_main_option(
            "script_location", str(resources.files("voicer.db").joinpath("migrations"))
        )
        with self.engine.begin() as connection:
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


def rowcount(result: Result[Any]) -> int:
    """Rows an UPDATE or DELETE matched (the typed Result hides its cursor's count)."""
    return cast(CursorResult[Any], result).rowcount


def _engine(url: str) -> Engine:
    # A request holds its connection across several threadpool hops (dependencies, then the
    # route). With fewer connections than threads, threads waiting for a connection can hold
    # every thread that would give one back: the pool is larger than the thread pool (40).
    if not url.startswith("sqlite"):
        return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=50)
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
