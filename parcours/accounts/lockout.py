"""Login lockout: failures counted per submitted identifier and per IP over a sliding window.

Identifiers are keyed by an HMAC, whether or not an account exists (so a lock tells nothing), and
never stored in clear: a NIR typed as an identifier must not land in the cache. Counters are
per-minute buckets incremented atomically (cache.add + cache.incr, atomic on Redis), and an
attempt is counted before the password is checked, so parallel requests cannot slip past the limit.
"""

import hashlib
import hmac
import re
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache

from parcours.accounts.nir import NirError, nir_parse

BUCKET_SECONDS = 60


@dataclass(frozen=True)
class Lock:
    retry_after_seconds: int

    @property
    def retry_after_minutes(self) -> int:
        return max(1, -(-self.retry_after_seconds // 60))


def normalize_identifier(identifier: str) -> str:
    """Emails compare lower-cased; a NIR however typed (spaces, dots, dashes, with its key) is one person."""
    value = (identifier or "").strip().lower()
    if "@" not in value and re.search(r"\d", value):
        try:
            return nir_parse(value).body.lower()
        except NirError:
            pass
    return re.sub(r"\s+", "", value) if "@" not in value else value


def _identifier_key(identifier: str) -> str:
    normalized = normalize_identifier(identifier).encode()
    return "lockout:id:" + hmac.new(settings.SECRET_KEY.encode(), normalized, hashlib.sha256).hexdigest()


def _ip_key(ip: str | None) -> str:
    return f"lockout:ip:{ip or 'unknown'}"


def _buckets(now: float) -> list[int]:
    current = int(now // BUCKET_SECONDS)
    count = -(-settings.PARCOURS_LOCKOUT_WINDOW_SECONDS // BUCKET_SECONDS)
    return list(range(current - count + 1, current + 1))


def _lock_for(prefix: str, limit: int, now: float) -> Lock | None:
    buckets = _buckets(now)
    values = cache.get_many([f"{prefix}:{bucket}" for bucket in buckets])
    counts = [int(values.get(f"{prefix}:{bucket}", 0)) for bucket in buckets]
    total = sum(counts)
    if total < limit:
        return None
    # The window slides: the lock lifts when enough of the oldest buckets have left it.
    for bucket, count in zip(buckets, counts, strict=True):
        total -= count
        if total < limit:
            lifted_at = bucket * BUCKET_SECONDS + settings.PARCOURS_LOCKOUT_WINDOW_SECONDS
            return Lock(retry_after_seconds=max(1, int(lifted_at - now)))
    return None


def _increment(prefix: str, now: float) -> None:
    key = f"{prefix}:{int(now // BUCKET_SECONDS)}"
    timeout = settings.PARCOURS_LOCKOUT_WINDOW_SECONDS + BUCKET_SECONDS
    cache.add(key, 0, timeout=timeout)
    try:
        cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=timeout)


def lockout_status(*, identifier: str, ip: str | None) -> Lock | None:
    now = time.time()
    locks = [
        _lock_for(_identifier_key(identifier), settings.PARCOURS_LOCKOUT_FAILURES, now),
        _lock_for(_ip_key(ip), settings.PARCOURS_LOCKOUT_IP_FAILURES, now),
    ]
    locks = [lock for lock in locks if lock]
    return max(locks, key=lambda lock: lock.retry_after_seconds) if locks else None


def lockout_record_failure(*, identifier: str, ip: str | None) -> Lock | None:
    """Count an attempt against the identifier and the IP; return the lock it causes, if any."""
    now = time.time()
    _increment(_identifier_key(identifier), now)
    _increment(_ip_key(ip), now)
    return lockout_status(identifier=identifier, ip=ip)


def lockout_clear(*, identifiers: list[str], ip: str | None = None) -> None:
    prefixes = [_identifier_key(identifier) for identifier in identifiers if identifier]
    if ip:
        prefixes.append(_ip_key(ip))
    now = time.time()
    cache.delete_many([f"{prefix}:{bucket}" for prefix in prefixes for bucket in _buckets(now)])


def lockout_release_ip(*, ip: str | None) -> None:
    """A successful login gives back the attempt it counted on its IP (many people share a school's IP)."""
    key = f"{_ip_key(ip)}:{int(time.time() // BUCKET_SECONDS)}"
    try:
        if cache.decr(key) < 0:
            cache.set(key, 0, timeout=settings.PARCOURS_LOCKOUT_WINDOW_SECONDS + BUCKET_SECONDS)
    except ValueError:  # no attempt counted in this minute
        pass
