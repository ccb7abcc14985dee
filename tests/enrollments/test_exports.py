"""The provider's export of a session's registrants: the files opened and their cells read."""

import csv
import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from parcours.audit.models import AuditEvent
from parcours.enrollments.enums import EnrollmentState
from parcours.organisations.models import Role
from tests.accounts.factories import UserFactory
from tests.catalog.factories import SessionFactory, TrainingActionFactory
from tests.enrollments.factories import EnrollmentFactory
from tests.organisations.factories import EmployerFactory, ProviderFactory, member

pytestmark = pytest.mark.django_db

S = EnrollmentState
HEADER = ["Nom", "Prénom", "Adresse électronique", "Employeur", "État", "Demande du", "État depuis le"]


def at(day: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(2025, 3, day, 10))


@pytest.fixture
def session():
    provider = ProviderFactory(name="Formations du Marais")
    action = TrainingActionFactory(provider=provider, title="Tableur avancé : formules & graphiques")
    return SessionFactory(
        action=action,
        starts_on=datetime.date(2030, 4, 7),
        ends_on=datetime.date(2030, 4, 8),
        registration_deadline=datetime.date(2030, 3, 31),
    )


@pytest.fixture
def manager(session):
    return member(session.action.provider, Role.MANAGER).user


@pytest.fixture
def registrants(session):
    """Two enrolled, one waiting, one to validate; and rows that are no registrants of this session."""
    boulangerie = EmployerFactory(name="Boulangerie Émile")
    garage = EmployerFactory(name="Garage Dupuis")

    def enroll(state, last_name, first_name, email, employer, day, usage_name=""):
        person = UserFactory(last_name=last_name, first_name=first_name, email=email, usage_name=usage_name)
        return EnrollmentFactory(
            session=session,
            beneficiary=person,
            employer=employer,
            state=state,
            created_at=at(day),
            state_changed_at=at(day + 1),
            waitlisted_at=at(day + 1) if state == S.WAITLISTED else None,
        )

    rows = [
        enroll(S.ENROLLED, "Zola", "Émile", "emile.zola@example.org", boulangerie, 1),
        enroll(S.ENROLLED, "Dupont", "Hélène", "helene@example.org", garage, 2, usage_name="Balzac"),
        enroll(S.WAITLISTED, "Hugo", '=HYPERLINK("http://x")', "victor@example.org", boulangerie, 3),
        enroll(S.PENDING_PROVIDER, "Sand", "George", "george@example.org", garage, 4),
    ]
    EnrollmentFactory(session=session, state=S.CANCELLED)
    EnrollmentFactory(session=session, state=S.PENDING_EMPLOYER)
    EnrollmentFactory(state=S.ENROLLED)  # another session
    return rows


def export(client, user, session, file_format):
    client.force_login(user)
    return client.get(reverse("dashboards:provider_session_export", args=[session.public_id, file_format]))


EXPECTED_ROWS = [
    ["Balzac", "Hélène", "helene@example.org", "Garage Dupuis", "Inscrit", "02/03/2025", "03/03/2025"],
    ["Zola", "Émile", "emile.zola@example.org", "Boulangerie Émile", "Inscrit", "01/03/2025", "02/03/2025"],
    [
        "Hugo",
        '\'=HYPERLINK("http://x")',
        "victor@example.org",
        "Boulangerie Émile",
        "Sur liste d'attente",
        "03/03/2025",
        "04/03/2025",
    ],
    [
        "Sand",
        "George",
        "george@example.org",
        "Garage Dupuis",
        "En attente de validation par l'organisme",
        "04/03/2025",
        "05/03/2025",
    ],
]


def test_csv_opens_in_excel_with_accents_and_semicolons(client, session, manager, registrants):
    response = export(client, manager, session, "csv")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        'attachment; filename="inscrits-tableur-avance-formules-graphiques-2030-04-07.csv"'
    )
    assert response.content.startswith(b"\xef\xbb\xbf")
    text = response.content.decode("utf-8-sig")
    assert "\r\n" in text
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0] == HEADER
    assert rows[1:] == EXPECTED_ROWS


def test_xlsx_holds_the_registrants_with_dates_and_no_formula(client, session, manager, registrants):
    response = export(client, manager, session, "xlsx")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"].endswith('-2030-04-07.xlsx"')
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet.title == "Inscrits"
    assert sheet["A1"].value == "Inscrits — Tableur avancé : formules & graphiques — du 07/04/2030 au 08/04/2030"
    assert [cell.value for cell in sheet[2]] == HEADER
    values = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=3)]
    assert [row[:5] for row in values] == [
        ["Balzac", "Hélène", "helene@example.org", "Garage Dupuis", "Inscrit"],
        ["Zola", "Émile", "emile.zola@example.org", "Boulangerie Émile", "Inscrit"],
        ["Hugo", '=HYPERLINK("http://x")', "victor@example.org", "Boulangerie Émile", "Sur liste d'attente"],
        ["Sand", "George", "george@example.org", "Garage Dupuis", "En attente de validation par l'organisme"],
    ]
    # Dates are dates (Excel sorts and filters them), shown as dd/mm/yyyy.
    assert values[0][5] == datetime.datetime(2025, 3, 2)
    assert sheet["F3"].number_format == "DD/MM/YYYY"
    # A name that looks like a formula stays text.
    assert sheet["B5"].data_type == "s"
    assert sheet.freeze_panes == "A3"


def test_export_of_an_empty_session_has_the_header_only(client, session, manager):
    response = export(client, manager, session, "csv")
    assert response.content.decode("utf-8-sig") == ";".join(HEADER) + "\r\n"
    sheet = load_workbook(io.BytesIO(export(client, manager, session, "xlsx").content)).active
    assert sheet.max_row == 2


def test_export_is_audited(client, session, manager, registrants):
    export(client, manager, session, "xlsx")

    event = AuditEvent.objects.get(event_type="enrollments.registrants_export")
    assert event.actor == manager
    assert event.target_id == str(session.public_id)
    assert event.organisation_id == session.action.provider.public_id
    assert event.details == {"format": "xlsx", "rows": 4}


def test_trainer_cannot_export_and_others_do_not_see_the_session(client, session, registrants):
    trainer = member(session.action.provider, Role.TRAINER).user
    session.trainers.add(trainer)
    other_provider = member(ProviderFactory(), Role.REFERENT).user

    assert export(client, trainer, session, "csv").status_code == 403
    assert export(client, other_provider, session, "csv").status_code == 404
    assert export(client, registrants[0].beneficiary, session, "xlsx").status_code == 404
    assert not AuditEvent.objects.filter(event_type="enrollments.registrants_export").exists()


def test_export_runs_a_bounded_number_of_queries(client, session, manager, django_assert_max_num_queries):
    session.capacity = 40
    session.save()
    for _ in range(35):
        EnrollmentFactory(session=session, state=S.ENROLLED)
    client.force_login(manager)
    url = reverse("dashboards:provider_session_export", args=[session.public_id, "xlsx"])

    with django_assert_max_num_queries(8):
        response = client.get(url)

    assert load_workbook(io.BytesIO(response.content)).active.max_row == 37
