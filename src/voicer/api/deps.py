"""Short named dependencies for the routes."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request, Response
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from voicer.accounts import Caller, authenticate
from voicer.api.services import Services
from voicer.db.models import User

bearer = HTTPBearer(auto_error=False, description="`Authorization: Bearer <token>`")
xi_api_key = APIKeyHeader(name="xi-api-key", auto_error=False,
                          description="The ElevenLabs API's header; the same tokens")


# Trivial dependencies are async: a sync one costs a trip through the thread pool.
async def get_services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


ServicesDep = Annotated[Services, Depends(get_services)]


def get_session(services: ServicesDep) -> Iterator[Session]:
    with services.database.session() as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]


def get_caller(
    services: ServicesDep,
    session: SessionDep,
    response: Response,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Caller:
    """Authenticate the bearer token, then count the request against its rate limits."""
    return _admit(services, session, response, credentials.credentials if credentials else None)


def get_elevenlabs_caller(
    services: ServicesDep,
    session: SessionDep,
    response: Response,
    key: Annotated[str | None, Depends(xi_api_key)],
) -> Caller:
    """The same, with the token in ``xi-api-key`` as ElevenLabs clients send it."""
    return _admit(services, session, response, key)


def _admit(services: Services, session: Session, response: Response, token: str | None) -> Caller:
    caller = authenticate(session, token)
    allowance = services.limiter.hit(caller.token_id, caller.user.plan)
    response.headers["RateLimit-Limit"] = str(allowance.limit)
    response.headers["RateLimit-Remaining"] = str(allowance.remaining)
    response.headers["RateLimit-Reset"] = str(allowance.reset)
    return caller


async def get_user(caller: Annotated[Caller, Depends(get_caller)]) -> User:
    return caller.user


CurrentUser = Annotated[User, Depends(get_user)]
ElevenLabsCaller = Annotated[Caller, Depends(get_elevenlabs_caller)]
