"""The operators' statistics per programme and period (issue 8): requests, decisions, enrollments, hours,
attendance and satisfaction, and the same figures as CSV and XLSX files.

Every figure is aggregated by the database (counts grouped by month or by action, sums of slot minutes), so
computing them costs the same few queries for ten requests or a million. Nothing is ever per person: only
the surveys that reached `PARCOURS_SURVEY_MIN_ANSWERS` responses themselves count in the satisfaction, as on
the results pages (a total over several small surveys could be differenced down to one person's answers),
and below that many responses counted nothing is even computed into the result (docs/decisions/0016).

What counts where:
- requests: enrollments created in the period (the day in Paris time);
- decisions and enrollments: the enrollment workflow's transition log, by the day the transition happened;
- hours and attendance: the trainees still enrolled in sessions that ended in the period, with the rule of
  enrollments.hours (a half-day counts when the trainee's record says "present");
- satisfaction: every 1–5 answer of the surveys of the programmes' sessions that ended in the period and that
  reached the threshold each; the smaller ones are left out, whatever their number.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import ExtractHour, ExtractMinute, TruncMonth
from django.utils import timezone
from django.utils.text import slugify
from openpyxl import Workbook
from openpyxl.styles import Font

from parcours.catalog.models import Programme
from parcours.enrollments.enums import SCALE_MAX, SCALE_MIN, AttendanceStatus, EnrollmentState
from parcours.enrollments.hours import TimeTotals, hours_label
from parcours.enrollments.models import AttendanceRecord, Enrollment, SurveyAnswer
from parcours.organisations.permissions import operator_memberships
from parcours.utils.spreadsheets import csv_bytes, csv_cell, xlsx_bytes
from parcours.utils.svg_charts import number_label
from parcours.workflows.models import TransitionLog

ENROLLMENT_TYPE = Enrollment._meta.label_lower
# The decisions shown, in the workflow's order, with their names (actions of enrollments.workflows).
DECISION_KINDS: dict[str, str] = {
    "employer_approve": "Accord de l'employeur",
    "employer_refuse": "Refus de l'employeur",
    "provider_validate": "Validation par l'organisme",
    "provider_refuse": "Refus de l'organisme",
    "provider_waitlist": "Mise sur liste d'attente",
    "cancel": "Annulation de la demande",
    "session_cancelled": "Annulation de la session",
}
MAX_YEARS = 5
ALL_PROGRAMMES = "Tous les programmes"
MONTHS = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)
SHORT_MONTHS = ("janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc.")
_TENTH = Decimal("0.1")


def month_label(month: datetime.date, *, short: bool = False) -> str:
    return f"{(SHORT_MONTHS if short else MONTHS)[month.month - 1]} {month.year}"


def counted_rule_label() -> str:
    return f"seuls comptent les questionnaires d'au moins {settings.PARCOURS_SURVEY_MIN_ANSWERS} réponses"


def not_shown_label() -> str:
    # Not "fewer than 5 responses": two surveys of 3 make 6 responses and still show nothing.
    return (
        f"Non communiqué : moins de {settings.PARCOURS_SURVEY_MIN_ANSWERS} réponses comptées ({counted_rule_label()})"
    )


@dataclass(frozen=True)
class Period:
    """Whole days, both included, in Paris time."""

    start: datetime.date
    end: datetime.date

    @classmethod
    def default(cls, today: datetime.date | None = None) -> "Period":
        """From the 1st of January of this year to today."""
        today = today or timezone.localdate()
        return cls(today.replace(month=1, day=1), today)

    @property
    def label(self) -> str:
        return f"du {self.start:%d/%m/%Y} au {self.end:%d/%m/%Y}"

    def datetimes(self) -> tuple[datetime.datetime, datetime.datetime]:
        """The first instant of the period and the first one after it (an index-friendly range)."""
        start = timezone.make_aware(datetime.datetime.combine(self.start, datetime.time.min))
        after = timezone.make_aware(
            datetime.datetime.combine(self.end + datetime.timedelta(days=1), datetime.time.min)
        )
        return start, after

    def months(self) -> list[datetime.date]:
        """The first day of every month the period touches, in order."""
        months, month = [], self.start.replace(day=1)
        while month <= self.end:
            months.append(month)
            month = (month + datetime.timedelta(days=32)).replace(day=1)
        return months


@dataclass(frozen=True)
class Satisfaction:
    """The 1–5 answers of the period's surveys that reached the threshold each (the others are not counted at
    all); `responses` is how many of their responses gave a score, and `average` and `distribution` exist
    only when that makes the threshold too."""

    responses: int
    threshold: int
    average: Decimal | None = None
    distribution: dict[int, int] = field(default_factory=dict)

    @property
    def shown(self) -> bool:
        return self.responses >= self.threshold and self.responses > 0


@dataclass(frozen=True)
class Statistics(TimeTotals):
    period: Period
    requests_by_month: list[tuple[datetime.date, int]]
    decisions: list[tuple[str, str, int]]  # (action, label, count), every kind, in DECISION_KINDS' order
    enrolled: int
    trainees: int  # still enrolled in a session that ended in the period: the hours' basis
    planned_minutes: int
    attended_minutes: int
    satisfaction: Satisfaction

    @property
    def requests(self) -> int:
        return sum(count for _, count in self.requests_by_month)

    @property
    def decisions_total(self) -> int:
        return sum(count for _, _, count in self.decisions)


# --- Selectors ----------------------------------------------------------------------------------------------


def statistics_programmes(user) -> QuerySet[Programme]:
    """The programmes of every operator the person works for (référent or manager), by name."""
    operator_ids = [membership.organisation_id for membership in operator_memberships(user)]
    return Programme.objects.filter(operator_id__in=operator_ids).select_related("operator").order_by("name", "pk")


def _minutes(starts_at: str, ends_at: str):
    """A slot's length in minutes from its two TimeFields, computed by the database (SQLite and PostgreSQL)."""
    return (ExtractHour(ends_at) * 60 + ExtractMinute(ends_at)) - (
        ExtractHour(starts_at) * 60 + ExtractMinute(starts_at)
    )


def _requests_by_month(programme_ids: list[int], period: Period) -> list[tuple[datetime.date, int]]:
    start, after = period.datetimes()
    rows = (
        Enrollment.objects.filter(programme_id__in=programme_ids, created_at__gte=start, created_at__lt=after)
        .annotate(month=TruncMonth("created_at"))
        .values_list("month")
        .annotate(count=Count("pk"))
        .order_by()
    )
    counts: dict[datetime.date, int] = {}
    for month, count in rows:
        # TruncMonth works in the current time zone: the value is the month's first instant in Paris.
        day = timezone.localtime(month).date() if isinstance(month, datetime.datetime) else month
        counts[day.replace(day=1)] = counts.get(day.replace(day=1), 0) + count
    return [(month, counts.get(month, 0)) for month in period.months()]


def _transitions(programme_ids: list[int], period: Period) -> tuple[list[tuple[str, str, int]], int]:
    """The decisions by kind and the enrollments (transitions into "enrolled") of the period: one query."""
    start, after = period.datetimes()
    rows = (
        TransitionLog.objects.filter(
            object_type=ENROLLMENT_TYPE,
            object_id__in=Enrollment.objects.filter(programme_id__in=programme_ids).values("public_id"),
            occurred_at__gte=start,
            occurred_at__lt=after,
        )
        .filter(Q(action__in=DECISION_KINDS) | Q(to_state=EnrollmentState.ENROLLED))
        .values_list("action", "to_state")
        .annotate(count=Count("pk"))
        .order_by()
    )
    by_action: dict[str, int] = {}
    enrolled = 0
    for action, to_state, count in rows:
        by_action[action] = by_action.get(action, 0) + count
        if to_state == EnrollmentState.ENROLLED:
            enrolled += count
    return [(action, label, by_action.get(action, 0)) for action, label in DECISION_KINDS.items()], enrolled


def _hours(programme_ids: list[int], period: Period) -> tuple[int, int, int]:
    """Trainees, planned and attended minutes of those still enrolled in sessions that ended in the period."""
    enrolled = Enrollment.objects.filter(
        programme_id__in=programme_ids,
        state=EnrollmentState.ENROLLED,
        session__ends_on__gte=period.start,
        session__ends_on__lte=period.end,
    )
    # Each trainee is planned the whole timetable of their session: one joined row per (trainee, half-day).
    planned = enrolled.aggregate(
        trainees=Count("pk", distinct=True),
        minutes=Sum(_minutes("session__slots__starts_at", "session__slots__ends_at")),
    )
    attended = AttendanceRecord.objects.filter(enrollment__in=enrolled, status=AttendanceStatus.PRESENT).aggregate(
        minutes=Sum(_minutes("sheet__slot__starts_at", "sheet__slot__ends_at"))
    )["minutes"]
    return planned["trainees"] or 0, int(planned["minutes"] or 0), int(attended or 0)


def _satisfaction(programme_ids: list[int], period: Period) -> Satisfaction:
    threshold = settings.PARCOURS_SURVEY_MIN_ANSWERS
    scores = range(SCALE_MIN, SCALE_MAX + 1)
    figures = SurveyAnswer.objects.filter(
        response__survey__programme_id__in=programme_ids,
        response__survey__session__ends_on__gte=period.start,
        response__survey__session__ends_on__lte=period.end,
        # Only surveys that reached the threshold count, as on the results pages: a total over several small
        # surveys could be differenced (two periods, two programmes) down to one person's answers.
        response__survey__answered_count__gte=threshold,
        scale_value__gte=SCALE_MIN,
        scale_value__lte=SCALE_MAX,
    ).aggregate(
        # The responses that gave at least one score: the threshold counts those the figures come from.
        responses=Count("response", distinct=True),
        **{f"score_{score}": Count("pk", filter=Q(scale_value=score)) for score in scores},
    )
    responses = figures["responses"] or 0
    if responses < threshold or not responses:
        return Satisfaction(responses=responses, threshold=threshold)
    distribution = {score: figures[f"score_{score}"] or 0 for score in scores}
    answers = sum(distribution.values())
    total = sum(score * count for score, count in distribution.items())
    average = (Decimal(total) / Decimal(answers)).quantize(_TENTH) if answers else None
    return Satisfaction(responses=responses, threshold=threshold, average=average, distribution=distribution)


def statistics_compute(*, programmes: Iterable[Programme], period: Period) -> Statistics:
    """The figures of the programmes over the period: five queries whatever the data."""
    programme_ids = [programme.pk for programme in programmes]
    decisions, enrolled = _transitions(programme_ids, period)
    trainees, planned, attended = _hours(programme_ids, period)
    return Statistics(
        period=period,
        requests_by_month=_requests_by_month(programme_ids, period),
        decisions=decisions,
        enrolled=enrolled,
        trainees=trainees,
        planned_minutes=planned,
        attended_minutes=attended,
        satisfaction=_satisfaction(programme_ids, period),
    )


# --- The figures as tables (the page's tables and the files share them) -------------------------------------


@dataclass(frozen=True)
class FigureTable:
    slug: str
    title: str
    caption: str
    headers: tuple[str, str]
    rows: list[tuple[str, object]]


def rate_label(rate: Decimal | None) -> str:
    return f"{hours_label(rate)} %" if rate is not None else "Non calculable : aucune heure prévue"


def average_label(average: Decimal | None) -> str:
    return f"{hours_label(average)} / {SCALE_MAX}" if average is not None else "–"


def satisfaction_detail(satisfaction: Satisfaction) -> str:
    """The line under the satisfaction's key figure: what it counts, or why it is not given."""
    if satisfaction.shown:
        plural = "s" if satisfaction.responses > 1 else ""
        return f"{number_label(satisfaction.responses)} réponse{plural} comptée{plural} ({counted_rule_label()})"
    return not_shown_label().removeprefix("Non communiqué : ")


def key_figures(stats: Statistics) -> list[tuple[str, object]]:
    """(name, value): numbers stay numbers for the spreadsheet; what cannot be given is said in words."""
    satisfaction = stats.satisfaction
    rate = stats.attendance_rate
    rows: list[tuple[str, object]] = [
        ("Demandes d'inscription", stats.requests),
        ("Décisions", stats.decisions_total),
        ("Inscriptions", stats.enrolled),
        ("Stagiaires des sessions terminées", stats.trainees),
        ("Heures prévues", stats.planned_hours),
        ("Heures suivies", stats.attended_hours),
        ("Taux d'assiduité (%)", rate if rate is not None else rate_label(None)),
    ]
    if satisfaction.shown:
        rows += [
            (f"Satisfaction moyenne (sur {SCALE_MAX})", satisfaction.average),
            (
                f"Réponses comptées au questionnaire de satisfaction ({counted_rule_label()})",
                satisfaction.responses,
            ),
        ]
    else:
        rows.append((f"Satisfaction moyenne (sur {SCALE_MAX})", not_shown_label()))
    return rows


def statistics_tables(stats: Statistics, *, short_months: bool = False) -> dict[str, FigureTable]:
    """The tables of figures behind the charts; the satisfaction's only when it may be shown."""
    tables = {
        "months": FigureTable(
            slug="months",
            title="Demandes d'inscription par mois",
            caption=f"Demandes d'inscription par mois, {stats.period.label}",
            headers=("Mois", "Demandes"),
            rows=[(month_label(month, short=short_months), count) for month, count in stats.requests_by_month],
        ),
        "decisions": FigureTable(
            slug="decisions",
            title="Décisions par type",
            caption=f"Décisions par type, {stats.period.label}",
            headers=("Décision", "Nombre"),
            rows=[(label, count) for _, label, count in stats.decisions],
        ),
    }
    if stats.satisfaction.shown:
        tables["satisfaction"] = FigureTable(
            slug="satisfaction",
            title="Répartition des notes de satisfaction",
            caption=f"Répartition des notes de satisfaction, {stats.period.label}",
            headers=("Note", "Nombre de notes"),
            rows=[(str(score), count) for score, count in stats.satisfaction.distribution.items()],
        )
    return tables


# --- Files --------------------------------------------------------------------------------------------------


def scope_label(programme: Programme | None) -> str:
    return programme.name if programme is not None else ALL_PROGRAMMES


def statistics_filename(*, programme: Programme | None, period: Period, extension: str) -> str:
    name = (slugify(programme.name)[:60] or "programme") if programme is not None else "tous-les-programmes"
    return f"statistiques-{name}-{period.start:%Y-%m-%d}-au-{period.end:%Y-%m-%d}.{extension}"


def _csv_cell(value) -> str:
    if isinstance(value, Decimal):
        return hours_label(value)  # a decimal comma, as French spreadsheets read it
    return csv_cell(value)


def statistics_csv(stats: Statistics, *, programme: Programme | None) -> bytes:
    """One table for every figure: section, name, value (";" separated, UTF-8 with a BOM for Excel)."""
    rows: list[tuple[str, str, object]] = [
        ("Filtres", "Programme", scope_label(programme)),
        ("Filtres", "Du", stats.period.start),
        ("Filtres", "Au", stats.period.end),
    ]
    rows += [("Chiffres clés", name, value) for name, value in key_figures(stats)]
    for table in statistics_tables(stats).values():
        rows += [(table.title, label, value) for label, value in table.rows]
    return csv_bytes(("Rubrique", "Libellé", "Valeur"), rows, cell=_csv_cell)


def _sheet_rows(sheet, title: str, headers: tuple[str, str], rows: Iterable[tuple[object, object]]) -> None:
    sheet.append([title])
    sheet["A1"].font = Font(bold=True)
    sheet["A1"].data_type = "s"
    sheet.append([])
    sheet.append(list(headers))
    for cell in sheet[3]:
        cell.font = Font(bold=True)
    for label, value in rows:
        sheet.append([label, value])
        label_cell, value_cell = sheet[sheet.max_row]
        if isinstance(label, datetime.date):
            label_cell.number_format = "MM/YYYY"
        # openpyxl takes "=..." as a formula: text is forced to stay text.
        for cell, written in ((label_cell, label), (value_cell, value)):
            if isinstance(written, str):
                cell.data_type = "s"
    sheet.column_dimensions["A"].width = 45
    sheet.column_dimensions["B"].width = 40
    sheet.freeze_panes = "A4"


def statistics_xlsx(stats: Statistics, *, programme: Programme | None) -> bytes:
    """A sheet of key figures, then one per table of figures; numbers and months as real numbers and dates."""
    title = f"Statistiques — {scope_label(programme)} — {stats.period.label}"
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Chiffres clés"
    _sheet_rows(sheet, title, ("Indicateur", "Valeur"), key_figures(stats))
    tables = statistics_tables(stats)
    _sheet_rows(
        workbook.create_sheet("Demandes par mois"),
        tables["months"].caption,
        tables["months"].headers,
        stats.requests_by_month,
    )
    _sheet_rows(
        workbook.create_sheet("Décisions"),
        tables["decisions"].caption,
        tables["decisions"].headers,
        tables["decisions"].rows,
    )
    satisfaction = workbook.create_sheet("Satisfaction")
    if "satisfaction" in tables:
        table = tables["satisfaction"]
        _sheet_rows(satisfaction, table.caption, table.headers, [(int(score), count) for score, count in table.rows])
    else:
        _sheet_rows(satisfaction, f"Satisfaction, {stats.period.label}", ("Note", "Nombre de notes"), [])
        satisfaction.append([not_shown_label()])
    return xlsx_bytes(workbook)
