"""Operators and their staff: created by the platform's administrators (manage.py create_operator)."""

from allauth.account.models import EmailAddress
from django.db import transaction
from django.utils import timezone

from parcours.accounts.models import User
from parcours.accounts.services.login import password_reset_link
from parcours.audit.services import audit_record
from parcours.notifications.services import email_send
from parcours.organisations.models import (
    Membership,
    MembershipStatus,
    OperatorProfile,
    Organisation,
    OrganisationStatus,
    Role,
)


def operator_create(*, name: str, departments: list[str], siret: str = "") -> Organisation:
    """An operator organisation, active at once."""
    with transaction.atomic():
        organisation = Organisation.objects.create(
            name=name,
            siret=siret or None,
            siren=siret[:9] if siret else "",
            status=OrganisationStatus.ACTIVE,
            is_operator=True,
            validated_at=timezone.now(),
            department_code=departments[0] if departments else "",
        )
        OperatorProfile.objects.create(organisation=organisation, departments=departments)
        audit_record(
            event_type="organisations.operator_created",
            organisation_id=organisation.public_id,
            target=organisation,
            details={"departments": departments},
        )
    return organisation


@transaction.atomic
def operator_staff_invite(
    *, organisation: Organisation, email: str, first_name: str, last_name: str, role: str = Role.REFERENT
) -> tuple[User, str]:
    """Make the person an active member of the operator and return the link where they choose their password.

    An existing account keeps its password (the link is still valid for it). The address is taken as proven:
    the administrator typed it, and only its holder receives the link. Two-factor authentication is then
    required at their first login (OrganisationsConfig.ready).
    """
    email = email.strip().lower()
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email=email, password=None, first_name=first_name, last_name=last_name)
        EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    now = timezone.now()
    membership = (
        Membership.objects.filter(user=user, organisation=organisation)
        .exclude(status=MembershipStatus.REVOKED)
        .first()
    ) or Membership(user=user, organisation=organisation)
    membership.role = role
    membership.status = MembershipStatus.ACTIVE
    membership.activated_at = membership.activated_at or now
    membership.save()
    link = password_reset_link(user)
    email_send(
        to=user.email,
        template="organisations/operator_invitation",
        context={"name": user.first_name, "organisation": organisation.name, "link": link},
        user=user,
    )
    audit_record(
        event_type="organisations.operator_staff_invited",
        organisation_id=organisation.public_id,
        target=user,
        details={"role": role},
    )
    return user, link
