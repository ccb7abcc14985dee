"""Filing requests: the bénéficiaire's request, the employer's direct enrollment, the programme's rules, and
every bad input refused with a clear message and no change."""

import datetime

import pytest
from django.utils import timezone

from parcours.audit.models import AuditEvent
from parcours.catalog.enums import ActionStatus, SessionStatus, WhoAsks
from parcours.enrollments.enums import EnrollmentState
from parcours.enrollments.models import Enrollment
from parcours.enrollments.services import (
    ALREADY_ASKED,
    EnrollmentRefused,
    enrollment_decide,
    enrollment_enroll_employee,
    enrollment_request,
)
from parcours.notifications.models import Notification
from parcours.workflows.engine import TransitionRefused
from parcours.workflows.models import TransitionLog
from tests.enrollments.factories import EnrollmentFactory, cast
from tests.helpers.outbox import last_email_to

pytestmark = pytest.mark.django_db

S = EnrollmentState


def _ask(people, **kwargs):
    return enrollment_request(
        session=kwargs.pop("session", people.session),
        beneficiary=kwargs.pop("beneficiary", people.beneficiary),
        employer=kwargs.pop("employer", people.employer),
        programme=kwargs.pop("programme", people.programme),
        expectations=kwargs.pop("expectations", "Mieux piloter mes projets."),
    )


def _titles(user):
    return list(Notification.objects.filter(user=user).values_list("title", flat=True))


def test_a_request_waits_for_the_employer_who_is_alerted(django_capture_on_commit_callbacks):
    people = cast()

    with django_capture_on_commit_callbacks(execute=True):
        enrollment = _ask(people)

    assert enrollment.state == S.PENDING_EMPLOYER
    assert (enrollment.provider, enrollment.employer, enrollment.requested_by) == (
        people.provider,
        people.employer,
        people.beneficiary,
    )
    log = TransitionLog.objects.get(object_id=enrollment.public_id)
    assert (log.action, log.from_state, log.to_state, log.actor) == (
        "request",
        "",
        S.PENDING_EMPLOYER,
        people.beneficiary,
    )
    assert AuditEvent.objects.filter(event_type="enrollment.request", target_id=str(enrollment.public_id)).exists()
    for person in (people.employer_referent, people.employer_manager):
        assert _titles(person) == ["Une demande d'inscription attend votre accord"]
    email = last_email_to(people.employer_manager.email)
    assert "Léa Petit demande à suivre « Gestion de projet »" in email.body_text
    assert f"/inscriptions/{enrollment.public_id}/" in email.body_text
    assert _titles(people.colleague) == _titles(people.provider_manager) == _titles(people.beneficiary) == []


def test_without_employer_approval_the_provider_is_alerted_at_once():
    people = cast(employer_approval=False)

    enrollment = _ask(people)

    assert enrollment.state == S.PENDING_PROVIDER
    assert _titles(people.provider_manager) == ["Une demande d'inscription est à valider"]
    assert _titles(people.employer_manager) == []


def test_without_any_approval_the_request_enrolls_when_a_place_is_free():
    people = cast(capacity=1, employer_approval=False, provider_validation=False)

    first = _ask(people)
    second = _ask(people, beneficiary=people.colleague)

    assert (first.state, second.state) == (S.ENROLLED, S.WAITLISTED)
    people.session.refresh_from_db()
    assert people.session.status == SessionStatus.FULL
    actions = list(TransitionLog.objects.filter(object_id=first.public_id).values_list("action", flat=True))
    assert actions == ["request", "auto_enroll"]


def test_the_employers_approval_enrolls_when_the_provider_does_not_validate():
    people = cast(provider_validation=False)
    enrollment = _ask(people)

    decided = enrollment_decide(enrollment=enrollment, action="employer_approve", actor=people.employer_manager)

    assert decided.state == S.ENROLLED
    assert _titles(people.provider_manager) == ["L'inscription est confirmée"]


def test_a_person_cannot_press_the_systems_buttons():
    people = cast(provider_validation=False)
    enrollment = EnrollmentFactory(session=people.session, pending_provider=True)

    with pytest.raises(TransitionRefused, match="automatiquement"):
        enrollment_decide(enrollment=enrollment, action="auto_enroll", actor=people.provider_manager)


def _refused(people, message, **kwargs):
    before = Enrollment.objects.count(), TransitionLog.objects.count(), Notification.objects.count()
    with pytest.raises(EnrollmentRefused, match=message):
        _ask(people, **kwargs)
    assert (Enrollment.objects.count(), TransitionLog.objects.count(), Notification.objects.count()) == before


def test_after_the_deadline_no_request():
    people = cast()
    people.session.registration_deadline = timezone.localdate() - datetime.timedelta(days=1)
    people.session.save()

    _refused(people, "La date limite d'inscription à cette session était le")


def test_a_session_already_started_takes_no_request():
    people = cast()
    today = timezone.localdate()
    people.session.starts_on = today
    people.session.registration_deadline = today - datetime.timedelta(days=3)
    people.session.save()

    _refused(people, "a déjà commencé")


def test_a_second_request_for_the_same_session_is_refused_until_the_first_one_closes():
    people = cast()
    first = _ask(people)

    _refused(people, ALREADY_ASKED[:40])

    enrollment_decide(enrollment=first, action="cancel", actor=people.beneficiary, reason="Erreur de date")
    assert _ask(people).state == S.PENDING_EMPLOYER


@pytest.mark.parametrize(
    ("status", "message"),
    [(SessionStatus.CANCELLED, "annulée"), (SessionStatus.CLOSED, "closes")],
)
def test_a_closed_or_cancelled_session_takes_no_request(status, message):
    people = cast()
    people.session.status = status
    people.session.save()

    _refused(people, message)


def test_a_full_session_still_takes_requests_for_its_waiting_list():
    people = cast()
    people.session.status = SessionStatus.FULL
    people.session.save()

    assert _ask(people).state == S.PENDING_EMPLOYER


def test_an_action_off_the_catalog_takes_no_request():
    people = cast()
    people.action.status = ActionStatus.ARCHIVED
    people.action.save()

    _refused(people, "n'est plus proposée")


def test_a_programme_that_ended_or_where_the_employer_asks_takes_no_employee_request():
    people = cast()
    people.programme.ends_on = timezone.localdate() - datetime.timedelta(days=1)
    people.programme.starts_on = people.programme.ends_on - datetime.timedelta(days=30)
    people.programme.save()
    _refused(people, "aucun programme")

    people.programme.ends_on = timezone.localdate() + datetime.timedelta(days=30)
    people.programme.who_asks = WhoAsks.EMPLOYER
    people.programme.save()
    _refused(people, "aucun programme")


def test_only_an_employee_of_the_employer_may_ask_through_it():
    people = cast()

    _refused(people, "pas rattaché", beneficiary=people.employer_referent)
    _refused(people, "pas rattaché", beneficiary=people.outsider)


def test_an_employer_enrolls_an_employee_who_is_told(django_capture_on_commit_callbacks):
    people = cast()

    with django_capture_on_commit_callbacks(execute=True):
        enrollment = enrollment_enroll_employee(
            session=people.session,
            employer=people.employer,
            employee=people.beneficiary,
            programme=people.programme,
            actor=people.employer_referent,
        )

    assert enrollment.state == S.PENDING_PROVIDER
    assert enrollment.requested_by == people.employer_referent
    log = TransitionLog.objects.get(object_id=enrollment.public_id)
    assert (log.action, log.actor) == ("enroll_employee", people.employer_referent)
    assert _titles(people.beneficiary) == ["Votre employeur vous a inscrit(e) à une formation"]
    assert "Gestion de projet" in last_email_to(people.beneficiary.email).body_text
    assert _titles(people.provider_manager) == ["Une demande d'inscription est à valider"]
    assert _titles(people.employer_referent) == []


def test_an_employer_enrolls_only_its_own_employees():
    people = cast()

    with pytest.raises(EnrollmentRefused, match="ne pouvez pas inscrire"):
        enrollment_enroll_employee(
            session=people.session,
            employer=people.employer,
            employee=people.beneficiary,
            programme=people.programme,
            actor=people.other_employer_referent,
        )
    with pytest.raises(EnrollmentRefused, match="pas salariée"):
        enrollment_enroll_employee(
            session=people.session,
            employer=people.employer,
            employee=people.outsider,
            programme=people.programme,
            actor=people.employer_manager,
        )
    with pytest.raises(EnrollmentRefused, match="pas salariée"):
        enrollment_enroll_employee(
            session=people.session,
            employer=people.employer,
            employee=people.provider_manager,
            programme=people.programme,
            actor=people.employer_manager,
        )
    assert not Enrollment.objects.exists()


def test_an_employer_may_enroll_in_a_programme_where_the_employer_asks():
    people = cast()
    people.programme.who_asks = WhoAsks.EMPLOYER
    people.programme.save()

    enrollment = enrollment_enroll_employee(
        session=people.session,
        employer=people.employer,
        employee=people.beneficiary,
        programme=people.programme,
        actor=people.employer_manager,
    )

    assert enrollment.state == S.PENDING_PROVIDER
