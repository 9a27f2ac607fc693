"""Short named dependencies for the routes."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from voicer.accounts import Caller, authenticate
from voicer.api.ratelimit_headers import remember
from voicer.api.services import Services
from voicer.db.tables import User
from voicer.voices.owned import viewer

bearer = HTTPBearer(auto_error=False, description="`Authorization: Bearer <token>`")
xi_api_key = APIKeyHeader(name="xi-api-key", auto_error=False,
                          description="The ElevenLabs API's header; the same tokens")

READS = frozenset({"GET", "HEAD"})  # methods counted against the read budget


# Trivial dependencies are async: a sync one costs a trip through the thread pool.
async def get_services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


ServicesDep = Annotated[Services, Depends(get_services)]


def get_session(services: ServicesDep) -> Iterator[Session]:
    with services.database.session() as session:
        yield session


# Closed as soon as the route returns, before the answer is sent: a slow client, a long
# download or an event stream holds no database connection while its bytes go out.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]


def get_caller(
    services: ServicesDep,
    session: SessionDep,
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Caller:
    """Authenticate the bearer token, then count the request against its rate limits."""
    return _admit(services, session, request, credentials.credentials if credentials else None)


def get_detached_caller(
    services: ServicesDep,
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Caller:
    """The same in a session of its own, closed before the route runs: for routes that wait
    or stream, which must hold no connection meanwhile. The user is detached from it."""
    with services.database.session() as session:
        return _admit(services, session, request,
                      credentials.credentials if credentials else None)


def get_elevenlabs_caller(
    services: ServicesDep,
    session: SessionDep,
    request: Request,
    key: Annotated[str | None, Depends(xi_api_key)],
) -> Caller:
    """The same, with the token in ``xi-api-key`` as ElevenLabs clients send it."""
    return _admit(services, session, request, key)


def get_voice_api_caller(
    services: ServicesDep,
    session: SessionDep,
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    key: Annotated[str | None, Depends(xi_api_key)],
) -> Caller:
    """The Voice API's: the token as a Bearer, or in ``xi-api-key``."""
    return _admit(services, session, request, credentials.credentials if credentials else key)


def _admit(services: Services, session: Session, request: Request, token: str | None) -> Caller:
    caller = authenticate(session, token)
    read = request.method in READS
    remember(request, services.limiter.hit(caller.token_id, caller.user.plan, read=read))
    return caller


# The caller's own voices become visible to the rest of the request (``voices.owned.viewer``).
# These are async so that the value is set in the request's own context: a sync dependency
# runs in a copy of it, in the thread pool.
async def get_user(caller: Annotated[Caller, Depends(get_caller)]) -> User:
    return seen_by(caller).user


async def _detached(caller: Annotated[Caller, Depends(get_detached_caller)]) -> Caller:
    return seen_by(caller)


async def _elevenlabs(caller: Annotated[Caller, Depends(get_elevenlabs_caller)]) -> Caller:
    return seen_by(caller)


async def _voice_api(caller: Annotated[Caller, Depends(get_voice_api_caller)]) -> Caller:
    return seen_by(caller)


async def _openai(caller: Annotated[Caller, Depends(get_caller)]) -> Caller:
    return seen_by(caller)


def seen_by(caller: Caller) -> Caller:
    viewer.set(caller.user.id)
    return caller


CurrentUser = Annotated[User, Depends(get_user)]
DetachedCaller = Annotated[Caller, Depends(_detached)]
ElevenLabsCaller = Annotated[Caller, Depends(_elevenlabs)]
OpenAICaller = Annotated[Caller, Depends(_openai)]  # the OpenAI API's: a Bearer token
VoiceApiCaller = Annotated[Caller, Depends(_voice_api)]
