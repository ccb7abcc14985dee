"""The registrants of a session as a file for the provider, CSV or XLSX (utils/spreadsheets.py: no formula
from a typed cell ever reaches a spreadsheet)."""

from collections.abc import Iterable

from django.utils import timezone
from django.utils.text import slugify
from openpyxl import Workbook

from parcours.catalog.models import Session
from parcours.enrollments.models import Enrollment
from parcours.utils.spreadsheets import csv_bytes, xlsx_append, xlsx_bytes, xlsx_sheet, xlsx_widths

COLUMNS = ("Nom", "Prénom", "Adresse électronique", "Employeur", "État", "Demande du", "État depuis le")


def registrant_row(enrollment: Enrollment) -> list:
    person = enrollment.beneficiary
    return [
        person.usage_name or person.last_name,
        person.first_name,
        person.email,
        enrollment.employer.name if enrollment.employer_id else "",
        enrollment.get_state_display(),
        timezone.localtime(enrollment.created_at).date(),
        timezone.localtime(enrollment.state_changed_at).date(),
    ]


def registrants_csv(enrollments: Iterable[Enrollment]) -> bytes:
    return csv_bytes(COLUMNS, (registrant_row(enrollment) for enrollment in enrollments))


def registrants_xlsx(enrollments: Iterable[Enrollment], *, title: str) -> bytes:
    workbook = Workbook()
    sheet = xlsx_sheet(workbook, "Inscrits", title, COLUMNS, first=True)
    widths = [len(column) for column in COLUMNS]
    for enrollment in enrollments:
        xlsx_append(sheet, registrant_row(enrollment), widths)
    xlsx_widths(sheet, widths)
    return xlsx_bytes(workbook)


def export_title(session: Session) -> str:
    return f"Inscrits — {session.action.title} — du {session.starts_on:%d/%m/%Y} au {session.ends_on:%d/%m/%Y}"


def export_filename(session: Session, extension: str) -> str:
    name = slugify(session.action.title)[:60] or "session"
    return f"inscrits-{name}-{session.starts_on:%Y-%m-%d}.{extension}"
