"""How the import commands tell what they did."""

from django.core.management.base import OutputWrapper

from parcours.organisations.directory.report import ImportReport

# Enough to find a pattern in a bad file without flooding the terminal.
INVALID_LINES_SHOWN = 50


def report_write(report: ImportReport, stdout: OutputWrapper) -> None:
    for line, reason in report.invalid_lines[:INVALID_LINES_SHOWN]:
        stdout.write(f"ligne {line} ignorée : {reason}")
    if report.invalid > INVALID_LINES_SHOWN:
        stdout.write(f"… et {report.invalid - INVALID_LINES_SHOWN} autres lignes ignorées")
    stdout.write(report.summary())
