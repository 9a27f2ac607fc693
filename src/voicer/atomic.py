"""Files that appear whole or not at all, even with several writers at once."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO


@contextmanager
def atomic_file(path: Path) -> Iterator[BinaryIO]:
    """A new file opened for reading and writing, moved to ``path`` when the block ends well.

    Each writer has its own partial file, so two writing the same path leave one whole copy;
    a block that raises leaves nothing behind.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f"{path.name}.{secrets.token_hex(6)}.part")
    try:
        with partial.open("w+b") as file:
            yield file
            file.flush()
            os.fsync(file.fileno())  # on disk before it has its name, also on a shared mount
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)
