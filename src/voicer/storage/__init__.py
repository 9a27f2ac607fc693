"""Where audio lives: a local directory (the data directory or a shared mount) or an S3 bucket."""

from __future__ import annotations

from voicer.errors import StorageError
from voicer.settings import Directory, Settings
from voicer.storage.base import Storage, Stored
from voicer.storage.local import LocalStorage


def make_storage(settings: Settings) -> Storage:
    """The storage ``settings.storage_url`` names; the data directory when it names none."""
    location = settings.storage_location
    if location is None:
        return LocalStorage(settings.data_dir)
    if isinstance(location, Directory):
        if not location.path.is_dir():
            raise StorageError(f"storage directory {location.path} does not exist: mount or create it")
        return LocalStorage(location.path)
    from voicer.storage.s3 import S3Storage  # boto3 is loaded only for a bucket

    return S3Storage.connect(settings, location.name, location.prefix)


__all__ = ["LocalStorage", "Storage", "Stored", "make_storage"]
