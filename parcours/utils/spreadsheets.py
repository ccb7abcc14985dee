"""Files for spreadsheets, with no domain: CSV for Excel (semicolons, UTF-8 with a BOM, dates as dd/mm/yyyy)
and XLSX (openpyxl: a bold heading and header row that stay in view, real dates and numbers).

A cell typed by a person never reaches a spreadsheet as a formula ("=HYPERLINK(...)" as a first name): CSV
cells get a leading apostrophe, XLSX text cells are written as text.
"""

import csv
import datetime
import io
from collections.abc import Callable, Iterable
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# What a spreadsheet reads as the start of a formula (OWASP, "CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value) -> str:
    if isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y")
    text = str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def csv_bytes(header: Iterable, rows: Iterable[Iterable], *, cell: Callable[[object], str] = csv_cell) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([cell(value) for value in row])
    # The BOM tells Excel the file is UTF-8 (accents); utf-8-sig writes it.
    return buffer.getvalue().encode("utf-8-sig")


def xlsx_sheet(workbook: Workbook, title: str, heading: str, columns: Iterable[str], *, first: bool = False):
    """A sheet with its heading in bold, then the header row in bold; both stay in view."""
    sheet = workbook.active if first else workbook.create_sheet()
    sheet.title = title
    sheet.append([heading])
    sheet["A1"].font = Font(bold=True)
    sheet.append(list(columns))
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A3"
    return sheet


def xlsx_append(sheet, values: list, widths: list[int], *, bold: bool = False) -> None:
    """One row, typed: dates and numbers as such, anything else as text; `widths` grows to fit."""
    sheet.append(values)
    for index, (cell, value) in enumerate(zip(sheet[sheet.max_row], values, strict=True)):
        if bold:
            cell.font = Font(bold=True)
        if isinstance(value, datetime.date):
            cell.number_format = "DD/MM/YYYY"
            widths[index] = max(widths[index], 10)
        elif isinstance(value, Decimal | int):
            cell.number_format = "0.00" if isinstance(value, Decimal) else "0"
            widths[index] = max(widths[index], len(str(value)))
        elif value is not None:
            # openpyxl takes "=..." as a formula: names and titles typed by people stay text.
            cell.data_type = "s"
            widths[index] = max(widths[index], len(str(value)))


def xlsx_widths(sheet, widths: list[int]) -> None:
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = min(width + 2, 60)


def xlsx_bytes(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
