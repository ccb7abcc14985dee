"""Attendance pages: who may open and fill a sheet (404 for everyone else), the trainee's own-device signature
with the code, the closed sheet, the employer's and the trainee's views, the PDF download, bounded queries."""

import re

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from parcours.documents.models import DocumentDownload
from parcours.enrollments import attendance
from parcours.enrollments.enums import AttendanceStatus, SignatureMethod
from parcours.enrollments.models import AttendanceRecord, AttendanceSheet
from tests.enrollments.factories import EnrollmentFactory
from tests.enrollments.test_attendance import pdf_pages, running_cast

pytestmark = pytest.mark.django_db

RUNS = ["trainer", "provider_referent", "provider_manager"]
DOES_NOT_RUN = [
    "provider_other_trainer",
    "employer_referent",
    "beneficiary",
    "operator_staff",
    "other_provider_referent",
    "outsider",
]


@pytest.fixture
def people():
    return running_cast()


@pytest.fixture
def sheet(people):
    return attendance.sheet_open(slot=people.morning, actor=people.trainer)


def _as(client, user):
    client.logout()
    if user is not None:
        client.force_login(user)
    return client


def _flash(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def _record(sheet, enrollment) -> AttendanceRecord:
    return AttendanceRecord.objects.get(sheet=sheet, enrollment=enrollment)


# --- The trainer's space ----------------------------------------------------------------------------------------


def test_the_trainers_space_lists_the_sessions_they_train_with_their_half_days(client, people):
    response = _as(client, people.trainer).get(reverse("attendance:home"))

    assert response.status_code == 200
    content = response.content.decode()
    assert "Gestion de projet" in content
    assert reverse("attendance:open", args=[people.morning.public_id]) in content
    assert "Ouvrir la feuille d’émargement" in content


@pytest.mark.parametrize(("role", "sees"), [("provider_referent", True), ("provider_other_trainer", False)])
def test_the_trainers_space_of_other_provider_people(client, people, role, sees):
    response = _as(client, getattr(people, role)).get(reverse("attendance:home"))

    assert response.status_code == 200
    assert ("Gestion de projet" in response.content.decode()) is sees


@pytest.mark.parametrize("role", ["employer_referent", "beneficiary", "operator_staff", "outsider"])
def test_the_trainers_space_is_refused_to_people_without_a_provider_role(client, people, role):
    assert _as(client, getattr(people, role)).get(reverse("attendance:home")).status_code == 403


def test_anonymous_people_are_sent_to_log_in(client, people, sheet):
    for url in (
        reverse("attendance:home"),
        reverse("attendance:sheet", args=[sheet.public_id]),
        reverse("attendance:sign", args=[sheet.public_id]),
        reverse("attendance:mine"),
        reverse("attendance:employer"),
        reverse("attendance:pdf", args=[people.session.public_id]),
    ):
        response = _as(client, None).get(url)
        assert response.status_code == 302
        assert "/login" in response["Location"] or "connexion" in response["Location"]
    response = client.post(reverse("attendance:open", args=[people.afternoon.public_id]))
    assert response.status_code == 302
    assert not AttendanceSheet.objects.filter(slot=people.afternoon).exists()


def test_the_trainers_space_runs_a_bounded_number_of_queries(client, people, django_assert_max_num_queries):
    for _ in range(4):
        other = EnrollmentFactory(session__action=people.action, enrolled=True).session
        other.trainers.add(people.trainer)
    _as(client, people.trainer)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("attendance:home")).status_code == 200


# --- Opening and filling a sheet --------------------------------------------------------------------------------


@pytest.mark.parametrize("role", RUNS)
def test_the_sessions_trainer_and_the_providers_staff_open_a_sheet(client, people, role):
    response = _as(client, getattr(people, role)).post(reverse("attendance:open", args=[people.morning.public_id]))

    sheet = AttendanceSheet.objects.get(slot=people.morning)
    assert response.status_code == 302
    assert response["Location"] == reverse("attendance:sheet", args=[sheet.public_id])
    assert sheet.records.count() == 2
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "Léa Petit" in page.content.decode()


@pytest.mark.parametrize("role", DOES_NOT_RUN)
def test_nobody_else_opens_or_sees_a_sheet(client, people, sheet, role):
    _as(client, getattr(people, role))

    assert client.post(reverse("attendance:open", args=[people.afternoon.public_id])).status_code == 404
    assert client.get(reverse("attendance:sheet", args=[sheet.public_id])).status_code == 404
    assert client.get(reverse("attendance:session", args=[people.session.public_id])).status_code == 404
    record = _record(sheet, people.enrollment)
    assert client.post(reverse("attendance:status", args=[record.public_id]), {"status": "present"}).status_code == 404
    assert client.post(reverse("attendance:code", args=[sheet.public_id])).status_code == 404
    response = client.post(reverse("attendance:close", args=[sheet.public_id]), {"trainer_name": "X", "consent": "on"})
    assert response.status_code == 404
    assert not AttendanceSheet.objects.filter(slot=people.afternoon).exists()
    assert _record(sheet, people.enrollment).status == ""
    assert not AttendanceSheet.objects.get(pk=sheet.pk).is_closed


def test_opening_a_sheet_of_a_cancelled_session_is_refused_with_a_message(client, people):
    from parcours.catalog.models import Session

    Session.objects.filter(pk=people.session.pk).update(status="cancelled")

    response = _as(client, people.trainer).post(reverse("attendance:open", args=[people.morning.public_id]))

    assert response.status_code == 302
    assert _flash(response) == [attendance.SESSION_CANCELLED]
    assert not AttendanceSheet.objects.exists()


def test_the_trainer_marks_presence_and_has_a_trainee_sign_on_their_device(client, people, sheet):
    record = _record(sheet, people.enrollment)
    _as(client, people.trainer)

    client.post(reverse("attendance:status", args=[record.public_id]), {"status": "present"})
    prefix = f"signer-{record.public_id}"
    bad = client.post(reverse("attendance:sign_here", args=[record.public_id]), {f"{prefix}-signer_name": "Léa"})
    assert bad.status_code == 400
    assert "Cochez la case pour certifier la présence." in bad.content.decode()
    response = client.post(
        reverse("attendance:sign_here", args=[record.public_id]),
        {f"{prefix}-signer_name": "Léa Petit", f"{prefix}-consent": "on"},
        REMOTE_ADDR="203.0.113.9",
    )

    assert response.status_code == 302
    record.refresh_from_db()
    assert (record.status, record.signature_method, record.signer_name) == (
        AttendanceStatus.PRESENT,
        SignatureMethod.TRAINER_DEVICE,
        "Léa Petit",
    )
    assert record.signer_ip == "203.0.113.9"
    page = client.get(reverse("attendance:sheet", args=[sheet.public_id])).content.decode()
    assert "Signé par Léa Petit" in page


def test_a_second_signature_on_the_trainers_device_is_refused(client, people, sheet):
    record = _record(sheet, people.enrollment)
    attendance.record_status_set(record=record, status="present", actor=people.trainer)
    attendance.record_sign_here(record=record, signer_name="Léa Petit", consent=True, actor=people.trainer)
    prefix = f"signer-{record.public_id}"

    response = _as(client, people.trainer).post(
        reverse("attendance:sign_here", args=[record.public_id]),
        {f"{prefix}-signer_name": "Autre", f"{prefix}-consent": "on"},
    )

    assert _flash(response) == [attendance.ALREADY_SIGNED]
    record.refresh_from_db()
    assert record.signer_name == "Léa Petit"


def test_changes_are_posts_only(client, people, sheet):
    record = _record(sheet, people.enrollment)
    _as(client, people.trainer)
    for url in (
        reverse("attendance:open", args=[people.afternoon.public_id]),
        reverse("attendance:status", args=[record.public_id]),
        reverse("attendance:sign_here", args=[record.public_id]),
        reverse("attendance:code", args=[sheet.public_id]),
        reverse("attendance:close", args=[sheet.public_id]),
    ):
        assert client.get(url).status_code == 405


# --- The code, on the trainee's own device -------------------------------------------------------------------


def _show_code(client, people, sheet) -> str:
    response = _as(client, people.trainer).post(reverse("attendance:code", args=[sheet.public_id]))
    assert response.status_code == 200
    return re.search(r"Code de signature : <span[^>]*>(\d{6})</span>", response.content.decode()).group(1)


def test_the_trainee_signs_with_the_code_shown_on_the_trainers_screen(client, people, sheet):
    code = _show_code(client, people, sheet)
    assert code not in AttendanceRecord.objects.get(sheet=sheet, enrollment=people.enrollment).code_hash

    _as(client, people.beneficiary)
    mine = client.get(reverse("attendance:mine")).content.decode()
    assert "Signer ma présence" in mine
    assert reverse("attendance:sign", args=[sheet.public_id]) in mine
    assert client.get(reverse("attendance:sign", args=[sheet.public_id])).status_code == 200
    response = client.post(reverse("attendance:sign", args=[sheet.public_id]), {"code": code, "consent": "on"})

    assert response.status_code == 302
    assert response["Location"] == reverse("attendance:mine")
    record = _record(sheet, people.enrollment)
    assert (record.status, record.signature_method) == (AttendanceStatus.PRESENT, SignatureMethod.OWN_DEVICE)
    again = client.post(reverse("attendance:sign", args=[sheet.public_id]), {"code": code, "consent": "on"})
    assert "déjà signée" in again.content.decode()
    assert _record(sheet, people.other_enrollment).status == ""  # only her own row


def test_a_wrong_code_is_counted_and_shown(client, people, sheet):
    code = _show_code(client, people, sheet)
    wrong = "000000" if code != "000000" else "999999"

    response = _as(client, people.beneficiary).post(
        reverse("attendance:sign", args=[sheet.public_id]), {"code": wrong, "consent": "on"}
    )

    assert response.status_code == 400
    assert "Code incorrect. Il vous reste 4 essais." in response.content.decode()
    assert _record(sheet, people.enrollment).code_attempts == 1
    malformed = client.post(reverse("attendance:sign", args=[sheet.public_id]), {"code": "12ab", "consent": "on"})
    assert malformed.status_code == 400
    assert "Le code compte 6 chiffres." in malformed.content.decode()
    assert _record(sheet, people.enrollment).code_attempts == 1


@pytest.mark.parametrize("role", ["colleague", "trainer", "employer_referent", "other_provider_referent", "outsider"])
def test_only_a_trainee_on_the_sheet_reaches_its_signature_page(client, people, sheet, role):
    _as(client, getattr(people, role))

    assert client.get(reverse("attendance:sign", args=[sheet.public_id])).status_code == 404
    assert client.post(reverse("attendance:sign", args=[sheet.public_id]), {"code": "123456"}).status_code == 404


# --- Closing ----------------------------------------------------------------------------------------------------


def test_the_trainer_signs_and_closes_then_nothing_changes(client, people, sheet):
    _as(client, people.trainer)
    mine, other = _record(sheet, people.enrollment), _record(sheet, people.other_enrollment)
    client.post(reverse("attendance:status", args=[mine.public_id]), {"status": "present"})
    incomplete = client.post(
        reverse("attendance:close", args=[sheet.public_id]), {"trainer_name": "Marc Formateur", "consent": "on"}
    )
    assert _flash(incomplete) == [attendance.CLOSE_INCOMPLETE.format(count=1)]
    client.post(reverse("attendance:status", args=[other.public_id]), {"status": "absent"})
    unsigned = client.post(reverse("attendance:close", args=[sheet.public_id]), {"trainer_name": "Marc Formateur"})
    assert unsigned.status_code == 400
    assert "Cochez la case pour certifier l’exactitude de la feuille." in unsigned.content.decode().replace(
        "&#x27;", "’"
    ).replace("'", "’")

    response = client.post(
        reverse("attendance:close", args=[sheet.public_id]), {"trainer_name": "Marc Formateur", "consent": "on"}
    )

    assert response.status_code == 302
    sheet.refresh_from_db()
    assert sheet.is_closed
    assert sheet.trainer_signed_name == "Marc Formateur"
    page = client.get(reverse("attendance:sheet", args=[sheet.public_id])).content.decode()
    assert "Feuille close" in page
    assert reverse("attendance:status", args=[mine.public_id]) not in page
    refused = client.post(reverse("attendance:status", args=[mine.public_id]), {"status": "absent"})
    assert _flash(refused) == [attendance.SHEET_CLOSED]
    assert _record(sheet, people.enrollment).status == AttendanceStatus.PRESENT
    code = client.post(reverse("attendance:code", args=[sheet.public_id]))
    assert _flash(code)[-1] == attendance.SHEET_CLOSED
    signing = _as(client, people.beneficiary).post(
        reverse("attendance:sign", args=[sheet.public_id]), {"code": "123456", "consent": "on"}
    )
    assert "feuille d&#x27;émargement est close" in signing.content.decode()


# --- The trainee's and the employer's views ---------------------------------------------------------------------


def _mark_all(people, sheet):
    attendance.record_status_set(record=_record(sheet, people.enrollment), status="present", actor=people.trainer)
    attendance.record_status_set(record=_record(sheet, people.other_enrollment), status="absent", actor=people.trainer)


def test_the_trainee_sees_their_own_presence_only(client, people, sheet):
    _mark_all(people, sheet)

    content = _as(client, people.beneficiary).get(reverse("attendance:mine")).content.decode()

    assert "Gestion de projet" in content
    assert "Présent" in content
    assert "Absent" not in content  # Hugo Leroy's row is not hers
    assert "Aucune feuille" in _as(client, people.colleague).get(reverse("attendance:mine")).content.decode()


@pytest.mark.parametrize("role", ["employer_referent", "employer_manager"])
def test_the_employer_sees_its_employees_presence_only(client, people, sheet, role):
    _mark_all(people, sheet)

    response = _as(client, getattr(people, role)).get(reverse("attendance:employer"))

    content = response.content.decode()
    assert response.status_code == 200
    assert "Léa Petit" in content
    assert "Présent" in content
    assert "Hugo Leroy" not in content
    assert reverse("attendance:pdf", args=[people.session.public_id]) not in content


@pytest.mark.parametrize("role", ["beneficiary", "trainer", "provider_referent", "outsider"])
def test_the_employer_view_is_refused_to_people_managing_no_employer(client, people, role):
    assert _as(client, getattr(people, role)).get(reverse("attendance:employer")).status_code == 403


def test_the_employer_and_trainee_views_run_bounded_queries(client, people, django_assert_max_num_queries):
    for slot in (people.morning, people.afternoon):
        _mark_all(people, attendance.sheet_open(slot=slot, actor=people.trainer))
    for _ in range(3):
        extra = EnrollmentFactory(session__action=people.action, employer=people.employer, enrolled=True)
        extra.session.slots.update(date=people.morning.date)
        extra_sheet = attendance.sheet_open(slot=extra.session.slots.first(), actor=people.provider_referent)
        attendance.record_status_set(record=extra_sheet.records.get(), status="present", actor=people.trainer)
    _as(client, people.employer_referent)
    with django_assert_max_num_queries(10):
        assert client.get(reverse("attendance:employer")).status_code == 200
    _as(client, people.beneficiary)
    with django_assert_max_num_queries(10):
        assert client.get(reverse("attendance:mine")).status_code == 200


# --- The PDF ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["trainer", "provider_referent", "operator_staff"])
def test_the_parties_download_the_sessions_pdf(client, people, sheet, role):
    _mark_all(people, sheet)
    _as(client, getattr(people, role))

    response = client.get(reverse("attendance:pdf", args=[people.session.public_id]))

    assert response.status_code == 302
    download = client.get(response["Location"])
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    pages = pdf_pages(download.content)
    assert len(pages) == 2
    assert "Léa" in pages[0]
    assert DocumentDownload.objects.filter(user=getattr(people, role)).count() == 1


@pytest.mark.parametrize(
    "role", ["employer_referent", "beneficiary", "provider_other_trainer", "other_operator_staff", "outsider"]
)
def test_nobody_else_downloads_the_sessions_pdf(client, people, sheet, role):
    document = attendance.attendance_pdf(people.session)
    _as(client, getattr(people, role))

    assert client.get(reverse("attendance:pdf", args=[people.session.public_id])).status_code == 404
    assert client.get(reverse("documents:download", args=[document.public_id])).status_code == 404
