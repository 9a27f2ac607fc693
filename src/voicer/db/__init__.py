"""The database: its tables (SQLAlchemy), the Database that connects to it, and Alembic migrations."""

from voicer.db.database import Database

__all__ = ["Database"]
