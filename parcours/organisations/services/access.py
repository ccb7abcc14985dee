"""Access requests to a school's account (seed 002, "Vous ne connaissez pas votre identifiant").

Someone of a registered school, who does not know who holds its account, asks for access with their own
academic address (on the académie's domain or the domain of the school's official address). The
school's référents grant (the requester becomes a member, logging in with that address) or refuse
with a reason; unanswered after PARCOURS_ACCESS_REQUEST_ESCALATION_HOURS, operators decide
(escalate_access_requests). services.requests.request_accept / request_refuse call the decisions here.
"""

import datetime

from allauth.account.models import EmailAddress
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from parcours.accounts.models import User
from parcours.accounts.services.login import password_reset_link
from parcours.audit.services import audit_record
from parcours.notifications.services import email_send
from parcours.organisations import permissions
from parcours.organisations.directory.academies import academies
from parcours.organisations.models import (
    Decider,
    Membership,
    MembershipStatus,
    Organisation,
    OrganisationRequest,
    OrganisationStatus,
    RequestKind,
    RequestStatus,
    Role,
)
from parcours.organisations.selectors import organisation_has_referent, organisation_referents
from parcours.organisations.services.notify import notify_url, notify_users
from parcours.organisations.services.requests import RequestRefused, decider_check, locked_pending, notify_deciders
from parcours.utils.ratelimit import rate_limit_exceeded

GRANTED_ROLE = Role.MANAGER


class AccessRateLimited(Exception):
    def __init__(self, retry_after_seconds: int):
        super().__init__("rate limited")
        self.retry_after_minutes = max(1, -(-retry_after_seconds // 60))


def access_allowed_domains(organisation: Organisation) -> list[str]:
    """The académie's mail domain and the domain of the school's official address."""
    domains = []
    profile = getattr(organisation, "school_profile", None)
    if profile is not None:
        academy = academies().get(profile.academy_code)
        if academy is not None and academy.email_domain:
            domains.append(academy.email_domain.lower())
        if "@" in profile.official_email:
            domains.append(profile.official_email.rsplit("@", 1)[1].lower())
    return list(dict.fromkeys(domains))


def access_email_error(organisation: Organisation, email: str) -> str | None:
    """Why this address may not ask for access to the school's account (French), or None."""
    domains = access_allowed_domains(organisation)
    domain = email.strip().lower().rsplit("@", 1)[-1]
    if domain in domains:
        return None
    if not domains:
        return (
            "Nous ne connaissons pas le domaine académique de cet établissement : écrivez-nous à "
            f"{settings.PARCOURS_CONTACT_EMAIL} pour obtenir un accès."
        )
    listed = " ou ".join(f"@{domain}" for domain in domains)
    return (
        "Votre demande ne peut pas être transmise : l'adresse doit être une adresse académique de "
        f"l'établissement, se terminant par {listed}."
    )


def _check_rate(*, email: str, ip: str | None) -> None:
    limit = settings.PARCOURS_ORGANISATION_REQUEST_LIMIT_PER_HOUR
    for scope, key in (("access-request-ip", ip or "unknown"), ("access-request-email", email)):
        retry = rate_limit_exceeded(scope=scope, key=key, limit=limit, window_seconds=3600)
        if retry:
            raise AccessRateLimited(retry)


def _notify_holders(org_request: OrganisationRequest) -> None:
    """Holders get a link to the request's own page; operators, their queue (notify_deciders)."""
    if org_request.decider == Decider.OPERATOR:
        notify_deciders(org_request)
        return
    notify_users(
        organisation_referents(org_request.organisation),
        template="organisations/access_request_to_decide",
        context={
            "organisation": org_request.organisation.name,
            "requester": org_request.requester_name,
            "job_title": org_request.job_title,
            "url": notify_url("schools:access_request", org_request.public_id),
            "hours": settings.PARCOURS_ACCESS_REQUEST_ESCALATION_HOURS,
        },
    )


def access_request_create(
    *,
    organisation: Organisation,
    email: str,
    first_name: str,
    last_name: str,
    job_title: str,
    ip: str | None = None,
    request=None,
) -> OrganisationRequest:
    """Ask the school's holders for access. The same pending request is not filed (nor notified) twice."""
    email = email.strip().lower()
    _check_rate(email=email, ip=ip)
    if not organisation.is_school or organisation.status != OrganisationStatus.ACTIVE:
        raise RequestRefused("Cet établissement n'a pas de compte actif : il ne reçoit pas de demande d'accès.")
    if error := access_email_error(organisation, email):
        raise RequestRefused(error)
    with transaction.atomic():
        Organisation.objects.select_for_update().filter(pk=organisation.pk).first()
        existing = OrganisationRequest.objects.filter(
            organisation=organisation,
            kind=RequestKind.ACCESS,
            status=RequestStatus.PENDING,
            requester_email=email,
        ).first()
        if existing is not None:
            return existing
        decider = Decider.ORGANISATION if organisation_has_referent(organisation) else Decider.OPERATOR
        org_request = OrganisationRequest.objects.create(
            kind=RequestKind.ACCESS,
            decider=decider,
            organisation=organisation,
            requester_email=email,
            requester_first_name=first_name.strip()[:150],
            requester_last_name=last_name.strip()[:150],
            job_title=job_title.strip()[:150],
            role=GRANTED_ROLE,
            department_code=organisation.department_code,
        )
        audit_record(
            event_type="organisations.access_requested",
            organisation_id=organisation.public_id,
            target=org_request,
            request=request,
            details={"decider": decider},
        )
        _notify_holders(org_request)
    return org_request


def _requester_account(org_request: OrganisationRequest, now) -> tuple[User, bool]:
    """The account of the requester's address, or a new one without a password (its link proves the address)."""
    user = User.objects.select_for_update().filter(email=org_request.requester_email).first()
    if user is not None:
        if not user.is_active:
            raise RequestRefused("Le compte de cette adresse est désactivé : l'accès ne peut pas être accordé.")
        return user, False
    user = User.objects.create_user(
        email=org_request.requester_email,
        password=None,
        first_name=org_request.requester_first_name,
        last_name=org_request.requester_last_name,
        registration_kind="professionnel",
        date_joined=now,
    )
    # Marked verified: with no usable password, the only way in is the link sent to this address.
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user, True


def access_request_grant(
    *, org_request: OrganisationRequest, by, reason: str = "", request=None
) -> OrganisationRequest:
    """The requester becomes an active member (manager) of the school, logging in with their own address."""
    decider_check(by, org_request)
    now = timezone.now()
    with transaction.atomic():
        locked = locked_pending(org_request, RequestKind.ACCESS)
        organisation = locked.organisation
        if organisation.status != OrganisationStatus.ACTIVE:
            raise RequestRefused("Cet établissement n'est plus actif : l'accès ne peut pas être accordé.")
        user, created = _requester_account(locked, now)
        membership = (
            Membership.objects.select_for_update()
            .filter(user=user, organisation=organisation)
            .exclude(status=MembershipStatus.REVOKED)
            .first()
        )
        if membership is None:
            membership = Membership(user=user, organisation=organisation, role=GRANTED_ROLE, created_at=now)
        if membership.status != MembershipStatus.ACTIVE:
            membership.status = MembershipStatus.ACTIVE
            membership.activated_at = now
            membership.role = membership.role if membership.role == Role.REFERENT else GRANTED_ROLE
        membership.job_title = membership.job_title or locked.job_title
        membership.save()
        locked.requester = user
        locked.membership = membership
        locked.status = RequestStatus.ACCEPTED
        locked.decided_at = now
        locked.decided_by = by
        locked.decision_reason = reason
        locked.save(update_fields=["requester", "membership", "status", "decided_at", "decided_by", "decision_reason"])
        audit_record(
            event_type="organisations.request_accepted",
            actor=by,
            organisation_id=organisation.public_id,
            target=locked,
            request=request,
            details={"kind": RequestKind.ACCESS, "decider": locked.decider, "account_created": created},
        )
        context = {
            "name": user.first_name,
            "organisation": organisation.name,
            "login": user.email,
            "url": notify_url("organisations:home"),
        }
        if created:
            context["password_link"] = password_reset_link(user)
            context["reset_hours"] = max(1, settings.PASSWORD_RESET_TIMEOUT // 3600)
        email_send(
            to=user.email,
            template="organisations/access_granted_new" if created else "organisations/access_granted",
            context=context,
            user=user,
        )
    permissions.memberships_forget(user)
    return locked


def access_request_refuse(*, org_request: OrganisationRequest, by, reason: str, request=None) -> OrganisationRequest:
    reason = (reason or "").strip()
    if not reason:
        raise RequestRefused("Indiquez le motif du refus : il est envoyé au demandeur.")
    decider_check(by, org_request)
    now = timezone.now()
    with transaction.atomic():
        locked = locked_pending(org_request, RequestKind.ACCESS)
        locked.status = RequestStatus.REFUSED
        locked.decided_at = now
        locked.decided_by = by
        locked.decision_reason = reason
        locked.save(update_fields=["status", "decided_at", "decided_by", "decision_reason"])
        audit_record(
            event_type="organisations.request_refused",
            actor=by,
            organisation_id=locked.organisation.public_id,
            target=locked,
            request=request,
            details={"kind": RequestKind.ACCESS, "decider": locked.decider},
        )
        email_send(
            to=locked.requester_email,
            template="organisations/access_refused",
            context={
                "name": locked.requester_first_name,
                "organisation": locked.organisation.name,
                "reason": reason,
                "contact": settings.PARCOURS_CONTACT_EMAIL,
            },
        )
    return locked


def access_requests_escalate(*, now: datetime.datetime | None = None) -> int:
    """Pending requests the holders left unanswered go to the operators; returns how many did."""
    now = now or timezone.now()
    limit = now - datetime.timedelta(hours=settings.PARCOURS_ACCESS_REQUEST_ESCALATION_HOURS)
    due = OrganisationRequest.objects.filter(
        kind=RequestKind.ACCESS, status=RequestStatus.PENDING, decider=Decider.ORGANISATION, created_at__lte=limit
    ).values_list("pk", flat=True)
    escalated = 0
    for pk in list(due):
        with transaction.atomic():
            # Conditional: a decision or another run in between leaves the row alone.
            moved = OrganisationRequest.objects.filter(
                pk=pk, status=RequestStatus.PENDING, decider=Decider.ORGANISATION
            ).update(decider=Decider.OPERATOR, escalated_at=now)
            if not moved:
                continue
            org_request = OrganisationRequest.objects.select_related("organisation").get(pk=pk)
            audit_record(
                event_type="organisations.access_escalated",
                organisation_id=org_request.organisation.public_id,
                target=org_request,
                details={"hours": settings.PARCOURS_ACCESS_REQUEST_ESCALATION_HOURS},
            )
            notify_deciders(org_request)
            email_send(
                to=org_request.requester_email,
                template="organisations/access_escalated",
                context={
                    "name": org_request.requester_first_name,
                    "organisation": org_request.organisation.name,
                    "hours": settings.PARCOURS_ACCESS_REQUEST_ESCALATION_HOURS,
                },
            )
            escalated += 1
    return escalated
