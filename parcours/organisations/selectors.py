"""Reads about organisations, memberships and requests, each in a bounded number of queries."""

from django.db.models import Count, QuerySet

from parcours.organisations.models import (
    Decider,
    Membership,
    MembershipStatus,
    OperatorProfile,
    Organisation,
    OrganisationRequest,
    OrganisationStatus,
    RequestStatus,
    Role,
)


def organisation_by_siret(siret: str) -> Organisation | None:
    return Organisation.objects.filter(siret=siret).first()


def organisation_by_uai(uai: str) -> Organisation | None:
    return Organisation.objects.filter(uai=uai).first()


def organisation_members(organisation: Organisation) -> QuerySet[Membership]:
    """Active and pending members, référents first."""
    return (
        Membership.objects.filter(organisation=organisation)
        .exclude(status=MembershipStatus.REVOKED)
        .select_related("user")
        .order_by("status", "role", "user__last_name", "user__first_name")
    )


def organisation_referents(organisation: Organisation) -> QuerySet:
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(
        memberships__organisation=organisation,
        memberships__status=MembershipStatus.ACTIVE,
        memberships__role=Role.REFERENT,
        is_active=True,
    )


def organisation_has_referent(organisation: Organisation) -> bool:
    return organisation.memberships.filter(status=MembershipStatus.ACTIVE, role=Role.REFERENT).exists()


def operators_for_department(department_code: str) -> list[Organisation]:
    """The active operators whose territory holds the department (a handful of rows, read whole)."""
    if not department_code:
        return []
    profiles = OperatorProfile.objects.filter(organisation__status=OrganisationStatus.ACTIVE).select_related(
        "organisation"
    )
    return [profile.organisation for profile in profiles if department_code in profile.departments]


def operator_staff_for_department(department_code: str) -> QuerySet:
    """Who is told of a request in that department: the operators' référents and managers."""
    from django.contrib.auth import get_user_model

    operators = operators_for_department(department_code)
    return (
        get_user_model()
        .objects.filter(
            memberships__organisation__in=operators,
            memberships__status=MembershipStatus.ACTIVE,
            memberships__role__in=[Role.REFERENT, Role.MANAGER],
            is_active=True,
        )
        .distinct()
    )


def pending_requests_for_organisation(organisation: Organisation) -> QuerySet[OrganisationRequest]:
    """What the organisation's référents have to decide."""
    return (
        OrganisationRequest.objects.filter(
            organisation=organisation, status=RequestStatus.PENDING, decider=Decider.ORGANISATION
        )
        .select_related("requester", "membership")
        .order_by("created_at")
    )


def operator_queue(departments: set[str]) -> QuerySet[OrganisationRequest]:
    """Pending requests that operators decide, in the given departments, oldest first."""
    return (
        OrganisationRequest.objects.filter(
            status=RequestStatus.PENDING, decider=Decider.OPERATOR, department_code__in=sorted(departments)
        )
        .select_related("organisation", "requester")
        .order_by("created_at")
    )


def operator_queue_counts(departments: set[str]) -> dict[str, int]:
    rows = (
        OrganisationRequest.objects.filter(
            status=RequestStatus.PENDING, decider=Decider.OPERATOR, department_code__in=sorted(departments)
        )
        .values("kind")
        .annotate(count=Count("pk"))
    )
    return {row["kind"]: row["count"] for row in rows}


def requests_of(user) -> QuerySet[OrganisationRequest]:
    """The person's own requests (creation, join, change), newest first."""
    return OrganisationRequest.objects.filter(requester=user).select_related("organisation").order_by("-created_at")


def pending_memberships_of(user) -> QuerySet[Membership]:
    return Membership.objects.filter(user=user, status=MembershipStatus.PENDING).select_related("organisation")
