"""The database: SQLAlchemy models, the engine, and Alembic migrations."""

from voicer.db.engine import Database

__all__ = ["Database"]
