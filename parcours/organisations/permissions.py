"""Who may do what in an organisation, from their active memberships (../shared/DESIGN.md, the roles table).

Every view checks the object it acts on with these functions; the organisation switcher only chooses what
lists show. A person's memberships are read once per request and kept on the user object.
"""

from parcours.organisations.models import Membership, MembershipStatus, Organisation, OrganisationRequest, Role

MANAGING_ROLES = frozenset({Role.REFERENT, Role.MANAGER})
_CACHE_ATTRIBUTE = "_parcours_active_memberships"


def active_memberships(user) -> list[Membership]:
    """The person's active memberships in organisations that are not closed, with their organisation; cached."""
    if not getattr(user, "is_authenticated", False):
        return []
    cached = getattr(user, _CACHE_ATTRIBUTE, None)
    if cached is None:
        cached = list(
            Membership.objects.filter(user=user, status=MembershipStatus.ACTIVE)
            .exclude(organisation__status="closed")
            .select_related("organisation", "organisation__operator_profile")
            .order_by("organisation__name", "pk")
        )
        setattr(user, _CACHE_ATTRIBUTE, cached)
    return cached


def memberships_forget(user) -> None:
    """After a change of the person's memberships within a request."""
    if hasattr(user, _CACHE_ATTRIBUTE):
        delattr(user, _CACHE_ATTRIBUTE)


def membership_of(user, organisation: Organisation) -> Membership | None:
    for membership in active_memberships(user):
        if membership.organisation_id == organisation.pk:
            return membership
    return None


def has_role(user, organisation: Organisation, roles) -> bool:
    membership = membership_of(user, organisation)
    return membership is not None and membership.role in roles


def is_referent(user, organisation: Organisation) -> bool:
    return has_role(user, organisation, {Role.REFERENT})


def can_manage(user, organisation: Organisation) -> bool:
    """Référents and managers: the organisation's day-to-day business."""
    return has_role(user, organisation, MANAGING_ROLES)


def operator_memberships(user) -> list[Membership]:
    """Memberships that make the person operator staff (gestionnaire): référent or manager of an active operator."""
    return [
        membership
        for membership in active_memberships(user)
        if membership.organisation.is_operator
        and membership.organisation.is_active
        and membership.role in MANAGING_ROLES
    ]


def is_operator_staff(user) -> bool:
    return bool(operator_memberships(user))


def operator_departments(user) -> set[str]:
    """The departments of every operator the person works for."""
    departments: set[str] = set()
    for membership in operator_memberships(user):
        profile = getattr(membership.organisation, "operator_profile", None)
        if profile is not None:
            departments.update(profile.departments)
    return departments


def operates(user, organisation: Organisation) -> bool:
    """The organisation lies in the territory of an operator the person works for."""
    return bool(organisation.department_code) and organisation.department_code in operator_departments(user)


def can_decide_request(user, request: OrganisationRequest) -> bool:
    """Operators of the territory decide every kind; the organisation's référents decide what is theirs to decide."""
    if request.department_code and request.department_code in operator_departments(user):
        return True
    if request.decider == "organisation":
        return is_referent(user, request.organisation)
    return False


def can_see_organisation(user, organisation: Organisation) -> bool:
    return membership_of(user, organisation) is not None or operates(user, organisation)
