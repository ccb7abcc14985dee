import factory
from django.utils import timezone

from parcours.organisations.models import (
    EmployerProfile,
    Membership,
    MembershipStatus,
    OperatorProfile,
    Organisation,
    OrganisationStatus,
    ProviderProfile,
    Role,
    SchoolKind,
    SchoolProfile,
)
from tests.accounts.factories import UserFactory


def _siret(n: int) -> str:
    """A Luhn-valid SIRET, a different one for each n."""
    body = f"{732829320 + n * 7:09d}"[:9]
    # Complete the SIREN's Luhn key, then the SIRET's.
    siren = _luhn_complete(body[:8])
    return _luhn_complete(siren + f"{(n % 9999) + 1:04d}")


def _luhn_complete(digits: str) -> str:
    for key in "0123456789":
        candidate = digits + key
        total = 0
        for index, char in enumerate(reversed(candidate)):
            value = int(char) * (2 if index % 2 else 1)
            total += value - 9 if value > 9 else value
        if total % 10 == 0:
            return candidate
    raise AssertionError("unreachable")


def _uai(n: int) -> str:
    digits = f"{9700000 + n:07d}"
    return digits + "ABCDEFGHJKLMNPRSTUVWXYZ"[int(digits) % 23]


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Structure {n}")
    siret = factory.Sequence(_siret)
    siren = factory.LazyAttribute(lambda o: o.siret[:9] if o.siret else "")
    address = "12 rue de la Paix"
    postal_code = "75002"
    city = "Paris"
    department_code = "75"
    status = OrganisationStatus.ACTIVE
    validated_at = factory.LazyFunction(timezone.now)


class EmployerFactory(OrganisationFactory):
    is_employer = True
    profile = factory.RelatedFactory("tests.organisations.factories.EmployerProfileFactory", "organisation")


class EmployerProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EmployerProfile

    naf_code = "6201Z"


class ProviderFactory(OrganisationFactory):
    is_provider = True
    profile = factory.RelatedFactory("tests.organisations.factories.ProviderProfileFactory", "organisation")


class ProviderProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProviderProfile

    nda = "11755555575"


class SchoolFactory(OrganisationFactory):
    siret = None
    siren = ""
    uai = factory.Sequence(_uai)
    is_school = True
    profile = factory.RelatedFactory(
        "tests.organisations.factories.SchoolProfileFactory",
        "organisation",
        official_email=factory.LazyAttribute(lambda p: f"ce.{p.factory_parent.uai.lower()}@ac-paris.fr"),
    )


class SchoolProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SchoolProfile

    kind = SchoolKind.LYCEE
    academy_code = "01"
    academy_name = "Paris"
    hosts_mini_internships = True


class OperatorFactory(OrganisationFactory):
    siret = None
    siren = ""
    is_operator = True
    name = factory.Sequence(lambda n: f"Opérateur {n}")
    profile = factory.RelatedFactory(
        "tests.organisations.factories.OperatorProfileFactory", "organisation", departments=["75", "92", "93", "94"]
    )


class OperatorProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OperatorProfile


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(EmployerFactory)
    role = Role.REFERENT
    status = MembershipStatus.ACTIVE
    activated_at = factory.LazyFunction(timezone.now)


def member(organisation: Organisation, role: str = Role.REFERENT, **user_fields) -> Membership:
    """An active member with a fresh account."""
    return MembershipFactory(organisation=organisation, role=role, user=UserFactory(**user_fields))
