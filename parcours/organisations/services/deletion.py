"""An account's deletion seen from its organisations (registered with accounts.deletion in AppConfig.ready).

A last référent is asked to hand the role over first; if they cannot, the operators of the territory are
told to designate a new one, and the deletion goes on at its date (the right to erasure is not held up).
Without a référent, join requests go to the operators (services.requests).
"""

from django.db.models import Q
from django.utils import timezone

from parcours.audit.services import audit_record
from parcours.organisations.models import Membership, MembershipStatus, OrganisationRequest, RequestStatus
from parcours.organisations.selectors import operator_staff_for_department
from parcours.organisations.services.members import last_referent_of
from parcours.organisations.services.notify import notify_url, notify_users


def deletion_blocker(user) -> list[str]:
    return [
        f"Vous êtes le seul référent de {organisation.name} : confiez ce rôle à un autre membre depuis la page "
        "de l'organisation avant de supprimer votre compte."
        for organisation in last_referent_of(user)
    ]


def deletion_requested(user) -> None:
    for organisation in last_referent_of(user):
        notify_users(
            operator_staff_for_department(organisation.department_code),
            template="organisations/referent_leaving",
            context={
                "organisation": organisation.name,
                "due": timezone.localtime(user.deletion_due_at) if user.deletion_due_at else None,
                "url": notify_url("backoffice:home"),
            },
        )
        audit_record(
            event_type="organisations.last_referent_leaving",
            actor=user,
            organisation_id=organisation.public_id,
            target=organisation,
        )


def account_anonymising(user) -> None:
    """Memberships end and pending requests are withdrawn; the rows stay for the organisations' history."""
    now = timezone.now()
    Membership.objects.filter(user=user).exclude(status=MembershipStatus.REVOKED).update(
        status=MembershipStatus.REVOKED, revoked_at=now
    )
    OrganisationRequest.objects.filter(Q(requester=user), status=RequestStatus.PENDING).update(
        status=RequestStatus.CANCELLED, decided_at=now
    )
