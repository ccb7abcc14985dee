"""Convocations: the periodic job, the PDF and the calendar attached to the email, resending after a change."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from pypdf import PdfReader

from parcours.catalog.enums import SessionStatus
from parcours.documents.models import Document
from parcours.documents.registry import document_party
from parcours.documents.services import document_content
from parcours.enrollments.convocations import (
    CATEGORY,
    convocation_send,
    convocations_resend_for_session,
    register,
    session_fingerprint,
)
from parcours.enrollments.models import Convocation
from parcours.notifications.models import Notification, OutgoingEmail
from tests.accounts.factories import DEFAULT_PASSWORD, UserFactory
from tests.enrollments.factories import EnrollmentFactory, cast
from tests.helpers.outbox import emails_to, last_email_to
from tests.utils.test_ics import events_of, unescape, unfold

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _registered():
    # EnrollmentsConfig.ready() calls it once the lead wires it; calling it again is harmless.
    register()


@pytest.fixture
def people():
    return cast()


def enroll(people, **fields):
    fields.setdefault("beneficiary", people.beneficiary)
    return EnrollmentFactory(session=people.session, employer=people.employer, enrolled=True, **fields)


def travel(time_machine, day: datetime.date, hour: int = 8, minute: int = 0) -> None:
    time_machine.move_to(timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute))), tick=False)


def run_job(capture) -> str:
    out = io.StringIO()
    with capture(execute=True):
        call_command("send_convocations", stdout=out)
    return out.getvalue()


def last_files(user) -> tuple[bytes, bytes, OutgoingEmail]:
    email = OutgoingEmail.objects.filter(recipient=user.email, category=CATEGORY).order_by("-id").first()
    pdf, ics = email.attachments.order_by("position")
    assert (pdf.content_type, ics.filename, ics.content_type) == (
        "application/pdf",
        "convocation.ics",
        "text/calendar; method=PUBLISH; charset=utf-8",
    )
    return bytes(pdf.content), bytes(ics.content), email


def pdf_text(content: bytes) -> tuple[str, int]:
    reader = PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() for page in reader.pages), len(reader.pages)


def test_the_job_convokes_once_with_the_pdf_and_the_calendar(people, time_machine, django_capture_on_commit_callbacks):
    enrollment = enroll(people)
    session = people.session
    travel(time_machine, session.starts_on - datetime.timedelta(days=3))

    output = run_job(django_capture_on_commit_callbacks)

    assert "sent=1 resent=0 unchanged=0" in output
    assert f"sent enrollment={enrollment.public_id}" in output
    assert Convocation.objects.filter(enrollment=enrollment).count() == 1
    message = last_email_to(people.beneficiary.email)
    assert message.subject == "Convocation : « Gestion de projet »"
    assert "Horaires :" in message.body_text
    assert "matin : de 9 h 00 à 12 h 30" in message.body_text
    assert [attachment["filename"] for attachment in message.attachments] == [
        "convocation-lea-petit.pdf",
        "convocation.ics",
    ]
    assert Notification.objects.filter(user=people.beneficiary, category=CATEGORY).count() == 1

    # The PDF: one page telling when, where, the timetable, the contact, what to bring, accessibility
    pdf, ics, _email = last_files(people.beneficiary)
    text, pages = pdf_text(pdf)
    assert pages == 1
    for expected in [
        "Convocation à une action de formation",
        "Léa Petit",
        "Gestion de projet",
        "Formations Durand",
        "Déclaration d’activité enregistrée sous le numéro 11755555575",
        "12 rue de la Paix, 75002 Paris",
        "Matin de 9 h 00 à 12 h 30",
        "Après-midi de 13 h 30 à 17 h 00",
        "Durée totale 7 heures",
        "Aucun matériel particulier.",
        "Locaux accessibles aux personnes à mobilité réduite.",
        "Courriel : contact@example.org",
    ]:
        assert expected in text, expected
    with translation.override("fr"):
        first_day = date_format(session.starts_on, "l j F Y")
    assert f"Du {first_day} au " in text
    document = Document.objects.get(kind="convocation", subject_type="enrollments.enrollment")
    assert document.subject_id == enrollment.public_id
    assert document_content(document) == pdf

    # The calendar: one event per half-day, in Paris time, text escaped, lines folded
    assert max(len(line) for line in ics.split(b"\r\n")) <= 75
    lines = unfold(ics)
    assert "METHOD:PUBLISH" in lines
    assert "TZID:Europe/Paris" in lines
    morning, afternoon = events_of(ics)
    day = session.starts_on.strftime("%Y%m%d")
    assert morning["DTSTART;TZID=Europe/Paris"] == f"{day}T090000"
    assert morning["DTEND;TZID=Europe/Paris"] == f"{day}T123000"
    assert afternoon["DTSTART;TZID=Europe/Paris"] == f"{day}T133000"
    assert afternoon["DTEND;TZID=Europe/Paris"] == f"{day}T170000"
    assert morning["LOCATION"] == "12 rue de la Paix\\, 75002 Paris"
    assert morning["SEQUENCE"] == "0"
    assert morning["UID"] != afternoon["UID"]
    assert "Contact : Accueil, contact@example.org" in unescape(morning["DESCRIPTION"])

    # A second run sends nothing
    output = run_job(django_capture_on_commit_callbacks)

    assert "sent=0 resent=0 unchanged=1" in output
    assert len(emails_to(people.beneficiary.email)) == 1
    assert Convocation.objects.count() == 1


def test_a_changed_slot_time_sends_a_modified_convocation(people, time_machine, django_capture_on_commit_callbacks):
    enrollment = enroll(people)
    travel(time_machine, people.session.starts_on - datetime.timedelta(days=5))
    run_job(django_capture_on_commit_callbacks)
    morning = people.session.slots.order_by("starts_at").first()
    morning.starts_at = datetime.time(10, 0)
    morning.save()
    travel(time_machine, people.session.starts_on - datetime.timedelta(days=4))

    output = run_job(django_capture_on_commit_callbacks)

    assert "sent=0 resent=1 unchanged=0" in output
    assert Convocation.objects.filter(enrollment=enrollment).count() == 2
    message = last_email_to(people.beneficiary.email)
    assert message.subject == "Convocation modifiée : « Gestion de projet »"
    assert "Cette convocation remplace la précédente." in message.body_text
    pdf, ics, _email = last_files(people.beneficiary)
    text, pages = pdf_text(pdf)
    assert pages == 1
    assert "Matin de 10 h 00 à 12 h 30" in text
    assert "9 h 00" not in text
    # The first version is kept as it was
    first, second = Document.objects.filter(kind="convocation").order_by("version")
    assert (first.version, second.version) == (1, 2)
    assert "Matin de 9 h 00 à 12 h 30" in pdf_text(document_content(first))[0]
    morning_event = events_of(ics)[0]
    assert morning_event["DTSTART;TZID=Europe/Paris"].endswith("T100000")
    assert morning_event["SEQUENCE"] == "1"
    # And the job is quiet again
    assert "sent=0 resent=0 unchanged=1" in run_job(django_capture_on_commit_callbacks)


def test_the_lead_service_resends_to_those_already_convoked_when_the_place_changes(
    people, time_machine, django_capture_on_commit_callbacks
):
    convoked = enroll(people)
    travel(time_machine, people.session.starts_on - datetime.timedelta(days=6))
    run_job(django_capture_on_commit_callbacks)
    late = enroll(people, beneficiary=UserFactory(first_name="Paul", last_name="Roux"))
    session = people.session
    before = session_fingerprint(session)
    session.place = "Salle Molière; bâtiment B, 3 rue Victor-Hugo\\Lyon"
    session.save()
    assert session_fingerprint(session) != before

    with django_capture_on_commit_callbacks(execute=True):
        resent = convocations_resend_for_session(session)

    assert [convocation.enrollment_id for convocation in resent] == [convoked.pk]
    assert not Convocation.objects.filter(enrollment=late).exists()  # the job convokes them, as a first one
    pdf, ics, _email = last_files(people.beneficiary)
    assert "Salle Molière; bâtiment B, 3 rue Victor-Hugo\\Lyon" in pdf_text(pdf)[0]
    event = events_of(ics)[0]
    assert event["LOCATION"] == "Salle Molière\\; bâtiment B\\, 3 rue Victor-Hugo\\\\Lyon"
    assert unescape(event["LOCATION"]) == session.place
    # Calling it again changes nothing
    with django_capture_on_commit_callbacks(execute=True):
        assert convocations_resend_for_session(session) == []
    output = run_job(django_capture_on_commit_callbacks)
    assert "sent=1 resent=0 unchanged=1" in output
    assert last_email_to(late.beneficiary.email).subject == "Convocation : « Gestion de projet »"


def test_a_half_day_taken_off_the_timetable_is_withdrawn_from_the_calendar(
    people, time_machine, django_capture_on_commit_callbacks
):
    enroll(people)
    travel(time_machine, people.session.starts_on - datetime.timedelta(days=2))
    run_job(django_capture_on_commit_callbacks)
    _pdf, first_ics, _email = last_files(people.beneficiary)
    afternoon_uid = events_of(first_ics)[1]["UID"]
    people.session.slots.get(starts_at=datetime.time(13, 30)).delete()

    assert "resent=1" in run_job(django_capture_on_commit_callbacks)

    pdf, ics, _email = last_files(people.beneficiary)
    kept, withdrawn = events_of(ics)
    assert kept["STATUS"] == "CONFIRMED"
    assert withdrawn["UID"] == afternoon_uid
    assert withdrawn["STATUS"] == "CANCELLED"
    assert "Après-midi" not in pdf_text(pdf)[0]


def test_the_job_leaves_out_sessions_too_far_started_or_cancelled_and_requests_not_enrolled(
    people, time_machine, django_capture_on_commit_callbacks
):
    enrollment = enroll(people)
    EnrollmentFactory(session=people.session, cancelled=True)
    EnrollmentFactory(session=people.session, pending_provider=True)
    EnrollmentFactory(session=people.session, waitlisted=True)
    starts_on = people.session.starts_on

    # Eight days before: too far
    travel(time_machine, starts_on - datetime.timedelta(days=8))
    assert "sent=0 resent=0 unchanged=0" in run_job(django_capture_on_commit_callbacks)

    # On the day, once the first half-day has begun: too late
    travel(time_machine, starts_on, hour=9, minute=5)
    assert "sent=0 resent=0 unchanged=0" in run_job(django_capture_on_commit_callbacks)

    # A cancelled session: nobody
    people.session.status = SessionStatus.CANCELLED
    people.session.save()
    travel(time_machine, starts_on - datetime.timedelta(days=1))
    assert "sent=0 resent=0 unchanged=0" in run_job(django_capture_on_commit_callbacks)
    assert not Convocation.objects.exists()
    assert not OutgoingEmail.objects.filter(category=CATEGORY).exists()

    # Open again, seven days before: only the enrolled person
    people.session.status = SessionStatus.OPEN
    people.session.save()
    travel(time_machine, starts_on - datetime.timedelta(days=7))
    assert "sent=1 resent=0 unchanged=0" in run_job(django_capture_on_commit_callbacks)
    assert list(Convocation.objects.values_list("enrollment", flat=True)) == [enrollment.pk]


def test_sending_again_without_a_change_does_nothing(people, time_machine, django_capture_on_commit_callbacks):
    enrollment = enroll(people)
    travel(time_machine, people.session.starts_on - datetime.timedelta(days=1))

    with django_capture_on_commit_callbacks(execute=True):
        first = convocation_send(enrollment=enrollment)
        second = convocation_send(enrollment=enrollment)

    assert first is not None
    assert second is None
    assert Convocation.objects.count() == 1
    assert OutgoingEmail.objects.filter(category=CATEGORY).count() == 1


def test_enrollment_documents_are_for_the_parties_only(
    people, client, time_machine, django_capture_on_commit_callbacks
):
    enrollment = enroll(people)
    travel(time_machine, people.session.starts_on - datetime.timedelta(days=1))
    with django_capture_on_commit_callbacks(execute=True):
        convocation_send(enrollment=enrollment)
    document = Document.objects.get(kind="convocation")
    parties = [
        people.beneficiary,
        people.provider_referent,
        people.provider_manager,
        people.trainer,
        people.employer_referent,
        people.employer_manager,
    ]
    others = [
        people.colleague,
        people.provider_other_trainer,
        people.other_employer_referent,
        people.other_provider_referent,
        people.outsider,
    ]

    for user in parties:
        assert document_party(user, document.subject_type, document.subject_id), user
    for user in others:
        assert not document_party(user, document.subject_type, document.subject_id), user

    url = reverse("documents:download", args=[document.public_id])
    client.login(email=people.outsider.email, password=DEFAULT_PASSWORD)
    assert client.get(url).status_code == 404
    client.login(email=people.beneficiary.email, password=DEFAULT_PASSWORD)
    response = client.get(url)
    assert response.status_code == 200
    assert response.content == document_content(document)
