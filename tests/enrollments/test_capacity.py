"""Capacity: never more enrolled than places, the waiting list, and the session's status following them."""

import datetime
import importlib
import threading
import time

import pytest
from django.db import connection
from django.utils import timezone

import parcours.enrollments.receivers  # noqa: F401  (connects the catalog's signals, as ready() does)
from parcours.catalog.enums import SessionStatus
from parcours.catalog.services import session_cancel, session_update
from parcours.enrollments import workflows
from parcours.enrollments.enums import EnrollmentState
from parcours.enrollments.models import Enrollment
from parcours.enrollments.workflows import FULL_MESSAGE, enrollment_transition
from parcours.notifications.models import Notification
from parcours.workflows.engine import TransitionRefused
from tests.enrollments.factories import EnrollmentFactory, cast

S = EnrollmentState


def _pending(people, **kwargs):
    return EnrollmentFactory(session=people.session, employer=people.employer, pending_provider=True, **kwargs)


def _session_status(people) -> str:
    people.session.refresh_from_db()
    return people.session.status


@pytest.mark.django_db
def test_the_last_place_fills_the_session_and_the_next_one_is_refused():
    people = cast(capacity=2)
    first, second, third = _pending(people), _pending(people), _pending(people)

    enrollment_transition(first, "provider_validate", actor=people.provider_manager)
    assert _session_status(people) == SessionStatus.OPEN
    enrollment_transition(second, "provider_validate", actor=people.provider_manager)
    assert _session_status(people) == SessionStatus.FULL

    with pytest.raises(TransitionRefused, match="La session est complète"):
        enrollment_transition(third, "provider_validate", actor=people.provider_manager)
    third.refresh_from_db()
    assert third.state == S.PENDING_PROVIDER
    assert Enrollment.objects.filter(session=people.session, state=S.ENROLLED).count() == 2


@pytest.mark.django_db
def test_the_waiting_list_is_only_for_a_full_session():
    people = cast(capacity=1)
    request = _pending(people)

    with pytest.raises(TransitionRefused, match="Il reste des places"):
        enrollment_transition(request, "provider_waitlist", actor=people.provider_manager)
    EnrollmentFactory(session=people.session, enrolled=True)
    enrollment_transition(request, "provider_waitlist", actor=people.provider_manager)

    request.refresh_from_db()
    assert request.state == S.WAITLISTED


@pytest.mark.django_db
def test_a_cancelled_place_goes_to_the_first_waiting_request_and_everyone_is_told():
    people = cast(capacity=1)
    enrolled = EnrollmentFactory(session=people.session, employer=people.employer, enrolled=True)
    now = timezone.now()
    later = EnrollmentFactory(session=people.session, waitlisted=True, waitlisted_at=now)
    first = EnrollmentFactory(
        session=people.session,
        employer=people.employer,
        beneficiary=people.beneficiary,
        waitlisted=True,
        waitlisted_at=now - datetime.timedelta(hours=1),
    )
    people.session.status = SessionStatus.FULL
    people.session.save()

    enrollment_transition(enrolled, "cancel", actor=enrolled.beneficiary, reason="Malade")

    first.refresh_from_db()
    later.refresh_from_db()
    assert (first.state, later.state) == (S.ENROLLED, S.WAITLISTED)
    assert _session_status(people) == SessionStatus.FULL
    promoted = "Une place s'est libérée : l'inscription est confirmée"
    for person in (people.beneficiary, people.employer_manager, people.provider_manager):
        assert promoted in Notification.objects.filter(user=person).values_list("title", flat=True)


@pytest.mark.django_db
def test_a_freed_place_without_waiting_list_reopens_the_session_before_its_deadline():
    people = cast(capacity=1)
    enrolled = EnrollmentFactory(session=people.session, enrolled=True)
    people.session.status = SessionStatus.FULL
    people.session.save()

    enrollment_transition(enrolled, "cancel", actor=enrolled.beneficiary, reason="Malade")

    assert _session_status(people) == SessionStatus.OPEN


@pytest.mark.django_db
def test_a_freed_place_after_the_deadline_leaves_the_session_full():
    people = cast(capacity=1)
    people.session.registration_deadline = timezone.localdate() - datetime.timedelta(days=1)
    people.session.status = SessionStatus.FULL
    people.session.save()
    enrolled = EnrollmentFactory(session=people.session, enrolled=True)

    enrollment_transition(enrolled, "cancel", actor=enrolled.beneficiary, reason="Malade")

    assert _session_status(people) == SessionStatus.FULL


@pytest.mark.django_db
def test_more_places_enroll_the_waiting_list_in_order(django_capture_on_commit_callbacks):
    people = cast(capacity=1)
    EnrollmentFactory(session=people.session, enrolled=True)
    now = timezone.now()
    waiting = [
        EnrollmentFactory(session=people.session, waitlisted=True, waitlisted_at=now + datetime.timedelta(minutes=i))
        for i in range(3)
    ]
    people.session.status = SessionStatus.FULL
    people.session.save()

    data = {
        field: getattr(people.session, field) for field in ("starts_on", "ends_on", "place", "registration_deadline")
    }
    with django_capture_on_commit_callbacks(execute=True):
        session_update(session=people.session, actor=people.provider_manager, data={**data, "capacity": 3})

    states = [Enrollment.objects.get(pk=e.pk).state for e in waiting]
    assert states == [S.ENROLLED, S.ENROLLED, S.WAITLISTED]
    assert _session_status(people) == SessionStatus.FULL


@pytest.mark.django_db
def test_a_cancelled_session_cancels_its_open_requests_and_tells_everyone(django_capture_on_commit_callbacks):
    people = cast()
    mine = EnrollmentFactory(session=people.session, employer=people.employer, beneficiary=people.beneficiary)
    enrolled = EnrollmentFactory(session=people.session, enrolled=True)
    refused = EnrollmentFactory(session=people.session, refused_provider=True)
    people.session.trainers.clear()  # the catalog tells them itself

    with django_capture_on_commit_callbacks(execute=True):
        session_cancel(session=people.session, actor=people.provider_referent, reason="Formateur indisponible")

    states = {e.pk: Enrollment.objects.get(pk=e.pk).state for e in (mine, enrolled, refused)}
    assert states == {mine.pk: S.CANCELLED, enrolled.pk: S.CANCELLED, refused.pk: S.REFUSED_BY_PROVIDER}
    mine.refresh_from_db()
    assert mine.last_reason == "Formateur indisponible"
    for person in (people.beneficiary, people.employer_referent, people.provider_manager):
        assert "La session est annulée" in Notification.objects.filter(user=person).values_list("title", flat=True)
    # Who cancelled it is not told about it.
    assert not Notification.objects.filter(user=people.provider_referent, title="La session est annulée").exists()


def _counted(people) -> int:
    people.session.refresh_from_db()
    assert people.session.enrolled_count == Enrollment.objects.filter(session=people.session, state=S.ENROLLED).count()
    return people.session.enrolled_count


@pytest.mark.django_db
def test_the_enrolled_count_follows_every_way_in_and_out_of_enrolled():
    people = cast(capacity=2)
    first, second, waiting = _pending(people), _pending(people), _pending(people)
    mine = EnrollmentFactory(session=people.session, employer=people.employer, beneficiary=people.beneficiary)

    enrollment_transition(first, "provider_validate", actor=people.provider_manager)
    assert _counted(people) == 1
    enrollment_transition(second, "provider_validate", actor=people.provider_manager)
    assert _counted(people) == 2
    enrollment_transition(waiting, "provider_waitlist", actor=people.provider_manager)
    enrollment_transition(mine, "cancel", actor=people.beneficiary, reason="Autre date")  # never enrolled
    assert _counted(people) == 2
    enrollment_transition(first, "cancel", actor=people.provider_manager, reason="Absent")  # waiting moves up
    waiting.refresh_from_db()
    assert waiting.state == S.ENROLLED
    assert _counted(people) == 2
    enrollment_transition(second, "cancel", actor=people.provider_manager, reason="Absent")
    assert _counted(people) == 1
    assert _session_status(people) == SessionStatus.OPEN
    session_cancel(session=people.session, actor=people.provider_referent, reason="Formateur indisponible")
    assert _counted(people) == 0


@pytest.mark.django_db
def test_an_automatic_enrollment_is_counted():
    people = cast(capacity=1, employer_approval=False, provider_validation=False)
    request = _pending(people)

    enrollment_transition(request, "auto_enroll")

    assert _counted(people) == 1
    assert _session_status(people) == SessionStatus.FULL


@pytest.mark.django_db
def test_capacity_checks_read_the_counter_not_the_rows():
    people = cast(capacity=3)
    request = _pending(people)
    Session = type(people.session)
    Session.objects.filter(pk=people.session.pk).update(enrolled_count=3)  # the counter alone says full

    with pytest.raises(TransitionRefused, match="La session est complète"):
        enrollment_transition(request, "provider_validate", actor=people.provider_manager)


@pytest.mark.django_db
def test_the_migration_fills_the_counter_from_the_enrolled_requests():
    people = cast(capacity=5)
    EnrollmentFactory(session=people.session, enrolled=True)
    EnrollmentFactory(session=people.session, enrolled=True)
    EnrollmentFactory(session=people.session, cancelled=True)
    type(people.session).objects.update(enrolled_count=0)
    fill = importlib.import_module("parcours.enrollments.migrations.0002_session_enrolled_count_fill").FILL

    with connection.cursor() as cursor:
        cursor.execute(fill)

    assert _counted(people) == 2


# The race: two providers' clicks validate the last place at the same moment (PostgreSQL: real row locks).

postgresql_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks are PostgreSQL's")


def _race(people, monkeypatch):
    """Two threads validate two requests when one place is left; return the outcomes."""
    EnrollmentFactory(session=people.session, enrolled=True)
    requests = [_pending(people), _pending(people)]
    count = workflows.enrolled_count

    def slow_count(session_id):
        # Widen the gap between counting and writing, so both threads are in it at once unless locked.
        value = count(session_id)
        time.sleep(0.3)
        return value

    monkeypatch.setattr(workflows, "enrolled_count", slow_count)
    barrier = threading.Barrier(2, timeout=10)
    outcomes: list = [None, None]

    def validate(index):
        try:
            barrier.wait()
            enrollment_transition(requests[index], "provider_validate", actor=people.provider_manager)
            outcomes[index] = "enrolled"
        except TransitionRefused as error:
            outcomes[index] = str(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=validate, args=(index,)) for index in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_two_validations_of_the_last_place_never_both_succeed(monkeypatch):
    people = cast(capacity=2)

    outcomes = _race(people, monkeypatch)

    assert sorted(outcomes, key=str) == sorted(["enrolled", FULL_MESSAGE], key=str)
    assert Enrollment.objects.filter(session=people.session, state=S.ENROLLED).count() == 2
    assert _session_status(people) == SessionStatus.FULL
    assert people.session.enrolled_count == 2


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_without_the_session_lock_the_same_race_overbooks(monkeypatch):
    people = cast(capacity=2)
    monkeypatch.setattr(workflows, "session_lock", lambda enrollment: [])

    outcomes = _race(people, monkeypatch)

    assert outcomes == ["enrolled", "enrolled"]
    assert Enrollment.objects.filter(session=people.session, state=S.ENROLLED).count() == 3  # for 2 places
