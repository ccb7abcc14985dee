"""The professionals' organisation pages: search, join, creation, the organisation page and its référents' work,
and who may open what (every view, every role)."""

import html

import pytest
from allauth.mfa.models import Authenticator
from django.urls import reverse

from parcours.accounts.services.mfa import totp_activate
from parcours.audit.models import AuditEvent
from parcours.organisations.directory.establishments import establishments_import
from parcours.organisations.models import (
    Decider,
    Membership,
    MembershipStatus,
    Organisation,
    OrganisationRequest,
    OrganisationStatus,
    RequestKind,
    RequestStatus,
    Role,
)
from parcours.organisations.services.members import LAST_REFERENT_MESSAGE
from parcours.organisations.services.requests import join_request_create
from tests.accounts.factories import UserFactory
from tests.helpers.outbox import last_email_to
from tests.organisations.conftest import ESTABLISHMENTS_SAMPLE, LEGAL_UNITS_SAMPLE
from tests.organisations.factories import (
    EmployerFactory,
    MembershipFactory,
    OperatorFactory,
    ProviderFactory,
    SchoolFactory,
    member,
)

pytestmark = pytest.mark.django_db

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
# A valid SIRET in no directory and no organisation (La Poste's rule aside, Luhn-valid).
UNKNOWN_SIRET = "73282932000074"


@pytest.fixture
def directory():
    establishments_import(establishments_path=ESTABLISHMENTS_SAMPLE, legal_units_path=LEGAL_UNITS_SAMPLE)


@pytest.fixture
def employer():
    return EmployerFactory(name="Boulangerie Dupont", city="Paris", postal_code="75002")


@pytest.fixture
def cast(employer):
    """One person per role of the employer, plus those who have no business there."""
    referent = member(employer, Role.REFERENT)
    lyon_operator = OperatorFactory(profile__departments=["69"])
    paris_operator = OperatorFactory()
    people = {
        "referent": referent.user,
        "manager": member(employer, Role.MANAGER).user,
        "employee": member(employer, Role.EMPLOYEE).user,
        "pending": MembershipFactory(organisation=employer, role=Role.MANAGER, status=MembershipStatus.PENDING).user,
        "outsider": member(EmployerFactory()).user,
        "other_operator": member(lyon_operator, Role.MANAGER).user,
        "operator": member(paris_operator, Role.MANAGER).user,
    }
    for key in ("other_operator", "operator"):
        totp_activate(user=people[key], secret=SECRET)
    return people


def text_of(response) -> str:
    """The page as a person reads it: entities decoded, one kind of apostrophe."""
    return html.unescape(response.content.decode()).replace("\u2019", "'")


def login(client, user):
    client.force_login(user)
    return client


# --- My structures ---------------------------------------------------------------------------------------


def test_anonymous_people_are_sent_to_the_login_page(client, employer):
    for url in (
        reverse("organisations:home"),
        reverse("organisations:search"),
        reverse("organisations:create"),
        reverse("organisations:join", args=[employer.public_id]),
        reverse("organisations:detail", args=[employer.public_id]),
        reverse("organisations:requests", args=[employer.public_id]),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))


def test_the_professional_landing_page_leads_to_my_structures(client):
    login(client, UserFactory())

    response = client.get(reverse("accounts:professional_home"))

    assert response.status_code == 302
    assert response["Location"] == reverse("organisations:home")


def test_my_structures_lists_memberships_requests_and_what_to_decide(client, employer, django_assert_max_num_queries):
    referent = member(employer, Role.REFERENT).user
    pending_org = EmployerFactory(name="Atelier en attente", status=OrganisationStatus.PENDING, validated_at=None)
    MembershipFactory(user=referent, organisation=pending_org, role=Role.REFERENT)
    join_request_create(requester=UserFactory(), organisation=employer, role=Role.EMPLOYEE)
    mine = join_request_create(
        requester=referent, organisation=ProviderFactory(name="Formations Sud"), role=Role.TRAINER
    )
    login(client, referent)

    with django_assert_max_num_queries(12):
        response = client.get(reverse("organisations:home"))

    text = text_of(response)
    assert "Boulangerie Dupont" in text
    assert "Référent" in text
    assert "en attente de validation par un opérateur (24 à 48 heures)" in text
    assert "1 demande de rattachement à traiter" in text
    assert "Formations Sud" in text
    assert "Retirer ma demande" in text
    assert reverse("organisations:request_withdraw", args=[mine.public_id]) in text
    assert "Rattacher mon compte à une structure" in text


def test_withdrawing_my_request(client, employer):
    person = UserFactory()
    org_request = join_request_create(requester=person, organisation=employer, role=Role.EMPLOYEE)
    login(client, person)

    response = client.post(reverse("organisations:request_withdraw", args=[org_request.public_id]))

    assert response.status_code == 302
    org_request.refresh_from_db()
    assert org_request.status == RequestStatus.CANCELLED
    assert org_request.membership.status == MembershipStatus.REVOKED


def test_nobody_withdraws_or_reads_another_persons_request(client, employer):
    org_request = join_request_create(requester=UserFactory(), organisation=employer, role=Role.EMPLOYEE)
    login(client, member(employer).user)

    assert client.post(reverse("organisations:request_withdraw", args=[org_request.public_id])).status_code == 404
    assert client.get(reverse("organisations:request_sent", args=[org_request.public_id])).status_code == 404
    assert client.get(reverse("organisations:request_withdraw", args=[org_request.public_id])).status_code == 405
    org_request.refresh_from_db()
    assert org_request.status == RequestStatus.PENDING


# --- Search ----------------------------------------------------------------------------------------------


def search(client, text, **headers):
    return client.get(reverse("organisations:search"), {"q": text}, **headers)


def test_the_search_page_searches_as_you_type_with_htmx(client):
    login(client, UserFactory())

    text = text_of(client.get(reverse("organisations:search")))

    assert 'hx-get="/structures/rechercher/"' in text
    assert 'hx-trigger="input changed delay:300ms, search"' in text
    assert 'hx-target="#resultats"' in text
    assert 'id="resultats" aria-live="polite"' in text
    assert "hx-on" not in text
    assert "Mon organisme n'est pas dans la liste" in text


def test_htmx_gets_only_the_results_and_a_plain_get_the_whole_page(client, employer, directory):
    login(client, UserFactory())

    partial = text_of(search(client, "boulangerie", HTTP_HX_REQUEST="true"))
    whole = text_of(search(client, "boulangerie"))

    assert "<html" not in partial
    assert "<html" in whole
    for text in (partial, whole):
        assert "Boulangerie Dupont" in text
        assert reverse("organisations:join", args=[employer.public_id]) in text
        # The directory's bakery is not in Parcours: its creation is offered, pre-filled.
        assert f"{reverse('organisations:create')}?siret=42198765200011" in text


def test_a_siret_in_parcours_offers_to_join_it(client, directory):
    employer = EmployerFactory(siret="81234567600025", name="Campus numérique")
    login(client, UserFactory())

    text = text_of(search(client, "812 345 676 00025"))

    assert "Campus numérique" in text
    assert reverse("organisations:join", args=[employer.public_id]) in text
    assert "?siret=81234567600025" not in text


def test_a_directory_result_already_in_parcours_is_offered_to_join_not_to_create(client, directory):
    employer = EmployerFactory(siret="42198765200011", name="Au bon pain")
    login(client, UserFactory())

    text = text_of(search(client, "boulangerie marche"))

    assert reverse("organisations:join", args=[employer.public_id]) in text
    assert "?siret=42198765200011" not in text


def test_a_malformed_siret_gets_a_clear_french_message(client, directory):
    login(client, UserFactory())

    assert "Le numéro SIRET compte 14 chiffres" in text_of(search(client, "8123456760002"))
    assert "Ce numéro SIRET n'existe pas" in text_of(search(client, "81234567600018"))
    assert "au moins 3 caractères" in text_of(search(client, "ab"))


def test_a_siret_found_nowhere_offers_the_typed_creation_with_it(client, directory):
    login(client, UserFactory())

    text = text_of(search(client, UNKNOWN_SIRET))

    assert "Aucune structure ne porte le SIRET" in text
    assert f"{reverse('organisations:create')}?siret={UNKNOWN_SIRET}" in text


def test_a_non_diffusible_establishment_is_found_by_its_siret_without_its_name(client, directory):
    login(client, UserFactory())

    text = text_of(search(client, "89012345800014"))

    assert "Établissement non diffusible" in text
    assert "?siret=89012345800014" in text


def test_the_directory_being_down_still_lists_parcours_organisations(client, employer, settings):
    settings.PARCOURS_DIRECTORY_BACKEND = "http"  # pointed at a closed port by conftest
    settings.PARCOURS_DIRECTORY_HTTP_TIMEOUT = 0.5
    login(client, UserFactory())

    text = text_of(search(client, "boulangerie dupont"))

    assert "Boulangerie Dupont" in text
    assert "L'annuaire des entreprises ne répond pas" in text


def test_the_search_is_rate_limited_per_ip(client, settings, monkeypatch):
    from parcours.organisations.views import professional

    monkeypatch.setattr(professional, "SEARCH_LIMIT_PER_MINUTE", 2)
    login(client, UserFactory())
    search(client, "boulangerie")
    search(client, "boulangerie")

    text = text_of(search(client, "boulangerie"))

    assert "Trop de recherches depuis votre connexion" in text


# --- Join ------------------------------------------------------------------------------------------------


def test_joining_an_employer_asks_its_referent(client, employer, django_capture_on_commit_callbacks):
    referent = member(employer).user
    person = UserFactory()
    login(client, person)
    page = text_of(client.get(reverse("organisations:join", args=[employer.public_id])))
    assert "Salarié bénéficiaire" in page
    assert "Gestionnaire" in page
    assert "Formateur" not in page

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("organisations:join", args=[employer.public_id]),
            {"role": Role.EMPLOYEE, "job_title": "Boulanger", "message": "Bonjour"},
        )

    org_request = OrganisationRequest.objects.get(requester=person)
    assert response["Location"] == reverse("organisations:request_sent", args=[org_request.public_id])
    assert (org_request.kind, org_request.decider, org_request.role) == (
        RequestKind.JOIN,
        Decider.ORGANISATION,
        Role.EMPLOYEE,
    )
    assert last_email_to(referent.email).subject == "Nouvelle demande à traiter : Demande de rattachement"
    sent = text_of(client.get(response["Location"]))
    assert "Un référent de la structure décide" in sent


def test_joining_a_provider_offers_its_roles_and_an_operator_decides_without_referent(client):
    provider = ProviderFactory()
    login(client, UserFactory())
    page = text_of(client.get(reverse("organisations:join", args=[provider.public_id])))
    assert "Formateur" in page
    assert "Salarié bénéficiaire" not in page

    response = client.post(
        reverse("organisations:join", args=[provider.public_id]), {"role": Role.TRAINER, "job_title": "Formatrice"}
    )

    sent = text_of(client.get(response["Location"]))
    assert "un opérateur décide" in sent


def test_a_join_form_keeps_what_was_typed_and_shows_errors_next_to_fields(client, employer):
    login(client, UserFactory())

    response = client.post(
        reverse("organisations:join", args=[employer.public_id]), {"role": Role.TRAINER, "job_title": "Chef"}
    )

    text = text_of(response)
    assert response.status_code == 200
    assert "fr-error-text" in text
    assert 'value="Chef"' in text
    assert not OrganisationRequest.objects.exists()


def test_join_requests_are_rate_limited_per_person_and_nothing_is_lost(client, settings):
    settings.PARCOURS_ORGANISATION_REQUEST_LIMIT_PER_HOUR = 1
    person = UserFactory()
    login(client, person)
    first, second = EmployerFactory(), EmployerFactory()
    client.post(reverse("organisations:join", args=[first.public_id]), {"role": Role.MANAGER, "job_title": "RH"})

    response = client.post(
        reverse("organisations:join", args=[second.public_id]), {"role": Role.MANAGER, "job_title": "Directrice"}
    )

    text = text_of(response)
    assert "Vous avez déposé beaucoup de demandes" in text
    assert 'value="Directrice"' in text
    assert OrganisationRequest.objects.filter(requester=person).count() == 1


def test_operators_schools_and_refused_creations_cannot_be_joined_here(client):
    refused = EmployerFactory(status=OrganisationStatus.CLOSED, validated_at=None)
    login(client, UserFactory())

    for organisation in (OperatorFactory(), SchoolFactory(), refused):
        assert client.get(reverse("organisations:join", args=[organisation.public_id])).status_code == 404


def test_a_member_asking_to_join_again_is_sent_to_the_organisation(client, employer):
    person = member(employer, Role.MANAGER).user
    login(client, person)

    response = client.get(reverse("organisations:join", args=[employer.public_id]))

    assert response["Location"] == reverse("organisations:detail", args=[employer.public_id])


# --- Creation --------------------------------------------------------------------------------------------


def creation_data(**overrides):
    data = {
        "kinds": ["employer"],
        "name": "Menuiserie Martin",
        "siret": UNKNOWN_SIRET,
        "address": "3 rue des Lilas",
        "postal_code": "93200",
        "city": "Saint-Denis",
        "nda": "",
        "job_title": "Gérant",
        "message": "",
    }
    data.update(overrides)
    return data


def test_a_typed_creation_request_makes_a_pending_organisation(client, django_capture_on_commit_callbacks):
    OperatorFactory()
    person = UserFactory()
    login(client, person)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("organisations:create"), creation_data(kinds=["employer", "provider"]))

    organisation = Organisation.objects.get(siret=UNKNOWN_SIRET)
    assert (organisation.status, organisation.department_code) == (OrganisationStatus.PENDING, "93")
    assert organisation.is_employer
    assert organisation.is_provider
    org_request = organisation.requests.get()
    assert org_request.payload["from_directory"] is False
    sent = text_of(client.get(response["Location"]))
    assert "24 à 48 heures" in sent
    assert "24 à 48 heures" in last_email_to(person.email).body_text


def test_a_creation_from_the_directory_is_pre_filled_and_its_siret_fixed(client, directory):
    person = UserFactory()
    login(client, person)
    url = reverse("organisations:create") + "?siret=81234567600025"
    page = text_of(client.get(url))
    assert "ATELIERS NUMERIQUES DE LA LOIRE" in page
    assert "disabled" in page
    assert "81234567600025" in page

    # A tampered SIRET in the POST is ignored: the directory's stays.
    client.post(url, creation_data(siret="42198765200011", name="Ateliers", postal_code="49100", city="Angers"))

    organisation = Organisation.objects.get(requests__requester=person)
    assert (organisation.siret, organisation.department_code) == ("81234567600025", "49")
    assert organisation.requests.get().payload == {"from_directory": True, "naf_code": "8559A"}


def test_a_non_diffusible_establishment_is_typed_by_the_requester(client, directory):
    login(client, UserFactory())

    page = text_of(client.get(reverse("organisations:create") + "?siret=89012345800014"))

    assert "n'est pas diffusible" in page
    assert 'name="name"' in page
    assert 'value="None"' not in page


def test_an_already_registered_siret_is_refused_with_a_link_to_join(client, employer):
    login(client, UserFactory())

    response = client.post(reverse("organisations:create"), creation_data(siret=employer.siret))

    text = text_of(response)
    assert "demandez à la rejoindre" in text
    assert reverse("organisations:join", args=[employer.public_id]) in text
    assert Organisation.objects.count() == 1
    # Reached through a link with that SIRET, the person is sent to join it.
    direct = client.get(reverse("organisations:create") + f"?siret={employer.siret}")
    assert direct["Location"] == reverse("organisations:join", args=[employer.public_id])


def test_creation_form_errors_are_french_and_next_to_their_fields(client):
    login(client, UserFactory())

    response = client.post(
        reverse("organisations:create"), creation_data(kinds=[], siret="123", postal_code="7500", nda="99")
    )

    text = text_of(response)
    assert "Cochez au moins une case" in text
    assert "Le numéro SIRET compte 14 chiffres" in text
    assert "Le code postal compte 5 chiffres" in text
    assert 'value="Menuiserie Martin"' in text
    assert not Organisation.objects.exists()


def test_a_provider_creation_keeps_its_nda_and_an_employer_does_not(client):
    login(client, UserFactory())

    client.post(reverse("organisations:create"), creation_data(kinds=["provider"], nda="11 75 12345 75"))

    assert Organisation.objects.get().provider_profile.nda == "11751234575"


def test_creation_requests_are_rate_limited(client, settings):
    settings.PARCOURS_ORGANISATION_REQUEST_LIMIT_PER_HOUR = 0
    login(client, UserFactory())

    response = client.post(reverse("organisations:create"), creation_data())

    assert "Vous avez déposé beaucoup de demandes" in text_of(response)
    assert 'value="Menuiserie Martin"' in text_of(response)
    assert not Organisation.objects.exists()


# --- The organisation page and who may open what ---------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("referent", 200),
        ("manager", 200),
        ("employee", 200),
        ("operator", 200),
        ("pending", 404),
        ("outsider", 404),
        ("other_operator", 404),
    ],
)
def test_who_sees_the_organisation_page(client, employer, cast, who, status):
    login(client, cast[who])

    response = client.get(reverse("organisations:detail", args=[employer.public_id]))

    assert response.status_code == status
    if status == 200:
        text = text_of(response)
        assert "Boulangerie Dupont" in text
        # Members are for référents, managers and operators; an employee sees the data only.
        assert ("Membres" in text) == (who != "employee")
        assert ("Demander une modification" in text) == (who == "referent")


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("referent", 200),
        ("operator", 200),
        ("manager", 403),
        ("employee", 403),
        ("pending", 404),
        ("outsider", 404),
        ("other_operator", 404),
    ],
)
def test_who_opens_the_join_requests(client, employer, cast, who, status):
    login(client, cast[who])

    assert client.get(reverse("organisations:requests", args=[employer.public_id])).status_code == status


@pytest.mark.parametrize(
    ("who", "status"),
    [("manager", 403), ("employee", 403), ("pending", 404), ("outsider", 404), ("other_operator", 404)],
)
def test_who_may_not_act_on_members_requests_or_data(client, employer, cast, who, status):
    target = member(employer, Role.EMPLOYEE)
    org_request = join_request_create(requester=UserFactory(), organisation=employer, role=Role.EMPLOYEE)
    login(client, cast[who])
    prefix = str(org_request.public_id)

    responses = [
        client.post(
            reverse("organisations:request_decide", args=[employer.public_id, org_request.public_id]),
            {"decision": "accept", f"{prefix}-role": Role.REFERENT},
        ),
        client.post(
            reverse("organisations:member_role", args=[employer.public_id, target.public_id]), {"role": Role.REFERENT}
        ),
        client.post(reverse("organisations:member_remove", args=[employer.public_id, target.public_id])),
        client.post(reverse("organisations:handover", args=[employer.public_id]), {"to": str(target.public_id)}),
        client.post(reverse("organisations:change", args=[employer.public_id]), {"name": "Piraté"}),
    ]

    assert [response.status_code for response in responses] == [status] * 5
    target.refresh_from_db()
    org_request.refresh_from_db()
    employer.refresh_from_db()
    assert (target.role, target.status, org_request.status) == (Role.EMPLOYEE, "active", "pending")
    assert not OrganisationRequest.objects.filter(kind=RequestKind.CHANGE).exists()


def test_an_id_from_another_organisation_in_the_url_is_not_found(client, employer, cast):
    other = EmployerFactory()
    stranger = member(other, Role.EMPLOYEE)
    their_request = join_request_create(requester=UserFactory(), organisation=other, role=Role.EMPLOYEE)
    login(client, cast["referent"])

    assert (
        client.post(
            reverse("organisations:member_role", args=[employer.public_id, stranger.public_id]), {"role": "manager"}
        ).status_code
        == 404
    )
    assert (
        client.post(reverse("organisations:member_remove", args=[employer.public_id, stranger.public_id])).status_code
        == 404
    )
    assert (
        client.post(
            reverse("organisations:request_decide", args=[employer.public_id, their_request.public_id]),
            {"decision": "refuse", f"{their_request.public_id}-reason": "Non"},
        ).status_code
        == 404
    )
    stranger.refresh_from_db()
    assert stranger.role == Role.EMPLOYEE
    assert stranger.status == MembershipStatus.ACTIVE


def test_the_organisation_page_runs_a_bounded_number_of_queries(client, employer, django_assert_max_num_queries):
    referent = member(employer).user
    for _ in range(30):
        member(employer, Role.EMPLOYEE)
    login(client, referent)

    with django_assert_max_num_queries(14):
        response = client.get(reverse("organisations:detail", args=[employer.public_id]))

    assert text_of(response).count("Retirer de la structure") == 30


# --- Référents' work -------------------------------------------------------------------------------------


def test_a_referent_accepts_a_join_request_with_a_role(client, employer, django_capture_on_commit_callbacks):
    referent = member(employer).user
    person = UserFactory()
    org_request = join_request_create(requester=person, organisation=employer, role=Role.EMPLOYEE)
    login(client, referent)
    page = text_of(client.get(reverse("organisations:requests", args=[employer.public_id])))
    assert person.get_full_name() in page

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("organisations:request_decide", args=[employer.public_id, org_request.public_id]),
            {"decision": "accept", f"{org_request.public_id}-role": Role.MANAGER},
        )

    assert response.status_code == 302
    membership = Membership.objects.get(user=person, organisation=employer)
    assert (membership.status, membership.role) == (MembershipStatus.ACTIVE, Role.MANAGER)
    assert "Votre rôle : Gestionnaire" in last_email_to(person.email).body_text


def test_refusing_needs_a_reason_shown_next_to_the_field(client, employer, django_capture_on_commit_callbacks):
    referent = member(employer).user
    person = UserFactory()
    org_request = join_request_create(requester=person, organisation=employer, role=Role.EMPLOYEE)
    login(client, referent)
    url = reverse("organisations:request_decide", args=[employer.public_id, org_request.public_id])

    response = client.post(url, {"decision": "refuse", f"{org_request.public_id}-reason": "  "})

    assert response.status_code == 400
    assert "Indiquez le motif du refus" in text_of(response)
    org_request.refresh_from_db()
    assert org_request.status == RequestStatus.PENDING

    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"decision": "refuse", f"{org_request.public_id}-reason": "Inconnu du service"})

    org_request.refresh_from_db()
    assert (org_request.status, org_request.decision_reason) == (RequestStatus.REFUSED, "Inconnu du service")
    assert "Inconnu du service" in last_email_to(person.email).body_text


def test_a_referent_changes_a_role_and_removes_a_member(client, employer):
    referent = member(employer).user
    employee = member(employer, Role.EMPLOYEE)
    login(client, referent)

    client.post(
        reverse("organisations:member_role", args=[employer.public_id, employee.public_id]), {"role": Role.MANAGER}
    )
    employee.refresh_from_db()
    assert employee.role == Role.MANAGER

    confirm = client.get(reverse("organisations:member_remove", args=[employer.public_id, employee.public_id]))
    assert "Retirer" in text_of(confirm)
    client.post(reverse("organisations:member_remove", args=[employer.public_id, employee.public_id]))
    employee.refresh_from_db()
    assert employee.status == MembershipStatus.REVOKED
    assert AuditEvent.objects.filter(event_type="organisations.member_removed").exists()


def test_the_last_referent_cannot_leave_and_is_told_to_hand_over(client, employer):
    referent = member(employer)
    login(client, referent.user)

    response = client.post(reverse("organisations:leave", args=[employer.public_id]))

    assert response.status_code == 400
    assert LAST_REFERENT_MESSAGE in text_of(response)
    assert reverse("organisations:handover", args=[employer.public_id]) in text_of(response)
    referent.refresh_from_db()
    assert referent.status == MembershipStatus.ACTIVE


def test_any_member_may_leave(client, employer):
    member(employer)
    employee = member(employer, Role.EMPLOYEE)
    login(client, employee.user)

    response = client.post(reverse("organisations:leave", args=[employer.public_id]))

    assert response["Location"] == reverse("organisations:home")
    employee.refresh_from_db()
    assert employee.status == MembershipStatus.REVOKED


def test_an_operator_has_no_membership_to_leave(client, employer, cast):
    login(client, cast["operator"])

    assert client.post(reverse("organisations:leave", args=[employer.public_id])).status_code == 403


def test_a_referent_hands_the_role_over_and_leaves(client, employer):
    referent = member(employer)
    manager = member(employer, Role.MANAGER)
    login(client, referent.user)

    response = client.post(
        reverse("organisations:handover", args=[employer.public_id]),
        {"to": str(manager.public_id), "keep_role": "leave"},
    )

    assert response["Location"] == reverse("organisations:home")
    manager.refresh_from_db()
    referent.refresh_from_db()
    assert manager.role == Role.REFERENT
    assert referent.status == MembershipStatus.REVOKED


def test_a_referent_hands_the_role_over_and_stays_as_manager(client, employer):
    referent = member(employer)
    employee = member(employer, Role.EMPLOYEE)
    login(client, referent.user)

    client.post(
        reverse("organisations:handover", args=[employer.public_id]),
        {"to": str(employee.public_id), "keep_role": Role.MANAGER},
    )

    referent.refresh_from_db()
    employee.refresh_from_db()
    assert (referent.role, employee.role) == (Role.MANAGER, Role.REFERENT)


def test_a_change_request_carries_only_the_changed_fields_and_changes_nothing_yet(client):
    provider = ProviderFactory(name="Formations Nord", postal_code="75002")
    referent = member(provider).user
    login(client, referent)
    url = reverse("organisations:change", args=[provider.public_id])
    page = text_of(client.get(url))
    assert 'value="Formations Nord"' in page
    assert "Actions de formation" in page

    response = client.post(
        url,
        {
            "name": "Formations Nord-Est",
            "address": provider.address,
            "postal_code": "75002",
            "city": "Paris",
            "siret": provider.siret,
            "nda": "11755555575",
            "qualiopi_number": "Q-123",
            "qualiopi_certifier": "Certif Plus",
            "qualiopi_valid_from": "2025-01-01",
            "qualiopi_valid_until": "2027-12-31",
            "qualiopi_scope": ["training", "vae"],
        },
    )

    assert response.status_code == 302
    org_request = OrganisationRequest.objects.get(kind=RequestKind.CHANGE)
    assert org_request.payload == {
        "name": "Formations Nord-Est",
        "qualiopi_number": "Q-123",
        "qualiopi_certifier": "Certif Plus",
        "qualiopi_valid_from": "2025-01-01",
        "qualiopi_valid_until": "2027-12-31",
        "qualiopi_scope": ["training", "vae"],
    }
    provider.refresh_from_db()
    assert provider.name == "Formations Nord"
    detail = text_of(client.get(reverse("organisations:detail", args=[provider.public_id])))
    assert "en attente de validation" in detail
    assert "Formations Nord-Est" in detail


def test_a_change_request_without_change_or_with_a_taken_siret_is_refused(client, employer):
    other = EmployerFactory()
    login(client, member(employer).user)
    url = reverse("organisations:change", args=[employer.public_id])
    same = {
        "name": employer.name,
        "address": employer.address,
        "postal_code": employer.postal_code,
        "city": employer.city,
        "siret": employer.siret,
    }

    unchanged = text_of(client.post(url, same))
    taken = text_of(client.post(url, {**same, "siret": other.siret}))

    assert "Vous n'avez rien modifié" in unchanged
    assert "Une autre structure inscrite porte déjà ce numéro SIRET" in taken
    assert "qualiopi" not in taken  # an employer has no provider fields
    assert not OrganisationRequest.objects.filter(kind=RequestKind.CHANGE).exists()


def test_operator_staff_need_two_factor_before_reaching_these_pages(client, employer):
    gestionnaire = member(OperatorFactory(), Role.MANAGER).user
    assert not Authenticator.objects.filter(user=gestionnaire).exists()
    login(client, gestionnaire)

    response = client.get(reverse("organisations:detail", args=[employer.public_id]))

    assert response.status_code == 302
