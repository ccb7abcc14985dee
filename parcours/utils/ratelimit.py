import hashlib
import time

from django.core.cache import cache


def rate_limit_exceeded(*, scope: str, key: str, limit: int, window_seconds: int) -> int | None:
    """Count one hit; past `limit` in the current window, return the seconds until it ends."""
    window = int(time.time() // window_seconds)
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    cache_key = f"ratelimit:{scope}:{digest}:{window}"
    cache.add(cache_key, 0, timeout=window_seconds + 5)
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.set(cache_key, 1, timeout=window_seconds + 5)
        count = 1
    if count > limit:
        return int((window + 1) * window_seconds - time.time()) + 1
    return None


def once_per(*, scope: str, key: str, seconds: int) -> bool:
    """True the first time in `seconds` for this key: notices to a mailbox are sent at most that often."""
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    return cache.add(f"once:{scope}:{digest}", 1, timeout=seconds)
