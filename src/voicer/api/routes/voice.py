"""Tasks: submit, watch, download, list, cancel."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import asdict
from typing import Annotated

from fastapi import APIRouter, Body, Header, Query, Request
from fastapi.responses import FileResponse, Response, StreamingResponse
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from voicer.api.deps import CurrentUser, ServicesDep, SessionDep
from voicer.api.downloads import stored_response
from voicer.api.schemas import (
    SYNTHESIZE_EXAMPLES,
    SynthesizeRequest,
    SynthesizeResponse,
    TaskList,
    TaskStatusResponse,
)
from voicer.api.services import Services
from voicer.db.models import ACTIVE, Task, TaskStatus, User
from voicer.errors import Conflict
from voicer.tasks import service as tasks

router = APIRouter(prefix="/api/v1/voice", tags=["🎵 Озвучка"])

CREATED = "Задача успешно создана и добавлена в очередь"
REPLAYED = "Задача с этим Idempotency-Key уже существует"
_EVENT_POLL = 0.5  # seconds between looks at a task for the event stream
_KEEPALIVE = 15.0


@router.post("/synthesize", summary="🎤 Создать задачу озвучки")
def synthesize(
    body: Annotated[SynthesizeRequest, Body(openapi_examples=SYNTHESIZE_EXAMPLES)],
    user: CurrentUser,
    services: ServicesDep,
    session: SessionDep,
    idempotency_key: Annotated[str | None, Header(max_length=200)] = None,
) -> SynthesizeResponse:
    """Создать новую задачу для преобразования текста в речь с гибкими настройками разбивки,
    автоматических пауз и формата вывода. Answers at once; the task runs in the background."""
    task, created = tasks.submit(session, user, body.text, body.options(), services.planner,
                                 idempotency_key)
    if created:
        services.runner.wake()
    return SynthesizeResponse(task_id=task.id, status=task.status,
                              message=CREATED if created else REPLAYED,
                              chunks_count=task.chunks_total,
                              estimated_time=tasks.estimate(session, task, services.meter))


@router.get("/status/{task_id}", summary="📊 Проверить статус задачи")
def status(task_id: str, user: CurrentUser, services: ServicesDep, session: SessionDep,
           request: Request) -> TaskStatusResponse:
    """Получить текущий статус и прогресс выполнения задачи озвучки."""
    return _response(services, session, tasks.get(session, user, task_id), request)


@router.get("/status/{task_id}/events", summary="📡 Следить за задачей (Server-Sent Events)",
            response_class=StreamingResponse,
            responses={200: {"content": {"text/event-stream": {}}}})
def events(task_id: str, user: CurrentUser, services: ServicesDep, session: SessionDep,
           request: Request) -> StreamingResponse:
    """A `status` event each time the task changes, until it ends."""
    tasks.get(session, user, task_id)  # 404 before the stream starts
    return StreamingResponse(_event_stream(services, user, task_id, request),
                             media_type="text/event-stream",
                             headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})


@router.get("/download/{task_id}", summary="⬇️ Скачать аудиофайл",
            response_class=FileResponse,
            responses={200: {"content": {"audio/mpeg": {}, "application/zip": {}}},
                       409: {"description": "The task has not completed"}})
def download(task_id: str, user: CurrentUser, services: ServicesDep,
             session: SessionDep) -> Response:
    """Скачать готовый аудиофайл завершенной задачи озвучки."""
    task = tasks.get(session, user, task_id)
    if task.status != TaskStatus.completed:
        raise Conflict(f"task {task_id} is {task.status}; download it once it is completed")
    zipped = bool(task.options.get("split_output"))
    suffix = ".zip" if zipped else ".mp3"
    return stored_response(services.storage.open_output(task_id, suffix),
                           media_type="application/zip" if zipped else "audio/mpeg",
                           filename=f"voicer-{task_id}{suffix}")


@router.get("/tasks", summary="📋 Мои задачи")
def list_tasks(
    user: CurrentUser, services: ServicesDep, session: SessionDep, request: Request,
    status: TaskStatus | None = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> TaskList:
    """The caller's tasks, newest first."""
    page, total = tasks.list_for(session, user, status, limit, offset)
    return TaskList(tasks=[_response(services, session, task, request) for task in page],
                    total=total, limit=limit, offset=offset)


@router.delete("/tasks/{task_id}", summary="🛑 Отменить задачу")
def cancel(task_id: str, user: CurrentUser, services: ServicesDep, session: SessionDep,
           request: Request) -> TaskStatusResponse:
    """Stop a pending or processing task; characters not yet spoken are refunded."""
    task = tasks.cancel(session, user, task_id)
    services.runner.wake()
    return _response(services, session, task, request)


def _status(services: Services, user: User, task_id: str, request: Request) -> TaskStatusResponse:
    with services.database.session() as session:
        return _response(services, session, tasks.get(session, user, task_id), request)


def _response(services: Services, session: Session, task: Task,
              request: Request) -> TaskStatusResponse:
    view = tasks.describe(session, task, services.meter)
    url = (str(request.url_for("download", task_id=view.task_id))
           if view.status == TaskStatus.completed else None)
    return TaskStatusResponse(**asdict(view), download_url=url)


async def _event_stream(services: Services, user: User, task_id: str,
                        request: Request) -> AsyncIterator[str]:
    last = ""
    quiet = 0.0
    while not await request.is_disconnected():
        current = await run_in_threadpool(_status, services, user, task_id, request)
        payload = current.model_dump_json()
        if payload != last:
            last, quiet = payload, 0.0
            yield f"event: status\ndata: {json.dumps(json.loads(payload), ensure_ascii=False)}\n\n"
        elif quiet >= _KEEPALIVE:
            quiet = 0.0
            yield ": keep-alive\n\n"
        if current.status not in ACTIVE:
            return
        await asyncio.sleep(_EVENT_POLL)
        quiet += _EVENT_POLL
