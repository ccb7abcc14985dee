"""Accounts whose login address its holder may not change: a rule that later apps fill.

A school's founding account logs in with the school's official address (seed 002): organisations
registers a function in its AppConfig.ready() that names the reason; accounts never imports it.
"""

from collections.abc import Callable

from parcours.accounts.models import User

_locks: list[Callable[[User], str | None]] = []


def email_lock_register(reason_for: Callable[[User], str | None]) -> None:
    """`reason_for(user)` returns why the address is fixed (French, shown to the holder), or None."""
    if reason_for not in _locks:
        _locks.append(reason_for)


def email_lock_reason(user: User) -> str | None:
    for reason_for in _locks:
        reason = reason_for(user)
        if reason:
            return reason
    return None
