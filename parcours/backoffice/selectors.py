"""Reads of the operators' back office, every one limited to the person's territory and bounded in queries."""

import datetime

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet

from parcours.accounts.enums import IdentityReview
from parcours.organisations.directory.identifiers import compact, uai_is_valid
from parcours.organisations.directory.lookup import (
    DirectoryUnavailable,
    establishment_by_siret,
    school_by_uai,
)
from parcours.organisations.models import (
    Decider,
    Organisation,
    OrganisationRequest,
    ProviderProfile,
    QualiopiScope,
    RequestKind,
    RequestStatus,
)

PER_PAGE = 25

# How the queue names each kind: operators only get joins of organisations without a référent, and access
# requests once the school's holders let them wait (escalated).
QUEUE_KIND_LABELS = {
    RequestKind.CREATION: "Création d'organisation",
    RequestKind.JOIN: "Premier membre",
    RequestKind.CHANGE: "Modification des données",
    RequestKind.ACCESS: "Accès à un établissement scolaire",
}
DECIDED_STATUSES = (RequestStatus.ACCEPTED, RequestStatus.REFUSED, RequestStatus.CANCELLED)
SORTS = {"anciennes": ("created_at", "pk"), "recentes": ("-created_at", "-pk")}


def queue_requests(
    *, departments: set[str], kind: str = "", department: str = "", status: str = "pending", sort: str = ""
) -> QuerySet[OrganisationRequest]:
    """The operators' requests of the territory: pending ones (oldest first by default) or decided ones."""
    selected = sorted(departments & {department}) if department else sorted(departments)
    requests = OrganisationRequest.objects.filter(decider=Decider.OPERATOR, department_code__in=selected)
    if status == "decided":
        requests = requests.filter(status__in=DECIDED_STATUSES)
    else:
        requests = requests.filter(status=RequestStatus.PENDING)
    if kind:
        requests = requests.filter(kind=kind)
    return requests.select_related("organisation", "requester", "decided_by").order_by(
        *SORTS.get(sort, SORTS["anciennes"])
    )


def queue_counts(*, departments: set[str]) -> dict[str, int]:
    """Pending requests per kind in the territory, every kind present (0 when none)."""
    from parcours.organisations.selectors import operator_queue_counts

    counts = operator_queue_counts(departments) if departments else {}
    return {kind: counts.get(kind, 0) for kind in RequestKind.values}


def request_for_operator(*, public_id, departments: set[str]) -> OrganisationRequest | None:
    """A request of the territory, whoever decides it; None elsewhere (the view answers 404)."""
    if not departments:
        return None
    return (
        OrganisationRequest.objects.filter(public_id=public_id, department_code__in=sorted(departments))
        .select_related(
            "organisation",
            "organisation__provider_profile",
            "organisation__school_profile",
            "organisation__employer_profile",
            "requester",
            "membership",
            "decided_by",
        )
        .first()
    )


def _field_label(model, name: str) -> str:
    label = str(model._meta.get_field(name).verbose_name)
    return label[:1].upper() + label[1:]


def _shown(value) -> str:
    if value in (None, "", []):
        return ""
    if isinstance(value, list):
        return ", ".join(QualiopiScope(item).label if item in QualiopiScope.values else str(item) for item in value)
    if isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-":
        try:
            return datetime.date.fromisoformat(value).strftime("%d/%m/%Y")
        except ValueError:
            return value
    return str(value)


def change_rows(org_request: OrganisationRequest) -> list[dict[str, str]]:
    """A change request as "field: current value → requested value", in the form's order."""
    from parcours.organisations.services.requests import ORGANISATION_FIELDS, PROVIDER_FIELDS

    organisation = org_request.organisation
    profile = getattr(organisation, "provider_profile", None) if organisation.is_provider else None
    rows = []
    for name in ORGANISATION_FIELDS:
        if name in org_request.payload:
            rows.append(
                {
                    "label": _field_label(Organisation, name),
                    "current": _shown(getattr(organisation, name)),
                    "requested": _shown(org_request.payload[name]),
                }
            )
    for name in PROVIDER_FIELDS:
        if name in org_request.payload:
            rows.append(
                {
                    "label": _field_label(ProviderProfile, name),
                    "current": _shown(getattr(profile, name, "")),
                    "requested": _shown(org_request.payload[name]),
                }
            )
    return rows


def changed_fields_label(org_request: OrganisationRequest) -> str:
    """ "SIRET, nom" for a queue row; read from the payload already loaded."""
    from parcours.organisations.services.requests import ORGANISATION_FIELDS, PROVIDER_FIELDS

    labels = [_field_label(Organisation, name) for name in ORGANISATION_FIELDS if name in org_request.payload]
    labels += [_field_label(ProviderProfile, name) for name in PROVIDER_FIELDS if name in org_request.payload]
    return ", ".join(labels)


def directory_check(*, siret: str = "", uai: str = "") -> dict:
    """What the reference directory says of an identifier, for the operator to compare with what was typed.

    {"source", "identifier", "found", "entry", "error"}: entry is the directory's School or Establishment.
    """
    check = {"identifier": siret or uai, "found": False, "entry": None, "error": ""}
    try:
        if siret:
            check["source"] = "siret"
            check["entry"] = establishment_by_siret(siret)
        elif uai and uai_is_valid(compact(uai)):
            check["source"] = "uai"
            check["entry"] = school_by_uai(uai)
        else:
            return {}
    except DirectoryUnavailable as error:
        check["error"] = str(error) or "L'annuaire ne répond pas pour le moment."
    check["found"] = check["entry"] is not None
    return check


def _same(typed: str, found: str) -> bool:
    return " ".join((typed or "").upper().split()) == " ".join((found or "").upper().split())


def directory_rows(entry, *, organisation: Organisation, naf_code: str = "") -> list[dict]:
    """The directory's entry beside what the organisation holds (typed by the requester), differences marked.

    A non-diffusible establishment's name and address are hidden by the directory: nothing to compare there.
    """
    if entry is None:
        return []
    pairs = [
        ("Nom", organisation.name, entry.name),
        ("Adresse", organisation.address, entry.address),
        ("Code postal", organisation.postal_code, entry.postal_code),
        ("Commune", organisation.city, entry.commune),
        ("Département", organisation.department_code, entry.department_code),
    ]
    if hasattr(entry, "naf_code"):
        pairs.append(("Code NAF", naf_code, entry.naf_code))
    rows = []
    for label, typed, found in pairs:
        rows.append(
            {
                "label": label,
                "typed": typed or "",
                "found": found or "",
                "hidden": found is None,
                "differs": found is not None and not _same(typed, found),
            }
        )
    return rows


def flagged_accounts() -> QuerySet:
    """Accounts waiting for an operator's identity check, the oldest accounts first."""
    return (
        get_user_model()
        .objects.filter(is_active=True, anonymised_at=None)
        .exclude(identity_review=IdentityReview.NONE)
        .only(
            "public_id",
            "email",
            "civility",
            "first_name",
            "last_name",
            "usage_name",
            "birth_date",
            "identity_review",
            "registration_kind",
            "date_joined",
        )
        .order_by("date_joined", "pk")
    )


def flagged_account(*, public_id):
    """A flagged account; None once its review is over, so no other account opens from this page."""
    return get_user_model().objects.filter(public_id=public_id).exclude(identity_review=IdentityReview.NONE).first()


def territory_organisations(*, departments: set[str], text: str = "", status: str = "") -> QuerySet[Organisation]:
    """Organisations of the territory matching a name, a SIRET (or its start, a SIREN) or a UAI."""
    organisations = Organisation.objects.filter(department_code__in=sorted(departments))
    if status:
        organisations = organisations.filter(status=status)
    text = text.strip()
    if text:
        digits = compact(text)
        match = Q(name__icontains=text)
        if digits.isdigit():
            match |= Q(siret__startswith=digits)
        if uai_is_valid(digits.upper()):
            match |= Q(uai=digits.upper())
        organisations = organisations.filter(match)
    return organisations.order_by("name", "pk")


def organisation_for_operator(*, public_id, departments: set[str]) -> Organisation | None:
    if not departments:
        return None
    return (
        Organisation.objects.filter(public_id=public_id, department_code__in=sorted(departments))
        .select_related("employer_profile", "provider_profile", "school_profile", "operator_profile")
        .first()
    )


def organisation_requests(organisation: Organisation) -> QuerySet[OrganisationRequest]:
    return (
        OrganisationRequest.objects.filter(organisation=organisation)
        .select_related("requester", "decided_by")
        .order_by("-created_at", "-pk")
    )
