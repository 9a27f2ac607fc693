"""The FastAPI application, built from one Settings object."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi_offline import FastAPIOffline
from starlette.concurrency import run_in_threadpool
from starlette.staticfiles import StaticFiles

from voicer import __version__
from voicer.api import errors
from voicer.api.bodylimit import BodyLimit
from voicer.api.ratelimit_headers import RateLimitHeaders
from voicer.api.routes import (
    captions,
    catalogue,
    elevenlabs_account,
    elevenlabs_catalogue,
    elevenlabs_dialogue,
    elevenlabs_dictionaries,
    elevenlabs_dubbing,
    elevenlabs_isolation,
    elevenlabs_sound,
    elevenlabs_stt,
    elevenlabs_tts,
    elevenlabs_voice_changer,
    elevenlabs_voice_design,
    elevenlabs_voices,
    elevenlabs_ws,
    openai_audio,
    root,
    stt,
    studio,
    timeline,
    user,
    voice,
    voice_clone,
    voice_tts,
    webhooks,
)
from voicer.api.services import Services
from voicer.engines import EngineFactory
from voicer.engines.registry import LocalEngine
from voicer.pipeline.pool import default_engine
from voicer.settings import Settings
from voicer.studio import ASSETS as STUDIO_ASSETS
from voicer.studio import PATH as STUDIO_PATH

DESCRIPTION = """
Voicer API — a self-hosted text-to-speech service for long texts.

- 🎭 142 voices in 48 languages, the ElevenLabs premade voice ids among them
- 🚀 texts up to 1,000,000 characters, split into chunks and spoken in parallel
- 📊 progress in real time (polling or Server-Sent Events)
- 🔒 `Authorization: Bearer <token>` on everything but `/` and `/health`
- ⏸️ automatic pauses between chunks, never after the last
"""


def create_app(settings: Settings | None = None, engine: EngineFactory = default_engine,
               engines: Sequence[LocalEngine] = ()) -> FastAPI:
    """The app; ``engine`` makes the engine of the bundled voices (espeak-ng, with the neural
    engines beside it; a stand-in given here speaks them all) inside each worker process, and
    ``engines`` are registered beside it, each with its own voices."""
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        services = await run_in_threadpool(Services.start, settings, engine, engines)
        app.state.services = services
        try:
            yield
        finally:
            await run_in_threadpool(services.stop)

    # /docs serves Swagger UI from the package: nothing from another host. ReDoc is left
    # out: its bundle fetches a logo from its maker's CDN.
    app = FastAPIOffline(title="🎤 Voicer API", version=__version__, description=DESCRIPTION,
                         lifespan=lifespan, static_url="/docs-assets", redoc_url=None,
                         swagger_ui_parameters={"validatorUrl": None})
    for module in (root, voice, user, catalogue, elevenlabs_tts, elevenlabs_ws,
                   elevenlabs_catalogue, elevenlabs_account, elevenlabs_sound, elevenlabs_stt,
                   elevenlabs_isolation, elevenlabs_dictionaries, elevenlabs_dialogue, stt,
                   voice_tts, elevenlabs_voice_changer, timeline, studio, openai_audio,
                   captions, webhooks, elevenlabs_voices, voice_clone,
                   elevenlabs_voice_design, elevenlabs_dubbing):
        app.include_router(module.router)
    app.mount(STUDIO_PATH, StaticFiles(directory=STUDIO_ASSETS), name="studio-assets")
    errors.install(app)
    app.add_middleware(BodyLimit, max_bytes=settings.max_request_bytes,
                       upload_bytes=settings.max_upload_bytes)
    app.add_middleware(RateLimitHeaders)
    return app
