"""Requests built through the services, as people file them."""

import itertools

from django.utils import timezone

from parcours.organisations.models import Decider, OrganisationRequest, RequestKind, Role
from parcours.organisations.services.requests import (
    NewOrganisation,
    change_request_create,
    join_request_create,
    organisation_create_request,
)
from tests.accounts.factories import UserFactory
from tests.organisations.factories import EmployerFactory, ProviderFactory, SchoolFactory, _siret, member

_numbers = itertools.count(5000)


def creation_request(*, department="75", name="Boulangerie Neuve", siret="", requester=None, **data):
    requester = requester or UserFactory(first_name="Inès", last_name="Durand")
    return organisation_create_request(
        requester=requester,
        data=NewOrganisation(
            name=name,
            siret=siret or _siret(next(_numbers)),
            address="3 rue des Lilas",
            postal_code=f"{department}010",
            city="Ville",
            department_code=department,
            is_employer=True,
            **data,
        ),
        job_title="Gérante",
        message="Nous ouvrons en mars.",
    )


def first_member_request(*, department="75", organisation=None, role=Role.EMPLOYEE, requester=None):
    """A join request of an organisation without référent: the operators decide it."""
    organisation = organisation or EmployerFactory(department_code=department)
    return join_request_create(
        requester=requester or UserFactory(), organisation=organisation, role=role, job_title="Comptable"
    )


def change_request(*, department="75", organisation=None, changes=None, referent=None):
    organisation = organisation or ProviderFactory(department_code=department, name="Formations Durand")
    referent = referent or member(organisation).user
    return change_request_create(
        requester=referent, organisation=organisation, changes=changes or {"name": "Formations Durand et fils"}
    )


def access_request(*, department="75", school=None):
    """An escalated school access request (services.access files them; a row is enough for reading)."""
    school = school or SchoolFactory(department_code=department, name="Lycée Voltaire")
    return OrganisationRequest.objects.create(
        kind=RequestKind.ACCESS,
        decider=Decider.OPERATOR,
        organisation=school,
        requester_email="jeanne.roux@ac-paris.fr",
        requester_first_name="Jeanne",
        requester_last_name="Roux",
        job_title="Proviseure adjointe",
        department_code=school.department_code,
        escalated_at=timezone.now(),
    )
