"""JSON bodies hold only what Voicer can keep and answer with.

``json.loads`` accepts ``NaN``, ``Infinity`` and ``-Infinity`` (and reads ``1e309`` as
infinity), and it turns ``"\\ud800"`` into a string with a lone surrogate that no UTF-8
encoder takes. Left in, such values fail deep inside a request, or in the answer that
echoes them. Every route of the API reads its body through ``StrictJsonRoute``, which
refuses them up front with a 422 naming the field.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Coroutine, Iterator
from typing import Any

from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Message

from voicer.api.errors import MAX_PROBLEMS

Location = tuple[str | int, ...]


def problems(value: object, where: Location = ("body",)) -> Iterator[dict[str, Any]]:
    """A validation error for each non-finite number and each string that is not Unicode."""
    if isinstance(value, float) and not math.isfinite(value):
        yield {"type": "finite_number", "loc": where,
               "msg": "Input should be a finite number (NaN and Infinity are not numbers here)",
               "input": str(value)}
    elif isinstance(value, str) and not _is_unicode(value):
        position = next(i for i, c in enumerate(value) if 0xD800 <= ord(c) <= 0xDFFF)
        yield {"type": "string_unicode", "loc": where,
               "msg": f"Input should be valid Unicode: a lone surrogate "
                      f"U+{ord(value[position]):04X} at character {position}",
               "input": value[:position]}
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from problems(item, (*where, index))
    elif isinstance(value, dict):
        for key, item in value.items():
            if not _is_unicode(key):
                yield {"type": "string_unicode", "loc": where,
                       "msg": "Input should be valid Unicode: a key holds a lone surrogate",
                       "input": None}
            else:
                yield from problems(item, (*where, key))


def _is_unicode(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


class _ParsedRequest(Request):
    """A request whose JSON body was already read and checked: it hands on the same bytes."""

    def __init__(self, request: Request, body: bytes, parsed: object) -> None:
        replayed = False

        async def receive() -> Message:
            nonlocal replayed
            if replayed:
                return await request.receive()  # what follows the body: a disconnect
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}

        super().__init__(request.scope, receive)
        self._parsed = parsed

    async def json(self) -> Any:
        return self._parsed


class StrictJsonRoute(APIRoute):
    """An API route that refuses JSON values Voicer cannot keep, before anything else reads them."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handle = super().get_route_handler()

        async def checked(request: Request) -> Response:
            if not _is_json(request):
                return await handle(request)
            body = await request.body()
            if not body:
                return await handle(request)
            try:
                parsed = json.loads(body)
            except (ValueError, RecursionError) as error:  # not UTF-8, not JSON, nested too deep
                raise RequestValidationError([{
                    "type": "json_invalid", "loc": ("body", getattr(error, "pos", 0)),
                    "msg": f"JSON decode error: {error}"[:200], "input": None}]) from error
            found = []
            for problem in problems(parsed):
                found.append(problem)
                if len(found) == MAX_PROBLEMS:
                    break
            if found:
                raise RequestValidationError(found)
            return await handle(_ParsedRequest(request, body, parsed))

        return checked


def _is_json(request: Request) -> bool:
    kind = request.headers.get("content-type", "application/json").split(";")[0].strip().lower()
    return kind == "application/json" or kind.endswith("+json")
