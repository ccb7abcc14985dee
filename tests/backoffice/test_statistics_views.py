"""The statistics page and its exports: who may see them, the filters, the charts and their tables, the files
opened and read, and a fixed number of queries."""

import csv
import datetime
import html
import io
import re
import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from parcours.audit.models import AuditEvent
from parcours.enrollments.models import SatisfactionSurvey, SurveyResponse
from parcours.organisations.models import Role
from tests.backoffice.conftest import ROLES, assert_login_redirect
from tests.backoffice.test_statistics import _grow, build_dataset, shrink
from tests.catalog.factories import ProgrammeFactory
from tests.organisations.factories import member

pytestmark = pytest.mark.django_db

PAGE = reverse("statistics:home")
FIRST_HALF = {"du": "2025-01-01", "au": "2025-06-30"}
SVG = "{http://www.w3.org/2000/svg}"
NOT_SHOWN = "Non communiqué : moins de 5 réponses comptées (seuls comptent les questionnaires d'au moins 5 réponses)"


@pytest.fixture
def dataset(settings, operator, other_gestionnaire):
    settings.PARCOURS_SURVEY_MIN_ANSWERS = 5
    return build_dataset(operator, other_gestionnaire.memberships.get().organisation)


def charts(response) -> list[ET.Element]:
    markup = re.findall(r"<svg .*?</svg>", response.content.decode(), flags=re.S)
    return [ET.fromstring(svg) for svg in markup]  # noqa: S314 (our own page)


def export(client, file_format, params):
    return client.get(reverse("statistics:export", args=[file_format]), params)


# --- Who ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_only_operator_staff_see_the_statistics(client_as, role):
    response = client_as(role).get(PAGE)

    if role == "anonymous":
        assert_login_redirect(response)
    else:
        assert response.status_code == {"ordinary": 403, "employer_referent": 403}.get(role, 200)


@pytest.mark.parametrize("role", ["ordinary", "employer_referent"])
def test_the_exports_are_refused_to_others(client_as, role):
    assert export(client_as(role), "csv", FIRST_HALF).status_code == 403
    assert not AuditEvent.objects.filter(event_type="backoffice.statistics_export").exists()


def test_staff_without_two_factor_authentication_is_sent_to_set_it_up(client, operator):
    client.force_login(member(operator, Role.MANAGER).user)

    response = client.get(PAGE)

    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")


def test_each_operator_chooses_among_its_own_programmes(client, dataset, gestionnaire, other_gestionnaire):
    client.force_login(gestionnaire)
    mine = client.get(PAGE).content.decode()
    client.force_login(other_gestionnaire)
    theirs = client.get(PAGE).content.decode()

    assert "Compétences numériques" in mine
    assert "Langues étrangères" in mine
    assert "Programme du Rhône" not in mine
    assert "Programme du Rhône" in theirs
    assert "Compétences numériques" not in theirs


@pytest.mark.parametrize("view", ["page", "csv", "xlsx"])
def test_another_operators_programme_is_not_found(client, dataset, gestionnaire, view):
    client.force_login(gestionnaire)
    params = {"programme": str(dataset.foreign.public_id), **FIRST_HALF}

    response = client.get(PAGE, params) if view == "page" else export(client, view, params)

    assert response.status_code == 404
    assert not AuditEvent.objects.filter(event_type="backoffice.statistics_export").exists()


@pytest.mark.parametrize("value", ["9c852c98-c7cc-4679-9cac-3a8039593f7c", "pas-un-identifiant"])
def test_an_unknown_programme_is_not_found(client, gestionnaire, value):
    client.force_login(gestionnaire)

    assert client.get(PAGE, {"programme": value}).status_code == 404


# --- The page -------------------------------------------------------------------------------------------------


def test_the_page_shows_key_figures_charts_and_their_tables(client, dataset, gestionnaire):
    client.force_login(gestionnaire)

    response = client.get(PAGE, FIRST_HALF)

    content = html.unescape(response.content.decode())
    assert response.status_code == 200
    assert "Tous les programmes, du 01/01/2025 au 30/06/2025." in content
    for figure in ("12,25 h", "sur 15,75 h prévues, 3 stagiaires", "77,8 %", "3,7 / 5"):
        assert figure in content
    assert re.search(
        r"Notes données par 5 réponses\.\s+Pour qu’aucune réponse ne puisse être attribuée à son auteur, seuls "
        r"comptent les questionnaires qui ont reçu\s+au moins 5 réponses chacun",
        content,
    )
    found = charts(response)
    assert [svg.get("id") for svg in found] == [
        "graphique-demandes",
        "graphique-decisions",
        "graphique-satisfaction",
    ]
    for svg in found:
        assert svg.get("role") == "img"
        assert svg.find(f"{SVG}title").text
        assert svg.find(f"{SVG}desc").text.startswith("Diagramme en barres")
    bars = [[rect for rect in svg.iter(f"{SVG}rect") if rect.get("class") == "parcours-chart-bar"] for svg in found]
    assert [len(group) for group in bars] == [6, 7, 5]
    # Each chart is followed by its table: a caption, column and row headers.
    assert content.count("<caption>") == 4
    assert "<caption>Demandes d'inscription par mois, du 01/01/2025 au 30/06/2025</caption>" in content
    assert re.search(r'<th scope="row">janvier 2025</th>\s*<td>3</td>', content)
    assert re.search(r"<th scope=\"row\">Accord de l'employeur</th>\s*<td>3</td>", content)
    assert re.search(r"<th scope=\"row\">Taux d'assiduité</th>\s*<td>77,8 %</td>", content)
    assert re.search(r'<th scope="row">4</th>\s*<td>3</td>', content)
    assert content.count('<th scope="col">') == 8
    # Nothing per person: no trainee's name, no free-text answer.
    assert "Très bien, merci." not in content
    assert dataset.hours_enrollments[0].beneficiary.last_name not in content


def test_one_programme_only(client, dataset, gestionnaire):
    client.force_login(gestionnaire)

    response = client.get(PAGE, {"programme": str(dataset.second.public_id), **FIRST_HALF})

    content = html.unescape(response.content.decode())
    assert "Langues étrangères, du 01/01/2025 au 30/06/2025." in content
    assert re.search(r"<th scope=\"row\">Mise sur liste d'attente</th>\s*<td>1</td>", content)
    assert f'value="{dataset.second.public_id}" selected' in content
    assert NOT_SHOWN in content  # its only survey has 2 responses


def test_satisfaction_shows_only_from_a_survey_of_five_responses(client, dataset, gestionnaire):
    """The March survey down to 4 responses: with June's 2, six responses in the period, but in two small surveys
    that are never added up — the page and both files give nothing."""
    client.force_login(gestionnaire)
    assert "graphique-satisfaction" in client.get(PAGE, FIRST_HALF).content.decode()

    shrink(SatisfactionSurvey.objects.get(session=dataset.march), 4)
    response = client.get(PAGE, FIRST_HALF)

    assert SurveyResponse.objects.filter(survey__session__in=[dataset.march, dataset.june]).count() == 6
    content = html.unescape(response.content.decode())
    assert f"{NOT_SHOWN}. Pour qu’aucune réponse ne puisse être attribuée à son auteur" in content
    assert "graphique-satisfaction" not in content
    assert "3,7 / 5" not in content
    assert "Notes données par" not in content
    assert len(charts(response)) == 2
    rows = list(csv.reader(io.StringIO(export(client, "csv", FIRST_HALF).content.decode("utf-8-sig")), delimiter=";"))
    assert ["Chiffres clés", "Satisfaction moyenne (sur 5)", NOT_SHOWN] in rows
    assert not [row for row in rows if row[0] == "Répartition des notes de satisfaction"]
    workbook = load_workbook(io.BytesIO(export(client, "xlsx", FIRST_HALF).content))
    assert [row[0] for row in workbook["Satisfaction"].iter_rows(min_row=4, values_only=True)] == [NOT_SHOWN]


def test_the_default_period_is_this_year_up_to_today(client, gestionnaire):
    client.force_login(gestionnaire)
    today = timezone.localdate()

    content = client.get(PAGE).content.decode()

    assert f'name="du" value="{today.year}-01-01"' in content
    assert f'name="au" value="{today.isoformat()}"' in content
    assert f"du 01/01/{today.year} au {today:%d/%m/%Y}" in content
    assert "Chiffres clés" in content


@pytest.mark.parametrize(
    ("params", "field", "message", "shown"),
    [
        ({"du": "2025-06-30", "au": "2025-01-01"}, "au", "La date de fin doit être postérieure", "2025-06-30"),
        ({"du": "31/02/2025", "au": "2025-06-30"}, "du", "Saisissez une date valide", "31/02/2025"),
        ({"du": "2019-01-01", "au": "2025-06-30"}, "du", "La période ne peut pas dépasser 5 ans", "2019-01-01"),
    ],
)
def test_filter_errors_are_explained_beside_their_field(client, gestionnaire, params, field, message, shown):
    client.force_login(gestionnaire)

    response = client.get(PAGE, params)

    content = html.unescape(response.content.decode())
    assert response.status_code == 200
    assert message in content
    assert response.context["form"].errors[field]
    assert f'value="{shown}"' in content
    assert "Chiffres clés" not in content
    assert "<svg" not in content


def test_the_longest_period_is_five_years(client, gestionnaire):
    client.force_login(gestionnaire)

    assert "Chiffres clés" in client.get(PAGE, {"du": "2020-06-30", "au": "2025-06-30"}).content.decode()
    assert "Chiffres clés" not in client.get(PAGE, {"du": "2020-06-29", "au": "2025-06-30"}).content.decode()


def test_the_page_takes_a_fixed_number_of_queries(client, dataset, gestionnaire, django_assert_max_num_queries):
    client.force_login(gestionnaire)
    with django_assert_max_num_queries(12) as small:
        assert client.get(PAGE, FIRST_HALF).status_code == 200

    _grow(dataset, 25)

    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(PAGE, FIRST_HALF)
    assert re.search(r'<th scope="row">avril 2025</th>\s*<td>25</td>', response.content.decode())


# --- The files ------------------------------------------------------------------------------------------------


def test_csv_export(client, dataset, gestionnaire):
    client.force_login(gestionnaire)

    response = export(client, "csv", FIRST_HALF)

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        'attachment; filename="statistiques-tous-les-programmes-2025-01-01-au-2025-06-30.csv"'
    )
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["Rubrique", "Libellé", "Valeur"]
    for row in (
        ["Filtres", "Programme", "Tous les programmes"],
        ["Filtres", "Du", "01/01/2025"],
        ["Chiffres clés", "Demandes d'inscription", "6"],
        ["Chiffres clés", "Inscriptions", "4"],
        ["Chiffres clés", "Heures prévues", "15,75"],
        ["Chiffres clés", "Taux d'assiduité (%)", "77,8"],
        ["Chiffres clés", "Satisfaction moyenne (sur 5)", "3,7"],
        [
            "Chiffres clés",
            "Réponses comptées au questionnaire de satisfaction "
            "(seuls comptent les questionnaires d'au moins 5 réponses)",
            "5",
        ],
        ["Demandes d'inscription par mois", "janvier 2025", "3"],
        ["Demandes d'inscription par mois", "avril 2025", "0"],
        ["Décisions par type", "Annulation de la demande", "2"],
        ["Répartition des notes de satisfaction", "5", "3"],
    ):
        assert row in rows
    event = AuditEvent.objects.get(event_type="backoffice.statistics_export")
    assert event.actor == gestionnaire
    assert event.details == {"format": "csv", "programme": "", "from": "2025-01-01", "to": "2025-06-30"}


def test_xlsx_export_of_one_programme(client, dataset, gestionnaire):
    """The first programme's survey in the period has 4 responses: its satisfaction is not given."""
    shrink(SatisfactionSurvey.objects.get(session=dataset.march), 4)
    client.force_login(gestionnaire)
    params = {"programme": str(dataset.first.public_id), **FIRST_HALF}

    response = export(client, "xlsx", params)

    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        'attachment; filename="statistiques-competences-numeriques-2025-01-01-au-2025-06-30.xlsx"'
    )
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["Chiffres clés", "Demandes par mois", "Décisions", "Satisfaction"]
    key = {row[0]: row[1] for row in workbook["Chiffres clés"].iter_rows(min_row=4, values_only=True)}
    assert workbook["Chiffres clés"]["A1"].value == (
        "Statistiques — Compétences numériques — du 01/01/2025 au 30/06/2025"
    )
    assert key["Demandes d'inscription"] == 5
    assert key["Inscriptions"] == 3
    assert key["Heures prévues"] == 14
    assert key["Heures suivies"] == 10.5
    assert key["Satisfaction moyenne (sur 5)"] == NOT_SHOWN
    months = list(workbook["Demandes par mois"].iter_rows(min_row=4, values_only=True))
    assert months[0] == (datetime.datetime(2025, 1, 1), 2)
    assert len(months) == 6
    decisions = dict(workbook["Décisions"].iter_rows(min_row=4, values_only=True))
    assert decisions["Accord de l'employeur"] == 3
    assert decisions["Mise sur liste d'attente"] == 0
    satisfaction = [row[0] for row in workbook["Satisfaction"].iter_rows(values_only=True)]
    assert NOT_SHOWN in satisfaction
    event = AuditEvent.objects.get(event_type="backoffice.statistics_export")
    assert event.target_id == str(dataset.first.public_id)
    assert event.organisation_id == dataset.first.operator.public_id
    assert event.details["format"] == "xlsx"


def test_xlsx_satisfaction_sheet_when_shown(client, dataset, gestionnaire):
    client.force_login(gestionnaire)

    workbook = load_workbook(io.BytesIO(export(client, "xlsx", FIRST_HALF).content))

    assert list(workbook["Satisfaction"].iter_rows(min_row=4, values_only=True)) == [
        (1, 1),
        (2, 1),
        (3, 1),
        (4, 3),
        (5, 3),
    ]


def test_a_programme_name_never_reaches_a_spreadsheet_as_a_formula(client, operator, gestionnaire):
    programme = ProgrammeFactory(operator=operator, name='=HYPERLINK("http://example.org")')
    client.force_login(gestionnaire)
    params = {"programme": str(programme.public_id), **FIRST_HALF}

    rows = list(csv.reader(io.StringIO(export(client, "csv", params).content.decode("utf-8-sig")), delimiter=";"))
    workbook = load_workbook(io.BytesIO(export(client, "xlsx", params).content))

    assert ["Filtres", "Programme", '\'=HYPERLINK("http://example.org")'] in rows
    assert workbook["Chiffres clés"]["A1"].data_type == "s"


def test_an_export_with_invalid_filters_goes_back_to_the_page(client, gestionnaire):
    client.force_login(gestionnaire)

    response = export(client, "csv", {"du": "2025-06-30", "au": "2025-01-01"})

    assert response.status_code == 302
    assert response["Location"] == f"{PAGE}?du=2025-06-30&au=2025-01-01"
    assert not AuditEvent.objects.filter(event_type="backoffice.statistics_export").exists()


def test_an_unknown_export_format_is_not_found(client, gestionnaire):
    client.force_login(gestionnaire)

    assert export(client, "pdf", FIRST_HALF).status_code == 404


def test_the_page_links_to_the_exports_of_its_filters(client, dataset, gestionnaire):
    client.force_login(gestionnaire)

    content = client.get(PAGE, {"programme": str(dataset.first.public_id), **FIRST_HALF}).content.decode()

    query = f"programme={dataset.first.public_id}&amp;du=2025-01-01&amp;au=2025-06-30"
    assert f'href="{reverse("statistics:export", args=["csv"])}?{query}"' in content
    assert f'href="{reverse("statistics:export", args=["xlsx"])}?{query}"' in content
