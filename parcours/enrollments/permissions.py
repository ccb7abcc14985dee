"""Who sees and who acts on an enrollment (../shared/DESIGN.md, the roles table).

Seen by its bénéficiaire; the active référents and managers of its employer; the active référents and
managers of its provider and the session's trainers (members of the provider); the staff of its programme's
operator. Everyone else gets a 404. Memberships come from the per-request cache of organisations.permissions.
"""

from django.db.models import Q, QuerySet

from parcours.catalog.models import Session
from parcours.enrollments.models import Enrollment
from parcours.organisations.models import Role
from parcours.organisations.permissions import active_memberships, can_manage, has_role, operator_memberships

EMPLOYEE_ROLES = frozenset({Role.EMPLOYEE})


def is_beneficiary(user, enrollment: Enrollment) -> bool:
    return getattr(user, "is_authenticated", False) and enrollment.beneficiary_id == user.pk


def manages_employer(user, enrollment: Enrollment) -> bool:
    return enrollment.employer_id is not None and can_manage(user, enrollment.employer)


def manages_provider(user, enrollment: Enrollment) -> bool:
    return can_manage(user, enrollment.provider)


def trains_session(user, enrollment: Enrollment) -> bool:
    if not has_role(user, enrollment.provider, {Role.TRAINER}):
        return False
    return enrollment.session.trainers.filter(pk=user.pk).exists()


def operates_programme(user, enrollment: Enrollment) -> bool:
    operator_id = enrollment.programme.operator_id
    return any(membership.organisation_id == operator_id for membership in operator_memberships(user))


def may_see(user, enrollment: Enrollment) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return (
        is_beneficiary(user, enrollment)
        or manages_employer(user, enrollment)
        or manages_provider(user, enrollment)
        or operates_programme(user, enrollment)
        or trains_session(user, enrollment)
    )


def may_cancel(user, enrollment: Enrollment) -> bool:
    return is_beneficiary(user, enrollment) or manages_employer(user, enrollment) or manages_provider(user, enrollment)


def party_of(user, enrollment: Enrollment) -> str | None:
    """Which side of the thread the person writes for: beneficiary, employer, provider; None: read only."""
    if is_beneficiary(user, enrollment):
        return "beneficiary"
    if manages_employer(user, enrollment):
        return "employer"
    if manages_provider(user, enrollment) or trains_session(user, enrollment):
        return "provider"
    return None


def visible_enrollments(user, queryset: QuerySet | None = None) -> QuerySet:
    """The enrollments the person may see, as one filter (lists, counts)."""
    queryset = Enrollment.objects.all() if queryset is None else queryset
    if not getattr(user, "is_authenticated", False):
        return queryset.none()
    managed = [m.organisation_id for m in active_memberships(user) if m.role in {Role.REFERENT, Role.MANAGER}]
    trained = [m.organisation_id for m in active_memberships(user) if m.role == Role.TRAINER]
    operators = [m.organisation_id for m in operator_memberships(user)]
    condition = Q(beneficiary=user) | Q(employer_id__in=managed) | Q(provider_id__in=managed)
    if trained:
        # A subquery, not a join: the rows stay unique without DISTINCT.
        condition |= Q(provider_id__in=trained, session__in=Session.objects.filter(trainers=user).values("pk"))
    if operators:
        condition |= Q(programme__operator_id__in=operators)
    return queryset.filter(condition)


def employers_of(user) -> list:
    """The active employers where the person is an employee (bénéficiaire), by name."""
    return [
        membership.organisation
        for membership in active_memberships(user)
        if membership.role == Role.EMPLOYEE
        and membership.organisation.is_employer
        and membership.organisation.is_active
    ]


def managed_employers(user) -> list:
    """The active employers whose référent or manager the person is (direct enrollment)."""
    return [
        membership.organisation
        for membership in active_memberships(user)
        if membership.role in {Role.REFERENT, Role.MANAGER}
        and membership.organisation.is_employer
        and membership.organisation.is_active
    ]
