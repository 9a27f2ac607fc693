"""How an event is signed, so its receiver knows it came from this Voicer, unchanged and
recent.

    Voicer-Event-Id: 3f0c…                 the same on every attempt: de-duplicate by it
    Voicer-Timestamp: 1764600000           seconds since the epoch, of this attempt
    Voicer-Signature: v1=<hex>             HMAC-SHA256, keyed with the user's webhook secret,
                                           over "<timestamp>.<body>"

A receiver recomputes the HMAC over the timestamp, a dot and the raw body, compares it in
constant time, and refuses a timestamp more than a few minutes old.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

SECRET_PREFIX = "whsec_"


def new_secret() -> str:
    return SECRET_PREFIX + secrets.token_hex(24)


def signature(secret: str, timestamp: int, body: str) -> str:
    return hmac.new(secret.encode(), f"{timestamp}.{body}".encode(), hashlib.sha256).hexdigest()


def headers(event_id: str, kind: str, secret: str, timestamp: int, body: str) -> dict[str, str]:
    return {"Content-Type": "application/json", "Voicer-Event-Id": event_id,
            "Voicer-Event-Type": kind, "Voicer-Timestamp": str(timestamp),
            "Voicer-Signature": f"v1={signature(secret, timestamp, body)}"}
