"""Login with an email or a NIR, the lockout around it, and the recovery emails.

allauth authenticates; these functions decide who an identifier names and when to refuse.
"""

import time

from allauth.account.forms import default_token_generator
from allauth.account.utils import user_pk_to_url_str
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.views.decorators.debug import sensitive_variables

from parcours.accounts.lockout import Lock, lockout_clear, lockout_record_failure, lockout_release_ip, lockout_status
from parcours.accounts.models import NirRecord, User
from parcours.accounts.nir import NirError, nir_parse
from parcours.accounts.nir_vault import nir_decrypt, nir_enabled, nir_lookup_hash
from parcours.audit.services import audit_record
from parcours.notifications.services import email_send
from parcours.utils.http import client_ip
from parcours.utils.ratelimit import once_per


class LoginLocked(Exception):
    def __init__(self, lock: Lock):
        super().__init__("locked")
        self.retry_after_minutes = lock.retry_after_minutes


@sensitive_variables("identifier", "value", "nir")
def _user_for_identifier(identifier: str) -> User | None:
    value = (identifier or "").strip()
    if "@" in value:
        return User.objects.filter(email=value.lower(), is_active=True).first()
    if not nir_enabled():
        return None
    try:
        nir = nir_parse(value)
    except NirError:
        return None
    record = NirRecord.objects.select_related("user").filter(lookup_hash=nir_lookup_hash(nir.body)).first()
    return record.user if record and record.user.is_active else None


@sensitive_variables("identifier", "value")
def login_identifier_resolve(identifier: str) -> str:
    """What allauth authenticates with: the email of the account a NIR names, or what was typed."""
    value = (identifier or "").strip()
    if "@" in value:
        return value
    user = _user_for_identifier(value)
    return user.email if user else value


@sensitive_variables("identifier")
def login_attempt_check(*, identifier: str, request: HttpRequest) -> None:
    """Refuse a locked identifier or IP; otherwise count this attempt before the password is checked,
    so that parallel requests cannot all slip under the limit (a success gives it back)."""
    ip = client_ip(request)
    lock = lockout_status(identifier=identifier, ip=ip)
    if lock:
        raise LoginLocked(lock)
    lockout_record_failure(identifier=identifier, ip=ip)


def password_reset_link(user: User) -> str:
    key = f"{user_pk_to_url_str(user)}-{default_token_generator.make_token(user)}"
    path = reverse("account_reset_password_from_key", kwargs={"uidb36": "UID", "key": "KEY"})
    return settings.PARCOURS_BASE_URL + path.replace("UID-KEY", key)


@transaction.atomic
@sensitive_variables("identifier")
def login_failure_record(*, identifier: str, request: HttpRequest) -> None:
    """The attempt was counted already; when it locks a real account, email its holder a reset link once."""
    lock = lockout_status(identifier=identifier, ip=client_ip(request))
    user = _user_for_identifier(identifier)
    audit_record(event_type="account.login_failed", actor=user, target=user, request=request)
    if user is not None and user.imported_at is not None and not user.has_usable_password():
        _legacy_welcome_send(user)
    window = settings.PARCOURS_LOCKOUT_WINDOW_SECONDS
    if lock and user is not None and once_per(scope="login-locked", key=str(user.pk), seconds=window):
        email_send(
            to=user.email,
            template="accounts/login_locked",
            context={
                "name": user.first_name,
                "minutes": lock.retry_after_minutes,
                "reset_link": password_reset_link(user),
                "reset_hours": max(1, settings.PASSWORD_RESET_TIMEOUT // 3600),
            },
            user=user,
        )


def _legacy_welcome_interval() -> int:
    return settings.PARCOURS_LEGACY_WELCOME_INTERVAL_SECONDS


def _legacy_welcome_send(user: User) -> None:
    """An imported account tried to log in: email it a link to choose its password, at most once an hour.

    cache.add is atomic: of two failures at once, only one sends. The stored time, not the cache's
    expiry alone, decides when the next one may go, as in the lockout: one clock for both.
    """
    key = f"legacy_welcome:{user.pk}"
    interval = _legacy_welcome_interval()
    now = time.time()
    if not cache.add(key, now, timeout=interval):
        sent_at = cache.get(key)
        if sent_at is not None and now - sent_at < interval:
            return
        cache.set(key, now, timeout=interval)
    email_send(
        to=user.email,
        template="accounts/legacy_welcome",
        context={
            "name": user.first_name,
            "email": user.email,
            "reset_link": password_reset_link(user),
            "reset_validity": _duration_text(settings.PASSWORD_RESET_TIMEOUT),
        },
        user=user,
    )


def _duration_text(seconds: int) -> str:
    if seconds >= 3600 and seconds % 3600 == 0:
        hours = seconds // 3600
        return f"{hours} heure{'s' if hours > 1 else ''}"
    minutes = max(1, seconds // 60)
    return f"{minutes} minute{'s' if minutes > 1 else ''}"


def user_login_identifiers(user: User) -> list[str]:
    identifiers = [user.email]
    record = NirRecord.objects.filter(user=user).first()
    if record is not None:
        identifiers.append(nir_decrypt(record.ciphertext))
    return identifiers


def login_succeeded(*, user: User, request: HttpRequest) -> None:
    lockout_clear(identifiers=user_login_identifiers(user))
    lockout_release_ip(ip=client_ip(request))
    audit_record(event_type="account.login", actor=user, target=user, request=request)


def password_changed(*, user: User, request: HttpRequest | None) -> None:
    """A new password lifts every lock on the account (email and NIR); the IP's only when it came through
    an emailed reset link (a logged-in change must not let anyone reset an IP's count at will)."""
    from_reset_link = bool(request and request.resolver_match and "reset" in (request.resolver_match.url_name or ""))
    ip = client_ip(request) if from_reset_link else None
    lockout_clear(identifiers=user_login_identifiers(user), ip=ip)
    audit_record(event_type="account.password_changed", actor=user, target=user, request=request)


@transaction.atomic
def forgot_identifier_request(*, email: str) -> None:
    """Tell a NIR account that its email is also an identifier; the screen says the same either way."""
    user = User.objects.filter(email=email.strip().lower(), is_active=True).first()
    if user is None or not once_per(scope="forgot-identifier", key=str(user.pk), seconds=3600):
        return
    email_send(
        to=user.email,
        template="accounts/forgot_identifier",
        context={
            "name": user.first_name,
            "email": user.email,
            "login_url": settings.PARCOURS_BASE_URL + reverse("account_login"),
            "reset_url": settings.PARCOURS_BASE_URL + reverse("account_reset_password"),
        },
        user=user,
    )
