"""Service information and health: the two routes that need no token."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from voicer import __version__, studio
from voicer.api.deps import ServicesDep
from voicer.api.responses import voicer_errors
from voicer.api.services import Services
from voicer.api.strict_json import StrictJsonRoute
from voicer.tasks.queue import QueueRunner

router = APIRouter(route_class=StrictJsonRoute, responses=voicer_errors(500),
                   tags=["🔍 Общая информация"])


@router.get("/", summary="🏠 Информация о сервисе", response_model=dict[str, Any],
            responses={200: {"content": {"text/html": {}}}})
def info(services: ServicesDep, request: Request, response: Response) -> dict[str, Any] | Response:
    """Получить основную информацию о Voicer API и проверить доступность сервиса. A browser,
    asking for `text/html`, gets the web studio instead."""
    if studio.wants_page(request.headers.get("accept")):
        return studio.page()
    response.headers["Vary"] = "Accept"  # the same address answers a browser with a page
    return {
        "service": "Voicer API",
        "version": __version__,
        "docs": "/docs",
        "openapi": "/openapi.json",
        "engines": _engines(services),
        "api": {"voicer": "/api/v1"},
        "studio": studio.PATH,
    }


def _engines(services: Services) -> list[dict[str, Any]]:
    """Every registered engine, the default first, with how many voices and languages it has."""
    voices: Counter[str] = Counter()
    languages: defaultdict[str, set[str]] = defaultdict(set)
    for voice in services.planner.voices:
        voices[voice.engine] += 1
        languages[voice.engine].update(voice.languages)
    return [{"name": name, "default": number == 0, "voices": voices[name],
             "languages": len(languages[name])}
            for number, name in enumerate(services.engines.names)]


@router.get("/metrics", summary="📈 Prometheus metrics", response_class=Response,
            responses={200: {"content": {CONTENT_TYPE_LATEST: {}}}})
def metrics(services: ServicesDep) -> Response:
    """Tasks by status, queue depth, chunk latency, engine errors, synchronous speech."""
    return Response(generate_latest(services.metrics.registry), media_type=CONTENT_TYPE_LATEST)


@router.get("/v1/health", summary="💚 Health (the Voice API's path)")
@router.get("/health", summary="💚 Проверка состояния сервиса")
def health(services: ServicesDep) -> JSONResponse:
    """Проверить работоспособность API и подключений к базе данных."""
    checks: dict[str, Callable[[], object]] = {
        "database": services.database.ping,
        "storage": lambda: services.storage.has_chunk("health", 0),
    }
    if isinstance(services.runner, QueueRunner):
        checks["broker"] = services.runner.ping
    components: dict[str, dict[str, str]] = {"api": {"status": "ok"}}
    for name, check in checks.items():
        try:
            check()
            components[name] = {"status": "ok"}
        except Exception as error:  # report, whatever the driver raised
            components[name] = {"status": "error", "error": type(error).__name__}
    healthy = all(c["status"] == "ok" for c in components.values())
    return JSONResponse({"status": "ok" if healthy else "error", "version": __version__,
                         "components": components}, status_code=200 if healthy else 503)
