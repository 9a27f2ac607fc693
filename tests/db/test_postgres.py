"""The schema on a real PostgreSQL: the same migrations as SQLite, and servers starting at once."""

from __future__ import annotations

import subprocess
import sys
import time
from importlib import resources
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import DateTime, inspect, text

from voicer.db import Database
from voicer.db.database import normalise
from voicer.db.tables import Base


def _head() -> str:
    config = Config()
    config.set_main_option("script_location",
                           str(resources.files("voicer.db").joinpath("migrations")))
    head = ScriptDirectory.from_config(config).get_current_head()
    assert head is not None
    return head


HEAD = _head()


def test_postgresql_urls_mean_psycopg_3() -> None:
    assert normalise("postgresql://u:p@db:5432/voicer") == "postgresql+psycopg://u:p@db:5432/voicer"
    assert normalise("postgres://u@db/voicer") == "postgresql+psycopg://u@db/voicer"
    assert normalise("postgresql+psycopg://u@db/v") == "postgresql+psycopg://u@db/v"
    assert normalise("sqlite:///voicer.db") == "sqlite:///voicer.db"


def test_migrations_reach_head_on_postgresql(postgres_url: str) -> None:
    database = Database(postgres_url.replace("postgresql://", "postgres://", 1))
    try:
        database.migrate()
        with database.engine.connect() as connection:
            assert connection.dialect.driver == "psycopg"
            assert connection.scalar(text("SELECT version_num FROM alembic_version")) == HEAD
            columns = {c["name"]: c["type"] for c in inspect(connection).get_columns("tasks")}
        created_at = columns["created_at"]
        assert isinstance(created_at, DateTime) and created_at.timezone  # timestamptz
        assert str(columns["options"]) == "JSON"
    finally:
        database.close()


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_the_migrated_schema_is_the_models(backend: str, tmp_path: Path,
                                           request: pytest.FixtureRequest) -> None:
    url = (f"sqlite:///{tmp_path / 'voicer.db'}" if backend == "sqlite"
           else request.getfixturevalue("postgres_url"))
    database = Database(url)
    try:
        database.migrate()
        with database.engine.connect() as connection:
            differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
        assert differences == []
    finally:
        database.close()


def test_migrations_go_down_and_up_again_on_postgresql(postgres_url: str) -> None:
    database = Database(postgres_url)
    try:
        database.migrate()
        _downgrade_to_base(database)
        with database.engine.connect() as connection:
            assert set(inspect(connection).get_table_names()) == {"alembic_version"}
        database.migrate()
        with database.engine.connect() as connection:
            assert connection.scalar(text("SELECT version_num FROM alembic_version")) == HEAD
    finally:
        database.close()


def test_servers_starting_at_once_migrate_one_after_the_other(postgres_url: str) -> None:
    # separate processes, as separate servers are, released at the same instant
    start_at = time.time() + 2
    processes = [subprocess.Popen([sys.executable, "-c", _MIGRATE, postgres_url, str(start_at)],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for _ in range(4)]
    outcomes = [process.communicate(timeout=60) for process in processes]
    assert [process.returncode for process in processes] == [0] * 4, outcomes
    assert [out.strip() for out, _ in outcomes] == [HEAD] * 4


_MIGRATE = """
import sys, time
from sqlalchemy import text
from voicer.db import Database
database = Database(sys.argv[1])
time.sleep(max(0.0, float(sys.argv[2]) - time.time()))
database.migrate()
with database.engine.connect() as connection:
    print(connection.scalar(text("SELECT version_num FROM alembic_version")))
database.close()
"""


def _downgrade_to_base(database: Database) -> None:
    config = Config()
    config.set_main_option("script_location",
                           str(resources.files("voicer.db").joinpath("migrations")))
    with database.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "base")
