"""Reads about organisations, memberships and requests, each in a bounded number of queries."""

import logging
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db.models import Count, Q, QuerySet

from parcours.organisations.directory import lookup
from parcours.organisations.directory.identifiers import compact
from parcours.organisations.directory.text import search_words
from parcours.organisations.models import (
    Decider,
    Membership,
    MembershipStatus,
    OperatorProfile,
    Organisation,
    OrganisationRequest,
    OrganisationStatus,
    RequestKind,
    RequestStatus,
    Role,
)
from parcours.organisations.validators import siret_clean

logger = logging.getLogger(__name__)


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


# The kinds a person joins or creates from the professionals' pages; schools and operators have their own ways.
PROFESSIONAL_KINDS = Q(is_employer=True) | Q(is_provider=True)
SEARCH_LIMIT = 10
DIRECTORY_UNAVAILABLE = (
    "L'annuaire des entreprises ne répond pas pour le moment. Réessayez dans quelques minutes, "
    "ou saisissez vous-même les informations de votre structure."
)


def organisation_live_by_siret(siret: str) -> Organisation | None:
    """The organisation holding that SIRET, unless its creation was refused or withdrawn (it may be asked again)."""
    return (
        Organisation.objects.filter(siret=siret)
        .exclude(status=OrganisationStatus.CLOSED, validated_at__isnull=True)
        .first()
    )


def organisations_search(words: list[str], limit: int = SEARCH_LIMIT) -> list[Organisation]:
    """Employers and providers, active or pending, whose name, commune or postal code hold every word."""
    if not words:
        return []
    return list(
        Organisation.objects.filter(search_text__words_start=words)
        .filter(PROFESSIONAL_KINDS)
        .exclude(status=OrganisationStatus.CLOSED)
        .order_by("name", "pk")[:limit]
    )


def organisations_by_sirets(sirets: list[str]) -> dict[str, Organisation]:
    """The live organisations of these SIRETs, by SIRET (one query)."""
    if not sirets:
        return {}
    rows = Organisation.objects.filter(siret__in=sirets).exclude(
        status=OrganisationStatus.CLOSED, validated_at__isnull=True
    )
    return {organisation.siret: organisation for organisation in rows}


def organisations_by_siren(siren: str, limit: int = SEARCH_LIMIT) -> list[Organisation]:
    return list(
        Organisation.objects.filter(siren=siren)
        .filter(PROFESSIONAL_KINDS)
        .exclude(status=OrganisationStatus.CLOSED)
        .order_by("name", "pk")[:limit]
    )


def pending_requests_of(user) -> QuerySet[OrganisationRequest]:
    """The person's requests still waiting for a decision, oldest first."""
    return (
        OrganisationRequest.objects.filter(requester=user, status=RequestStatus.PENDING)
        .exclude(kind=RequestKind.ACCESS)
        .select_related("organisation")
        .order_by("created_at")
    )


def pending_change_requests(organisation: Organisation) -> QuerySet[OrganisationRequest]:
    return (
        OrganisationRequest.objects.filter(
            organisation=organisation, kind=RequestKind.CHANGE, status=RequestStatus.PENDING
        )
        .select_related("requester")
        .order_by("created_at")
    )


def join_requests_to_decide_counts(organisations: list[Organisation]) -> dict[int, int]:
    """For each organisation (by pk), how many join requests its référents have to decide (one query)."""
    if not organisations:
        return {}
    rows = (
        OrganisationRequest.objects.filter(
            organisation__in=organisations, status=RequestStatus.PENDING, decider=Decider.ORGANISATION
        )
        .values("organisation_id")
        .annotate(count=Count("pk"))
    )
    return {row["organisation_id"]: row["count"] for row in rows}


@dataclass
class StructureSearch:
    """What the professionals' search found for a text: organisations in Parcours, directory establishments
    not yet in Parcours, and what to tell the person (French messages)."""

    text: str = ""
    organisations: list[Organisation] = field(default_factory=list)
    establishments: list = field(default_factory=list)
    error: str = ""  # a malformed identifier, a text too short
    directory_error: str = ""  # the directory did not answer: Parcours' own organisations are still listed
    unknown_siret: str = ""  # a valid SIRET found nowhere: offer the typed creation with it
    closed_establishment: bool = False

    @property
    def searched(self) -> bool:
        return bool(self.text) and not self.error


def structure_search(text: str, limit: int = SEARCH_LIMIT) -> StructureSearch:
    """Search by SIRET (exact), SIREN, name or commune words, in Parcours first, then in the SIRENE directory."""
    text = (text or "").strip()[:100]
    result = StructureSearch(text=text)
    if not text:
        return result
    digits = compact(text)
    try:
        if digits.isdigit() and len(digits) >= 10:
            # Long enough to be a SIRET attempt: check it, so a typo gets a clear message.
            try:
                siret = siret_clean(digits)
            except ValidationError as error:
                result.error = error.messages[0]
                return result
            organisation = organisation_live_by_siret(siret)
            if organisation is not None and not organisation.is_operator:
                result.organisations = [organisation]
                return result
            establishment = lookup.establishment_by_siret(siret)
            if establishment is None:
                result.unknown_siret = siret
            elif not establishment.is_active:
                result.closed_establishment = True
                result.unknown_siret = siret
            else:
                result.establishments = [establishment]
            return result
        words = search_words(text)
        if not any(len(word) >= lookup.MIN_WORD_LENGTH for word in words):
            result.error = "Saisissez au moins 3 caractères : un nom, une commune, un SIREN ou un SIRET."
            return result
        if digits.isdigit() and len(digits) == 9:
            result.organisations = organisations_by_siren(digits, limit)
        else:
            result.organisations = organisations_search(words, limit)
        establishments = lookup.establishments_search(text, limit)
    except lookup.DirectoryUnavailable as error:
        logger.warning("directory_unavailable search=structures error=%s", error)
        # Its message names the directory's address: for the operators' logs, not for the person.
        result.directory_error = DIRECTORY_UNAVAILABLE
        return result
    # A directory establishment already in Parcours is offered to join, not to create.
    known = organisations_by_sirets([establishment.siret for establishment in establishments])
    listed = {organisation.pk for organisation in result.organisations}
    for establishment in establishments:
        organisation = known.get(establishment.siret)
        if organisation is None:
            result.establishments.append(establishment)
        elif organisation.pk not in listed and not organisation.is_operator:
            result.organisations.append(organisation)
            listed.add(organisation.pk)
    return result
