"""The employer's yearly recap (issue 8): per year, each employee's trainings, hours and status, as a page, a PDF
and an XLSX file, for the employer's référents and managers.

The rows: every enrollment whose employer is the organisation and whose session starts in the year, whatever its
state. Status: the enrollment's state, except that an enrolled trainee whose session has ended reads "Formation
suivie". Hours planned: the session's timetable, for enrolled trainees only (the others hold no place). Hours
attended: their "present" half-days (hours.py), whatever the state (someone cancelled midway did attend those).

The page is paginated by employee; the totals of the year and the files cover every row. Each read costs a fixed
number of queries; the hours are summed in Python as hours.py does.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import F, QuerySet, Value
from django.db.models.functions import Coalesce, ExtractYear, NullIf
from django.utils import timezone
from django.utils.text import slugify
from openpyxl import Workbook

from parcours.accounts.models import User
from parcours.documents.pdf import pdf_render
from parcours.enrollments.enums import EnrollmentState
from parcours.enrollments.hours import (
    TimeTotals,
    attended_minutes_by_enrollment,
    hours_from_minutes,
    hours_label,
    planned_minutes_by_session,
)
from parcours.enrollments.models import Enrollment
from parcours.enrollments.reports import ended_from, with_session_end
from parcours.utils import spreadsheets
from parcours.utils.spreadsheets import xlsx_append, xlsx_bytes, xlsx_sheet, xlsx_widths

EMPLOYEES_PER_PAGE = 20
FOLLOWED = "Formation suivie"
PDF_TEMPLATE = "documents/recap.html"
PDF_CONTENT_TYPE = "application/pdf"
XLSX_CONTENT_TYPE = spreadsheets.XLSX_CONTENT_TYPE
# The years offered: from this one (a typed URL cannot ask for the year 1).
FIRST_YEAR = 2000
COLUMNS = (
    "Salarié",
    "Formation",
    "Organisme de formation",
    "Programme",
    "Début de la session",
    "Fin de la session",
    "Statut",
    "Heures prévues",
    "Heures suivies",
)
EMPLOYEE_COLUMNS = ("Salarié", "Formations", "Heures prévues", "Heures suivies")


@dataclass
class RecapRow:
    enrollment: Enrollment
    status_label: str
    # None: not enrolled, no place held (shown as "—").
    planned_minutes: int | None
    attended_minutes: int

    @property
    def planned_hours(self) -> Decimal | None:
        return hours_from_minutes(self.planned_minutes) if self.planned_minutes is not None else None

    @property
    def attended_hours(self) -> Decimal:
        return hours_from_minutes(self.attended_minutes)

    @property
    def planned_label(self) -> str:
        return hours_label(self.planned_hours) if self.planned_minutes is not None else "—"

    @property
    def attended_label(self) -> str:
        return hours_label(self.attended_hours)


@dataclass
class Totals(TimeTotals):
    enrollments: int = 0
    planned_minutes: int = 0
    attended_minutes: int = 0

    def add(self, row: RecapRow) -> None:
        self.enrollments += 1
        self.planned_minutes += row.planned_minutes or 0
        self.attended_minutes += row.attended_minutes

    @property
    def planned_label(self) -> str:
        return hours_label(self.planned_hours)

    @property
    def attended_label(self) -> str:
        return hours_label(self.attended_hours)


@dataclass
class EmployeeRecap:
    employee: User
    rows: list[RecapRow] = field(default_factory=list)
    totals: Totals = field(default_factory=Totals)

    @property
    def name(self) -> str:
        return employee_name(self.employee)


@dataclass
class YearTotals(Totals):
    employees: int = 0


def employee_name(user: User) -> str:
    """Name first: the lists sort by it ("DUPONT Marie" reads badly; "Dupont Marie" sorts well)."""
    last = user.usage_name or user.last_name
    return f"{last} {user.first_name}".strip() or user.email


def _year_bounds(year: int) -> tuple[datetime.date, datetime.date]:
    return datetime.date(year, 1, 1), datetime.date(year, 12, 31)


def _enrollments(employer, year: int) -> QuerySet[Enrollment]:
    start, end = _year_bounds(year)
    return Enrollment.objects.filter(employer=employer, session__starts_on__range=(start, end))


def recap_years(employer, *, today: datetime.date | None = None) -> list[int]:
    """The years with enrollments of the employer's employees, and the current one; the latest first."""
    today = today or timezone.localdate()
    years = set(
        Enrollment.objects.filter(employer=employer)
        .annotate(year=ExtractYear("session__starts_on"))
        .values_list("year", flat=True)
        .distinct()
        .order_by()
    )
    return sorted({*years, today.year}, reverse=True)


def _name_order():
    return (
        Coalesce(NullIf(F("usage_name"), Value("")), F("last_name")),
        "first_name",
        "pk",
    )


def recap_employees(employer, year: int) -> QuerySet[User]:
    """The employees with at least one enrollment in the year, by name (the page's unit)."""
    return User.objects.filter(pk__in=_enrollments(employer, year).values("beneficiary_id")).order_by(*_name_order())


def _rows(enrollments: list, *, now: datetime.datetime) -> list[RecapRow]:
    """The rows of these (annotated) enrollments: two queries for the hours."""
    enrolled_sessions = {e.session_id for e in enrollments if e.state == EnrollmentState.ENROLLED}
    planned = planned_minutes_by_session(enrolled_sessions) if enrolled_sessions else {}
    attended = attended_minutes_by_enrollment([e.pk for e in enrollments]) if enrollments else {}
    rows = []
    for enrollment in enrollments:
        enrolled = enrollment.state == EnrollmentState.ENROLLED
        label = enrollment.get_state_display()
        if enrolled and ended_from(
            enrollment.last_slot_date, enrollment.last_slot_ends_at, enrollment.session.ends_on, now
        ):
            label = FOLLOWED
        rows.append(
            RecapRow(
                enrollment=enrollment,
                status_label=label,
                planned_minutes=planned.get(enrollment.session_id, 0) if enrolled else None,
                attended_minutes=attended.get(enrollment.pk, 0),
            )
        )
    return rows


def _rows_query(employer, year: int) -> QuerySet[Enrollment]:
    return with_session_end(
        _enrollments(employer, year)
        .select_related("beneficiary", "session__action", "provider", "programme")
        .order_by("beneficiary_id", "session__starts_on", "pk"),
        session_ref="session_id",
    )


def _group(employees: Iterable[User], rows: list[RecapRow]) -> list[EmployeeRecap]:
    recaps = {employee.pk: EmployeeRecap(employee=employee) for employee in employees}
    for row in rows:
        recap = recaps.get(row.enrollment.beneficiary_id)
        if recap is None:  # pragma: no cover - the rows are those of these employees
            continue
        recap.rows.append(row)
        recap.totals.add(row)
    return list(recaps.values())


def recap_for_employees(employer, year: int, employees: list[User], *, now=None) -> list[EmployeeRecap]:
    """Each of these employees (a page) with their rows of the year and their totals (three queries)."""
    enrollments = list(_rows_query(employer, year).filter(beneficiary__in=[e.pk for e in employees]))
    return _group(employees, _rows(enrollments, now=now or timezone.now()))


def recap_totals(employer, year: int) -> YearTotals:
    """The year's totals over every row (three queries)."""
    enrollments = list(_enrollments(employer, year).values_list("pk", "session_id", "state", "beneficiary_id"))
    enrolled_sessions = {session_id for _, session_id, state, _ in enrollments if state == EnrollmentState.ENROLLED}
    planned = planned_minutes_by_session(enrolled_sessions) if enrolled_sessions else {}
    attended = attended_minutes_by_enrollment([pk for pk, *_ in enrollments]) if enrollments else {}
    totals = YearTotals(employees=len({beneficiary for *_, beneficiary in enrollments}))
    for pk, session_id, state, _ in enrollments:
        totals.enrollments += 1
        if state == EnrollmentState.ENROLLED:
            totals.planned_minutes += planned.get(session_id, 0)
        totals.attended_minutes += attended.get(pk, 0)
    return totals


def recap_all(employer, year: int, *, now=None) -> tuple[list[EmployeeRecap], YearTotals]:
    """Every employee's rows and the year's totals, for the files (four queries)."""
    employees = list(recap_employees(employer, year))
    recaps = recap_for_employees(employer, year, employees, now=now)
    totals = YearTotals(employees=len(recaps))
    for recap in recaps:
        totals.enrollments += recap.totals.enrollments
        totals.planned_minutes += recap.totals.planned_minutes
        totals.attended_minutes += recap.totals.attended_minutes
    return recaps, totals


# Files -----------------------------------------------------------------------------------------------------------


def recap_filename(employer, year: int, extension: str) -> str:
    name = slugify(employer.name)[:60] or "employeur"
    return f"recapitulatif-formations-{name}-{year}.{extension}"


def recap_title(employer, year: int) -> str:
    return f"Récapitulatif des formations {year} — {employer.name}"


def recap_pdf(employer, year: int, recaps: list[EmployeeRecap], totals: YearTotals) -> bytes:
    """A4 landscape: the employer, the year, the date of edition, each employee's rows and totals."""
    return pdf_render(
        PDF_TEMPLATE,
        {
            "employer": employer,
            "year": year,
            "edited_on": timezone.localdate(),
            "recaps": recaps,
            "totals": totals,
            "followed_label": FOLLOWED,
        },
    )


def _row_values(recap: EmployeeRecap, row: RecapRow) -> list:
    enrollment = row.enrollment
    session = enrollment.session
    return [
        recap.name,
        session.action.title,
        enrollment.provider.name,
        enrollment.programme.name,
        session.starts_on,
        session.ends_on,
        row.status_label,
        row.planned_hours,
        row.attended_hours,
    ]


def recap_xlsx(employer, year: int, recaps: list[EmployeeRecap], totals: YearTotals) -> bytes:
    """Two sheets: one row per training (then the year's total), and one row per employee (then the total)."""
    workbook = Workbook()
    edited = f"{recap_title(employer, year)} — édité le {timezone.localdate():%d/%m/%Y}"
    rows_sheet = xlsx_sheet(workbook, f"Formations {year}", edited, COLUMNS, first=True)
    widths = [len(column) for column in COLUMNS]
    for recap in recaps:
        for row in recap.rows:
            xlsx_append(rows_sheet, _row_values(recap, row), widths)
    xlsx_append(
        rows_sheet,
        ["Total de l'année", None, None, None, None, None, None, totals.planned_hours, totals.attended_hours],
        widths,
        bold=True,
    )
    xlsx_widths(rows_sheet, widths)

    people_sheet = xlsx_sheet(workbook, "Par salarié", edited, EMPLOYEE_COLUMNS)
    widths = [len(column) for column in EMPLOYEE_COLUMNS]
    for recap in recaps:
        xlsx_append(
            people_sheet,
            [recap.name, recap.totals.enrollments, recap.totals.planned_hours, recap.totals.attended_hours],
            widths,
        )
    xlsx_append(
        people_sheet,
        ["Total de l'année", totals.enrollments, totals.planned_hours, totals.attended_hours],
        widths,
        bold=True,
    )
    xlsx_widths(people_sheet, widths)
    return xlsx_bytes(workbook)
