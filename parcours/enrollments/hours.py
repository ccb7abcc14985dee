"""Hours done by a trainee, from the attendance (émargement): the certificat de réalisation states them.

A half-day counts when the trainee's record on its sheet says "present"; absent, excused or not filled in
count nothing. Computed in minutes from the slots' times (what Slot.hours gives), exact as a Decimal.
"""

from collections import defaultdict
from decimal import Decimal

from parcours.catalog.models import Slot
from parcours.enrollments.enums import AttendanceStatus
from parcours.enrollments.models import AttendanceRecord, Enrollment

_CENT = Decimal("0.01")


def _minutes(starts_at, ends_at) -> int:
    return (ends_at.hour * 60 + ends_at.minute) - (starts_at.hour * 60 + starts_at.minute)


def _hours(minutes: int) -> Decimal:
    return (Decimal(minutes) / Decimal(60)).quantize(_CENT)


def _present_slots(enrollment_ids, session_id):
    return AttendanceRecord.objects.filter(
        enrollment_id__in=enrollment_ids,
        status=AttendanceStatus.PRESENT,
        sheet__slot__session_id=session_id,
    ).values_list("enrollment_id", "sheet__slot__starts_at", "sheet__slot__ends_at")


def hours_done(enrollment: Enrollment) -> Decimal:
    """The hours of the session's half-days where the trainee was present (one query)."""
    minutes = sum(_minutes(start, end) for _, start, end in _present_slots([enrollment.pk], enrollment.session_id))
    return _hours(minutes)


def hours_done_by_enrollment(session_id, enrollment_ids) -> dict[int, Decimal]:
    """The same for several trainees of one session, by enrollment pk, in one query (lists)."""
    minutes: dict[int, int] = defaultdict(int)
    for enrollment_id, start, end in _present_slots(list(enrollment_ids), session_id):
        minutes[enrollment_id] += _minutes(start, end)
    return {enrollment_id: _hours(minutes.get(enrollment_id, 0)) for enrollment_id in enrollment_ids}


def hours_label(hours: Decimal) -> str:
    """French writing of hours: "14", "3,5", "10,25"."""
    text = format(hours.normalize(), "f") if hours else "0"
    return text.replace(".", ",")


# Across sessions (the bilan, the employer's yearly recap, the operators' statistics): one query each, and the
# same rule as above, so that every page states the same hours.

_TENTH = Decimal("0.1")


def hours_from_minutes(minutes: int) -> Decimal:
    return _hours(minutes)


def planned_minutes_by_session(session_ids) -> dict[int, int]:
    """The minutes of each session's half-days (its timetable), by session pk."""
    minutes: dict[int, int] = defaultdict(int)
    rows = Slot.objects.filter(session_id__in=list(session_ids)).values_list("session_id", "starts_at", "ends_at")
    for session_id, start, end in rows:
        minutes[session_id] += _minutes(start, end)
    return dict(minutes)


def attended_minutes_by_enrollment(enrollment_ids) -> dict[int, int]:
    """The minutes each trainee was present (any session), by enrollment pk; absent from the dict means 0."""
    minutes: dict[int, int] = defaultdict(int)
    rows = AttendanceRecord.objects.filter(
        enrollment_id__in=list(enrollment_ids), status=AttendanceStatus.PRESENT
    ).values_list("enrollment_id", "sheet__slot__starts_at", "sheet__slot__ends_at")
    for enrollment_id, start, end in rows:
        minutes[enrollment_id] += _minutes(start, end)
    return dict(minutes)


def attendance_rate(attended_minutes: int, planned_minutes: int) -> Decimal | None:
    """The share of the planned time attended, as a percentage with one decimal; None when nothing was planned."""
    if not planned_minutes:
        return None
    return (Decimal(100) * Decimal(attended_minutes) / Decimal(planned_minutes)).quantize(_TENTH)


class TimeTotals:
    """For a dataclass with `planned_minutes` and `attended_minutes`: the hours and the rate, by the rules above."""

    @property
    def planned_hours(self) -> Decimal:
        return hours_from_minutes(self.planned_minutes)

    @property
    def attended_hours(self) -> Decimal:
        return hours_from_minutes(self.attended_minutes)

    @property
    def attendance_rate(self) -> Decimal | None:
        return attendance_rate(self.attended_minutes, self.planned_minutes)
