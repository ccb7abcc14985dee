"""Hours done from the attendance: only "present" half-days count, each for its own duration."""

import datetime
from decimal import Decimal

import pytest

from parcours.catalog.enums import HalfDay
from parcours.enrollments.enums import AttendanceStatus
from parcours.enrollments.hours import hours_done, hours_done_by_enrollment, hours_label
from parcours.enrollments.models import AttendanceRecord, AttendanceSheet
from tests.catalog.factories import SessionFactory, SlotFactory
from tests.enrollments.factories import EnrollmentFactory

pytestmark = pytest.mark.django_db

P, A, E, U = AttendanceStatus.PRESENT, AttendanceStatus.ABSENT, AttendanceStatus.EXCUSED, AttendanceStatus.UNKNOWN


@pytest.fixture
def session():
    """Three half-days: 3.5 h (9:00–12:30), 3.5 h (13:30–17:00) and 1.75 h (14:00–15:45)."""
    session = SessionFactory()
    SlotFactory(
        session=session,
        date=session.ends_on,
        half_day=HalfDay.AFTERNOON,
        starts_at=datetime.time(14, 0),
        ends_at=datetime.time(15, 45),
    )
    return session


def _mark(enrollment, statuses):
    for slot, status in zip(enrollment.session.slots.order_by("date", "starts_at"), statuses, strict=True):
        if status is None:
            continue  # no record at all on that sheet
        sheet, _ = AttendanceSheet.objects.get_or_create(slot=slot)
        AttendanceRecord.objects.create(sheet=sheet, enrollment=enrollment, status=status)


@pytest.mark.parametrize(
    ("statuses", "expected"),
    [
        ((P, P, P), Decimal("8.75")),
        ((P, A, P), Decimal("5.25")),
        ((A, P, E), Decimal("3.50")),
        ((E, E, P), Decimal("1.75")),
        ((U, P, None), Decimal("3.50")),
        ((A, A, A), Decimal("0")),
        ((None, None, None), Decimal("0")),
    ],
)
def test_hours_done_count_the_present_half_days_only(session, statuses, expected):
    enrollment = EnrollmentFactory(session=session, enrolled=True)
    _mark(enrollment, statuses)

    assert hours_done(enrollment) == expected
    assert hours_done_by_enrollment(session.pk, [enrollment.pk]) == {enrollment.pk: expected}


def test_the_others_and_other_sessions_do_not_count(session):
    enrollment = EnrollmentFactory(session=session, enrolled=True)
    neighbour = EnrollmentFactory(session=session, enrolled=True)
    _mark(enrollment, (P, A, A))
    _mark(neighbour, (P, P, P))
    # The same person present in another session (another enrollment row): not these hours.
    elsewhere = EnrollmentFactory(beneficiary=enrollment.beneficiary, enrolled=True)
    _mark(elsewhere, (P, P))

    assert hours_done(enrollment) == Decimal("3.50")
    assert hours_done_by_enrollment(session.pk, [enrollment.pk, neighbour.pk]) == {
        enrollment.pk: Decimal("3.50"),
        neighbour.pk: Decimal("8.75"),
    }


def test_hours_for_a_page_take_one_query(session, django_assert_num_queries):
    enrollments = [EnrollmentFactory(session=session, enrolled=True) for _ in range(4)]
    for enrollment in enrollments:
        _mark(enrollment, (P, P, A))

    with django_assert_num_queries(1):
        hours = hours_done_by_enrollment(session.pk, [e.pk for e in enrollments])

    assert set(hours.values()) == {Decimal("7.00")}


@pytest.mark.parametrize(
    ("hours", "label"),
    [
        (Decimal("14.00"), "14"),
        (Decimal("3.50"), "3,5"),
        (Decimal("8.75"), "8,75"),
        (Decimal("0"), "0"),
        (Decimal("100.0"), "100"),
    ],
)
def test_hours_are_written_the_french_way(hours, label):
    assert hours_label(hours) == label
