"""The registrants of a session as a file for the provider: CSV for Excel (semicolons, UTF-8 with a BOM,
dates as dd/mm/yyyy) or XLSX (openpyxl, real dates, a header row that stays in view).

A cell typed by a person never reaches a spreadsheet as a formula ("=HYPERLINK(...)" as a first name):
CSV cells get a leading apostrophe, XLSX cells are written as text.
"""

import csv
import datetime
import io
from collections.abc import Iterable

from django.utils import timezone
from django.utils.text import slugify
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from parcours.catalog.models import Session
from parcours.enrollments.models import Enrollment

COLUMNS = ("Nom", "Prénom", "Adresse électronique", "Employeur", "État", "Demande du", "État depuis le")
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# What a spreadsheet reads as the start of a formula (OWASP, "CSV injection").
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


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


def _csv_cell(value) -> str:
    if isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y")
    text = str(value)
    return f"'{text}" if text.startswith(_FORMULA_STARTS) else text


def registrants_csv(enrollments: Iterable[Enrollment]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for enrollment in enrollments:
        writer.writerow([_csv_cell(value) for value in registrant_row(enrollment)])
    # The BOM tells Excel the file is UTF-8 (accents); utf-8-sig writes it.
    return buffer.getvalue().encode("utf-8-sig")


def registrants_xlsx(enrollments: Iterable[Enrollment], *, title: str) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Inscrits"
    sheet.append([title])
    sheet["A1"].font = Font(bold=True)
    sheet.append(COLUMNS)
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    widths = [len(column) for column in COLUMNS]
    for enrollment in enrollments:
        values = registrant_row(enrollment)
        sheet.append(values)
        for index, (cell, value) in enumerate(zip(sheet[sheet.max_row], values, strict=True)):
            if isinstance(value, datetime.date):
                cell.number_format = "DD/MM/YYYY"
                widths[index] = max(widths[index], 10)
            else:
                # openpyxl takes "=..." as a formula: force text.
                cell.data_type = "s"
                widths[index] = max(widths[index], len(str(value)))
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = min(width + 2, 60)
    sheet.freeze_panes = "A3"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def export_title(session: Session) -> str:
    return f"Inscrits — {session.action.title} — du {session.starts_on:%d/%m/%Y} au {session.ends_on:%d/%m/%Y}"


def export_filename(session: Session, extension: str) -> str:
    name = slugify(session.action.title)[:60] or "session"
    return f"inscrits-{name}-{session.starts_on:%Y-%m-%d}.{extension}"
