"""The enrollment pages: who sees what (404 for what is not theirs), the request form, decisions, direct
enrollment, and bounded queries."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from parcours.catalog.enums import SessionStatus
from parcours.enrollments.enums import EnrollmentState
from parcours.enrollments.models import Enrollment
from parcours.enrollments.services import ALREADY_ASKED
from parcours.organisations.models import Role
from parcours.workflows.models import TransitionLog
from tests.enrollments.factories import EnrollmentFactory, EnrollmentMessageFactory, cast
from tests.organisations.factories import EmployerFactory, MembershipFactory, member

pytestmark = pytest.mark.django_db

S = EnrollmentState
SEES = ["beneficiary", "employer_referent", "employer_manager", "provider_referent", "provider_manager", "trainer"]
SEES += ["operator_staff"]
DOES_NOT_SEE = [
    "colleague",
    "other_employer_referent",
    "other_provider_referent",
    "provider_other_trainer",
    "other_operator_staff",
    "outsider",
]


@pytest.fixture
def people():
    return cast()


@pytest.fixture
def enrollment(people):
    return EnrollmentFactory(session=people.session, employer=people.employer, beneficiary=people.beneficiary)


def _as(client, user):
    client.logout()
    if user is not None:
        client.force_login(user)
    return client


def _detail(enrollment):
    return reverse("enrollments:detail", args=[enrollment.public_id])


def _flash(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


@pytest.mark.parametrize("role", SEES + DOES_NOT_SEE)
def test_the_detail_page_is_seen_by_the_parties_only(client, people, enrollment, role):
    response = _as(client, getattr(people, role)).get(_detail(enrollment))

    assert response.status_code == (200 if role in SEES else 404)


def test_anonymous_people_are_sent_to_log_in(client, enrollment):
    response = client.get(_detail(enrollment))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("role", DOES_NOT_SEE)
def test_posts_on_a_request_that_is_not_theirs_get_a_404(client, people, enrollment, role):
    client = _as(client, getattr(people, role))

    decide = client.post(
        reverse("enrollments:transition", args=[enrollment.public_id, "cancel"]), {"cancel-reason": "x"}
    )
    write = client.post(reverse("enrollments:message", args=[enrollment.public_id]), {"body": "Bonjour"})

    assert (decide.status_code, write.status_code) == (404, 404)
    enrollment.refresh_from_db()
    assert enrollment.state == S.PENDING_EMPLOYER
    assert not enrollment.messages.exists()


@pytest.mark.parametrize(
    ("role", "buttons"),
    [
        ("beneficiary", ["Annuler la demande"]),
        ("employer_manager", ["Donner l'accord de l'employeur", "Refuser la demande", "Annuler la demande"]),
        ("provider_manager", ["Annuler la demande"]),
        ("trainer", []),
        ("operator_staff", []),
    ],
)
def test_each_party_sees_the_buttons_of_its_role(client, people, enrollment, role, buttons):
    response = _as(client, getattr(people, role)).get(_detail(enrollment))

    assert [button["label"] for button in response.context["buttons"]] == buttons


def test_the_employer_approves_from_the_page(client, people, enrollment):
    response = _as(client, people.employer_manager).post(
        reverse("enrollments:transition", args=[enrollment.public_id, "employer_approve"])
    )

    assert response.status_code == 302
    enrollment.refresh_from_db()
    assert enrollment.state == S.PENDING_PROVIDER
    assert "l'organisme de formation est prévenu" in _flash(response)[0]
    page = client.get(_detail(enrollment))
    assert "Donner l&#x27;accord de l&#x27;employeur" in page.content.decode()  # in the history now


def test_a_refusal_without_reason_shows_the_error_next_to_the_field(client, people, enrollment):
    response = _as(client, people.employer_referent).post(
        reverse("enrollments:transition", args=[enrollment.public_id, "employer_refuse"]),
        {"employer_refuse-reason": "  "},
    )

    assert response.status_code == 400
    assert "Indiquez le motif" in response.content.decode()
    enrollment.refresh_from_db()
    assert enrollment.state == S.PENDING_EMPLOYER


def test_a_decision_on_a_request_that_moved_meanwhile_says_so_and_changes_nothing(client, people, enrollment):
    enrollment.state = S.CANCELLED
    enrollment.save()

    response = _as(client, people.employer_manager).post(
        reverse("enrollments:transition", args=[enrollment.public_id, "employer_approve"])
    )

    assert response.status_code == 302
    assert "elle a peut-être changé entre-temps" in _flash(response)[0]
    enrollment.refresh_from_db()
    assert enrollment.state == S.CANCELLED
    assert not TransitionLog.objects.exists()


def test_a_decision_beyond_ones_role_is_refused(client, people, enrollment):
    response = _as(client, people.beneficiary).post(
        reverse("enrollments:transition", args=[enrollment.public_id, "employer_approve"])
    )

    assert "Vous ne pouvez pas" in _flash(response)[0]
    enrollment.refresh_from_db()
    assert enrollment.state == S.PENDING_EMPLOYER


def test_the_systems_actions_have_no_url(client, people, enrollment):
    response = _as(client, people.provider_manager).post(
        reverse("enrollments:transition", args=[enrollment.public_id, "promote"])
    )

    assert response.status_code == 404


def test_decisions_are_posts_only(client, people, enrollment):
    response = _as(client, people.employer_manager).get(
        reverse("enrollments:transition", args=[enrollment.public_id, "employer_approve"])
    )

    assert response.status_code == 405


def test_the_detail_page_runs_a_bounded_number_of_queries(client, people, enrollment, django_assert_max_num_queries):
    for index in range(30):
        EnrollmentMessageFactory(enrollment=enrollment, body=f"Message {index}")
    for _index in range(5):
        TransitionLog.objects.create(
            workflow="enrollment",
            object_type="enrollments.enrollment",
            object_id=enrollment.public_id,
            action="employer_approve",
            from_state="pending_employer",
            to_state="pending_provider",
            actor=people.employer_manager,
        )
    client = _as(client, people.provider_manager)
    client.get(_detail(enrollment))

    with django_assert_max_num_queries(20):
        response = client.get(_detail(enrollment))

    assert response.status_code == 200
    assert len(response.context["thread"]) == 30


# The request form.


def _request_url(session):
    return reverse("enrollments:request", args=[session.public_id])


def test_the_beneficiary_asks_from_the_session(client, people):
    client = _as(client, people.beneficiary)
    page = client.get(_request_url(people.session))
    assert page.status_code == 200
    assert "Vos attentes" in page.content.decode()
    assert "employer" not in page.context["form"].fields  # one employer: no choice

    response = client.post(_request_url(people.session), {"expectations": "Piloter mes projets."})

    enrollment = Enrollment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == _detail(enrollment)
    assert (enrollment.state, enrollment.expectations) == (S.PENDING_EMPLOYER, "Piloter mes projets.")


def test_a_beneficiary_with_two_employers_chooses(client, people):
    other = EmployerFactory(name="Garage Dupont")
    MembershipFactory(user=people.beneficiary, organisation=other, role=Role.EMPLOYEE)
    client = _as(client, people.beneficiary)

    missing = client.post(_request_url(people.session), {"expectations": "Progresser."})
    assert missing.status_code == 400
    assert "Choisissez l&#x27;employeur qui donne son accord." in missing.content.decode()
    assert "Progresser." in missing.content.decode()  # what was typed stays

    client.post(_request_url(people.session), {"expectations": "Progresser.", "employer": other.pk})
    assert Enrollment.objects.get().employer == other


def test_the_form_asks_for_the_expectations(client, people):
    response = _as(client, people.beneficiary).post(_request_url(people.session), {"expectations": ""})

    assert response.status_code == 400
    assert "Décrivez vos attentes" in response.content.decode()
    assert not Enrollment.objects.exists()


def test_a_second_request_is_refused_on_the_form(client, people, enrollment):
    response = _as(client, people.beneficiary).post(_request_url(people.session), {"expectations": "Encore"})

    assert response.status_code == 400
    assert ALREADY_ASKED.replace("'", "&#x27;") in response.content.decode()
    assert Enrollment.objects.count() == 1


def test_a_session_that_takes_no_request_says_why_without_a_form(client, people):
    people.session.status = SessionStatus.CLOSED
    people.session.save()

    response = _as(client, people.beneficiary).get(_request_url(people.session))

    assert response.context["form"] is None
    assert "Les inscriptions à cette session sont closes." in response.content.decode()


def test_someone_without_employer_is_told_how_to_ask(client, people):
    response = _as(client, people.outsider).get(_request_url(people.session))

    assert response.status_code == 200
    assert response.context["form"] is None
    assert "rattachez-vous d’abord à votre employeur" in response.content.decode()


def test_a_session_off_the_catalog_is_a_404(client, people):
    people.action.status = "draft"
    people.action.save()

    assert _as(client, people.beneficiary).get(_request_url(people.session)).status_code == 404


# Direct enrollment.


def _enroll_url(session):
    return reverse("enrollments:enroll_employee", args=[session.public_id])


def test_an_employer_enrolls_an_employee_from_the_session(client, people):
    client = _as(client, people.employer_manager)
    page = client.get(_enroll_url(people.session))
    choices = [label for _value, label in page.context["form"].fields["employee"].choices]
    assert any("Léa Petit" in str(label) for label in choices)
    membership = people.beneficiary.memberships.get()

    response = client.post(_enroll_url(people.session), {"employee": membership.pk, "expectations": ""})

    enrollment = Enrollment.objects.get()
    assert response.status_code == 302
    assert (enrollment.beneficiary, enrollment.state) == (people.beneficiary, S.PENDING_PROVIDER)


def test_an_employer_cannot_pick_another_employers_employee(client, people):
    stranger = member(EmployerFactory(), Role.EMPLOYEE)

    response = _as(client, people.employer_manager).post(_enroll_url(people.session), {"employee": stranger.pk})

    assert response.status_code == 400
    assert not Enrollment.objects.exists()


@pytest.mark.parametrize("role", ["beneficiary", "provider_manager", "operator_staff", "outsider"])
def test_only_employers_enroll_directly(client, people, role):
    assert _as(client, getattr(people, role)).get(_enroll_url(people.session)).status_code == 403


def test_the_request_page_offers_employers_the_direct_enrollment(client, people):
    page = _as(client, people.employer_manager).get(_request_url(people.session))

    assert page.status_code == 200
    assert _enroll_url(people.session) in page.content.decode()
    assert "rattachez-vous" not in page.content.decode()
