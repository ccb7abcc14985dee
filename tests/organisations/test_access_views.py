"""Access request pages: the requester's form (public) and the holders' decision page (their school only)."""

import pytest
from django.urls import reverse

from parcours.organisations.models import MembershipStatus, OrganisationRequest, RequestStatus, Role
from parcours.organisations.services.access import access_request_create
from tests.accounts.factories import UserFactory
from tests.helpers.altcha import altcha_payload
from tests.helpers.outbox import first_link, last_email_to
from tests.organisations.factories import OperatorFactory, SchoolFactory, member

pytestmark = pytest.mark.django_db


@pytest.fixture
def school():
    organisation = SchoolFactory(name="Lycée Suger", uai="0932121A", department_code="93")
    profile = organisation.school_profile
    profile.academy_code, profile.official_email = "24", "ce.0932121a@ac-creteil.fr"
    profile.save()
    return organisation


@pytest.fixture
def holder(school):
    return member(school, Role.REFERENT, email="ce.0932121a@ac-creteil.fr").user


@pytest.fixture
def org_request(school, holder, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return access_request_create(
            organisation=school,
            email="marie.durand@ac-creteil.fr",
            first_name="Marie",
            last_name="Durand",
            job_title="CPE",
        )


def form_data(**changes):
    return {
        "last_name": "Durand",
        "first_name": "Marie",
        "job_title": "CPE",
        "email": "marie.durand@ac-creteil.fr",
        "captcha": altcha_payload(),
        **changes,
    }


def recovery_url(school):
    return reverse("schools:recovery", kwargs={"uai": school.uai})


def decide_url(org_request):
    return reverse("schools:access_request", kwargs={"public_id": org_request.public_id})


def test_an_address_off_the_domain_is_refused_next_to_the_field_with_the_input_kept(client, school, holder):
    response = client.post(recovery_url(school), form_data(email="marie.durand@gmail.com"))

    assert response.status_code == 200
    assert "adresse académique de l&#x27;établissement, se terminant par @ac-creteil.fr" in response.text
    assert "email" in response.context["form"].errors
    assert 'value="marie.durand@gmail.com"' in response.text
    assert 'value="CPE"' in response.text
    assert not OrganisationRequest.objects.exists()


def test_missing_fields_are_explained(client, school, holder):
    response = client.post(recovery_url(school), form_data(last_name="", job_title=""))

    assert set(response.context["form"].errors) == {"last_name", "job_title"}


def test_a_request_is_sent_and_the_holders_are_emailed(client, school, holder, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(recovery_url(school), form_data(), follow=True)

    assert response.redirect_chain[-1][0] == reverse("schools:access_request_sent")
    assert "24 heures" in response.text
    org_request = OrganisationRequest.objects.get()
    assert org_request.requester_email == "marie.durand@ac-creteil.fr"
    assert decide_url(org_request) in first_link(last_email_to(holder.email))


def test_requests_from_the_page_are_rate_limited(client, school, holder, settings):
    settings.PARCOURS_ORGANISATION_REQUEST_LIMIT_PER_HOUR = 1
    client.post(recovery_url(school), form_data(email="a@ac-creteil.fr"))

    response = client.post(recovery_url(school), form_data(email="b@ac-creteil.fr"))

    assert "Trop de demandes" in response.text
    assert OrganisationRequest.objects.count() == 1


def test_anonymous_people_are_sent_to_the_login_page(client, org_request):
    response = client.get(decide_url(org_request))

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login") + "?next=")


@pytest.mark.parametrize("who", ["outsider", "other_school_holder", "manager", "pending"])
def test_nobody_else_opens_or_decides_the_request(client, org_request, school, who):
    person = {
        "outsider": lambda: UserFactory(),
        "other_school_holder": lambda: member(SchoolFactory()).user,
        "manager": lambda: member(school, Role.MANAGER).user,
        "pending": lambda: member(school, Role.REFERENT).user,
    }[who]()
    if who == "pending":
        person.memberships.update(status=MembershipStatus.PENDING)
    client.force_login(person)

    assert client.get(decide_url(org_request)).status_code == 404
    assert client.post(decide_url(org_request), {"action": "grant"}).status_code == 404
    org_request.refresh_from_db()
    assert org_request.status == RequestStatus.PENDING


def test_another_kind_of_request_is_not_found_here(client, holder, school):
    join = OrganisationRequest.objects.create(kind="join", decider="organisation", organisation=school)
    client.force_login(holder)

    assert client.get(decide_url(join)).status_code == 404


def test_a_holder_grants_from_the_page(client, holder, org_request, django_capture_on_commit_callbacks):
    client.force_login(holder)
    page = client.get(decide_url(org_request))
    assert "Marie Durand" in page.text
    assert "marie.durand@ac-creteil.fr" in page.text
    assert "Accorder l’accès" in page.text

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(decide_url(org_request), {"action": "grant"}, follow=True)

    assert "Accès accordé à Marie Durand" in response.text
    org_request.refresh_from_db()
    assert org_request.status == RequestStatus.ACCEPTED
    assert "Accorder l’accès" not in response.text
    assert "mot de passe" in last_email_to("marie.durand@ac-creteil.fr").subject


def test_refusing_needs_a_reason_shown_next_to_the_field(client, holder, org_request):
    client.force_login(holder)

    response = client.post(decide_url(org_request), {"action": "refuse", "reason": ""})

    assert response.status_code == 200
    assert "Indiquez le motif du refus" in response.text
    assert "reason" in response.context["form"].errors
    org_request.refresh_from_db()
    assert org_request.status == RequestStatus.PENDING


def test_a_holder_refuses_with_a_reason(client, holder, org_request, django_capture_on_commit_callbacks):
    client.force_login(holder)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(decide_url(org_request), {"action": "refuse", "reason": "Personne inconnue."})

    org_request.refresh_from_db()
    assert (org_request.status, org_request.decision_reason) == (RequestStatus.REFUSED, "Personne inconnue.")
    assert "Personne inconnue." in last_email_to("marie.durand@ac-creteil.fr").body_text


def test_after_escalation_holders_see_the_request_but_no_longer_decide(client, holder, org_request):
    org_request.decider = "operator"
    org_request.save()
    client.force_login(holder)

    page = client.get(decide_url(org_request))
    assert page.status_code == 200
    assert "transmise à nos services" in page.text
    client.post(decide_url(org_request), {"action": "grant"})
    org_request.refresh_from_db()
    assert org_request.status == RequestStatus.PENDING


def test_the_decision_page_runs_a_bounded_number_of_queries(
    client, holder, org_request, django_assert_max_num_queries
):
    member(OperatorFactory(), Role.MANAGER)
    client.force_login(holder)

    with django_assert_max_num_queries(12):
        assert client.get(decide_url(org_request)).status_code == 200


def test_the_recovery_page_runs_a_bounded_number_of_queries(client, school, holder, django_assert_max_num_queries):
    for _ in range(3):
        member(school)

    with django_assert_max_num_queries(8):
        response = client.get(recovery_url(school))
    assert response.text.count("ce.....") == 1  # one masked start per different login start
