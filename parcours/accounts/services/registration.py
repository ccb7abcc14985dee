"""Sign-ups: a Registration row holds what was typed until the email is proven; the User is made at
the last step, where uniqueness is decided (never by an earlier form, which would leak).

An email or NIR that already belongs to an account gets the same screens as a new one; the holder
of that account is emailed instead of the typed address (../shared/DESIGN.md).
"""

import datetime
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from parcours.accounts.enums import RegistrationKind, RegistrationStatus
from parcours.accounts.models import NirRecord, Registration, TermsAcceptance, User
from parcours.accounts.nir_vault import nir_encrypt, nir_lookup_hash
from parcours.accounts.tokens import TokenExpired, TokenInvalid, token_make, token_read
from parcours.audit.services import audit_record
from parcours.notifications.services import email_send
from parcours.utils.ratelimit import once_per, rate_limit_exceeded

LINK_PURPOSE = "registration"
IDENTITY_FIELDS = (
    "civility",
    "first_name",
    "last_name",
    "usage_name",
    "phone_landline",
    "phone_mobile",
    "apprenticeship_contract",
    "remuneration_dossier_claim",
    "identity_review",
)


class SignupRateLimited(Exception):
    def __init__(self, retry_after_seconds: int):
        super().__init__("rate limited")
        self.retry_after_minutes = max(1, -(-retry_after_seconds // 60))


@dataclass
class RegistrationLinkError(Exception):
    """reason: invalid (forged or unknown), expired (a new link can be sent), used, unavailable."""

    reason: str
    registration: Registration | None = None


class SignupCodeError(Exception):
    def __init__(self, message: str, *, can_retry: bool):
        super().__init__(message)
        self.message = message
        self.can_retry = can_retry


def _check_rate(*, email: str, ip: str | None) -> None:
    for scope, key, limit in (
        ("signup-ip", ip or "unknown", settings.PARCOURS_SIGNUP_LIMIT_PER_IP),
        ("signup-email", email, settings.PARCOURS_SIGNUP_LIMIT_PER_EMAIL),
    ):
        retry = rate_limit_exceeded(scope=scope, key=key, limit=limit, window_seconds=3600)
        if retry:
            raise SignupRateLimited(retry)


def _link_lifetime() -> datetime.timedelta:
    return datetime.timedelta(days=settings.PARCOURS_REGISTRATION_LINK_DAYS)


def registration_link(registration: Registration) -> str:
    token = token_make(purpose=LINK_PURPOSE, value=str(registration.public_id))
    return settings.PARCOURS_BASE_URL + reverse("accounts:registration_confirm", kwargs={"token": token})


def _code_digest(registration: Registration, code: str) -> str:
    message = f"{registration.public_id}:{code}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()


def _owner_of_email(email: str) -> User | None:
    return User.objects.filter(email=email).first()


def _owner_of_nir(nir_hash: str) -> User | None:
    if not nir_hash:
        return None
    record = NirRecord.objects.select_related("user").filter(lookup_hash=nir_hash).first()
    return record.user if record else None


def _send_proof(registration: Registration) -> None:
    """The link or code to the typed address, or a notice to the holder of an existing account.

    Every branch leaves the registration in the same state (a stagiaire always gets a code digest),
    so the screens that follow cannot tell an existing account from a new one.
    """
    name = registration.data.get("first_name", "")
    login_url = settings.PARCOURS_BASE_URL + reverse("account_login")
    reset_url = settings.PARCOURS_BASE_URL + reverse("account_reset_password")
    code = ""
    if registration.kind == RegistrationKind.STAGIAIRE:
        code = f"{secrets.randbelow(10**6):06d}"
        registration.code_hash = _code_digest(registration, code)
        registration.code_sent_at = timezone.now()
        registration.code_attempts = 0
        registration.save(update_fields=["code_hash", "code_sent_at", "code_attempts"])
    owner = _owner_of_email(registration.email) or _owner_of_nir(registration.nir_hash)
    if owner is not None:
        # The holder is told, at most once an hour, whatever address was typed (no mailbox flooding).
        if once_per(scope="signup-notice", key=str(owner.pk), seconds=3600):
            same_address = owner.email == registration.email
            email_send(
                to=owner.email,
                template="accounts/account_exists" if same_address else "accounts/nir_in_use",
                context={"name": owner.first_name, "login_url": login_url, "reset_url": reset_url},
                user=owner,
            )
        return
    if code:
        email_send(
            to=registration.email,
            template="accounts/registration_code",
            context={"name": name, "code": code, "minutes": settings.PARCOURS_SIGNUP_CODE_MINUTES},
        )
        return
    email_send(
        to=registration.email,
        template="accounts/registration_link",
        context={
            "name": name,
            "link": registration_link(registration),
            "days": settings.PARCOURS_REGISTRATION_LINK_DAYS,
        },
    )


@sensitive_variables("nir_body", "raw_password")
@transaction.atomic
def registration_create(
    *,
    kind: str,
    email: str,
    identity: dict,
    ip: str | None,
    nir_body: str = "",
    raw_password: str = "",
    cgu_version: str = "",
    cgu_accepted_at: datetime.datetime | None = None,
) -> Registration:
    """Record a sign-up and send its proof (a link, or a code for stagiaires)."""
    email = email.strip().lower()
    _check_rate(email=email, ip=ip)
    now = timezone.now()
    # A new sign-up with the same address replaces the unconfirmed one (one pending per address).
    Registration.objects.filter(email=email, status=RegistrationStatus.PENDING).update(
        status=RegistrationStatus.SUPERSEDED
    )
    lifetime = datetime.timedelta(days=1) if kind == RegistrationKind.STAGIAIRE else _link_lifetime()
    registration = Registration.objects.create(
        kind=kind,
        email=email,
        data=identity,
        nir_ciphertext=nir_encrypt(nir_body) if nir_body else "",
        nir_hash=nir_lookup_hash(nir_body) if nir_body else "",
        password_hash=make_password(raw_password) if raw_password else "",
        cgu_version=cgu_version,
        cgu_accepted_at=cgu_accepted_at,
        created_at=now,
        expires_at=now + lifetime,
    )
    _send_proof(registration)
    audit_record(event_type="registration.created", target=registration, details={"kind": kind})
    return registration


@transaction.atomic
def registration_resend(*, registration: Registration, ip: str | None) -> None:
    """Send the proof again; an expired link gets a new lifetime. Confirmed or replaced: nothing to send."""
    _check_rate(email=registration.email, ip=ip)
    registration = Registration.objects.select_for_update().get(pk=registration.pk)
    if registration.status != RegistrationStatus.PENDING:
        return
    if registration.kind != RegistrationKind.STAGIAIRE:
        registration.expires_at = timezone.now() + _link_lifetime()
        registration.save(update_fields=["expires_at"])
    _send_proof(registration)


def registration_from_token(*, token: str) -> Registration:
    """The registration a link names, or RegistrationLinkError saying why it cannot be used."""
    try:
        public_id = token_read(purpose=LINK_PURPOSE, token=token, max_age=_link_lifetime() * 3)
    except TokenExpired as expired:
        public_id = expired.value
    except TokenInvalid:
        raise RegistrationLinkError("invalid") from None
    registration = Registration.objects.filter(public_id=public_id).first()
    if registration is None:
        raise RegistrationLinkError("invalid")
    if registration.status == RegistrationStatus.CONFIRMED:
        raise RegistrationLinkError("used", registration)
    if registration.status != RegistrationStatus.PENDING:
        raise RegistrationLinkError("unavailable", registration)
    if registration.is_expired:
        raise RegistrationLinkError("expired", registration)
    return registration


def _user_create_from_registration(registration: Registration, *, now: datetime.datetime) -> User:
    """The last step: uniqueness of the email and the NIR is decided here, under the row lock."""
    # Raising rolls the transaction back: nothing is marked, the same check answers the next click.
    if _owner_of_email(registration.email) or _owner_of_nir(registration.nir_hash):
        raise RegistrationLinkError("unavailable", registration)
    identity = {field: registration.data.get(field) for field in IDENTITY_FIELDS if registration.data.get(field)}
    birth_date = registration.data.get("birth_date")
    try:
        with transaction.atomic():
            user = User.objects.create(
                email=registration.email,
                password=registration.password_hash,
                registration_kind=registration.kind,
                birth_date=datetime.date.fromisoformat(birth_date) if birth_date else None,
                date_joined=now,
                **identity,
            )
            EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
            if registration.nir_hash:
                NirRecord.objects.create(
                    user=user, ciphertext=registration.nir_ciphertext, lookup_hash=registration.nir_hash
                )
    except IntegrityError:
        # Another confirmation took the address or the NIR a moment ago: first to confirm wins.
        raise RegistrationLinkError("unavailable", registration) from None
    TermsAcceptance.objects.create(
        user=user, version=registration.cgu_version, accepted_at=registration.cgu_accepted_at
    )
    if registration.nir_hash:
        Registration.objects.filter(nir_hash=registration.nir_hash, status=RegistrationStatus.PENDING).exclude(
            pk=registration.pk
        ).update(status=RegistrationStatus.SUPERSEDED)
    # What proved the email is spent; the secrets it carried now live on the account only.
    registration.status = RegistrationStatus.CONFIRMED
    registration.confirmed_at = now
    registration.user = user
    registration.password_hash = registration.nir_ciphertext = registration.code_hash = ""
    registration.save()
    audit_record(
        event_type="account.created",
        actor=user,
        target=user,
        details={"kind": registration.kind, "identity_review": registration.data.get("identity_review", "")},
    )
    return user


@transaction.atomic
def registration_confirm(*, token: str) -> User:
    registration = registration_from_token(token=token)
    registration = Registration.objects.select_for_update().get(pk=registration.pk)
    if registration.status != RegistrationStatus.PENDING:
        raise RegistrationLinkError("used" if registration.status == RegistrationStatus.CONFIRMED else "unavailable")
    return _user_create_from_registration(registration, now=timezone.now())


# Stagiaire sign-up: a 6-digit code proves the email, then the CGU, then the password.


def stagiaire_code_wait_seconds(*, registration: Registration) -> int:
    """Seconds before a new code may be asked (a cool-down against mailbox flooding)."""
    if registration.code_sent_at is None:
        return 0
    elapsed = (timezone.now() - registration.code_sent_at).total_seconds()
    return max(0, int(settings.PARCOURS_SIGNUP_CODE_RESEND_SECONDS - elapsed + 0.999))


@transaction.atomic
def stagiaire_code_resend(*, registration: Registration, ip: str | None) -> int:
    """A new code cancels the old one; returns the seconds still to wait when asked too early."""
    registration = Registration.objects.select_for_update().get(pk=registration.pk)
    wait = stagiaire_code_wait_seconds(registration=registration)
    if wait:
        return wait
    registration_resend(registration=registration, ip=ip)
    return 0


def stagiaire_code_verify(*, registration: Registration, code: str) -> None:
    """Raise SignupCodeError for a wrong, expired or worn-out code; the attempt is counted all the same."""
    error = _stagiaire_code_check(registration=registration, code=code)
    if error is not None:
        raise error


@transaction.atomic
def _stagiaire_code_check(*, registration: Registration, code: str) -> SignupCodeError | None:
    # Returns the error instead of raising it, so that the attempt counter survives the commit.
    registration = Registration.objects.select_for_update().get(pk=registration.pk)
    if registration.status != RegistrationStatus.PENDING or registration.is_expired:
        return SignupCodeError("Cette inscription n'est plus en cours : recommencez-la.", can_retry=False)
    expired = registration.code_sent_at is None or timezone.now() > registration.code_sent_at + datetime.timedelta(
        minutes=settings.PARCOURS_SIGNUP_CODE_MINUTES
    )
    if not registration.code_hash or expired:
        return SignupCodeError("Ce code a expiré ou n'est plus valable : demandez-en un nouveau.", can_retry=False)
    if hmac.compare_digest(registration.code_hash, _code_digest(registration, code.strip())):
        registration.code_verified_at = timezone.now()
        registration.code_hash = ""
        registration.save(update_fields=["code_verified_at", "code_hash"])
        return None
    registration.code_attempts += 1
    left = settings.PARCOURS_SIGNUP_CODE_ATTEMPTS - registration.code_attempts
    if left <= 0:
        registration.code_hash = ""
    registration.save(update_fields=["code_attempts", "code_hash"])
    if left <= 0:
        return SignupCodeError("Code incorrect. Trop d'essais : demandez un nouveau code.", can_retry=False)
    plural = "s" if left > 1 else ""
    return SignupCodeError(f"Code incorrect. Il vous reste {left} essai{plural}.", can_retry=True)


@transaction.atomic
def stagiaire_registration_complete(
    *, registration: Registration, raw_password: str, cgu_version: str, cgu_accepted_at: datetime.datetime
) -> User:
    registration = Registration.objects.select_for_update().get(pk=registration.pk)
    if registration.status != RegistrationStatus.PENDING or registration.code_verified_at is None:
        raise RegistrationLinkError("unavailable", registration)
    registration.password_hash = make_password(raw_password)
    registration.cgu_version, registration.cgu_accepted_at = cgu_version, cgu_accepted_at
    return _user_create_from_registration(registration, now=timezone.now())


def registrations_purge() -> int:
    """Expired sign-ups are kept a while (an old link can still ask for a new one), then deleted."""
    limit = timezone.now() - datetime.timedelta(days=settings.PARCOURS_REGISTRATION_KEEP_EXPIRED_DAYS)
    stale = Registration.objects.filter(expires_at__lt=limit).exclude(status=RegistrationStatus.CONFIRMED)
    confirmed_old = Registration.objects.filter(status=RegistrationStatus.CONFIRMED, confirmed_at__lt=limit)
    count = stale.count() + confirmed_old.count()
    stale.delete()
    confirmed_old.delete()
    return count
