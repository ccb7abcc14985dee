"""Who may manage the training offer (../shared/DESIGN.md, the roles table).

A provider's référents and managers manage its actions and sessions; an operator's staff manage the
operator's programmes and may take an action offered in one of them off the catalog.
"""

from parcours.catalog.models import Programme, TrainingAction
from parcours.organisations.models import MembershipStatus, Organisation, Role
from parcours.organisations.permissions import active_memberships, can_manage, membership_of, operator_memberships

# Who may lead a session: the provider's trainers and the people who run it.
TRAINER_ROLES = frozenset({Role.TRAINER, Role.MANAGER, Role.REFERENT})


def can_manage_offer(user, provider: Organisation) -> bool:
    """Référents and managers of a provider (pending or active: a pending one prepares its offer)."""
    return provider.is_provider and can_manage(user, provider)


def offer_providers(user) -> list[Organisation]:
    """The providers whose offer the person manages, in the switcher's order."""
    return [
        membership.organisation
        for membership in active_memberships(user)
        if membership.organisation.is_provider and membership.role in (Role.REFERENT, Role.MANAGER)
    ]


def is_member(user, organisation: Organisation) -> bool:
    """Any active membership: an employee or trainer of the provider gets a 403 rather than a 404."""
    return membership_of(user, organisation) is not None


def staff_operators(user) -> list[Organisation]:
    """The operators the person works for as staff (gestionnaire)."""
    return [membership.organisation for membership in operator_memberships(user)]


def can_manage_programme(user, programme: Programme) -> bool:
    return any(operator.pk == programme.operator_id for operator in staff_operators(user))


def can_unpublish(user, action: TrainingAction) -> bool:
    """Operator staff of a programme the action is offered in."""
    operator_ids = [operator.pk for operator in staff_operators(user)]
    return bool(operator_ids) and action.programmes.filter(operator_id__in=operator_ids).exists()


def may_lead_sessions(membership) -> bool:
    return membership.status == MembershipStatus.ACTIVE and membership.role in TRAINER_ROLES
