"""The organisations of the demo (issue 5): an operator, an employer, a provider, two schools, and requests
waiting for a decision. Rows are written directly (no emails), idempotently: running the demo again puts
them back as printed.
"""

from dataclasses import dataclass
from pathlib import Path

from django.utils import timezone

from parcours.organisations.directory.establishments import establishments_import
from parcours.organisations.directory.schools import schools_import
from parcours.organisations.directory.text import search_text
from parcours.organisations.models import (
    Decider,
    DirectoryEstablishment,
    DirectorySchool,
    EmployerProfile,
    Membership,
    MembershipStatus,
    OperatorProfile,
    Organisation,
    OrganisationRequest,
    OrganisationStatus,
    ProviderProfile,
    QualiopiScope,
    RequestKind,
    RequestStatus,
    Role,
    SchoolEmailOrigin,
    SchoolKind,
    SchoolProfile,
)

SAMPLES = Path(__file__).resolve().parents[1] / "organisations" / "data" / "samples"

# Every department: the demo operator receives every request, wherever it comes from.
ALL_DEPARTMENTS = [f"{n:02d}" for n in range(1, 96) if n != 20] + ["2A", "2B"] + ["971", "972", "973", "974", "976"]


@dataclass(frozen=True)
class DemoSchool:
    uai: str
    name: str
    kind: str
    address: str
    postal_code: str
    commune: str
    # On a reserved domain: demo addresses never reach a real mailbox.
    email: str


DEMO_LYCEE = DemoSchool(
    "0759991C",
    "Lycée polyvalent de démonstration Marie Curie",
    SchoolKind.LYCEE,
    "1 rue de l'Exemple",
    "75013",
    "Paris",
    "ce.0759991c@lycee-demo.test",
)
DEMO_COLLEGE = DemoSchool(
    "0759992D",
    "Collège de démonstration Jean Moulin",
    SchoolKind.COLLEGE,
    "2 rue de l'Exemple",
    "75014",
    "Paris",
    "ce.0759992d@college-demo.test",
)


def directory_load() -> None:
    """The shipped samples, when the directory is empty (a real national load is never overwritten)."""
    if not DirectorySchool.objects.exists():
        schools_import(path=SAMPLES / "fr-en-annuaire-education_sample.csv")
    if not DirectoryEstablishment.objects.exists():
        establishments_import(
            establishments_path=SAMPLES / "StockEtablissement_sample.csv",
            legal_units_path=SAMPLES / "StockUniteLegale_sample.csv",
        )
    for school in (DEMO_LYCEE, DEMO_COLLEGE):
        DirectorySchool.objects.update_or_create(
            uai=school.uai,
            defaults={
                "name": school.name,
                "kind": school.kind,
                "is_public": True,
                "address": school.address,
                "postal_code": school.postal_code,
                "commune": school.commune,
                "department_code": "75",
                "academy_code": "01",
                "academy_name": "Paris",
                "email": school.email,
                "email_origin": SchoolEmailOrigin.DIRECTORY,
                "is_open": True,
                "search_text": search_text(school.uai, school.name, school.commune, school.postal_code),
            },
        )


def _organisation(identifier: dict, **fields) -> Organisation:
    fields.setdefault("status", OrganisationStatus.ACTIVE)
    fields.setdefault("validated_at", timezone.now() if fields["status"] == OrganisationStatus.ACTIVE else None)
    organisation, _ = Organisation.objects.update_or_create(**identifier, defaults=fields)
    return organisation


def _member(user, organisation: Organisation, role: str, job_title: str = "", status=MembershipStatus.ACTIVE):
    Membership.objects.filter(user=user, organisation=organisation).exclude(status=MembershipStatus.REVOKED).exclude(
        role=role, status=status
    ).update(status=MembershipStatus.REVOKED, revoked_at=timezone.now())
    membership, _ = Membership.objects.get_or_create(
        user=user,
        organisation=organisation,
        role=role,
        status=status,
        defaults={
            "job_title": job_title,
            "activated_at": timezone.now() if status == MembershipStatus.ACTIVE else None,
        },
    )
    return membership


def operator_setup(gestionnaire) -> Organisation:
    operator = _organisation(
        {"name": "Région de démonstration", "is_operator": True}, siret=None, department_code="75"
    )
    OperatorProfile.objects.update_or_create(organisation=operator, defaults={"departments": ALL_DEPARTMENTS})
    _member(gestionnaire, operator, Role.MANAGER, "Chargée de mission formation")
    return operator


def employer_setup(referent, employee) -> Organisation:
    employer = _organisation(
        {"siret": "81234567600017"},
        name="Ateliers numériques de la Loire",
        siren="812345676",
        address="12 quai de la Fosse",
        postal_code="44000",
        city="Nantes",
        department_code="44",
        is_employer=True,
    )
    EmployerProfile.objects.update_or_create(organisation=employer, defaults={"naf_code": "62.01Z"})
    _member(referent, employer, Role.REFERENT, "Responsable des ressources humaines")
    _member(employee, employer, Role.EMPLOYEE, "Développeur")
    return employer


def provider_setup(referent, trainer) -> Organisation:
    provider = _organisation(
        {"siret": "81234567600025"},
        name="Campus numérique d'Anjou",
        siren="812345676",
        address="3 B rue des Arts et Métiers",
        postal_code="49100",
        city="Angers",
        department_code="49",
        is_provider=True,
    )
    today = timezone.localdate()
    ProviderProfile.objects.update_or_create(
        organisation=provider,
        defaults={
            "nda": "52490123449",
            "qualiopi_number": "QUALIOPI-DEMO-2025-0042",
            "qualiopi_certifier": "Certificateur de démonstration",
            "qualiopi_valid_from": today.replace(year=today.year - 1, month=1, day=1),
            "qualiopi_valid_until": today.replace(year=today.year + 2, month=12, day=31),
            "qualiopi_scope": [QualiopiScope.TRAINING, QualiopiScope.SKILLS_ASSESSMENT],
        },
    )
    _member(referent, provider, Role.REFERENT, "Directrice")
    _member(trainer, provider, Role.TRAINER, "Formateur développement web")
    return provider


def school_setup(school: DemoSchool, holder) -> Organisation:
    organisation = _organisation(
        {"uai": school.uai},
        name=school.name,
        siret=None,
        address=school.address,
        postal_code=school.postal_code,
        city=school.commune,
        department_code="75",
        is_school=True,
    )
    SchoolProfile.objects.update_or_create(
        organisation=organisation,
        defaults={
            "kind": school.kind,
            "academy_code": "01",
            "academy_name": "Paris",
            "official_email": school.email,
            "hosts_mini_internships": school.kind == SchoolKind.LYCEE,
        },
    )
    _member(holder, organisation, Role.REFERENT, "Compte de l'établissement")
    return organisation


def pending_creation_setup(requester) -> OrganisationRequest:
    """A provider asked to be created; an operator has to validate it."""
    organisation = _organisation(
        {"siret": "44455566800011"},
        name="SARL Formations du Golfe",
        siren="444555668",
        address="Cours Napoléon",
        postal_code="20000",
        city="Ajaccio",
        department_code="2A",
        is_provider=True,
        status=OrganisationStatus.PENDING,
    )
    ProviderProfile.objects.update_or_create(organisation=organisation, defaults={"nda": ""})
    membership = _member(requester, organisation, Role.REFERENT, "Gérant", status=MembershipStatus.PENDING)
    OrganisationRequest.objects.filter(organisation=organisation).exclude(membership=membership).delete()
    request, _ = OrganisationRequest.objects.update_or_create(
        organisation=organisation,
        kind=RequestKind.CREATION,
        defaults={
            "status": RequestStatus.PENDING,
            "decider": Decider.OPERATOR,
            "requester": requester,
            "membership": membership,
            "role": Role.REFERENT,
            "job_title": "Gérant",
            "message": "Organisme de formation aux métiers du tourisme, nous ouvrons nos premières sessions.",
            "department_code": "2A",
            "payload": {"from_directory": True, "naf_code": "85.59A"},
            "decided_at": None,
            "decided_by": None,
            "decision_reason": "",
        },
    )
    return request


def pending_access_setup(lycee: Organisation) -> OrganisationRequest:
    """A teacher asked the lycée's account holders for access (seed 002)."""
    request, _ = OrganisationRequest.objects.update_or_create(
        organisation=lycee,
        kind=RequestKind.ACCESS,
        requester_email="sophie.bernard@lycee-demo.test",
        defaults={
            "status": RequestStatus.PENDING,
            "decider": Decider.ORGANISATION,
            "requester_first_name": "Sophie",
            "requester_last_name": "Bernard",
            "job_title": "Professeure principale de seconde",
            "department_code": "75",
            "created_at": timezone.now(),
            "escalated_at": None,
            "decided_at": None,
            "decided_by": None,
            "decision_reason": "",
        },
    )
    return request


def employee_add(employer: Organisation, user, job_title: str = "") -> None:
    _member(user, employer, Role.EMPLOYEE, job_title)
