"""What other apps have to say about an account's deletion (accounts never imports them).

Apps above accounts register, in their AppConfig.ready():
- a blocker: returns French sentences that the person must read before asking (e.g. "the only référent of
  X"); asking anyway needs an extra confirmation, and the app's `on_requested` hook then acts (tells operators);
- an `on_anonymise` hook, run inside the anonymisation's transaction (ends memberships, ...).
"""

from collections.abc import Callable

from parcours.accounts.models import User

_blockers: list[Callable[[User], list[str]]] = []
_on_requested: list[Callable[[User], None]] = []
_on_anonymise: list[Callable[[User], None]] = []


def _add(hooks: list, hook) -> None:
    if hook not in hooks:
        hooks.append(hook)


def deletion_hooks_register(
    *,
    blocker: Callable[[User], list[str]] | None = None,
    on_requested: Callable[[User], None] | None = None,
    on_anonymise: Callable[[User], None] | None = None,
) -> None:
    if blocker:
        _add(_blockers, blocker)
    if on_requested:
        _add(_on_requested, on_requested)
    if on_anonymise:
        _add(_on_anonymise, on_anonymise)


def deletion_blockers(user: User) -> list[str]:
    return [reason for blocker in _blockers for reason in blocker(user)]


def deletion_requested_run(user: User) -> None:
    for hook in _on_requested:
        hook(user)


def anonymise_hooks_run(user: User) -> None:
    for hook in _on_anonymise:
        hook(user)
