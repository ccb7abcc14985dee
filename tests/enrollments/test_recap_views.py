"""The employer's yearly recap pages: who sees it (403 without the role), which organisation, the year's select and
a bad year, the downloads (files, audit events), pagination by employee and bounded queries."""

import html
import io

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from parcours.audit.models import AuditEvent
from parcours.enrollments import recap
from parcours.organisations.current import SESSION_KEY
from parcours.organisations.models import Role
from tests.enrollments.factories import EnrollmentFactory
from tests.enrollments.factories_reports import RECAP_NOW, P, attend, recap_world
from tests.organisations.factories import MembershipFactory

pytestmark = pytest.mark.django_db

PAGE = reverse("recap:page")


@pytest.fixture
def world(time_machine):
    time_machine.move_to(timezone.make_aware(RECAP_NOW), tick=False)
    return recap_world()


def _as(client, user):
    client.logout()
    if user is not None:
        client.force_login(user)
    return client


def _text(response) -> str:
    return html.unescape(response.content.decode())


def _flash(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


@pytest.mark.parametrize("role", ["employer_referent", "employer_manager"])
def test_the_employers_referents_and_managers_see_the_current_year(client, world, role):
    response = _as(client, getattr(world, role)).get(PAGE)

    assert response.status_code == 200
    text = _text(response)
    for expected in [
        "Récapitulatif annuel des formations",
        "Boulangerie Martin",
        "Année 2026",
        "Adam Bernard",
        "Martin Zoé",
        "Petit Léa",
        "Formation suivie",
        "Total pour Petit Léa : 2 formations",
        "24,5 h",
        "15,75 h",
        "Télécharger en PDF",
        "Télécharger en XLSX",
        '<option value="2026" selected>2026</option>',
        '<option value="2025">2025</option>',
    ]:
        assert expected in text, expected
    assert "Garage Leroy" not in text
    assert '<label class="fr-label" for="id_annee">' in text


@pytest.mark.parametrize(
    "role", ["beneficiary", "colleague", "provider_referent", "trainer", "operator_staff", "outsider"]
)
def test_who_manages_no_employer_gets_a_403(client, world, role):
    _as(client, getattr(world, role))
    assert client.get(PAGE).status_code == 403
    assert client.get(reverse("recap:download", args=["pdf"]), {"annee": 2026}).status_code == 403
    assert client.get(reverse("recap:download", args=["xlsx"]), {"annee": 2026}).status_code == 403
    assert not AuditEvent.objects.filter(event_type="enrollments.recap_export").exists()


def test_the_anonymous_are_sent_to_log_in(client, world):
    response = client.get(PAGE)
    assert response.status_code == 302
    assert "/compte/login/" in response.url


def test_another_employers_referent_sees_only_their_own(client, world):
    text = _text(_as(client, world.other_employer_referent).get(PAGE))
    assert "Boulangerie Martin" not in text
    assert "Adam Bernard" not in text
    assert "Aucune formation de salarié en 2026." in text


def test_the_switcher_chooses_among_the_persons_employers(client, world):
    # The référent of Boulangerie Martin is also the manager of Garage Leroy, and switched to it.
    MembershipFactory(user=world.employer_referent, organisation=world.other_employer, role=Role.MANAGER)
    _as(client, world.employer_referent)
    session = client.session
    session[SESSION_KEY] = str(world.other_employer.public_id)
    session.save()

    text = _text(client.get(PAGE))

    assert "Garage Leroy" in text
    assert "Adam Bernard" not in text
    assert "Total pour Petit Léa : 1 formation" in text


def test_another_year(client, world):
    text = _text(_as(client, world.employer_manager).get(PAGE, {"annee": "2025"}))
    assert "Année 2025" in text
    assert '<option value="2025" selected>2025</option>' in text
    assert "Adam Bernard" not in text
    assert "Petit Léa" in text
    assert "7 h" in text


@pytest.mark.parametrize("year", ["abc", "1990", "2031", ""])
def test_a_bad_year_says_so_and_shows_the_current_one(client, world, year):
    response = _as(client, world.employer_referent).get(PAGE, {"annee": year})

    assert response.status_code == 200
    text = _text(response)
    assert "Choisissez une année" in text
    assert "Année 2026" in text
    assert "Adam Bernard" in text


@pytest.mark.parametrize("year", ["abc", "1990", ""])
def test_a_download_with_a_bad_year_goes_back_to_the_page(client, world, year):
    response = _as(client, world.employer_referent).get(reverse("recap:download", args=["xlsx"]), {"annee": year})

    assert response.status_code == 302
    assert response.url == PAGE
    assert _flash(response) == ["Choisissez une année de la liste pour télécharger le récapitulatif."]
    assert not AuditEvent.objects.filter(event_type="enrollments.recap_export").exists()


def test_an_unknown_format_is_a_404(client, world):
    response = _as(client, world.employer_referent).get(reverse("recap:download", args=["csv"]), {"annee": 2026})
    assert response.status_code == 404


def test_the_pdf_download(client, world):
    response = _as(client, world.employer_referent).get(reverse("recap:download", args=["pdf"]), {"annee": 2026})

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        'attachment; filename="recapitulatif-formations-boulangerie-martin-2026.pdf"'
    )
    reader = PdfReader(io.BytesIO(response.content))
    text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
    assert "Adam Bernard" in text
    assert "24,5" in text
    event = AuditEvent.objects.get(event_type="enrollments.recap_export")
    assert event.actor == world.employer_referent
    assert event.organisation_id == world.employer.public_id
    assert event.target_id == str(world.employer.public_id)
    assert event.details == {"format": "pdf", "year": 2026, "rows": 5, "employees": 3}


def test_the_xlsx_download_holds_every_row_whatever_the_page(client, world):
    for _ in range(recap.EMPLOYEES_PER_PAGE + 2):
        attend(EnrollmentFactory(session=world.march, employer=world.employer, enrolled=True), (P, P, P))
    _as(client, world.employer_manager)

    response = client.get(reverse("recap:download", args=["xlsx"]), {"annee": 2026})

    assert response.status_code == 200
    assert response["Content-Type"] == recap.XLSX_CONTENT_TYPE
    sheet = load_workbook(io.BytesIO(response.content))["Formations 2026"]
    rows = list(sheet.iter_rows(min_row=3, values_only=True))
    assert len(rows) == 5 + recap.EMPLOYEES_PER_PAGE + 2 + 1
    assert rows[-1][0] == "Total de l'année"
    assert rows[-1][7:] == (24.5 + 8.75 * 22, 15.75 + 8.75 * 22)
    event = AuditEvent.objects.get(event_type="enrollments.recap_export")
    assert event.details["format"] == "xlsx"
    assert event.details["rows"] == 27


def test_the_page_paginates_by_employee_with_the_year_totals_and_bounded_queries(
    client, world, django_assert_max_num_queries
):
    _as(client, world.employer_referent)
    with django_assert_max_num_queries(16) as small:
        assert client.get(PAGE, {"annee": 2026}).status_code == 200

    for _ in range(recap.EMPLOYEES_PER_PAGE + 5):
        attend(EnrollmentFactory(session=world.march, employer=world.employer, enrolled=True), (P, P, P))
    with django_assert_max_num_queries(16) as large:
        response = client.get(PAGE, {"annee": 2026})
    assert len(large.captured_queries) == len(small.captured_queries)

    text = _text(response)
    assert "page 1 sur 2" in text
    assert "Total de l’année 2026 (toutes les pages) : 30 formations, 28 salariés" in text
    assert "?annee=2026&amp;page=2" in response.content.decode()
    second = _text(client.get(PAGE, {"annee": 2026, "page": 2}))
    assert "page 2 sur 2" in second
    assert "Petit Léa" in text + second
