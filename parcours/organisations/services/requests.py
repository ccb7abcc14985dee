"""Creation, join and change requests and their decisions (../shared/DESIGN.md, "Parties").

Who decides: an operator of the organisation's territory for creations and changes; the organisation's
référents for joins (an operator when it has no active référent, and operators may always decide). Each
decision records who decided and why, emails the requester and writes an audit event, in one transaction.
School access requests (kind "access") are decided in services.access.
"""

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from parcours.audit.services import audit_record
from parcours.organisations import permissions
from parcours.organisations.directory.text import department_from_postal_code
from parcours.organisations.models import (
    Decider,
    EmployerProfile,
    Membership,
    MembershipStatus,
    Organisation,
    OrganisationRequest,
    OrganisationStatus,
    ProviderProfile,
    RequestKind,
    RequestStatus,
    Role,
)
from parcours.organisations.selectors import (
    operator_staff_for_department,
    organisation_has_referent,
    organisation_referents,
)
from parcours.organisations.services.notify import notify_url, notify_users


class RequestRefused(Exception):
    """A request or decision that the rules forbid; the message is for the person, in French."""


ALREADY_REGISTERED = "Cette organisation est déjà inscrite dans la plateforme : demandez à la rejoindre."

# The organisation fields a change request may carry, and the provider ones (applied to the profile).
ORGANISATION_FIELDS = ("name", "address", "postal_code", "city", "siret")
PROVIDER_FIELDS = (
    "nda",
    "qualiopi_number",
    "qualiopi_certifier",
    "qualiopi_valid_from",
    "qualiopi_valid_until",
    "qualiopi_scope",
)


@dataclass(frozen=True)
class NewOrganisation:
    """What a creation request says about the organisation, typed or pre-filled from the directory."""

    name: str
    siret: str
    address: str = ""
    postal_code: str = ""
    city: str = ""
    department_code: str = ""
    naf_code: str = ""
    nda: str = ""
    is_employer: bool = False
    is_provider: bool = False
    from_directory: bool = False


def roles_for(organisation: Organisation) -> list[str]:
    """The roles a person may hold there (DESIGN.md's table): employee for employers, trainer for providers."""
    roles = [Role.REFERENT, Role.MANAGER]
    if organisation.is_employer:
        roles.append(Role.EMPLOYEE)
    if organisation.is_provider:
        roles.append(Role.TRAINER)
    return roles


def join_roles_for(organisation: Organisation) -> list[str]:
    """What a newcomer may ask to be; a référent hands the référent role over, nobody asks for it."""
    return [role for role in roles_for(organisation) if role != Role.REFERENT]


def _deciders(org_request: OrganisationRequest):
    if org_request.decider == Decider.ORGANISATION:
        return organisation_referents(org_request.organisation)
    return operator_staff_for_department(org_request.department_code)


def _decide_url(org_request: OrganisationRequest) -> str:
    if org_request.decider == Decider.OPERATOR:
        return notify_url("backoffice:request", org_request.public_id)
    return notify_url("organisations:requests", org_request.organisation.public_id)


def notify_deciders(org_request: OrganisationRequest) -> None:
    notify_users(
        _deciders(org_request),
        template="organisations/request_to_decide",
        context={
            "kind": org_request.get_kind_display(),
            "organisation": org_request.organisation.name,
            "requester": org_request.requester_name,
            "url": _decide_url(org_request),
            "by_operator": org_request.decider == Decider.OPERATOR,
        },
    )


def _reopen_or_create(data: NewOrganisation) -> Organisation:
    """A SIRET whose creation was refused may be asked again: the closed, never validated row is reused."""
    existing = Organisation.objects.select_for_update().filter(siret=data.siret).first()
    if existing is not None:
        if existing.status != OrganisationStatus.CLOSED or existing.validated_at is not None:
            raise RequestRefused("Cette organisation est déjà inscrite dans la plateforme : demandez à la rejoindre.")
        existing.status = OrganisationStatus.PENDING
        existing.closed_at = None
        organisation = existing
    else:
        organisation = Organisation(siret=data.siret, status=OrganisationStatus.PENDING)
    organisation.name = data.name
    organisation.siren = data.siret[:9]
    organisation.address = data.address
    organisation.postal_code = data.postal_code
    organisation.city = data.city
    organisation.department_code = data.department_code
    organisation.is_employer = organisation.is_employer or data.is_employer
    organisation.is_provider = organisation.is_provider or data.is_provider
    organisation.save()
    if data.is_employer:
        EmployerProfile.objects.update_or_create(organisation=organisation, defaults={"naf_code": data.naf_code})
    if data.is_provider:
        ProviderProfile.objects.update_or_create(organisation=organisation, defaults={"nda": data.nda})
    return organisation


def organisation_create_request(
    *, requester, data: NewOrganisation, job_title: str = "", message: str = "", request=None
) -> OrganisationRequest:
    """A pending organisation whose requester is its pending référent, until an operator decides."""
    if not (data.is_employer or data.is_provider):
        raise RequestRefused("Indiquez si la structure est un employeur, un organisme de formation, ou les deux.")
    try:
        with transaction.atomic():
            organisation = _reopen_or_create(data)
            membership = Membership.objects.create(
                user=requester, organisation=organisation, role=Role.REFERENT, job_title=job_title
            )
            org_request = OrganisationRequest.objects.create(
                kind=RequestKind.CREATION,
                decider=Decider.OPERATOR,
                organisation=organisation,
                requester=requester,
                membership=membership,
                role=Role.REFERENT,
                job_title=job_title,
                message=message,
                department_code=organisation.department_code,
                payload={"from_directory": data.from_directory, "naf_code": data.naf_code},
            )
            audit_record(
                event_type="organisations.creation_requested",
                actor=requester,
                organisation_id=organisation.public_id,
                target=org_request,
                request=request,
                details={"from_directory": data.from_directory},
            )
            notify_deciders(org_request)
            notify_users(
                [requester],
                template="organisations/creation_received",
                context={"organisation": organisation.name, "url": notify_url("organisations:home")},
            )
    except IntegrityError as error:  # the same SIRET asked twice at once
        raise RequestRefused(
            "Cette organisation est déjà inscrite dans la plateforme : demandez à la rejoindre."
        ) from error
    permissions.memberships_forget(requester)
    return org_request


def join_request_create(
    *, requester, organisation: Organisation, role: str, job_title: str = "", message: str = "", request=None
) -> OrganisationRequest:
    if organisation.status == OrganisationStatus.CLOSED:
        raise RequestRefused("Cette organisation est fermée : elle n'accepte plus de membres.")
    if organisation.is_operator:
        raise RequestRefused("On rejoint un opérateur sur invitation de ses référents.")
    if role not in join_roles_for(organisation):
        raise RequestRefused("Choisissez un rôle proposé pour cette organisation.")
    try:
        with transaction.atomic():
            Organisation.objects.select_for_update().filter(pk=organisation.pk).first()
            if (
                Membership.objects.filter(user=requester, organisation=organisation)
                .exclude(status=MembershipStatus.REVOKED)
                .exists()
            ):
                raise RequestRefused("Vous êtes déjà membre de cette organisation, ou votre demande est en cours.")
            decider = Decider.ORGANISATION if organisation_has_referent(organisation) else Decider.OPERATOR
            membership = Membership.objects.create(
                user=requester, organisation=organisation, role=role, job_title=job_title
            )
            org_request = OrganisationRequest.objects.create(
                kind=RequestKind.JOIN,
                decider=decider,
                organisation=organisation,
                requester=requester,
                membership=membership,
                role=role,
                job_title=job_title,
                message=message,
                department_code=organisation.department_code,
            )
            audit_record(
                event_type="organisations.join_requested",
                actor=requester,
                organisation_id=organisation.public_id,
                target=org_request,
                request=request,
                details={"role": role, "decider": decider},
            )
            notify_deciders(org_request)
    except IntegrityError as error:
        raise RequestRefused("Vous êtes déjà membre de cette organisation, ou votre demande est en cours.") from error
    return org_request


def change_request_create(
    *, requester, organisation: Organisation, changes: dict, message: str = "", request=None
) -> OrganisationRequest:
    """A référent asks to change the organisation's data; nothing changes until an operator accepts."""
    if not permissions.is_referent(requester, organisation):
        raise RequestRefused("Seuls les référents de l'organisation peuvent demander une modification.")
    allowed = set(ORGANISATION_FIELDS) | (set(PROVIDER_FIELDS) if organisation.is_provider else set())
    changes = {field: value for field, value in changes.items() if field in allowed}
    if not changes:
        raise RequestRefused("Aucune modification à demander : les données saisies sont celles de l'organisation.")
    with transaction.atomic():
        org_request = OrganisationRequest.objects.create(
            kind=RequestKind.CHANGE,
            decider=Decider.OPERATOR,
            organisation=organisation,
            requester=requester,
            payload=changes,
            message=message,
            department_code=organisation.department_code,
        )
        audit_record(
            event_type="organisations.change_requested",
            actor=requester,
            organisation_id=organisation.public_id,
            target=org_request,
            request=request,
            details={"fields": sorted(changes)},
        )
        notify_deciders(org_request)
    return org_request


def locked_pending(org_request: OrganisationRequest, kind: str = "") -> OrganisationRequest:
    """The request re-read under its lock, still pending (and of `kind` when given): two deciders cannot both act."""
    locked = OrganisationRequest.objects.select_for_update().select_related("organisation").get(pk=org_request.pk)
    if kind and locked.kind != kind:
        raise RequestRefused("Cette demande n'est pas du type attendu.")
    if locked.status != RequestStatus.PENDING:
        raise RequestRefused("Cette demande a déjà été traitée.")
    return locked


def decider_check(by, org_request: OrganisationRequest) -> None:
    if not permissions.can_decide_request(by, org_request):
        raise RequestRefused("Vous ne pouvez pas décider de cette demande.")


def _withdraw(locked: OrganisationRequest, now) -> None:
    """A refused or withdrawn request leaves nothing pending: its membership revoked, its new organisation closed."""
    if locked.membership_id and locked.membership.status == MembershipStatus.PENDING:
        locked.membership.status = MembershipStatus.REVOKED
        locked.membership.revoked_at = now
        locked.membership.save(update_fields=["status", "revoked_at"])
    if locked.kind == RequestKind.CREATION:
        locked.organisation.status = OrganisationStatus.CLOSED
        locked.organisation.closed_at = now
        locked.organisation.save(update_fields=["status", "closed_at"])


def _apply_creation(org_request: OrganisationRequest, now) -> None:
    organisation = org_request.organisation
    organisation.status = OrganisationStatus.ACTIVE
    organisation.validated_at = now
    organisation.save(update_fields=["status", "validated_at"])
    _activate(org_request.membership, Role.REFERENT, now)


def _activate(membership: Membership | None, role: str, now) -> None:
    if membership is None or membership.status != MembershipStatus.PENDING:
        raise RequestRefused("Le demandeur a retiré sa demande entre-temps.")
    membership.status = MembershipStatus.ACTIVE
    membership.role = role
    membership.activated_at = now
    membership.save(update_fields=["status", "role", "activated_at"])


def _apply_change(org_request: OrganisationRequest) -> None:
    organisation = org_request.organisation
    payload = org_request.payload
    new_siret = payload.get("siret")
    if new_siret and new_siret != organisation.siret:
        if Organisation.objects.filter(siret=new_siret).exclude(pk=organisation.pk).exists():
            raise RequestRefused(
                "Une autre organisation porte déjà ce SIRET : la modification ne peut pas s'appliquer."
            )
        organisation.siren = new_siret[:9]
    for field in ORGANISATION_FIELDS:
        if field in payload:
            setattr(organisation, field, payload[field])
    if payload.get("postal_code"):
        # A move to another department moves the organisation's requests to that territory's operators.
        organisation.department_code = department_from_postal_code(payload["postal_code"]) or (
            organisation.department_code
        )
    organisation.save()
    provider_changes = {field: payload[field] for field in PROVIDER_FIELDS if field in payload}
    if provider_changes:
        ProviderProfile.objects.update_or_create(organisation=organisation, defaults=provider_changes)


def request_accept(*, org_request: OrganisationRequest, by, role: str = "", reason: str = "", request=None):
    """Accept a creation, join or change request. `role` lets the decider adjust a join request's role."""
    if org_request.kind == RequestKind.ACCESS:
        from parcours.organisations.services.access import access_request_grant

        return access_request_grant(org_request=org_request, by=by, reason=reason, request=request)
    decider_check(by, org_request)
    now = timezone.now()
    with transaction.atomic():
        locked = locked_pending(org_request)
        if locked.kind == RequestKind.CREATION:
            _apply_creation(locked, now)
        elif locked.kind == RequestKind.JOIN:
            chosen = role or locked.role
            if chosen not in roles_for(locked.organisation):
                raise RequestRefused("Ce rôle n'existe pas pour cette organisation.")
            if chosen == Role.REFERENT and not (
                permissions.operates(by, locked.organisation) or permissions.is_referent(by, locked.organisation)
            ):
                raise RequestRefused("Vous ne pouvez pas décider de cette demande.")
            _activate(locked.membership, chosen, now)
            locked.role = chosen
        elif locked.kind == RequestKind.CHANGE:
            _apply_change(locked)
        locked.status = RequestStatus.ACCEPTED
        locked.decided_at = now
        locked.decided_by = by
        locked.decision_reason = reason
        locked.save(update_fields=["status", "decided_at", "decided_by", "decision_reason", "role"])
        _after_decision(locked, by=by, request=request, accepted=True)
    if locked.requester_id:
        permissions.memberships_forget(locked.requester)
    return locked


def request_refuse(*, org_request: OrganisationRequest, by, reason: str, request=None):
    reason = (reason or "").strip()
    if not reason:
        raise RequestRefused("Indiquez le motif du refus : il est envoyé au demandeur.")
    if org_request.kind == RequestKind.ACCESS:
        from parcours.organisations.services.access import access_request_refuse

        return access_request_refuse(org_request=org_request, by=by, reason=reason, request=request)
    decider_check(by, org_request)
    now = timezone.now()
    with transaction.atomic():
        locked = locked_pending(org_request)
        _withdraw(locked, now)
        locked.status = RequestStatus.REFUSED
        locked.decided_at = now
        locked.decided_by = by
        locked.decision_reason = reason
        locked.save(update_fields=["status", "decided_at", "decided_by", "decision_reason"])
        _after_decision(locked, by=by, request=request, accepted=False)
    return locked


def request_cancel(*, org_request: OrganisationRequest, by, request=None) -> OrganisationRequest:
    """The requester withdraws a pending request."""
    if org_request.requester_id != by.pk:
        raise RequestRefused("Vous ne pouvez retirer que vos propres demandes.")
    now = timezone.now()
    with transaction.atomic():
        locked = locked_pending(org_request)
        _withdraw(locked, now)
        locked.status = RequestStatus.CANCELLED
        locked.decided_at = now
        locked.save(update_fields=["status", "decided_at"])
        audit_record(
            event_type="organisations.request_cancelled",
            actor=by,
            organisation_id=locked.organisation.public_id,
            target=locked,
            request=request,
            details={"kind": locked.kind},
        )
    return locked


def _after_decision(org_request: OrganisationRequest, *, by, request, accepted: bool) -> None:
    audit_record(
        event_type="organisations.request_accepted" if accepted else "organisations.request_refused",
        actor=by,
        organisation_id=org_request.organisation.public_id,
        target=org_request,
        request=request,
        details={"kind": org_request.kind, "decider": org_request.decider, "role": org_request.role},
    )
    if org_request.requester_id:
        notify_users(
            [org_request.requester],
            template="organisations/request_accepted" if accepted else "organisations/request_refused",
            context={
                "kind": org_request.get_kind_display().lower(),
                "organisation": org_request.organisation.name,
                "reason": org_request.decision_reason,
                "role": org_request.get_role_display() if org_request.role else "",
                "url": notify_url("organisations:home"),
            },
        )
