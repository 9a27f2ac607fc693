"""The thread that delivers due events: POSTs each, and tries again with backoff.

An event is claimed before it is sent (its next attempt moved a lease ahead, only if no one
moved it first), so several Voicer nodes deliver each attempt once. A 2xx answer delivers it;
anything else (an error status, no answer within VOICER_WEBHOOK_TIMEOUT_SECONDS, a refused
connection) waits VOICER_WEBHOOK_BACKOFF_SECONDS, doubled after every failure up to
VOICER_WEBHOOK_BACKOFF_CAP_SECONDS, and is given up VOICER_WEBHOOK_RETRY_SECONDS after the
event was made. The URL is checked again before every attempt, so a name that has come to
resolve to a private address is not followed there. Redirects are not followed.
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import datetime, timedelta

import httpx
from sqlalchemy import select, update

from voicer import __version__
from voicer.db import Database
from voicer.db.database import rowcount
from voicer.db.tables import User, WebhookEvent, utcnow
from voicer.errors import InvalidInput
from voicer.settings import Settings
from voicer.webhooks import signing, targets

log = logging.getLogger("voicer.webhooks")

LEASE = timedelta(minutes=2)  # a claimed attempt not settled by then is tried again
BATCH = 20  # events claimed per look


class Dispatcher:
    """Delivers due events every VOICER_WEBHOOK_POLL_SECONDS; started and stopped with the app."""

    def __init__(self, database: Database, settings: Settings) -> None:
        self.database = database
        self.settings = settings
        self._client = httpx.Client(timeout=settings.webhook_timeout_seconds,
                                    follow_redirects=False,
                                    headers={"User-Agent": f"Voicer-Webhooks/{__version__}"})
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="webhooks", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        if self._thread.is_alive():
            self._thread.join()
        self._client.close()

    def deliver_due(self) -> int:
        """Try every event that is due now, once; how many were tried."""
        tried = 0
        for event_id, due in self._due():
            if self._claim(event_id, due):
                self._attempt(event_id)
                tried += 1
        return tried

    def _run(self) -> None:
        while not self._stopping.wait(self.settings.webhook_poll_seconds):
            try:
                self.deliver_due()
            except Exception:  # the database away: look again next time
                log.exception("webhook delivery failed; trying again")

    def _due(self) -> list[tuple[str, datetime]]:
        with self.database.session() as session:
            rows = session.execute(
                select(WebhookEvent.id, WebhookEvent.next_attempt_at)
                .where(WebhookEvent.delivered_at.is_(None), WebhookEvent.gave_up_at.is_(None),
                       WebhookEvent.next_attempt_at <= utcnow())
                .order_by(WebhookEvent.next_attempt_at).limit(BATCH))
            return [(event_id, due) for event_id, due in rows]

    def _claim(self, event_id: str, due: datetime) -> bool:
        with self.database.session() as session:
            claimed = session.execute(
                update(WebhookEvent)
                .where(WebhookEvent.id == event_id, WebhookEvent.next_attempt_at == due,
                       WebhookEvent.delivered_at.is_(None))
                .values(next_attempt_at=utcnow() + LEASE,
                        attempts=WebhookEvent.attempts + 1))
            session.commit()
            return rowcount(claimed) == 1

    def _attempt(self, event_id: str) -> None:
        with self.database.session() as session:
            event = session.get(WebhookEvent, event_id)
            user = session.get(User, event.user_id) if event else None
            if event is None or user is None or user.webhook_secret is None:
                return
            url, kind, body, secret = event.url, event.type, event.body, user.webhook_secret
        failure = self._post(event_id, url, kind, body, secret)
        self._settle(event_id, failure)

    def _post(self, event_id: str, url: str, kind: str, body: str, secret: str) -> str | None:
        """None once the receiver took the event; else why not."""
        try:
            targets.check(url, self.settings.webhook_allowed_hosts)
            headers = signing.headers(event_id, kind, secret, int(time.time()), body)
            answer = self._client.post(url, content=body.encode(), headers=headers)
        except InvalidInput as refused:
            return refused.message
        except httpx.HTTPError as error:
            return f"{type(error).__name__}: {error}"
        if 200 <= answer.status_code < 300:
            return None
        return f"the receiver answered {answer.status_code}"

    def _settle(self, event_id: str, failure: str | None) -> None:
        with self.database.session() as session:
            event = session.get(WebhookEvent, event_id)
            if event is None:
                return
            now = utcnow()
            if failure is None:
                event.delivered_at, event.last_error = now, None
            else:
                event.last_error = failure
                wait = min(self.settings.webhook_backoff_cap_seconds,
                           self.settings.webhook_backoff_seconds * 2 ** (event.attempts - 1))
                window = timedelta(seconds=self.settings.webhook_retry_seconds)
                if now - event.created_at >= window:
                    event.gave_up_at = now
                    log.warning("webhook %s to %s given up: %s", event_id, event.url, failure)
                else:
                    event.next_attempt_at = now + timedelta(seconds=wait)
            session.commit()
