"""A référent's work on the members: roles, removal, the référent hand-over.

An organisation never loses its last active référent: removing or demoting them, or their leaving, is
refused until another member holds the role (../shared/DESIGN.md).
"""

from django.db import transaction
from django.utils import timezone

from parcours.audit.services import audit_record
from parcours.organisations import permissions
from parcours.organisations.models import Membership, MembershipStatus, Organisation, Role
from parcours.organisations.services.notify import notify_url, notify_users
from parcours.organisations.services.requests import RequestRefused, roles_for

LAST_REFERENT_MESSAGE = (
    "Une organisation garde toujours au moins un référent : confiez d'abord ce rôle à un autre membre."
)


def _locked_members(organisation: Organisation) -> list[Membership]:
    """The organisation's active memberships, locked: two référents leaving at once cannot both pass the check."""
    return list(
        Membership.objects.select_for_update()
        .filter(organisation=organisation, status=MembershipStatus.ACTIVE)
        .select_related("user")
        .order_by("pk")
    )


def _referents_left(members: list[Membership], without: Membership) -> int:
    return sum(1 for member in members if member.role == Role.REFERENT and member.pk != without.pk)


def _check_referent(by, organisation: Organisation) -> None:
    if not (permissions.is_referent(by, organisation) or permissions.operates(by, organisation)):
        raise RequestRefused("Seuls les référents de l'organisation peuvent gérer ses membres.")


def membership_role_change(*, membership: Membership, role: str, by, request=None) -> Membership:
    organisation = membership.organisation
    _check_referent(by, organisation)
    if role not in roles_for(organisation):
        raise RequestRefused("Ce rôle n'existe pas pour cette organisation.")
    with transaction.atomic():
        members = _locked_members(organisation)
        current = next((member for member in members if member.pk == membership.pk), None)
        if current is None:
            raise RequestRefused("Cette personne n'est plus membre de l'organisation.")
        if current.role == role:
            return current
        if current.role == Role.REFERENT and not _referents_left(members, current):
            raise RequestRefused(LAST_REFERENT_MESSAGE)
        previous = current.role
        current.role = role
        current.save(update_fields=["role"])
        audit_record(
            event_type="organisations.member_role_changed",
            actor=by,
            organisation_id=organisation.public_id,
            target=current.user,
            request=request,
            details={"from": previous, "to": role},
        )
        notify_users(
            [current.user],
            template="organisations/role_changed",
            context={
                "organisation": organisation.name,
                "role": current.get_role_display(),
                "url": notify_url("organisations:home"),
            },
        )
    permissions.memberships_forget(by)
    return current


def membership_remove(*, membership: Membership, by, request=None) -> Membership:
    """A référent removes a member, or a member leaves (by is the member)."""
    organisation = membership.organisation
    leaving = membership.user_id == by.pk
    if not leaving:
        _check_referent(by, organisation)
    with transaction.atomic():
        members = _locked_members(organisation)
        current = next((member for member in members if member.pk == membership.pk), None)
        if current is None:
            raise RequestRefused("Cette personne n'est plus membre de l'organisation.")
        if current.role == Role.REFERENT and not _referents_left(members, current):
            raise RequestRefused(LAST_REFERENT_MESSAGE)
        current.status = MembershipStatus.REVOKED
        current.revoked_at = timezone.now()
        current.save(update_fields=["status", "revoked_at"])
        audit_record(
            event_type="organisations.member_left" if leaving else "organisations.member_removed",
            actor=by,
            organisation_id=organisation.public_id,
            target=current.user,
            request=request,
            details={"role": current.role},
        )
        if not leaving:
            notify_users(
                [current.user], template="organisations/member_removed", context={"organisation": organisation.name}
            )
    permissions.memberships_forget(by)
    return current


def referent_handover(*, organisation: Organisation, to: Membership, by, keep_role: str = Role.MANAGER, request=None):
    """`by` (a référent) makes `to` référent and takes `keep_role` (or leaves with keep_role="")."""
    if not permissions.is_referent(by, organisation):
        raise RequestRefused("Seul un référent peut confier son rôle.")
    if to.user_id == by.pk:
        raise RequestRefused("Choisissez un autre membre que vous-même.")
    with transaction.atomic():
        members = _locked_members(organisation)
        target = next((member for member in members if member.pk == to.pk), None)
        mine = next((member for member in members if member.user_id == by.pk), None)
        if target is None or mine is None:
            raise RequestRefused("Cette personne n'est plus membre de l'organisation.")
        target.role = Role.REFERENT
        target.save(update_fields=["role"])
        if keep_role:
            if keep_role not in roles_for(organisation):
                raise RequestRefused("Ce rôle n'existe pas pour cette organisation.")
            mine.role = keep_role
            mine.save(update_fields=["role"])
        else:
            mine.status = MembershipStatus.REVOKED
            mine.revoked_at = timezone.now()
            mine.save(update_fields=["status", "revoked_at"])
        audit_record(
            event_type="organisations.referent_handed_over",
            actor=by,
            organisation_id=organisation.public_id,
            target=target.user,
            request=request,
            details={"kept_role": keep_role or "left"},
        )
        notify_users(
            [target.user],
            template="organisations/role_changed",
            context={
                "organisation": organisation.name,
                "role": target.get_role_display(),
                "url": notify_url("organisations:home"),
            },
        )
    permissions.memberships_forget(by)
    return target


def last_referent_of(user) -> list[Organisation]:
    """The active organisations where the person is the only active référent (their account deletion waits)."""
    organisations = [m.organisation for m in permissions.active_memberships(user) if m.role == Role.REFERENT]
    if not organisations:
        return []
    others = set(
        Membership.objects.filter(organisation__in=organisations, status=MembershipStatus.ACTIVE, role=Role.REFERENT)
        .exclude(user=user)
        .values_list("organisation_id", flat=True)
    )
    return [organisation for organisation in organisations if organisation.pk not in others]
