"""Factories and helpers of the bilan de l'action and the employer's recap: a report in each state (rows written as
they are, without transitions), a session moved into the past, and attendance marked half-day by half-day."""

import datetime
from decimal import Decimal

import factory
from django.utils import timezone

from parcours.catalog.enums import HalfDay
from parcours.catalog.models import Session, Slot
from parcours.enrollments.enums import AttendanceStatus, SessionReportStatus
from parcours.enrollments.models import AttendanceRecord, AttendanceSheet, SessionReport
from tests.catalog.factories import SessionFactory, SlotFactory, TrainingActionFactory
from tests.enrollments.factories import EnrollmentFactory, cast
from tests.organisations.factories import EmployerFactory, ProviderFactory, member

P, A, E, U = AttendanceStatus.PRESENT, AttendanceStatus.ABSENT, AttendanceStatus.EXCUSED, AttendanceStatus.UNKNOWN


class SessionReportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SessionReport

    class Params:
        submitted = factory.Trait(
            status=SessionReportStatus.SUBMITTED,
            submitted_at=factory.LazyFunction(timezone.now),
            trainees_count=2,
            planned_hours=Decimal("14.00"),
            attended_hours=Decimal("10.50"),
            attendance_rate=Decimal("75.0"),
        )
        changes_requested = factory.Trait(
            status=SessionReportStatus.CHANGES_REQUESTED,
            submitted_at=factory.LazyFunction(timezone.now),
            operator_comment="Précisez les résultats des évaluations.",
        )
        accepted = factory.Trait(
            status=SessionReportStatus.ACCEPTED,
            submitted_at=factory.LazyFunction(timezone.now),
            decided_at=factory.LazyFunction(timezone.now),
        )

    session = factory.SubFactory(SessionFactory)
    programme = factory.LazyAttribute(lambda o: o.session.action.programmes.order_by("pk").first())
    provider = factory.LazyAttribute(lambda o: o.session.action.provider)
    status = SessionReportStatus.DRAFT
    results = "Tous les stagiaires ont atteint les objectifs principaux."
    comments = "Groupe motivé."
    difficulties = ""


def add_third_slot(session: Session) -> Slot:
    """A short half-day on the session's second day: 14:00–15:45 (1.75 h); the timetable becomes 8.75 h."""
    return SlotFactory(
        session=session,
        date=session.starts_on + datetime.timedelta(days=1),
        half_day=HalfDay.AFTERNOON,
        starts_at=datetime.time(14, 0),
        ends_at=datetime.time(15, 45),
    )


def move_session(session: Session, *, start: datetime.date) -> Session:
    """The session and its half-days moved so that it starts on `start` (same length, same timetable)."""
    delta = start - session.starts_on
    Session.objects.filter(pk=session.pk).update(
        starts_on=start, ends_on=session.ends_on + delta, registration_deadline=start
    )
    # From the last half-day backwards when moving later, so that two slots never share a date meanwhile.
    slots = list(session.slots.order_by("date", "starts_at"))
    for slot in reversed(slots) if delta.days > 0 else slots:
        Slot.objects.filter(pk=slot.pk).update(date=slot.date + delta)
    session.refresh_from_db()
    return session


def end_session(session: Session, *, days_ago: int = 5) -> Session:
    """The session moved so that it started `days_ago` days ago (ended, with the factory's one-day slots)."""
    return move_session(session, start=timezone.localdate() - datetime.timedelta(days=days_ago))


def attend(enrollment, statuses, *, close: bool = True) -> None:
    """Mark the enrollment on each half-day of its session, in order; None leaves no record on that sheet."""
    for slot, status in zip(enrollment.session.slots.order_by("date", "starts_at"), statuses, strict=True):
        sheet, _ = AttendanceSheet.objects.get_or_create(slot=slot)
        if close and sheet.closed_at is None:
            sheet.closed_at = timezone.now()
            sheet.save(update_fields=["closed_at"])
        if status is not None:
            AttendanceRecord.objects.update_or_create(sheet=sheet, enrollment=enrollment, defaults={"status": status})


# The employer's recap: known data, read with the clock at RECAP_NOW (March's session ended, September's not).
RECAP_NOW = datetime.datetime(2026, 6, 15, 10, 0)


def recap_world():
    """An employer with three employees in 2026 and one enrollment in 2025; another employer beside it.

    Léa Petit: March (8.75 h planned, present 3.5 h: "Formation suivie") and September (7 h planned, to come).
    Bernard Adam: March (present 8.75 h) and a cancelled one (present 3.5 h before cancelling, nothing planned).
    Zoé Martin: September, waiting for the employer's accord (nothing planned).
    Year 2026: 5 trainings, 24.5 h planned, 15.75 h attended.
    """
    people = cast()
    employer = people.employer
    march = move_session(people.session, start=datetime.date(2026, 3, 10))
    add_third_slot(march)
    other_action = TrainingActionFactory(
        provider=ProviderFactory(name="Institut Pasteur Formation"),
        programmes=[people.programme],
        title="Hygiène alimentaire",
    )
    september = SessionFactory(action=other_action, starts_on=datetime.date(2026, 9, 14))
    cancelled_session = SessionFactory(action=other_action, starts_on=datetime.date(2026, 5, 4))
    last_year = SessionFactory(action=people.action, starts_on=datetime.date(2025, 11, 3))

    lea = people.beneficiary
    bernard = member(employer, "employee", first_name="Bernard", last_name="Adam").user
    zoe = member(employer, "employee", first_name="Zoé", last_name="Dupuis", usage_name="Martin").user

    def enroll(session, person, state, **kwargs):
        return EnrollmentFactory(session=session, beneficiary=person, employer=employer, state=state, **kwargs)

    lea_march = enroll(march, lea, "enrolled")
    attend(lea_march, (P, A, E))
    lea_september = enroll(september, lea, "enrolled")
    enroll(last_year, lea, "enrolled")
    bernard_march = enroll(march, bernard, "enrolled")
    attend(bernard_march, (P, P, P))
    bernard_cancelled = enroll(cancelled_session, bernard, "cancelled")
    attend(bernard_cancelled, (P, None))
    zoe_pending = enroll(september, zoe, "pending_employer")

    # Another employer's employee in the same session, and Léa through another employer: never in this recap.
    other_employer = EmployerFactory(name="Garage Leroy")
    attend(EnrollmentFactory(session=march, employer=other_employer, enrolled=True), (P, P, P))
    EnrollmentFactory(session=cancelled_session, beneficiary=lea, employer=other_employer, pending_provider=True)

    people.other_employer = other_employer
    people.bernard, people.zoe = bernard, zoe
    people.march, people.september = march, september
    people.rows = {
        "lea_march": lea_march,
        "lea_september": lea_september,
        "bernard_march": bernard_march,
        "bernard_cancelled": bernard_cancelled,
        "zoe_pending": zoe_pending,
    }
    return people
