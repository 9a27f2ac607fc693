"""Responses that send stored audio: a local file as it is (byte ranges too), else a stream."""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import quote

from fastapi.responses import FileResponse, Response, StreamingResponse

from voicer.storage import Stored


def stored_response(stored: Stored, media_type: str, filename: str | None = None,
                    headers: Mapping[str, str] | None = None) -> Response:
    if stored.path is not None:
        return FileResponse(stored.path, media_type=media_type, filename=filename, headers=headers)
    sent = {**(headers or {}), "content-length": str(stored.size)}
    if filename is not None:
        sent["content-disposition"] = _attachment(filename)
    # piece by piece from the storage: a long book never sits in memory whole
    return StreamingResponse(stored.pieces, media_type=media_type, headers=sent)


def _attachment(filename: str) -> str:
    """The header FileResponse would send."""
    quoted = quote(filename)
    if quoted == filename:
        return f'attachment; filename="{filename}"'
    return f"attachment; filename*=utf-8''{quoted}"
