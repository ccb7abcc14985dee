"""The employer's yearly recap (selectors and files): rows, statuses, hours and totals from known data, another
employer's enrollments never included, the XLSX opened and its cells checked, the PDF's text."""

import datetime
import io
from decimal import Decimal

import pytest
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from parcours.enrollments import recap
from tests.enrollments.factories import EnrollmentFactory
from tests.enrollments.factories_reports import RECAP_NOW, A, P, attend, recap_world
from tests.organisations.factories import EmployerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(time_machine):
    time_machine.move_to(timezone.make_aware(RECAP_NOW), tick=False)
    return recap_world()


def _summary(recaps):
    return [
        (
            item.name,
            [
                (row.enrollment.session.action.title, row.status_label, row.planned_hours, row.attended_hours)
                for row in item.rows
            ],
            (item.totals.enrollments, item.totals.planned_hours, item.totals.attended_hours),
        )
        for item in recaps
    ]


def test_the_years_are_those_with_enrollments_and_the_current_one(world):
    assert recap.recap_years(world.employer) == [2026, 2025]
    assert recap.recap_years(EmployerFactory()) == [2026]


def test_each_employees_rows_statuses_hours_and_totals(world):
    recaps, totals = recap.recap_all(world.employer, 2026)

    assert _summary(recaps) == [
        (
            "Adam Bernard",
            [
                ("Gestion de projet", "Formation suivie", Decimal("8.75"), Decimal("8.75")),
                ("Hygiène alimentaire", "Annulée", None, Decimal("3.50")),
            ],
            (2, Decimal("8.75"), Decimal("12.25")),
        ),
        (
            "Martin Zoé",
            [("Hygiène alimentaire", "En attente de l'accord de l'employeur", None, Decimal("0"))],
            (1, Decimal("0"), Decimal("0")),
        ),
        (
            "Petit Léa",
            [
                ("Gestion de projet", "Formation suivie", Decimal("8.75"), Decimal("3.50")),
                ("Hygiène alimentaire", "Inscrit", Decimal("7.00"), Decimal("0")),
            ],
            (2, Decimal("15.75"), Decimal("3.50")),
        ),
    ]
    assert (totals.employees, totals.enrollments, totals.planned_hours, totals.attended_hours) == (
        3,
        5,
        Decimal("24.50"),
        Decimal("15.75"),
    )
    # The page's totals (another query path) say the same.
    page_totals = recap.recap_totals(world.employer, 2026)
    assert (page_totals.employees, page_totals.enrollments, page_totals.planned_hours, page_totals.attended_hours) == (
        3,
        5,
        Decimal("24.50"),
        Decimal("15.75"),
    )


def test_another_year_and_another_employer(world):
    recaps, totals = recap.recap_all(world.employer, 2025)
    assert _summary(recaps) == [
        ("Petit Léa", [("Gestion de projet", "Formation suivie", Decimal("7.00"), Decimal("0"))], (1, 7, 0))
    ]

    recaps, totals = recap.recap_all(world.other_employer, 2026)
    assert "Petit Léa" in [item.name for item in recaps]  # her request through that employer is its own
    assert totals.enrollments == 2
    assert totals.attended_hours == Decimal("8.75")
    assert {row.enrollment.employer_id for item in recaps for row in item.rows} == {world.other_employer.pk}


def test_a_session_that_ended_today_reads_followed_once_its_last_half_day_is_over(world, time_machine):
    september = world.september
    last = september.slots.order_by("-date", "-ends_at").first()
    end = timezone.make_aware(datetime.datetime.combine(last.date, last.ends_at))

    time_machine.move_to(end - datetime.timedelta(minutes=1), tick=False)
    assert recap.recap_for_employees(world.employer, 2026, [world.beneficiary])[0].rows[1].status_label == "Inscrit"
    time_machine.move_to(end, tick=False)
    [lea] = recap.recap_for_employees(world.employer, 2026, [world.beneficiary])
    assert lea.rows[1].status_label == "Formation suivie"


def test_a_page_of_employees_takes_the_same_queries_whatever_their_number(world, django_assert_num_queries):
    employees = list(recap.recap_employees(world.employer, 2026))
    with django_assert_num_queries(3):
        recap.recap_for_employees(world.employer, 2026, employees)
    with django_assert_num_queries(3):
        recap.recap_totals(world.employer, 2026)
    for _ in range(15):
        attend(EnrollmentFactory(session=world.march, employer=world.employer, enrolled=True), (P, A, P))
    employees = list(recap.recap_employees(world.employer, 2026))
    assert len(employees) == 18
    with django_assert_num_queries(3):
        recap.recap_for_employees(world.employer, 2026, employees)
    with django_assert_num_queries(3):
        recap.recap_totals(world.employer, 2026)


# Files -----------------------------------------------------------------------------------------------------------


def test_the_xlsx_has_typed_cells_every_row_and_the_totals(world):
    recaps, totals = recap.recap_all(world.employer, 2026)

    workbook = load_workbook(io.BytesIO(recap.recap_xlsx(world.employer, 2026, recaps, totals)))

    assert workbook.sheetnames == ["Formations 2026", "Par salarié"]
    sheet = workbook["Formations 2026"]
    assert sheet["A1"].value == "Récapitulatif des formations 2026 — Boulangerie Martin — édité le 15/06/2026"
    assert [cell.value for cell in sheet[2]] == list(recap.COLUMNS)
    rows = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=3)]
    assert len(rows) == 6
    assert rows[0] == [
        "Adam Bernard",
        "Gestion de projet",
        "Formations Durand",
        world.programme.name,
        datetime.datetime(2026, 3, 10),
        datetime.datetime(2026, 3, 11),
        "Formation suivie",
        8.75,
        8.75,
    ]
    assert rows[1][6:] == ["Annulée", None, 3.5]
    assert rows[2][0] == "Martin Zoé"
    assert rows[4][6:] == ["Inscrit", 7, 0]
    assert rows[5] == ["Total de l'année", None, None, None, None, None, None, 24.5, 15.75]
    assert sheet["E3"].number_format == "DD/MM/YYYY"
    assert sheet["H3"].number_format == "0.00"
    assert sheet["H3"].data_type == "n"
    assert sheet.column_dimensions["B"].width >= len("Hygiène alimentaire")
    assert sheet.freeze_panes == "A3"

    people = workbook["Par salarié"]
    assert [[cell.value for cell in row] for row in people.iter_rows(min_row=2)] == [
        list(recap.EMPLOYEE_COLUMNS),
        ["Adam Bernard", 2, 8.75, 12.25],
        ["Martin Zoé", 1, 0, 0],
        ["Petit Léa", 2, 15.75, 3.5],
        ["Total de l'année", 5, 24.5, 15.75],
    ]


def test_a_name_that_looks_like_a_formula_stays_text_in_the_xlsx(world):
    world.bernard.last_name = '=HYPERLINK("http://example.org")'
    world.bernard.save()
    recaps, totals = recap.recap_all(world.employer, 2026)

    sheet = load_workbook(io.BytesIO(recap.recap_xlsx(world.employer, 2026, recaps, totals))).active

    names = [row[0] for row in sheet.iter_rows(min_row=3, values_only=True)]
    assert "Bernard" in " ".join(name for name in names if name)
    cell = next(row[0] for row in sheet.iter_rows(min_row=3) if "HYPERLINK" in str(row[0].value))
    assert cell.data_type == "s"


def test_the_pdf_is_a_landscape_a4_with_names_and_totals(world):
    recaps, totals = recap.recap_all(world.employer, 2026)

    content = recap.recap_pdf(world.employer, 2026, recaps, totals)

    assert content.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(content))
    box = reader.pages[0].mediabox
    assert float(box.width) > float(box.height)  # landscape
    assert round(float(box.width) / 72 * 25.4) == 297
    text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
    for expected in [
        "Récapitulatif des formations 2026",
        "Boulangerie Martin",
        "Édité le 15/06/2026",
        "Adam Bernard",
        "Martin Zoé",
        "Petit Léa",
        "Gestion de projet",
        "Formation suivie",
        "En attente de l'accord de l'employeur",
        "Total Petit Léa (2 formations) 15,75 3,5",
        "Total de l’année 2026 (5 formations, 3 salariés) 24,5 15,75",
    ]:
        assert expected in text, expected
    assert "Garage Leroy" not in text
