"""Login lockout: sliding windows of failures in the cache, per submitted identifier and per IP.

Identifiers are keyed by an HMAC, whether or not an account exists (so a lock tells nothing),
and never stored in clear: a NIR typed as an identifier must not land in the cache.
"""

import hashlib
import hmac
import json
import re
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache


@dataclass(frozen=True)
class Lock:
    retry_after_seconds: int

    @property
    def retry_after_minutes(self) -> int:
        return max(1, -(-self.retry_after_seconds // 60))


def normalize_identifier(identifier: str) -> str:
    """Emails compare lower-cased; a NIR with spaces, or with its key, is the same person."""
    value = (identifier or "").strip().lower()
    compact = re.sub(r"[\s.]", "", value)
    if re.fullmatch(r"[0-9][0-9ab]{12}(\d{2})?", compact):
        return compact[:13]
    return value


def _identifier_key(identifier: str) -> str:
    digest = hmac.new(
        settings.SECRET_KEY.encode(), normalize_identifier(identifier).encode(), hashlib.sha256
    ).hexdigest()
    return f"lockout:id:{digest}"


def _ip_key(ip: str | None) -> str:
    return f"lockout:ip:{ip or 'unknown'}"


def _recent(key: str, now: float) -> list[float]:
    window = settings.PARCOURS_LOCKOUT_WINDOW_SECONDS
    return [t for t in json.loads(cache.get(key, "[]")) if t > now - window]


def _lock_for(key: str, limit: int, now: float) -> Lock | None:
    failures = _recent(key, now)
    if len(failures) < limit:
        return None
    # The window slides: the lock lifts when the oldest failure that counts leaves it.
    oldest_counted = sorted(failures)[-limit]
    return Lock(retry_after_seconds=int(oldest_counted + settings.PARCOURS_LOCKOUT_WINDOW_SECONDS - now) + 1)


def lockout_status(*, identifier: str, ip: str | None) -> Lock | None:
    now = time.time()
    locks = [
        _lock_for(_identifier_key(identifier), settings.PARCOURS_LOCKOUT_FAILURES, now),
        _lock_for(_ip_key(ip), settings.PARCOURS_LOCKOUT_IP_FAILURES, now),
    ]
    locks = [lock for lock in locks if lock]
    return max(locks, key=lambda lock: lock.retry_after_seconds) if locks else None


def lockout_record_failure(*, identifier: str, ip: str | None) -> Lock | None:
    """Count a failure; return the lock it causes, if any."""
    now = time.time()
    window = settings.PARCOURS_LOCKOUT_WINDOW_SECONDS
    for key in (_identifier_key(identifier), _ip_key(ip)):
        failures = [*_recent(key, now), now]
        cache.set(key, json.dumps(failures[-200:]), timeout=window)
    return lockout_status(identifier=identifier, ip=ip)


def lockout_clear(*, identifiers: list[str], ip: str | None = None) -> None:
    keys = [_identifier_key(identifier) for identifier in identifiers if identifier]
    if ip:
        keys.append(_ip_key(ip))
    cache.delete_many(keys)
