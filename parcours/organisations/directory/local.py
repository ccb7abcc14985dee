"""The local directory: the tables loaded by import_uai and import_sirene."""

from parcours.organisations.directory import selectors
from parcours.organisations.directory.lookup import Establishment, School
from parcours.organisations.models import DirectoryEstablishment, DirectorySchool, SchoolEmailOrigin


class LocalDirectory:
    def school_by_uai(self, uai: str) -> School | None:
        school = selectors.directory_school_get(uai=uai)
        return school_from_model(school) if school else None

    def schools_search(self, text: str, limit: int) -> list[School]:
        return [school_from_model(school) for school in selectors.directory_schools_search(text=text, limit=limit)]

    def establishment_by_siret(self, siret: str) -> Establishment | None:
        establishment = selectors.directory_establishment_get(siret=siret)
        return establishment_from_model(establishment) if establishment else None

    def establishments_search(self, text: str, limit: int) -> list[Establishment]:
        return [
            establishment_from_model(establishment)
            for establishment in selectors.directory_establishments_search(text=text, limit=limit)
        ]


def school_from_model(school: DirectorySchool) -> School:
    return School(
        uai=school.uai,
        name=school.name,
        kind=school.kind,
        is_public=school.is_public,
        address=school.address,
        postal_code=school.postal_code,
        commune=school.commune,
        department_code=school.department_code,
        academy_code=school.academy_code,
        academy_name=school.academy_name,
        email=school.email,
        email_derived=school.email_origin == SchoolEmailOrigin.DERIVED,
        email_needs_check=school.email_origin == SchoolEmailOrigin.TO_CHECK,
        siret=school.siret,
        is_open=school.is_open,
    )


def establishment_from_model(establishment: DirectoryEstablishment) -> Establishment:
    hidden = not establishment.is_diffusible
    return Establishment(
        siret=establishment.siret,
        siren=establishment.siren,
        name=None if hidden else establishment.name,
        address=None if hidden else establishment.address,
        postal_code=None if hidden else establishment.postal_code,
        commune=None if hidden else establishment.commune,
        department_code=establishment.department_code,
        naf_code=establishment.naf_code,
        is_active=establishment.is_active,
        is_head_office=establishment.is_head_office,
        is_diffusible=establishment.is_diffusible,
    )
