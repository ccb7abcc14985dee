"""Running a session in the browser (issue 7): the provider issues the convention and both parties sign it, the
trainee receives the convocation with its calendar, the trainer takes attendance with a one-time code the trainee
types on their own account, the trainer closes the sheet, and the employer sees the presence."""

import datetime
import io
import re
from decimal import Decimal

from django.utils import timezone
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from parcours.catalog.enums import Funding, HalfDay
from parcours.documents.models import Document, DocumentDownload
from parcours.documents.services import document_content
from parcours.enrollments import convocations
from parcours.enrollments.enums import AttendanceStatus, ConventionStatus, SignatureMethod
from parcours.enrollments.models import AttendanceRecord, AttendanceSheet, Convention
from parcours.notifications.models import OutgoingEmail
from parcours.organisations.models import Role
from tests.catalog.factories import ProgrammeFactory, SessionFactory, SlotFactory, TrainingActionFactory
from tests.e2e.conftest import tick
from tests.e2e.journeys import field, log_in, log_out, open_dashboard, submit_login
from tests.enrollments.factories import EnrollmentFactory
from tests.helpers.outbox import first_link, last_email_to
from tests.organisations.factories import EmployerFactory, OperatorFactory, ProviderFactory, member

TITLE = "Habilitation électrique B1V — initiation"
PLACE = "8 rue des Forges, 93200 Saint-Denis"


def download_pdf(page: Page, link) -> bytes:
    """Fetch a download link with the page's cookies: a real PDF, served to this party."""
    response = page.request.get(page.live_server_url + link.get_attribute("href"))
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    content = response.body()
    assert content.startswith(b"%PDF-")
    return content


def pdf_text(content: bytes) -> str:
    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages)


def setting_the_scene():
    """A programme where the employer pays, a provider with its NDA, a référent and a trainer, an employer with
    its référent, and an employee enrolled in a session that runs today and tomorrow."""
    operator = OperatorFactory(name="Région Île-de-France")
    programme = ProgrammeFactory(operator=operator, name="Compétences métiers 2026", funding=Funding.EMPLOYER_PAYS)
    provider = ProviderFactory(name="Atelier Formation Métal")
    assert provider.provider_profile.nda
    provider_referent = member(provider, Role.REFERENT, first_name="Karim", last_name="Benali").user
    trainer = member(provider, Role.TRAINER, first_name="Nadia", last_name="Rahmani").user
    employer = EmployerFactory(name="Métallerie Dubois")
    employer_referent = member(employer, Role.REFERENT, first_name="Sophie", last_name="Dubois").user
    employee = member(employer, Role.EMPLOYEE, first_name="Lucas", last_name="Martin").user
    action = TrainingActionFactory(
        provider=provider,
        programmes=[programme],
        title=TITLE,
        place=PLACE,
        department_code="93",
        duration_hours=Decimal("14.0"),
        what_to_bring="Chaussures de sécurité et une pièce d'identité.",
    )
    today = timezone.localdate()
    session = SessionFactory(
        action=action,
        starts_on=today,
        ends_on=today + datetime.timedelta(days=1),
        place=PLACE,
        department_code="93",
        registration_deadline=today - datetime.timedelta(days=7),
        slots=False,
    )
    for day in (session.starts_on, session.ends_on):
        SlotFactory(session=session, date=day, half_day=HalfDay.MORNING)
        SlotFactory(
            session=session,
            date=day,
            half_day=HalfDay.AFTERNOON,
            starts_at=datetime.time(13, 30),
            ends_at=datetime.time(17, 0),
        )
    session.trainers.add(trainer)
    enrollment = EnrollmentFactory(
        session=session, programme=programme, beneficiary=employee, employer=employer, enrolled=True
    )
    return provider_referent, trainer, employer_referent, employee, session, enrollment


def provider_issues_and_signs(page: Page, axe, referent, session) -> bytes:
    log_in(page, axe, referent)
    open_dashboard(page, "Inscriptions à mes sessions")
    expect(page.get_by_role("heading", name="Inscriptions à vos sessions", level=1)).to_be_visible()
    axe()
    page.get_by_role("link", name=TITLE).click()
    expect(page.get_by_role("heading", name=TITLE, level=1)).to_be_visible()
    axe()
    page.get_by_role("link", name="Conventions de formation").click()
    expect(page.get_by_role("heading", name="Conventions de formation", level=1)).to_be_visible()
    row = page.get_by_role("row").filter(has_text="Métallerie Dubois")
    expect(row).to_contain_text("Employeur")
    expect(row).to_contain_text("Lucas Martin")
    expect(row).to_contain_text("non émise")
    axe()
    row.get_by_role("button", name="Émettre la convention").click()

    expect(page.get_by_role("heading", name="Convention de formation", level=1)).to_be_visible()
    issued = "La convention est émise (version 1) : l'acheteur est invité à la signer."
    expect(page.get_by_text(issued)).to_be_visible()
    axe()
    field(page, "Votre prénom et votre nom").fill("Karim Benali")
    tick(page, "Je reconnais avoir lu la convention de formation")
    page.get_by_role("button", name="Signer la convention").click()
    expect(page.get_by_text("Votre signature est enregistrée : l'autre partie est invitée à signer.")).to_be_visible()
    expect(page.get_by_role("cell", name=re.compile("Organisme de formation : Karim Benali"))).to_be_visible()
    axe()
    content = download_pdf(page, page.get_by_role("link", name="Télécharger la convention (version 1, PDF)"))
    text = pdf_text(content)
    assert "Atelier Formation Métal" in text
    assert "Métallerie Dubois" in text
    log_out(page, axe)
    return content


def employer_signs(page: Page, axe, referent, convention: Convention) -> bytes:
    # The invitation to sign; the latest one says the provider has signed.
    email = last_email_to(referent.email)
    assert email.subject == "Une convention de formation attend votre signature"
    page.goto(first_link(email, contains="/conventions/"))
    expect(page.get_by_role("heading", name=re.compile("Connexion à"))).to_be_visible()
    axe()
    submit_login(page, referent.email)
    expect(page.get_by_role("heading", name="Convention de formation", level=1)).to_be_visible()
    expect(page.get_by_role("heading", name=re.compile("^Signer pour la partie « Acheteur"))).to_be_visible()
    axe()
    field(page, "Votre prénom et votre nom").fill("Sophie Dubois")
    tick(page, "Je reconnais avoir lu la convention de formation")
    page.get_by_role("button", name="Signer la convention").click()
    expect(
        page.get_by_text("Votre signature est enregistrée : la convention est signée par les deux parties.")
    ).to_be_visible()
    expect(page.get_by_text("Signée", exact=True).first).to_be_visible()
    expect(page.get_by_text("Les deux parties ont signé la dernière version : elle est verrouillée.")).to_be_visible()
    axe()
    content = download_pdf(page, page.get_by_role("link", name="Télécharger la convention (version 1, PDF)"))
    log_out(page, axe)
    return content


def convocation_arrives(page: Page, axe, employee, enrollment, session) -> None:
    """The hourly job's work for this person, as it runs three days before the session."""
    before = timezone.make_aware(datetime.datetime.combine(session.starts_on, datetime.time(8)))
    assert convocations.convocation_send(enrollment=enrollment, now=before - datetime.timedelta(days=3))

    message = last_email_to(employee.email)
    assert message.subject.startswith("Convocation")
    names = [attachment["filename"] for attachment in message.attachments]
    assert names[1] == "convocation.ics"
    assert names[0].endswith(".pdf")
    assert message.attachments[0]["content_type"] == "application/pdf"

    email = OutgoingEmail.objects.filter(recipient=employee.email, category=convocations.CATEGORY).latest("id")
    pdf, ics = email.attachments.order_by("position")
    assert bytes(pdf.content).startswith(b"%PDF-")
    assert TITLE in pdf_text(bytes(pdf.content))
    calendar = bytes(ics.content).decode()
    assert calendar.startswith("BEGIN:VCALENDAR")
    assert calendar.rstrip().endswith("END:VCALENDAR")
    assert calendar.count("BEGIN:VEVENT") == 4
    for day in (session.starts_on, session.ends_on):
        assert f"DTSTART;TZID=Europe/Paris:{day:%Y%m%d}T090000" in calendar
        assert f"DTSTART;TZID=Europe/Paris:{day:%Y%m%d}T133000" in calendar

    # The development outbox shows what was attached.
    page.goto(f"{page.live_server_url}/dev/outbox/{message.public_id}/")
    expect(page.get_by_role("heading", name=message.subject, level=1)).to_be_visible()
    attachments = page.get_by_role("definition").filter(has_text="convocation.ics")
    expect(attachments.get_by_role("listitem")).to_have_count(2)
    expect(page.get_by_text("Pièces jointes")).to_be_visible()
    axe()


def trainer_marks_present_and_shows_a_code(page: Page, axe, trainer) -> str:
    log_in(page, axe, trainer)
    open_dashboard(page, "Émargement")
    expect(page.get_by_role("heading", name="Émargement", level=1)).to_be_visible()
    axe()
    page.get_by_role("link", name=TITLE).click()
    expect(page.get_by_role("heading", name=f"Émargement — {TITLE}", level=1)).to_be_visible()
    axe()
    today = page.get_by_role("row").filter(has_text=re.compile(r", matin")).first
    today.get_by_role("button", name="Ouvrir la feuille d’émargement").click()

    expect(page.get_by_role("heading", name="Feuille d’émargement", level=1)).to_be_visible()
    row = page.get_by_role("row").filter(has_text="Lucas Martin")
    expect(row).to_contain_text("Non renseigné")
    axe()
    row.get_by_role("button", name=re.compile("^Présent")).click()
    expect(row.get_by_role("button", name=re.compile("^Présent"))).to_have_attribute("aria-pressed", "true")
    expect(row.locator(".fr-badge")).to_have_text("Présent")
    axe()
    page.get_by_role("button", name="Afficher un code de signature").click()
    code_box = page.locator("#code")
    expect(code_box).to_contain_text("Code de signature")
    axe()
    code = code_box.locator(".fr-h1").inner_text().strip()
    assert re.fullmatch(r"\d{6}", code)
    log_out(page, axe)
    return code


def trainee_signs(page: Page, axe, employee, code: str) -> None:
    log_in(page, axe, employee)
    open_dashboard(page, "Mes formations")
    expect(page.get_by_role("heading", name="Mes formations", level=1)).to_be_visible()
    axe()
    page.get_by_role("main").get_by_role("link", name=TITLE).first.click()
    expect(page.get_by_role("heading", name=re.compile("Lucas Martin"), level=1)).to_be_visible()
    expect(page.get_by_text("Émargement en cours")).to_be_visible()
    axe()
    page.get_by_role("link", name=re.compile("^Signer ma présence")).click()
    expect(page.get_by_role("heading", name="Signer ma présence", level=1)).to_be_visible()
    axe()
    field(page, "Code de signature").fill(code)
    tick(page, "Je certifie avoir été présent(e) à cette demi-journée de formation.")
    page.get_by_role("button", name="Signer ma présence").click()

    expect(page.get_by_role("heading", name="Ma présence en formation", level=1)).to_be_visible()
    expect(page.get_by_text("Votre présence est signée. Merci !")).to_be_visible()
    row = page.get_by_role("row").filter(has_text=TITLE)
    expect(row).to_contain_text("Présent")
    expect(row).to_contain_text("Signé par Lucas Martin")
    axe()
    log_out(page, axe)


def trainer_closes(page: Page, axe, trainer) -> None:
    log_in(page, axe, trainer)
    open_dashboard(page, "Émargement")
    expect(page.get_by_role("heading", name="Émargement", level=1)).to_be_visible()
    axe()
    page.get_by_role("link", name="Feuille ouverte — continuer l’émargement").click()
    expect(page.get_by_role("heading", name="Feuille d’émargement", level=1)).to_be_visible()
    row = page.get_by_role("row").filter(has_text="Lucas Martin")
    expect(row).to_contain_text("Présence signée")
    expect(row).to_contain_text("Signé par Lucas Martin")
    expect(field(page, "Votre nom et votre prénom")).to_have_value("Nadia Rahmani")
    axe()
    tick(page, "Je certifie l'exactitude de cette feuille d'émargement.")
    page.get_by_role("button", name="Signer et clore la feuille").click()
    expect(page.get_by_text("La feuille est signée et close : elle ne peut plus être modifiée.")).to_be_visible()
    expect(page.get_by_text("Feuille close", exact=True)).to_be_visible()
    expect(page.get_by_role("button", name=re.compile("^Présent"))).to_have_count(0)
    expect(page.get_by_role("button", name="Signer et clore la feuille")).to_have_count(0)
    axe()
    log_out(page, axe)


def employer_sees_presence(page: Page, axe, referent) -> None:
    log_in(page, axe, referent)
    open_dashboard(page, "Présence des salariés")
    expect(page.get_by_role("heading", name="Présence des salariés en formation", level=1)).to_be_visible()
    row = page.get_by_role("row").filter(has_text="Lucas Martin")
    expect(row).to_have_count(1)
    expect(row).to_contain_text(TITLE)
    expect(row).to_contain_text("matin")
    expect(row).to_contain_text("Présent")
    expect(row).to_contain_text("Signé par Lucas Martin")
    expect(row).to_contain_text("Close")
    axe()


def test_a_session_runs_from_the_convention_to_the_employers_view_of_presence(page: Page, axe):
    provider_referent, trainer, employer_referent, employee, session, enrollment = setting_the_scene()

    # 1–2. The convention: issued and signed by the provider, then by the employer, who pays.
    provider_pdf = provider_issues_and_signs(page, axe, provider_referent, session)
    convention = Convention.objects.get(session=session)
    assert (convention.buyer.name, convention.status) == ("Métallerie Dubois", ConventionStatus.ISSUED)
    employer_pdf = employer_signs(page, axe, employer_referent, convention)
    convention.refresh_from_db()
    assert convention.status == ConventionStatus.SIGNED
    assert convention.signed_at is not None
    document = Document.objects.get(kind="convention", subject_id=convention.public_id)
    assert document.version == 1
    assert document.locked_at is not None
    assert set(document.signatures.values_list("party", "signer_name")) == {
        ("provider", "Karim Benali"),
        ("buyer", "Sophie Dubois"),
    }
    assert all(signature.document_sha256 == document.sha256 for signature in document.signatures.all())
    # The signed version is the one both downloaded, and each download is recorded.
    assert provider_pdf == employer_pdf
    assert set(DocumentDownload.objects.filter(document=document).values_list("user_id", flat=True)) == {
        provider_referent.pk,
        employer_referent.pk,
    }

    # 3. The convocation, with its PDF and its calendar.
    convocation_arrives(page, axe, employee, enrollment, session)

    # 4–5. This morning's sheet: marked present by the trainer, signed by the trainee with the code.
    code = trainer_marks_present_and_shows_a_code(page, axe, trainer)
    trainee_signs(page, axe, employee, code)
    record = AttendanceRecord.objects.get(enrollment=enrollment)
    assert (record.status, record.signature_method, record.signer_name) == (
        AttendanceStatus.PRESENT,
        SignatureMethod.OWN_DEVICE,
        "Lucas Martin",
    )
    assert record.sheet.slot.date == session.starts_on
    assert record.sheet.slot.half_day == HalfDay.MORNING

    # 6. The trainer signs and closes the sheet: it is locked.
    trainer_closes(page, axe, trainer)
    sheet = AttendanceSheet.objects.get()
    assert sheet.closed_at is not None
    assert sheet.trainer_signed_name == "Nadia Rahmani"
    assert sheet.closed_by == trainer
    # Closing brings the session's attendance PDF up to date, with the trainee's signature.
    attendance_pdf = Document.objects.filter(kind="attendance_sheet", subject_id=session.public_id).latest("version")
    text = pdf_text(document_content(attendance_pdf))
    assert "Nadia Rahmani" in text
    assert "Lucas Martin" in text

    # 7. The employer sees its employee's presence.
    employer_sees_presence(page, axe, employer_referent)
