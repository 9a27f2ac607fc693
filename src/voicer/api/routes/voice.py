"""Tasks: submit, watch, download, list, cancel."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncGenerator, Callable
from contextlib import aclosing
from typing import Annotated

from fastapi import APIRouter, Body, Header, Query, Request
from fastapi.responses import FileResponse, Response, StreamingResponse
from sqlalchemy.orm import Session
from starlette.types import Receive, Scope, Send

from voicer.api.deps import CurrentUser, DetachedCaller, ServicesDep, SessionDep
from voicer.api.downloads import stored_response
from voicer.api.responses import AUTHENTICATED, task_links, voicer_errors
from voicer.api.schemas import (
    SYNTHESIZE_EXAMPLES,
    SynthesizeRequest,
    SynthesizeResponse,
    TaskList,
    TaskStatusResponse,
)
from voicer.api.schemas_elevenlabs import locators
from voicer.api.services import Services
from voicer.api.strict_json import StrictJsonRoute
from voicer.db.tables import Task, TaskStatus
from voicer.encoding.formats import MEDIA_TYPES
from voicer.errors import Conflict
from voicer.pronunciation import dictionaries
from voicer.tasks import service as tasks
from voicer.tasks.service import TaskView
from voicer.webhooks import targets

router = APIRouter(route_class=StrictJsonRoute, responses=voicer_errors(*AUTHENTICATED),
                   prefix="/api/v1/voice", tags=["🎵 Озвучка"])

CREATED = "Задача успешно создана и добавлена в очередь"
REPLAYED = "Задача с этим Idempotency-Key уже существует"
_KEEPALIVE = 15.0  # seconds of an unchanged task before an event stream says it is alive
MAX_WAIT = 30  # seconds a status request may be asked to wait
MAX_OFFSET = 1_000_000_000  # far beyond any list, far inside the database's integers


@router.post("/synthesize", summary="🎤 Создать задачу озвучки",
             responses={200: {"links": task_links()}, **voicer_errors(400, 403, 502, 503)})
def synthesize(
    body: Annotated[SynthesizeRequest, Body(openapi_examples=SYNTHESIZE_EXAMPLES)],
    user: CurrentUser,
    services: ServicesDep,
    session: SessionDep,
    idempotency_key: Annotated[str | None, Header(max_length=200)] = None,
) -> SynthesizeResponse:
    """Создать новую задачу для преобразования текста в речь с гибкими настройками разбивки,
    автоматических пауз и формата вывода. Answers at once; the task runs in the background."""
    lexicon = dictionaries.resolve(session, user, locators(body.pronunciation_dictionary_locators))
    if body.webhook_url is not None:
        targets.check(body.webhook_url, services.settings.webhook_allowed_hosts)
    task, created = tasks.submit(session, user, body.text, body.options(lexicon),
                                 services.planner, idempotency_key)
    if created:
        services.runner.wake()
    return SynthesizeResponse(task_id=task.id, status=task.status,
                              message=CREATED if created else REPLAYED,
                              chunks_count=task.chunks_total,
                              estimated_time=tasks.estimate(session, task, services.meter))


@router.get("/status/{task_id}", summary="📊 Проверить статус задачи",
            responses=voicer_errors(404))
async def status(
    task_id: str, caller: DetachedCaller, services: ServicesDep, request: Request,
    wait: Annotated[float | None, Query(
        ge=0, le=MAX_WAIT, description="Seconds to wait for the task to end before answering; "
                                       "0 answers at once. Default: the server's "
                                       "VOICER_STATUS_WAIT_SECONDS, for a task expected to end "
                                       "within them")] = None,
) -> TaskStatusResponse:
    """Получить текущий статус и прогресс выполнения задачи озвучки. A task expected to end
    within a few seconds is waited for, so that one look right after submitting finds it done."""
    return _shape(await services.watch.settle(caller.user, task_id, wait), request)


@router.get("/status/{task_id}/events", summary="📡 Следить за задачей (Server-Sent Events)",
            response_class=StreamingResponse,
            responses={200: {"content": {"text/event-stream": {}}}, **voicer_errors(404)})
def events(task_id: str, caller: DetachedCaller, services: ServicesDep,
           request: Request) -> StreamingResponse:
    """A `status` event each time the task changes, until it ends. A token may hold
    VOICER_MAX_EVENT_STREAMS_PER_TOKEN streams open at once; one more is answered 429."""
    services.watch.view(caller.user, task_id)  # 404 before the stream starts
    close = services.streams.open(caller.token_id)
    return EventStream(_event_stream(services, task_id, request), close)


@router.get("/download/{task_id}", summary="⬇️ Скачать аудиофайл",
            response_class=FileResponse,
            responses={200: {"content": {**{media: {} for media in MEDIA_TYPES.values()},
                                         "application/zip": {}}},
                       **voicer_errors(404, 409)})
def download(task_id: str, user: CurrentUser, services: ServicesDep,
             session: SessionDep) -> Response:
    """Скачать готовый аудиофайл завершенной задачи озвучки."""
    task = tasks.get(session, user, task_id)
    if task.status != TaskStatus.completed:
        raise Conflict(f"task {task_id} is {task.status}; download it once it is completed")
    output = task.synthesis_options.output_file
    return stored_response(services.storage.open_output(task_id, output.suffix),
                           media_type=output.media_type, filename=f"voicer-{task_id}{output.suffix}")


@router.get("/tasks", summary="📋 Мои задачи")
def list_tasks(
    user: CurrentUser, services: ServicesDep, session: SessionDep, request: Request,
    status: TaskStatus | None = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> TaskList:
    """The caller's tasks, newest first."""
    page, total = tasks.list_for(session, user, status, limit, offset)
    return TaskList(tasks=[_response(services, session, task, request) for task in page],
                    total=total, limit=limit, offset=offset)


@router.delete("/tasks/{task_id}", summary="🛑 Отменить задачу",
               responses=voicer_errors(404, 409))
def cancel(task_id: str, user: CurrentUser, services: ServicesDep, session: SessionDep,
           request: Request) -> TaskStatusResponse:
    """Stop a pending or processing task; characters not yet spoken are refunded."""
    task = tasks.cancel(session, user, task_id)
    services.runner.wake()
    return _response(services, session, task, request)


def _response(services: Services, session: Session, task: Task,
              request: Request) -> TaskStatusResponse:
    return _shape(tasks.describe(session, task, services.meter), request)


def _shape(view: TaskView, request: Request) -> TaskStatusResponse:
    url = (str(request.url_for("download", task_id=view.task_id))
           if view.status == TaskStatus.completed else None)
    return TaskStatusResponse(**dict(view), download_url=url)


class EventStream(StreamingResponse):
    """Server-sent events that count their stream closed however it ends: at its end, or
    when the client goes away."""

    def __init__(self, events: AsyncGenerator[str], close: Callable[[], None]) -> None:
        super().__init__(events, media_type="text/event-stream",
                         headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})
        self._events = events
        self._close = close

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            self._close()
            await self._events.aclose()  # stops following the task, if the stream had begun


async def _event_stream(services: Services, task_id: str,
                        request: Request) -> AsyncGenerator[str]:
    last: TaskView | None = None
    said = time.monotonic()
    async with aclosing(services.watch.looks(task_id)) as looks:
        async for view in looks:
            if await request.is_disconnected():
                return
            if view != last:
                last, said = view, time.monotonic()
                payload = _shape(view, request).model_dump(mode="json")
                yield f"event: status\ndata: {json.dumps(payload, ensure_ascii=False)}\n\n"
            elif time.monotonic() - said >= _KEEPALIVE:
                said = time.monotonic()
                yield ": keep-alive\n\n"
