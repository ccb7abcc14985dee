"""Two-factor authentication (allauth MFA) beyond allauth's own pages.

People turn TOTP on and off through allauth's views (templates/mfa/); these functions serve the
demo and commands, which set a known secret, and the audit of what allauth's flows do.
"""

import base64
import binascii
import logging
from dataclasses import dataclass

from allauth.mfa import signals
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP
from allauth.mfa.utils import decrypt
from django.db import transaction
from django.http import HttpRequest

from parcours.accounts.lockout import Lock, lockout_record_failure, lockout_status
from parcours.accounts.models import User
from parcours.accounts.services.login import LoginLocked
from parcours.audit.services import audit_record
from parcours.utils.http import client_ip

logger = logging.getLogger(__name__)

# RFC 4226 asks for at least 128 bits and recommends 160 (what allauth generates); 80 bits (16
# base32 characters) is the floor most authenticator apps accept, kept for short demo secrets.
TOTP_SECRET_MIN_BYTES = 10


class TotpSecretInvalid(ValueError):
    pass


class TotpAlreadyActive(Exception):
    """The person already has an authenticator app with another secret: never replaced silently."""


@dataclass(frozen=True)
class TotpActivation:
    authenticator: Authenticator
    recovery_codes: list[str]
    created: bool


def _padded(value: str) -> str:
    return value + "=" * (-len(value) % 8)


def totp_secret_normalize(secret: str) -> str:
    """The secret as people type it in an app: base32, upper case, without spaces or padding."""
    value = "".join((secret or "").split()).upper().rstrip("=")
    try:
        raw = base64.b32decode(_padded(value))
    except (binascii.Error, ValueError) as error:
        raise TotpSecretInvalid("Le secret doit être écrit en base32 (lettres A à Z, chiffres 2 à 7).") from error
    if len(raw) < TOTP_SECRET_MIN_BYTES:
        raise TotpSecretInvalid(f"Le secret doit compter au moins {TOTP_SECRET_MIN_BYTES * 8 // 5} caractères.")
    return value


@transaction.atomic
def totp_activate(*, user: User, secret: str) -> TotpActivation:
    """Turn on TOTP for ``user`` with a known base32 ``secret``, and recovery codes with it.

    Idempotent: calling it again with the same secret changes nothing and returns the codes still
    unused; another secret while TOTP is on raises TotpAlreadyActive. Through allauth's own classes,
    so the secret is stored (and encrypted, if an MFA adapter does) exactly as its pages store it.
    """
    secret = totp_secret_normalize(secret)
    # Same lock as allauth's recovery-code flow: two activations never both create an authenticator.
    User.objects.select_for_update().only("pk").get(pk=user.pk)
    existing = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
    if existing is not None and totp_secret_normalize(decrypt(existing.data["secret"])) != secret:
        raise TotpAlreadyActive(user.pk)
    created = existing is None
    # allauth decodes the stored secret strictly: it keeps the base32 padding.
    authenticator = TOTP.activate(user, _padded(secret)).instance if created else existing
    recovery_codes = RecoveryCodes.activate(user)
    if created:
        audit_record(event_type="account.mfa_enabled", target=user, details={"method": "totp", "by": "service"})
        logger.info("event=mfa_totp_activated user=%s by=service", user.pk)
    return TotpActivation(
        authenticator=authenticator, recovery_codes=recovery_codes.get_unused_codes(), created=created
    )


# Code attempts. allauth limits them with its "login_failed" rate, which our settings turn off (our
# lockout replaces it for passwords, docs/decisions/0006): without these, a person holding the
# password could try every 6-digit code. The MFA forms call them (MFA_FORMS).
def _code_identifier(user: User) -> str:
    return f"mfa:{user.pk}"


def mfa_code_attempt_check(*, user: User, request: HttpRequest | None) -> None:
    """Raise LoginLocked while this account's code attempts (or this IP's failures) are locked."""
    lock = lockout_status(identifier=_code_identifier(user), ip=client_ip(request) if request else None)
    if lock:
        raise LoginLocked(lock)


def mfa_code_failure_record(*, user: User, request: HttpRequest | None) -> Lock | None:
    """Count a wrong code (login or reauthentication); return the lock it causes, if any."""
    lock = lockout_record_failure(identifier=_code_identifier(user), ip=client_ip(request) if request else None)
    if lock:
        logger.info("event=mfa_code_locked user=%s retry_after=%s", user.pk, lock.retry_after_seconds)
    return lock


# allauth's pages change authenticators through its own flows: its signals are the one place to see
# it, so these receivers only record the audit event the flow itself cannot.
def _on_authenticator_added(sender, request: HttpRequest, user: User, authenticator: Authenticator, **kwargs):
    if authenticator.type == Authenticator.Type.TOTP:
        audit_record(
            event_type="account.mfa_enabled", actor=user, target=user, request=request, details={"method": "totp"}
        )


def _on_authenticator_removed(sender, request: HttpRequest, user: User, authenticator: Authenticator, **kwargs):
    if authenticator.type == Authenticator.Type.TOTP:
        audit_record(
            event_type="account.mfa_disabled", actor=user, target=user, request=request, details={"method": "totp"}
        )


def _on_authenticator_reset(sender, request: HttpRequest, user: User, authenticator: Authenticator, **kwargs):
    if authenticator.type == Authenticator.Type.RECOVERY_CODES:
        audit_record(event_type="account.recovery_codes_generated", actor=user, target=user, request=request)


def _on_authenticator_used(sender, request: HttpRequest, user: User, authenticator: Authenticator, **kwargs):
    # A recovery code is worth a line in the history: the person may have lost their phone.
    if authenticator.type == Authenticator.Type.RECOVERY_CODES:
        audit_record(
            event_type="account.recovery_code_used",
            actor=user,
            target=user,
            request=request,
            details={"reauthentication": bool(kwargs.get("reauthenticated"))},
        )


def _on_authentication_failed(sender, request: HttpRequest, user: User, authenticator: Authenticator, **kwargs):
    audit_record(
        event_type="account.mfa_failed",
        actor=user,
        target=user,
        request=request,
        details={"reauthentication": bool(kwargs.get("reauthentication"))},
    )


_RECEIVERS = (
    (signals.authenticator_added, _on_authenticator_added),
    (signals.authenticator_removed, _on_authenticator_removed),
    (signals.authenticator_reset, _on_authenticator_reset),
    (signals.authenticator_used, _on_authenticator_used),
    (signals.authentication_failed, _on_authentication_failed),
)


_audit_connected = False


def mfa_audit_connect() -> None:
    """Record allauth's MFA changes in the audit log; called once from AccountsConfig.ready()."""
    global _audit_connected
    for signal, receiver in _RECEIVERS:
        signal.connect(receiver, sender=Authenticator, dispatch_uid=f"parcours.mfa_audit.{receiver.__name__}")
    _audit_connected = True


def mfa_audit_disconnect() -> None:
    global _audit_connected
    for signal, receiver in _RECEIVERS:
        signal.disconnect(sender=Authenticator, dispatch_uid=f"parcours.mfa_audit.{receiver.__name__}")
    _audit_connected = False


def mfa_audit_is_connected() -> bool:
    return _audit_connected
