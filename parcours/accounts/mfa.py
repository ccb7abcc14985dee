"""Who must use two-factor authentication: a rule that later apps fill (operator staff must).

Apps above accounts register a predicate in their AppConfig.ready(); accounts never imports them.
"""

from collections.abc import Callable

from allauth.mfa.models import Authenticator

from parcours.accounts.models import User

_requirements: list[Callable[[User], bool]] = []


def mfa_requirement_register(predicate: Callable[[User], bool]) -> None:
    if predicate not in _requirements:
        _requirements.append(predicate)


def mfa_required(user: User) -> bool:
    return any(predicate(user) for predicate in _requirements)


def mfa_enabled(user: User) -> bool:
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
