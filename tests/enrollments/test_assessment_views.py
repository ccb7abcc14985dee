"""The assessment pages: who sees and does what (404 for what is not theirs, 403 beyond one's role), the form and
its errors, issuing documents, the trainee's page and downloads, and bounded queries."""

import html
import re

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from parcours.documents import registry
from parcours.documents.models import Document, DocumentDownload
from parcours.enrollments import assessments, permissions
from parcours.enrollments.enums import AttendanceStatus
from parcours.enrollments.models import Assessment, Enrollment
from parcours.notifications.models import Notification
from tests.enrollments.factories import EnrollmentFactory, cast
from tests.enrollments.test_assessments import OBJECTIVES, PLANNED, RESULTS, assess, attend, move_session

pytestmark = pytest.mark.django_db

ASSESSORS = ["trainer", "provider_referent", "provider_manager"]
ISSUERS = ["provider_referent", "provider_manager"]
PARTIES = ["beneficiary", "employer_referent", "employer_manager", *ASSESSORS, "operator_staff"]
NOBODY = [
    "colleague",
    "other_employer_referent",
    "other_provider_referent",
    "provider_other_trainer",
    "other_operator_staff",
    "outsider",
]
ROLES = sorted({*PARTIES, *NOBODY})


@pytest.fixture(autouse=True)
def _registered():
    """The categories, and a party check for enrollment documents as the lead registers it (restored after)."""
    assessments.register()
    previous = registry._checks.get(assessments.SUBJECT_TYPE)

    def check(user, subject_id):
        enrollment = Enrollment.objects.filter(public_id=subject_id).first()
        return enrollment is not None and permissions.may_see(user, enrollment)

    registry.document_parties_register(assessments.SUBJECT_TYPE, check)
    yield
    if previous is None:
        registry._checks.pop(assessments.SUBJECT_TYPE, None)
    else:
        registry.document_parties_register(assessments.SUBJECT_TYPE, previous)


@pytest.fixture
def people():
    people = cast()
    people.action.objectives = OBJECTIVES
    people.action.save()
    move_session(people.session, days_ago=5)
    return people


@pytest.fixture
def enrollment(people):
    return EnrollmentFactory(
        session=people.session, employer=people.employer, beneficiary=people.beneficiary, enrolled=True
    )


def _as(client, user):
    client.logout()
    if user is not None:
        client.force_login(user)
    return client


def _flash(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def _text(response) -> str:
    return html.unescape(response.content.decode())


def _checked(response, name) -> list[str]:
    """The values of the checked radio buttons of a field."""
    tags = re.findall(r"<input[^>]*>", response.content.decode())
    return [
        re.search(r'value="([^"]*)"', tag).group(1)
        for tag in tags
        if f'name="{name}"' in tag and re.search(r"\bchecked\b", tag)
    ]


def _form(results=RESULTS, comment="Bon travail."):
    data = {f"objective_{i}": value for i, value in enumerate(results, start=1)}
    data["comment"] = comment
    return data


# The session's page ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_the_session_page_is_for_its_trainers_and_the_provider_staff(client, people, enrollment, role):
    response = _as(client, getattr(people, role)).get(reverse("assessments:session", args=[people.session.public_id]))

    assert response.status_code == (200 if role in ASSESSORS else 404)
    if role in ASSESSORS:
        assert "Léa Petit" in _text(response) or "Petit" in _text(response)
        assert PLANNED[0] in _text(response)
        # Issue buttons for the provider staff only.
        assert (reverse("assessments:attestations_issue_all", args=[people.session.public_id]) in _text(response)) == (
            role in ISSUERS
        )


def test_a_trainer_removed_from_the_provider_sees_nothing(client, people, enrollment):
    people.trainer.memberships.update(status="revoked")

    response = _as(client, people.trainer).get(reverse("assessments:session", args=[people.session.public_id]))

    assert response.status_code == 404


def test_anonymous_people_are_sent_to_log_in(client, people):
    response = client.get(reverse("assessments:session", args=[people.session.public_id]))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_the_session_page_runs_a_bounded_number_of_queries(client, people, django_assert_max_num_queries):
    for _ in range(12):
        enrollment = EnrollmentFactory(session=people.session, employer=people.employer, enrolled=True)
        assess(enrollment, people.trainer)
        attend(enrollment, [AttendanceStatus.PRESENT, AttendanceStatus.ABSENT])
        assessments.attestation_issue(enrollment=enrollment, actor=people.provider_referent)
    for _ in range(3):  # not assessed yet
        EnrollmentFactory(session=people.session, employer=people.employer, enrolled=True)
    _as(client, people.provider_referent)

    with django_assert_max_num_queries(20):
        response = client.get(reverse("assessments:session", args=[people.session.public_id]))

    assert response.status_code == 200
    assert _text(response).count("Version 1") == 12
    assert _text(response).count("3,5 h") == 12
    assert _text(response).count("À évaluer") == 3


# The assessment form ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_the_assessment_form_is_for_the_assessors_only(client, people, enrollment, role):
    url = reverse("assessments:assess", args=[enrollment.public_id])
    _as(client, getattr(people, role))

    shown = client.get(url)
    posted = client.post(url, _form())

    if role in ASSESSORS:
        assert shown.status_code == 200
        assert PLANNED[1] in _text(shown)
        assert posted.status_code == 302
        assert Assessment.objects.get(enrollment=enrollment).assessed_by == getattr(people, role)
    else:
        assert (shown.status_code, posted.status_code) == (404, 404)
        assert not Assessment.objects.exists()


def test_the_form_shows_the_current_assessment_and_replaces_it(client, people, enrollment):
    assess(enrollment, people.trainer, comment="Première appréciation")
    _as(client, people.trainer)
    url = reverse("assessments:assess", args=[enrollment.public_id])

    shown = client.get(url)
    assert "Première appréciation" in _text(shown)
    assert [_checked(shown, f"objective_{i}") for i in range(1, 5)] == [[value] for value in RESULTS]

    response = client.post(url, _form(results=["reached"] * 4, comment="Revue"))

    assert response.status_code == 302
    assessment = Assessment.objects.get(enrollment=enrollment)
    assert list(assessment.results.values_list("result", flat=True)) == ["reached"] * 4
    assert assessment.comment == "Revue"
    assert any("est enregistrée" in message for message in _flash(response))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (_form(results=["reached", "maybe", "reached", "reached"]), "atteint, partiellement atteint ou non atteint"),
        (_form(results=["reached", "reached", "reached"]), "Choisissez le résultat de cet objectif."),
    ],
)
def test_a_bad_result_is_shown_next_to_its_objective_and_changes_nothing(client, people, enrollment, data, message):
    assess(enrollment, people.trainer, comment="Avant")
    _as(client, people.trainer)

    response = client.post(reverse("assessments:assess", args=[enrollment.public_id]), {**data, "comment": "Après"})

    assert response.status_code == 400
    assert message in _text(response)
    assert "Après" in _text(response)  # what was typed is shown again
    assessment = Assessment.objects.get(enrollment=enrollment)
    assert assessment.comment == "Avant"
    assert list(assessment.results.values_list("result", flat=True)) == RESULTS


def test_a_cancelled_enrollment_is_not_assessed(client, people, enrollment):
    Enrollment.objects.filter(pk=enrollment.pk).update(state="cancelled")
    _as(client, people.trainer)
    url = reverse("assessments:assess", args=[enrollment.public_id])

    shown = client.get(url)
    posted = client.post(url, _form())

    assert shown.status_code == 302
    assert any("inscription est annulée" in message for message in _flash(shown))
    assert posted.status_code == 400
    assert "inscription est annulée" in _text(posted)
    assert not Assessment.objects.exists()


# Issuing documents -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", ["assessments:attestation_issue", "assessments:certificate_issue"])
def test_documents_are_issued_by_the_provider_staff(client, people, enrollment, role, name):
    assess(enrollment, people.trainer)
    _as(client, getattr(people, role))

    response = client.post(reverse(name, args=[enrollment.public_id]))

    expected = 302 if role in ISSUERS else 403 if role == "trainer" else 404
    assert response.status_code == expected
    assert Document.objects.count() == (1 if role in ISSUERS else 0)


def test_issuing_needs_a_post(client, people, enrollment):
    assess(enrollment, people.trainer)
    _as(client, people.provider_referent)

    response = client.get(reverse("assessments:attestation_issue", args=[enrollment.public_id]))

    assert response.status_code == 405
    assert not Document.objects.exists()


def test_an_attestation_for_a_cancelled_enrollment_is_refused_with_a_message(client, people, enrollment):
    assess(enrollment, people.trainer)
    Enrollment.objects.filter(pk=enrollment.pk).update(state="cancelled", last_reason="Absent")
    _as(client, people.provider_referent)

    response = client.post(reverse("assessments:attestation_issue", args=[enrollment.public_id]), follow=True)

    assert "L'inscription est annulée" in _text(response)
    assert not Document.objects.exists()


def test_documents_before_the_end_are_refused_and_not_offered(client, people, enrollment):
    assess(enrollment, people.trainer)
    move_session(people.session, days_ago=-2)
    _as(client, people.provider_referent)

    page = client.get(reverse("assessments:session", args=[people.session.public_id]))
    single = client.post(reverse("assessments:attestation_issue", args=[enrollment.public_id]), follow=True)
    batch = client.post(reverse("assessments:attestations_issue_all", args=[people.session.public_id]), follow=True)

    assert "s’émettent après la fin de la session" in _text(page)
    assert reverse("assessments:attestation_issue", args=[enrollment.public_id]) not in _text(page)
    assert "pas terminée" in _text(single)
    assert "pas terminée" in _text(batch)
    assert not Document.objects.exists()


def test_issuing_for_the_whole_session_then_again(client, people, enrollment, django_capture_on_commit_callbacks):
    assess(enrollment, people.trainer)
    EnrollmentFactory(session=people.session, employer=people.employer, enrolled=True)  # not assessed
    _as(client, people.provider_manager)
    url = reverse("assessments:attestations_issue_all", args=[people.session.public_id])

    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(url, follow=True)
    again = client.post(url, follow=True)
    certificates = client.post(
        reverse("assessments:certificates_issue_all", args=[people.session.public_id]), follow=True
    )

    assert "Attestations émises ou mises à jour : 1." in _text(first)
    assert "Attestations déjà à jour : 1." in _text(again)
    assert "Certificats de réalisation émis ou mis à jour : 2." in _text(certificates)
    assert Document.objects.filter(kind="attestation").count() == 1
    assert Document.objects.filter(kind="certificate").count() == 2
    assert Notification.objects.filter(user=people.beneficiary, category=assessments.CATEGORY_DOCUMENTS).count() == 1


@pytest.mark.parametrize("role", ["trainer", "employer_referent", "outsider"])
def test_issuing_for_the_whole_session_is_for_the_provider_staff(client, people, enrollment, role):
    assess(enrollment, people.trainer)
    _as(client, getattr(people, role))

    response = client.post(reverse("assessments:attestations_issue_all", args=[people.session.public_id]))

    assert response.status_code == (403 if role == "trainer" else 404)
    assert not Document.objects.exists()


# The trainee's page and downloads --------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_the_trainee_page_and_the_download_are_for_the_parties(client, people, enrollment, role):
    assess(enrollment, people.trainer, comment="Appréciation visible")
    document, _ = assessments.attestation_issue(enrollment=enrollment, actor=people.provider_referent)
    _as(client, getattr(people, role))

    page = client.get(reverse("assessments:enrollment", args=[enrollment.public_id]))
    download = client.get(reverse("documents:download", args=[document.public_id]))

    if role in PARTIES:
        assert page.status_code == 200
        assert "Appréciation visible" in _text(page)
        assert "Partiellement atteint" in _text(page)
        assert reverse("documents:download", args=[document.public_id]) in _text(page)
        assert download.status_code == 200
        assert download["Content-Type"] == "application/pdf"
        assert DocumentDownload.objects.filter(document=document, user=getattr(people, role)).count() == 1
    else:
        assert (page.status_code, download.status_code) == (404, 404)
        assert not DocumentDownload.objects.exists()


def test_the_notification_leads_the_trainee_to_the_download(client, people, enrollment):
    assess(enrollment, people.trainer)
    document, _ = assessments.attestation_issue(enrollment=enrollment, actor=people.provider_referent)
    notification = Notification.objects.get(user=people.beneficiary)
    _as(client, people.beneficiary)

    page = client.get(notification.url)
    link = reverse("documents:download", args=[document.public_id])

    assert link in _text(page)
    assert client.get(link).content.startswith(b"%PDF-")
