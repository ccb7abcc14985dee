"""School accounts by UAI (seed 002, "Inscrivez votre établissement scolaire").

The directory names the school and its official address; that address is the founding account's login,
proven by a link valid a few minutes (PARCOURS_SCHOOL_LINK_MINUTES). The link's page only shows a
button: the POST creates (or reuses) the account, the organisation, its school profile and the active
référent membership in one transaction. An address shared by several schools serves them all from one
account. Without a usable address in the directory, the person types one and an operator checks it.

Only a confirmed account counts as "the school has an account": a pending registration for the same UAI
is replaced by the next one.
"""

import dataclasses
import datetime
import time
from dataclasses import dataclass

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from parcours.accounts.enums import RegistrationKind, RegistrationStatus
from parcours.accounts.models import Registration, TermsAcceptance, User
from parcours.accounts.services.registration import SignupRateLimited
from parcours.accounts.tokens import TokenExpired, TokenInvalid, token_make, token_read
from parcours.audit.services import audit_record
from parcours.notifications.services import email_send
from parcours.organisations.directory.lookup import School, school_by_uai
from parcours.organisations.models import (
    Decider,
    Membership,
    MembershipStatus,
    Organisation,
    OrganisationRequest,
    OrganisationStatus,
    RequestKind,
    Role,
    SchoolKind,
    SchoolProfile,
)
from parcours.organisations.services.requests import notify_deciders
from parcours.utils.ratelimit import rate_limit_exceeded

LINK_PURPOSE = "school-registration"
LOCKED_LOGIN_REASON = (
    "Elle est l'identifiant de connexion de votre établissement scolaire (son adresse officielle) : "
    "elle ne peut pas être changée. En cas de difficulté, écrivez-nous."
)


class SchoolState:
    """Where a UAI stands on the platform."""

    OPEN = "open"  # known, open, no account: it may sign up
    REGISTERED = "registered"  # a confirmed account: identifier recovery and access requests
    PENDING_CHECK = "pending_check"  # confirmed, its address waits for an operator's check
    ACCOUNT_CLOSED = "account_closed"  # had an account, now closed: operators only
    CLOSED = "closed"  # closed in the directory
    UNKNOWN = "unknown"  # not in the directory


@dataclass(frozen=True)
class SchoolSituation:
    uai: str
    state: str
    school: School | None = None
    organisation: Organisation | None = None

    @property
    def login_email(self) -> str:
        """The forced login: the directory's address (or ce.<uai>@<académie>); "" when an operator checks it."""
        return self.school.email if self.school else ""

    @property
    def email_needs_check(self) -> bool:
        return bool(self.school) and not self.school.email


class SchoolSignupError(Exception):
    """The school cannot sign up (already registered, closed...); the message is in French."""


@dataclass
class SchoolLinkError(Exception):
    """reason: invalid (forged or unknown), expired (a new link can be sent), used, unavailable, registered."""

    reason: str
    registration: Registration | None = None


@dataclass(frozen=True)
class SchoolConfirmed:
    user: User
    organisation: Organisation
    attached: bool  # the address already had an account: the school joined it, its password unchanged
    pending_check: bool  # the address waits for an operator's check


def _live_organisation(uai: str) -> Organisation | None:
    return Organisation.objects.filter(uai=uai).select_related("school_profile").first()


def school_situation(uai: str) -> SchoolSituation:
    """What the sign-up page shows for a clean UAI. May raise DirectoryUnavailable (the HTTP directory)."""
    organisation = _live_organisation(uai)
    if organisation is not None and organisation.is_school:
        if organisation.status == OrganisationStatus.ACTIVE:
            return SchoolSituation(uai, SchoolState.REGISTERED, organisation=organisation)
        if organisation.status == OrganisationStatus.PENDING:
            return SchoolSituation(uai, SchoolState.PENDING_CHECK, organisation=organisation)
        if organisation.validated_at is not None:
            return SchoolSituation(uai, SchoolState.ACCOUNT_CLOSED, organisation=organisation)
        # A closed, never validated school (its address was refused by an operator) may sign up again.
    school = school_by_uai(uai)
    if school is None:
        return SchoolSituation(uai, SchoolState.UNKNOWN)
    if not school.is_open:
        return SchoolSituation(uai, SchoolState.CLOSED, school=school)
    if organisation is not None and not organisation.is_school:
        # Some other kind of organisation carries this UAI (an operator's data entry): operators sort it out.
        return SchoolSituation(uai, SchoolState.ACCOUNT_CLOSED, school=school, organisation=organisation)
    return SchoolSituation(uai, SchoolState.OPEN, school=school)


def masked_login(email: str) -> str:
    """What identifier recovery shows of a holder's login (seed 002): its first two characters, « ce..... »."""
    return f"{email[:2]}....."


def holders_masked_logins(organisation: Organisation) -> list[str]:
    emails = (
        User.objects.filter(
            memberships__organisation=organisation,
            memberships__status=MembershipStatus.ACTIVE,
            memberships__role=Role.REFERENT,
            is_active=True,
        )
        .order_by("memberships__activated_at", "pk")
        .values_list("email", flat=True)
    )
    return list(dict.fromkeys(masked_login(email) for email in emails))


# The link.


def _link_lifetime() -> datetime.timedelta:
    return datetime.timedelta(minutes=settings.PARCOURS_SCHOOL_LINK_MINUTES)


def school_link(registration: Registration) -> str:
    token = token_make(purpose=LINK_PURPOSE, value=str(registration.public_id))
    return settings.PARCOURS_BASE_URL + reverse("schools:signup_confirm", kwargs={"token": token})


def _send_link(registration: Registration) -> None:
    data = registration.data
    email_send(
        to=registration.email,
        template="organisations/school_link",
        context={
            "name": data.get("first_name", ""),
            "school": data["school"]["name"],
            "uai": data["uai"],
            "link": school_link(registration),
            "minutes": settings.PARCOURS_SCHOOL_LINK_MINUTES,
            "pending_check": data.get("email_needs_check", False),
        },
    )
    # Two links alive at once would be harmless; the cool-down only protects the mailbox.
    cache.set(_sent_key(registration), time.time(), timeout=_resend_seconds())


def _sent_key(registration: Registration) -> str:
    return f"school-link-sent:{registration.public_id}"


def _resend_seconds() -> int:
    return settings.PARCOURS_SIGNUP_CODE_RESEND_SECONDS


def school_link_wait_seconds(registration: Registration) -> int:
    """Seconds before another link may be sent for this registration (a cool-down against mailbox flooding)."""
    sent_at = cache.get(_sent_key(registration))
    if sent_at is None:
        return 0
    return max(0, int(_resend_seconds() - (time.time() - sent_at) + 0.999))


def _check_rate(*, email: str, ip: str | None) -> None:
    for scope, key, limit in (
        ("school-signup-ip", ip or "unknown", settings.PARCOURS_SIGNUP_LIMIT_PER_IP),
        ("school-signup-email", email, settings.PARCOURS_SIGNUP_LIMIT_PER_EMAIL),
    ):
        retry = rate_limit_exceeded(scope=scope, key=key, limit=limit, window_seconds=3600)
        if retry:
            raise SignupRateLimited(retry)


def _school_snapshot(school: School) -> dict:
    snapshot = dataclasses.asdict(school)
    snapshot.pop("email", None)  # the registration's own email column holds it
    return snapshot


@sensitive_variables("raw_password")
@transaction.atomic
def school_registration_create(
    *,
    uai: str,
    identity: dict,
    raw_password: str,
    typed_email: str = "",
    ip: str | None = None,
    request=None,
) -> Registration:
    """Record a school's sign-up and send the link to its official address (or the typed one, to check).

    identity: civility, first_name, last_name, job_title. A pending registration for the same UAI is replaced.
    """
    situation = school_situation(uai)
    if situation.state != SchoolState.OPEN:
        raise SchoolSignupError(situation_message(situation))
    school = situation.school
    email = (school.email or typed_email).strip().lower()
    if not email:
        raise SchoolSignupError("Indiquez l'adresse électronique officielle de l'établissement.")
    _check_rate(email=email, ip=ip)
    now = timezone.now()
    Registration.objects.filter(
        kind=RegistrationKind.SCHOOL, status=RegistrationStatus.PENDING, data__uai=school.uai
    ).update(status=RegistrationStatus.SUPERSEDED)
    registration = Registration.objects.create(
        kind=RegistrationKind.SCHOOL,
        email=email,
        data={
            "uai": school.uai,
            "school": _school_snapshot(school),
            "email_needs_check": school.email_needs_check,
            **{field: identity.get(field, "") for field in ("civility", "first_name", "last_name", "job_title")},
        },
        password_hash=make_password(raw_password),
        cgu_version=settings.PARCOURS_CGU_VERSION,
        cgu_accepted_at=now,
        created_at=now,
        expires_at=now + _link_lifetime(),
    )
    _send_link(registration)
    audit_record(
        event_type="registration.created",
        target=registration,
        request=request,
        details={"kind": RegistrationKind.SCHOOL, "email_needs_check": school.email_needs_check},
    )
    return registration


@transaction.atomic
def school_registration_resend(*, registration: Registration, ip: str | None) -> int:
    """Send a new link (5 more minutes). Returns the seconds still to wait when asked too early, else 0.

    Confirmed or replaced registrations get nothing (and 0): their pages say why.
    """
    registration = Registration.objects.select_for_update().get(pk=registration.pk)
    if registration.kind != RegistrationKind.SCHOOL or registration.status != RegistrationStatus.PENDING:
        return 0
    wait = school_link_wait_seconds(registration)
    if wait:
        return wait
    _check_rate(email=registration.email, ip=ip)
    registration.expires_at = timezone.now() + _link_lifetime()
    registration.save(update_fields=["expires_at"])
    _send_link(registration)
    return 0


def school_registration_from_token(*, token: str) -> Registration:
    """The pending registration a link names, or SchoolLinkError saying why it cannot be used.

    The token's own age decides expiry: an old link stays expired even after a newer one was sent.
    """
    expired = False
    try:
        public_id = token_read(purpose=LINK_PURPOSE, token=token, max_age=_link_lifetime())
    except TokenExpired as error:
        public_id, expired = error.value, True
    except TokenInvalid:
        raise SchoolLinkError("invalid") from None
    registration = Registration.objects.filter(public_id=public_id, kind=RegistrationKind.SCHOOL).first()
    if registration is None:
        raise SchoolLinkError("invalid")
    if registration.status == RegistrationStatus.CONFIRMED:
        raise SchoolLinkError("used", registration)
    if registration.status != RegistrationStatus.PENDING:
        raise SchoolLinkError("unavailable", registration)
    if expired:
        raise SchoolLinkError("expired", registration)
    return registration


def _account_for(registration: Registration, now) -> tuple[User, bool]:
    """The account of the proven address: the existing one (password unchanged) or a new one."""
    user = User.objects.select_for_update().filter(email=registration.email).first()
    if user is not None:
        if not user.is_active:
            raise SchoolLinkError("unavailable", registration)
        # The link proved the address: it is verified now, whatever it was.
        EmailAddress.objects.update_or_create(
            user=user, email=user.email, defaults={"verified": True, "primary": True}
        )
        TermsAcceptance.objects.get_or_create(
            user=user, version=registration.cgu_version, defaults={"accepted_at": registration.cgu_accepted_at}
        )
        return user, True
    data = registration.data
    try:
        with transaction.atomic():
            user = User.objects.create(
                email=registration.email,
                password=registration.password_hash,
                civility=data.get("civility", ""),
                first_name=data.get("first_name", ""),
                last_name=data.get("last_name", ""),
                # Routes the first pages like any professional's; what they may do comes from the membership.
                registration_kind=RegistrationKind.PROFESSIONNEL,
                date_joined=now,
            )
    except IntegrityError:
        raise SchoolLinkError("unavailable", registration) from None
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    TermsAcceptance.objects.create(
        user=user, version=registration.cgu_version, accepted_at=registration.cgu_accepted_at
    )
    audit_record(event_type="account.created", actor=user, target=user, details={"kind": RegistrationKind.SCHOOL})
    return user, False


def _organisation_for(registration: Registration, now) -> Organisation:
    """The school's organisation, new or the closed one an operator refused (never validated)."""
    data = registration.data
    school = data["school"]
    pending_check = data.get("email_needs_check", False)
    organisation = Organisation.objects.select_for_update().filter(uai=data["uai"]).first()
    if organisation is not None and (
        organisation.status != OrganisationStatus.CLOSED or organisation.validated_at is not None
    ):
        # Another registration for this UAI was confirmed first.
        raise SchoolLinkError("registered", registration)
    if organisation is None:
        organisation = Organisation(uai=data["uai"], created_at=now)
    organisation.name = school["name"][:200]
    organisation.address = school["address"][:250]
    organisation.postal_code = school["postal_code"][:10]
    organisation.city = school["commune"][:150]
    organisation.department_code = school["department_code"]
    organisation.is_school = True
    organisation.closed_at = None
    if pending_check:
        organisation.status = OrganisationStatus.PENDING
    else:
        organisation.status = OrganisationStatus.ACTIVE
        organisation.validated_at = now
    try:
        with transaction.atomic():
            organisation.save()
    except IntegrityError:  # the same UAI confirmed twice at once
        raise SchoolLinkError("registered", registration) from None
    kind = school["kind"] if school["kind"] in SchoolKind.values else SchoolKind.OTHER
    SchoolProfile.objects.update_or_create(
        organisation=organisation,
        defaults={
            "kind": kind,
            "academy_code": school["academy_code"][:3],
            "academy_name": school["academy_name"][:100],
            "official_email": registration.email,
        },
    )
    return organisation


@transaction.atomic
def school_registration_confirm(*, token: str, request=None) -> SchoolConfirmed:
    registration = school_registration_from_token(token=token)
    registration = Registration.objects.select_for_update().get(pk=registration.pk)
    if registration.status != RegistrationStatus.PENDING:
        raise SchoolLinkError("used" if registration.status == RegistrationStatus.CONFIRMED else "unavailable")
    now = timezone.now()
    pending_check = registration.data.get("email_needs_check", False)
    user, attached = _account_for(registration, now)
    organisation = _organisation_for(registration, now)
    membership = (
        Membership.objects.filter(user=user, organisation=organisation)
        .exclude(status=MembershipStatus.REVOKED)
        .first()
    ) or Membership(user=user, organisation=organisation, created_at=now)
    membership.role = Role.REFERENT
    membership.job_title = registration.data.get("job_title", "")[:150]
    if pending_check:
        membership.status = MembershipStatus.PENDING
    else:
        membership.status = MembershipStatus.ACTIVE
        membership.activated_at = now
    membership.save()
    if pending_check:
        org_request = OrganisationRequest.objects.create(
            kind=RequestKind.CREATION,
            decider=Decider.OPERATOR,
            organisation=organisation,
            requester=user,
            membership=membership,
            role=Role.REFERENT,
            job_title=membership.job_title,
            department_code=organisation.department_code,
            payload={"from_directory": True, "school": True, "official_email_to_check": True},
            message=(
                "L'annuaire de l'éducation ne donne pas d'adresse officielle utilisable pour cet établissement : "
                "vérifiez que l'adresse du compte est bien celle de l'établissement."
            ),
            created_at=now,
        )
        notify_deciders(org_request)
    # Whatever else was pending for this UAI can no longer succeed.
    Registration.objects.filter(
        kind=RegistrationKind.SCHOOL, status=RegistrationStatus.PENDING, data__uai=organisation.uai
    ).exclude(pk=registration.pk).update(status=RegistrationStatus.SUPERSEDED)
    registration.status = RegistrationStatus.CONFIRMED
    registration.confirmed_at = now
    registration.user = user
    registration.password_hash = ""
    registration.save(update_fields=["status", "confirmed_at", "user", "password_hash"])
    audit_record(
        event_type="organisations.school_registered",
        actor=user,
        organisation_id=organisation.public_id,
        target=organisation,
        request=request,
        details={"attached_to_existing_account": attached, "email_needs_check": pending_check},
    )
    return SchoolConfirmed(user=user, organisation=organisation, attached=attached, pending_check=pending_check)


def situation_message(situation: SchoolSituation) -> str:
    contact = settings.PARCOURS_CONTACT_EMAIL
    messages = {
        SchoolState.UNKNOWN: (
            f"Aucun établissement ne porte le code UAI {situation.uai} dans l'annuaire de l'éducation. "
            f"Vérifiez le code ; s'il est exact, ou si votre établissement n'en a pas, écrivez-nous à {contact}."
        ),
        SchoolState.CLOSED: (
            f"L'établissement {situation.uai} est fermé selon l'annuaire de l'éducation : il ne peut pas être "
            f"inscrit. En cas d'erreur, écrivez-nous à {contact}."
        ),
        SchoolState.REGISTERED: "Cet établissement a déjà un compte : vous n'avez pas besoin d'en créer un nouveau.",
        SchoolState.PENDING_CHECK: (
            "L'inscription de cet établissement est en cours de vérification par nos services. "
            f"Pour toute question, écrivez-nous à {contact}."
        ),
        SchoolState.ACCOUNT_CLOSED: (
            f"Le compte de cet établissement est fermé. Pour le rouvrir, écrivez-nous à {contact}."
        ),
    }
    return messages.get(situation.state, "")


def school_login_lock_reason(user) -> str | None:
    """For accounts.email_lock: a school's founding account keeps the school's official address."""
    if not getattr(user, "pk", None):
        return None
    locked = (
        SchoolProfile.objects.filter(
            official_email=user.email,
            organisation__memberships__user=user,
            organisation__memberships__role=Role.REFERENT,
            organisation__memberships__status__in=[MembershipStatus.ACTIVE, MembershipStatus.PENDING],
        )
        .exclude(organisation__status=OrganisationStatus.CLOSED)
        .exists()
    )
    return LOCKED_LOGIN_REASON if locked else None
