"""Attendance services (émargement): opening a sheet, presence, the two ways of signing, the one-time code,
closing and locking, hours attended, the PDF per session and who may download it."""

import datetime
import io

import pytest
from django.utils import timezone
from pypdf import PdfReader

from parcours.audit.models import AuditEvent
from parcours.catalog.enums import SessionStatus
from parcours.catalog.models import Session, Slot
from parcours.documents.registry import document_party
from parcours.documents.services import document_content
from parcours.enrollments import attendance
from parcours.enrollments.attendance import AttendanceRefused
from parcours.enrollments.enums import AttendanceStatus, EnrollmentState, SignatureMethod
from parcours.enrollments.models import AttendanceRecord, AttendanceSheet, Enrollment
from parcours.organisations.models import Role
from tests.catalog.factories import SlotFactory
from tests.enrollments.factories import EnrollmentFactory, cast
from tests.organisations.factories import EmployerFactory, member

pytestmark = pytest.mark.django_db

P, A, E = AttendanceStatus.PRESENT, AttendanceStatus.ABSENT, AttendanceStatus.EXCUSED


def running_cast():
    """The cast around a session whose two half-days (9:00-12:30, 13:30-17:00) are today, with Léa Petit enrolled,
    a trainee of another employer enrolled, and a colleague's request still pending (not on the sheets)."""
    attendance.register()
    people = cast()
    today = timezone.localdate()
    Session.objects.filter(pk=people.session.pk).update(
        starts_on=today, ends_on=today + datetime.timedelta(days=1), registration_deadline=today
    )
    Slot.objects.filter(session=people.session).update(date=today)
    people.session.refresh_from_db()
    people.morning, people.afternoon = list(people.session.slots.order_by("starts_at"))
    people.enrollment = EnrollmentFactory(
        session=people.session, employer=people.employer, beneficiary=people.beneficiary, enrolled=True
    )
    other_employer = EmployerFactory(name="Garage Leroy")
    people.other_employer = other_employer
    people.other_trainee = member(other_employer, Role.EMPLOYEE, first_name="Hugo", last_name="Leroy").user
    people.other_enrollment = EnrollmentFactory(
        session=people.session, employer=other_employer, beneficiary=people.other_trainee, enrolled=True
    )
    people.pending = EnrollmentFactory(session=people.session, employer=people.employer, beneficiary=people.colleague)
    return people


def pdf_pages(content: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(content)).pages]


def record_of(sheet, enrollment) -> AttendanceRecord:
    return AttendanceRecord.objects.get(sheet=sheet, enrollment=enrollment)


@pytest.fixture
def people():
    return running_cast()


@pytest.fixture
def sheet(people):
    return attendance.sheet_open(slot=people.morning, actor=people.trainer)


def close(sheet, people, **kwargs):
    return attendance.sheet_close(
        sheet=sheet, trainer_name="Marc Formateur", consent=True, actor=people.trainer, **kwargs
    )


# --- Opening ----------------------------------------------------------------------------------------------------


def test_opening_a_sheet_makes_a_row_per_enrolled_person(people, sheet):
    assert sheet.opened_by == people.trainer
    rows = {record.enrollment_id: record.status for record in sheet.records.all()}
    assert rows == {people.enrollment.pk: "", people.other_enrollment.pk: ""}  # the pending request is not there
    assert AuditEvent.objects.filter(event_type="attendance.sheet_opened", target_id=str(sheet.public_id)).exists()


def test_opening_again_gives_the_same_sheet_with_rows_for_late_enrollments(people, sheet):
    Enrollment.objects.filter(pk=people.pending.pk).update(state=EnrollmentState.ENROLLED)

    again = attendance.sheet_open(slot=people.morning, actor=people.provider_referent)

    assert again.pk == sheet.pk
    assert AttendanceSheet.objects.count() == 1
    assert sheet.records.count() == 3


def test_no_sheet_for_a_cancelled_session_a_future_half_day_or_nobody_enrolled(people):
    future = SlotFactory(session=people.session, date=timezone.localdate() + datetime.timedelta(days=1))
    with pytest.raises(AttendanceRefused, match="pas encore eu lieu"):
        attendance.sheet_open(slot=future, actor=people.trainer)

    Enrollment.objects.filter(session=people.session).update(state=EnrollmentState.CANCELLED)
    with pytest.raises(AttendanceRefused, match="Personne n'est inscrit"):
        attendance.sheet_open(slot=people.morning, actor=people.trainer)

    Session.objects.filter(pk=people.session.pk).update(status=SessionStatus.CANCELLED)
    people.morning.session.refresh_from_db()
    with pytest.raises(AttendanceRefused, match="annulée"):
        attendance.sheet_open(slot=people.morning, actor=people.trainer)
    assert not AttendanceSheet.objects.exists()


def test_an_open_sheet_of_a_session_cancelled_meanwhile_takes_no_change(people, sheet):
    Session.objects.filter(pk=people.session.pk).update(status=SessionStatus.CANCELLED)
    record = record_of(sheet, people.enrollment)

    with pytest.raises(AttendanceRefused, match="annulée"):
        attendance.record_status_set(record=record, status=P, actor=people.trainer)
    assert record_of(sheet, people.enrollment).status == ""


# --- Presence and the trainer's device ------------------------------------------------------------------------


def test_presence_is_set_and_changed_and_audited(people, sheet):
    record = record_of(sheet, people.enrollment)

    attendance.record_status_set(record=record, status=A, actor=people.trainer)
    attendance.record_status_set(record=record, status=E, actor=people.trainer)

    assert record_of(sheet, people.enrollment).status == E
    assert AuditEvent.objects.filter(event_type="attendance.status_set").count() == 2
    with pytest.raises(AttendanceRefused, match="présent, absent"):
        attendance.record_status_set(record=record, status="", actor=people.trainer)


def test_signing_on_the_trainers_device_needs_presence_a_name_and_consent(people, sheet, rf):
    record = record_of(sheet, people.enrollment)
    with pytest.raises(AttendanceRefused, match="Marquez d'abord"):
        attendance.record_sign_here(record=record, signer_name="Léa Petit", consent=True, actor=people.trainer)
    attendance.record_status_set(record=record, status=P, actor=people.trainer)
    with pytest.raises(AttendanceRefused, match="nom et le prénom"):
        attendance.record_sign_here(record=record, signer_name="  ", consent=True, actor=people.trainer)
    with pytest.raises(AttendanceRefused, match="Cochez"):
        attendance.record_sign_here(record=record, signer_name="Léa Petit", consent=False, actor=people.trainer)

    request = rf.post("/", REMOTE_ADDR="198.51.100.7")
    attendance.record_sign_here(
        record=record, signer_name="Léa Petit", consent=True, actor=people.trainer, request=request
    )

    signed = record_of(sheet, people.enrollment)
    assert (signed.status, signed.signature_method, signed.signer_name) == (
        P,
        SignatureMethod.TRAINER_DEVICE,
        "Léa Petit",
    )
    assert signed.signer_ip == "198.51.100.7"
    assert abs((timezone.now() - signed.signed_at).total_seconds()) < 60


def test_a_second_signature_is_refused_and_a_signed_presence_stays_present(people, sheet):
    record = record_of(sheet, people.enrollment)
    attendance.record_status_set(record=record, status=P, actor=people.trainer)
    attendance.record_sign_here(record=record, signer_name="Léa Petit", consent=True, actor=people.trainer)

    with pytest.raises(AttendanceRefused, match="seconde signature"):
        attendance.record_sign_here(record=record, signer_name="Quelqu'un", consent=True, actor=people.trainer)
    with pytest.raises(AttendanceRefused, match="ne peut plus être marquée absente"):
        attendance.record_status_set(record=record, status=A, actor=people.trainer)
    assert record_of(sheet, people.enrollment).signer_name == "Léa Petit"


def test_a_trainee_no_longer_enrolled_cannot_be_marked(people, sheet):
    Enrollment.objects.filter(pk=people.enrollment.pk).update(state=EnrollmentState.CANCELLED)
    record = record_of(sheet, people.enrollment)

    with pytest.raises(AttendanceRefused, match="plus inscrite"):
        attendance.record_status_set(record=record, status=P, actor=people.trainer)


# --- The one-time code ------------------------------------------------------------------------------------------


def sign_code(record, code, user, consent=True):
    return attendance.record_sign_with_code(record=record, code=code, consent=consent, user=user)


def test_the_code_is_six_digits_stored_hashed_per_row_and_signs_on_the_trainees_device(people, sheet, settings):
    settings.PARCOURS_ATTENDANCE_CODE_MINUTES = 15
    issued = attendance.sheet_code_issue(sheet=sheet, actor=people.trainer)

    assert len(issued.code) == 6
    assert issued.code.isdigit()
    assert issued.rows == 2
    mine, other = record_of(sheet, people.enrollment), record_of(sheet, people.other_enrollment)
    assert issued.code not in mine.code_hash
    assert mine.code_hash
    assert mine.code_hash != other.code_hash
    assert 14 * 60 < (mine.code_expires_at - timezone.now()).total_seconds() <= 15 * 60

    sign_code(mine, f" {issued.code[:3]} {issued.code[3:]} ", people.beneficiary)

    signed = record_of(sheet, people.enrollment)
    assert (signed.status, signed.signature_method) == (P, SignatureMethod.OWN_DEVICE)
    assert signed.signer_name == "Léa Petit"
    assert signed.code_hash == ""
    with pytest.raises(AttendanceRefused, match="seconde signature"):
        sign_code(signed, issued.code, people.beneficiary)


def test_wrong_codes_are_counted_and_five_block_even_the_right_one(people, sheet):
    issued = attendance.sheet_code_issue(sheet=sheet, actor=people.trainer)
    wrong = "000000" if issued.code != "000000" else "111111"
    record = record_of(sheet, people.enrollment)

    with pytest.raises(AttendanceRefused, match="Il vous reste 4 essais"):
        sign_code(record, wrong, people.beneficiary)
    assert record_of(sheet, people.enrollment).code_attempts == 1  # counted although refused
    for _ in range(3):
        with pytest.raises(AttendanceRefused, match="Code incorrect"):
            sign_code(record, wrong, people.beneficiary)
    with pytest.raises(AttendanceRefused, match="Trop d'essais"):
        sign_code(record, wrong, people.beneficiary)
    with pytest.raises(AttendanceRefused, match="Trop d'essais"):
        sign_code(record, issued.code, people.beneficiary)
    assert record_of(sheet, people.enrollment).status == ""

    # A new code gives the attempts back; the old code no longer works.
    new = attendance.sheet_code_issue(sheet=sheet, actor=people.trainer)
    if new.code != issued.code:
        with pytest.raises(AttendanceRefused, match="Il vous reste 4"):
            sign_code(record, issued.code, people.beneficiary)
    sign_code(record, new.code, people.beneficiary)
    assert record_of(sheet, people.enrollment).status == P


def test_an_expired_or_missing_code_is_refused(people, sheet):
    record = record_of(sheet, people.enrollment)
    with pytest.raises(AttendanceRefused, match="expiré ou n'a pas encore été donné"):
        sign_code(record, "123456", people.beneficiary)

    issued = attendance.sheet_code_issue(sheet=sheet, actor=people.trainer)
    AttendanceRecord.objects.filter(pk=record.pk).update(
        code_expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    with pytest.raises(AttendanceRefused, match="expiré"):
        sign_code(record, issued.code, people.beneficiary)
    with pytest.raises(AttendanceRefused, match="Cochez"):
        sign_code(record, issued.code, people.beneficiary, consent=False)
    assert record_of(sheet, people.enrollment).status == ""


def test_a_cancelled_trainee_cannot_sign_with_the_code(people, sheet):
    issued = attendance.sheet_code_issue(sheet=sheet, actor=people.trainer)
    Enrollment.objects.filter(pk=people.enrollment.pk).update(state=EnrollmentState.CANCELLED)

    with pytest.raises(AttendanceRefused, match="plus active"):
        sign_code(record_of(sheet, people.enrollment), issued.code, people.beneficiary)


# --- Closing and locking ----------------------------------------------------------------------------------------


def test_closing_needs_every_presence_then_locks_the_sheet(people, sheet):
    issued = attendance.sheet_code_issue(sheet=sheet, actor=people.trainer)
    mine, other = record_of(sheet, people.enrollment), record_of(sheet, people.other_enrollment)
    attendance.record_status_set(record=mine, status=P, actor=people.trainer)
    with pytest.raises(AttendanceRefused, match=r"1 sans réponse"):
        close(sheet, people)
    with pytest.raises(AttendanceRefused, match="Cochez"):
        attendance.sheet_close(sheet=sheet, trainer_name="Marc", consent=False, actor=people.trainer)
    attendance.record_status_set(record=other, status=A, actor=people.trainer)

    closed = close(sheet, people)

    assert closed.is_closed
    assert closed.closed_by == people.trainer
    assert closed.trainer_signed_name == "Marc Formateur"
    refusals = [
        lambda: attendance.record_status_set(record=mine, status=A, actor=people.trainer),
        lambda: attendance.record_sign_here(record=mine, signer_name="Léa", consent=True, actor=people.trainer),
        lambda: attendance.sheet_code_issue(sheet=sheet, actor=people.trainer),
        lambda: sign_code(mine, issued.code, people.beneficiary),
        lambda: close(sheet, people),
    ]
    for refused in refusals:
        with pytest.raises(AttendanceRefused, match="feuille d'émargement est close"):
            refused()
    assert record_of(sheet, people.enrollment).status == P
    assert record_of(sheet, people.other_enrollment).status == A
    assert not AttendanceRecord.objects.exclude(code_hash="").exists()
    assert AuditEvent.objects.filter(event_type="attendance.sheet_closed").count() == 1


# --- Hours attended ---------------------------------------------------------------------------------------------


def test_hours_attended_add_the_half_days_where_the_trainee_is_present(people):
    from decimal import Decimal

    morning = attendance.sheet_open(slot=people.morning, actor=people.trainer)
    afternoon = attendance.sheet_open(slot=people.afternoon, actor=people.trainer)
    assert attendance.hours_attended(people.enrollment) == Decimal("0.00")

    attendance.record_status_set(record=record_of(morning, people.enrollment), status=P, actor=people.trainer)
    attendance.record_status_set(record=record_of(afternoon, people.enrollment), status=E, actor=people.trainer)
    attendance.record_status_set(record=record_of(afternoon, people.other_enrollment), status=P, actor=people.trainer)

    assert attendance.hours_attended(people.enrollment) == Decimal("3.50")
    assert attendance.hours_attended(people.other_enrollment) == Decimal("3.50")
    attendance.record_status_set(record=record_of(afternoon, people.enrollment), status=P, actor=people.trainer)
    assert attendance.hours_attended(people.enrollment) == Decimal("7.00")
    assert attendance.hours_attended(people.pending) == Decimal("0.00")


# --- The PDF ----------------------------------------------------------------------------------------------------


def test_the_pdf_shows_every_half_day_with_presence_signatures_and_the_trainers_signature(people, sheet):
    mine, other = record_of(sheet, people.enrollment), record_of(sheet, people.other_enrollment)
    attendance.record_status_set(record=mine, status=P, actor=people.trainer)
    attendance.record_sign_here(record=mine, signer_name="Léa Petit", consent=True, actor=people.trainer)
    attendance.record_status_set(record=other, status=E, actor=people.trainer)
    close(sheet, people)

    document = attendance.attendance_pdf(people.session, by=people.trainer)

    content = document_content(document)
    pages = pdf_pages(content)
    assert len(pages) == 2  # one page per half-day
    morning, afternoon = (" ".join(page.split()) for page in pages)
    for text in (morning, afternoon):
        assert "Feuille d’émargement" in text
        assert "Formations Durand" in text
        assert "Gestion de projet" in text
        assert "Déclaration d’activité 11755555575" in text
    assert "matin" in morning
    assert "de 9 h 00 à 12 h 30" in morning
    assert "3,5 h" in morning
    assert "PETIT Léa" in morning
    assert "Boulangerie Martin" in morning
    assert "Signé par Léa Petit le" in morning
    assert "sur l'appareil du formateur" in morning
    assert "LEROY Hugo" in morning
    assert "Absent excusé" in morning
    assert "Signature du formateur : Signé par Marc Formateur" in morning
    assert "Page 1 sur 2" in morning
    assert "après-midi" in afternoon
    assert "Feuille non ouverte" in afternoon
    assert document.kind == "attendance_sheet"
    assert document.subject_type == "enrollments.attendance_session"
    assert document.subject_id == people.session.public_id
    rows = {row["name"]: row["status"] for row in document.data["slots"][0]["rows"]}
    assert rows == {"LEROY Hugo": "Absent excusé", "PETIT Léa": "Présent"}


def test_a_provider_without_nda_says_its_declaration_is_being_registered(people):
    from parcours.organisations.models import ProviderProfile

    ProviderProfile.objects.filter(organisation=people.provider).update(nda="")

    document = attendance.attendance_pdf(attendance.session_for_pdf(people.session.public_id))

    text = " ".join(pdf_pages(document_content(document))[0].split())
    assert "déclaration d'activité en cours d'enregistrement" in text


def test_the_pdf_gets_a_new_version_when_a_sheet_changes_and_keeps_it_otherwise(people, sheet):
    first = attendance.attendance_pdf(people.session)
    assert attendance.attendance_pdf(people.session).pk == first.pk

    attendance.record_status_set(record=record_of(sheet, people.enrollment), status=A, actor=people.trainer)
    second = attendance.attendance_pdf(people.session)

    assert second.version == first.version + 1
    assert "Absent" in " ".join(pdf_pages(document_content(second))[0].split())
    assert "Absent" not in pdf_pages(document_content(first))[0]  # the old version is kept as it was


def test_closing_regenerates_the_pdf_after_commit(people, sheet, django_capture_on_commit_callbacks):
    for record in sheet.records.all():
        attendance.record_status_set(record=record, status=P, actor=people.trainer)
    with django_capture_on_commit_callbacks(execute=True):
        close(sheet, people)

    from parcours.documents.models import Document

    document = Document.objects.get(kind="attendance_sheet", subject_id=people.session.public_id)
    assert "Signé par Marc Formateur" in " ".join(pdf_pages(document_content(document))[0].split())


@pytest.mark.parametrize(
    ("role", "party"),
    [
        ("trainer", True),
        ("provider_referent", True),
        ("provider_manager", True),
        ("operator_staff", True),
        ("provider_other_trainer", False),
        ("employer_referent", False),
        ("beneficiary", False),
        ("other_provider_referent", False),
        ("other_operator_staff", False),
        ("outsider", False),
    ],
)
def test_the_pdfs_parties(people, role, party):
    assert document_party(getattr(people, role), attendance.SUBJECT_TYPE, people.session.public_id) is party


def test_a_trainer_who_left_the_provider_no_longer_runs_the_sheets(people):
    from parcours.organisations.models import Membership, MembershipStatus
    from parcours.organisations.permissions import memberships_forget

    assert attendance.runs_attendance(people.trainer, people.session)
    Membership.objects.filter(user=people.trainer).update(status=MembershipStatus.REVOKED)
    memberships_forget(people.trainer)

    assert not attendance.runs_attendance(people.trainer, people.session)
