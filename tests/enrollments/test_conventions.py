"""Conventions de formation: who buys, the PDF and its mentions (RULES.md), versions, signatures and locking,
the signed scan, and the refusals that change nothing."""

import hashlib
import io
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from pypdf import PdfReader, PdfWriter
from pypdf.generic import DictionaryObject, NameObject, TextStringObject

from parcours.audit.models import AuditEvent
from parcours.catalog.enums import Funding
from parcours.documents.models import Document, DocumentSignature
from parcours.documents.registry import document_party
from parcours.documents.services import document_content
from parcours.documents.uploads import UploadRefused
from parcours.enrollments import conventions
from parcours.enrollments.conventions import (
    CONSENT_TEXT,
    ConventionRefused,
    convention_issue,
    convention_mark_signed_offline,
    convention_sign,
    session_conventions,
)
from parcours.enrollments.enums import ConventionStatus, EnrollmentState
from parcours.enrollments.models import Convention
from parcours.organisations.models import Role
from tests.enrollments.factories import EnrollmentFactory, cast
from tests.helpers.outbox import emails_to
from tests.organisations.factories import EmployerFactory, member

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _registered():
    conventions.register()


@pytest.fixture
def people():
    p = cast()
    p.action.objectives = "Planifier un projet\nSuivre un budget"
    p.action.payment_terms = "30 jours après réception de la facture."
    p.action.cancellation_terms = "Annulation sans frais jusqu'à 10 jours avant le début."
    p.action.save()
    p.session.place = "Salle Voltaire, 3 rue Voltaire, 75011 Paris"
    p.session.save()
    return p


def enroll(people, first_name, last_name, *, employer=None, state=EnrollmentState.ENROLLED):
    employer = employer or people.employer
    beneficiary = member(employer, Role.EMPLOYEE, first_name=first_name, last_name=last_name).user
    return EnrollmentFactory(session=people.session, employer=employer, beneficiary=beneficiary, state=state)


def employer_pays(people):
    people.programme.funding = Funding.EMPLOYER_PAYS
    people.programme.save()


def issue(people, buyer=None, actor=None):
    return convention_issue(
        session=people.session,
        programme=people.programme,
        buyer=buyer or people.programme.operator,
        actor=actor or people.provider_referent,
    )


def pdf_text(document) -> str:
    reader = PdfReader(io.BytesIO(document_content(document)))
    return "\n".join(page.extract_text() for page in reader.pages)


def page_count(document) -> int:
    return len(PdfReader(io.BytesIO(document_content(document))).pages)


def flat(text: str) -> str:
    """Extracted text wraps lines anywhere: compare on single spaces."""
    return " ".join(text.split())


def sign(convention, document, party, user, name="Claire Fontaine", consent=True):
    return convention_sign(
        convention=convention,
        document_id=document.public_id,
        party=party,
        actor=user,
        signer_name=name,
        consent=consent,
    )


# --- Who buys -------------------------------------------------------------------------------------------------


def test_the_operator_buys_when_the_programme_funds(people):
    enroll(people, "Léa", "Petit")
    enroll(people, "Marc", "Dupuis", employer=EmployerFactory(name="Garage Leroy"))

    rows = session_conventions(people.session).rows

    assert [(row.buyer, len(row.enrollments)) for row in rows] == [(people.programme.operator, 2)]


def test_each_employer_buys_for_its_own_employees_when_the_employer_pays(people):
    employer_pays(people)
    other = EmployerFactory(name="Garage Leroy")
    enroll(people, "Léa", "Petit")
    enroll(people, "Marc", "Dupuis", employer=other)
    enroll(people, "Zoé", "Arnaud", employer=other)
    enroll(people, "Paul", "Cancel", state=EnrollmentState.CANCELLED)

    rows = session_conventions(people.session).rows

    assert [(row.buyer.name, len(row.enrollments)) for row in rows] == [("Boulangerie Martin", 1), ("Garage Leroy", 2)]
    issued = issue(people, buyer=other)
    text = flat(pdf_text(issued.document))
    assert "Zoé Arnaud" in text
    assert "Marc Dupuis" in text
    assert "Léa Petit" not in text  # another buyer's employee
    assert "Nombre de stagiaires : 2" in text


def test_a_programme_that_funds_contracts_with_its_operator_only(people):
    enroll(people, "Léa", "Petit")

    with pytest.raises(ConventionRefused, match="opérateur"):
        issue(people, buyer=people.employer)
    assert not Convention.objects.exists()


# --- The PDF --------------------------------------------------------------------------------------------------


def test_the_convention_pdf_holds_every_mention_of_the_rules(people):
    enroll(people, "Léa", "Petit")
    enroll(people, "Marc", "Dupuis")

    issued = issue(people)

    document = issued.document
    assert issued.new_version
    assert document.version == 1
    assert (document.kind, document.subject_type, document.key) == ("convention", "enrollments.convention", "")
    assert document.subject_id == issued.convention.public_id
    assert issued.convention.status == ConventionStatus.ISSUED
    assert page_count(document) == 2
    text = flat(pdf_text(document))
    operator = people.programme.operator
    expected = [
        "Convention de formation professionnelle",
        # The parties, with their addresses, SIRET and NDA.
        "Formations Durand",
        "12 rue de la Paix, 75002 Paris",
        f"SIRET : {people.provider.siret}",
        "enregistrée sous le numéro 11755555575",
        "Cet enregistrement ne vaut pas agrément de l’État",
        operator.name,
        "SIRET : non renseigné",  # the operator has none
        "financeur, opérateur du programme",
        # The action.
        "Gestion de projet",
        "Planifier un projet",
        "Suivre un budget",
        "article L6313-1 du Code du travail) : Action de formation",
        "Durée : 14 heures",
        f"du {people.session.starts_on:%d/%m/%Y} au {people.session.ends_on:%d/%m/%Y}",
        "Salle Voltaire, 3 rue Voltaire, 75011 Paris",
        # The trainees, the programme, how it runs, is followed and assessed, the sanction.
        "Nombre de stagiaires : 2",
        "Léa Petit",
        "Marc Dupuis",
        f"programme « {people.programme.name} »",
        "feuilles d’émargement",
        "Quiz de fin de formation.",
        "Sanction de la formation : Attestation de fin de formation",
        # Price, payment, cancellation, signatures.
        "Prix par stagiaire : 900,00 € TTC",
        "Montant total : 1 800,00 € TTC",
        "30 jours après réception de la facture.",
        "Annulation sans frais jusqu'à 10 jours avant le début.",
        "L6354-1",
        "Pour l’organisme de formation",
        "Pour l’acheteur",
    ]
    missing = [mention for mention in expected if mention not in text]
    assert missing == []
    assert "en cours d’enregistrement" not in text
    for slot in people.session.slots.all():
        assert f"{slot.date:%d/%m/%Y}" in text
    assert document.sha256 == hashlib.sha256(document_content(document)).hexdigest()
    assert document.data["trainees"] == ["Marc Dupuis", "Léa Petit"]  # by last name


def test_a_provider_without_nda_says_its_declaration_is_being_registered(people):
    people.provider.provider_profile.nda = ""
    people.provider.provider_profile.save()
    enroll(people, "Léa", "Petit")

    text = flat(pdf_text(issue(people).document))

    assert "déclaration d’activité en cours d’enregistrement" in text
    assert "ne vaut pas agrément" not in text


def test_an_employer_buyer_is_shown_with_its_siret_and_address(people):
    employer_pays(people)
    enroll(people, "Léa", "Petit")

    text = flat(pdf_text(issue(people, buyer=people.employer).document))

    assert "Boulangerie Martin" in text
    assert f"SIRET : {people.employer.siret}" in text
    assert "employeur des stagiaires" in text


# --- Versions -------------------------------------------------------------------------------------------------


def test_issuing_again_without_change_keeps_the_version_and_a_change_makes_a_new_one(people):
    enroll(people, "Léa", "Petit")
    first = issue(people)

    again = issue(people)
    assert (again.new_version, again.document.pk) == (False, first.document.pk)

    enroll(people, "Marc", "Dupuis")
    second = issue(people)

    assert second.new_version
    assert second.document.version == 2
    assert second.convention.pk == first.convention.pk  # one convention per session, programme and buyer
    assert second.document.sha256 != first.document.sha256
    assert "Marc Dupuis" in flat(pdf_text(second.document))
    assert "Marc Dupuis" not in flat(pdf_text(first.document))  # the old version is kept as it was
    assert Document.objects.filter(kind="convention").count() == 2


def test_new_dates_make_a_new_version(people):
    enroll(people, "Léa", "Petit")
    first = issue(people).document
    people.session.place = "Salle Hugo, 75003 Paris"
    people.session.save()

    second = issue(people).document

    assert second.version == 2
    assert "Salle Hugo" in flat(pdf_text(second))
    assert "Salle Hugo" not in flat(pdf_text(first))


def test_issuing_tells_the_buyer_staff(people, django_capture_on_commit_callbacks):
    enroll(people, "Léa", "Petit")

    with django_capture_on_commit_callbacks(execute=True):
        issue(people)

    assert len(emails_to(people.operator_staff.email)) == 1
    assert emails_to(people.provider_referent.email) == []  # the one who acted
    assert AuditEvent.objects.filter(event_type="convention.issue").count() == 1


def test_no_trainee_no_convention(people):
    enroll(people, "Léa", "Petit", state=EnrollmentState.CANCELLED)
    enroll(people, "Marc", "Dupuis", state=EnrollmentState.PENDING_PROVIDER)

    with pytest.raises(ConventionRefused, match="Aucune personne inscrite"):
        issue(people)

    assert not Convention.objects.exists()
    assert not Document.objects.exists()


def test_when_every_enrollment_is_cancelled_the_convention_is_not_regenerated(people):
    enrollment = enroll(people, "Léa", "Petit")
    first = issue(people)
    enrollment.state = EnrollmentState.CANCELLED
    enrollment.save()

    with pytest.raises(ConventionRefused, match="Aucune personne inscrite"):
        issue(people)

    assert list(Document.objects.values_list("pk", flat=True)) == [first.document.pk]


def test_only_the_provider_staff_issue(people):
    enroll(people, "Léa", "Petit")

    for user in (people.trainer, people.operator_staff, people.employer_referent, people.other_provider_referent):
        with pytest.raises(ConventionRefused):
            issue(people, actor=user)

    assert not Convention.objects.exists()
    assert issue(people, actor=people.provider_manager).document.version == 1


# --- Signatures -----------------------------------------------------------------------------------------------


def test_each_party_signs_then_the_version_is_locked_and_everyone_told(people, django_capture_on_commit_callbacks):
    enroll(people, "Léa", "Petit")
    issued = issue(people)
    convention, document = issued.convention, issued.document

    provider_signature = sign(convention, document, "provider", people.provider_referent, "Claire Fontaine")
    convention.refresh_from_db()
    document.refresh_from_db()
    assert convention.status == ConventionStatus.ISSUED
    assert not document.is_locked

    with django_capture_on_commit_callbacks(execute=True):
        buyer_signature = sign(convention, document, "buyer", people.operator_staff, "Sophie Martin")

    convention.refresh_from_db()
    document.refresh_from_db()
    assert convention.status == ConventionStatus.SIGNED
    assert convention.signed_at is not None
    assert document.is_locked
    for signature, name in ((provider_signature, "Claire Fontaine"), (buyer_signature, "Sophie Martin")):
        assert signature.signer_name == name
        assert signature.document_sha256 == document.sha256
        assert signature.consent_text == CONSENT_TEXT
        assert signature.signed_at is not None
    for user in (people.provider_referent, people.provider_manager, people.operator_staff):
        assert any("signée" in email.subject for email in emails_to(user.email))
    assert AuditEvent.objects.filter(event_type="convention.signed").count() == 1


def test_a_party_signs_once(people):
    enroll(people, "Léa", "Petit")
    issued = issue(people)
    sign(issued.convention, issued.document, "provider", people.provider_referent)

    with pytest.raises(ConventionRefused, match="déjà signé"):
        sign(issued.convention, issued.document, "provider", people.provider_manager, "Jean Autre")

    assert DocumentSignature.objects.count() == 1


def test_a_superseded_version_cannot_be_signed(people):
    enroll(people, "Léa", "Petit")
    first = issue(people)
    enroll(people, "Marc", "Dupuis")
    issue(people)

    with pytest.raises(ConventionRefused, match="plus récente"):
        sign(first.convention, first.document, "provider", people.provider_referent)

    assert not DocumentSignature.objects.exists()


def test_a_change_after_signing_makes_a_new_version_to_sign_again(people):
    enroll(people, "Léa", "Petit")
    first = issue(people)
    sign(first.convention, first.document, "provider", people.provider_referent)
    sign(first.convention, first.document, "buyer", people.operator_staff)
    enroll(people, "Marc", "Dupuis")

    second = issue(people)

    second.convention.refresh_from_db()
    first.document.refresh_from_db()
    assert second.document.version == 2
    assert not second.document.is_locked
    assert second.convention.status == ConventionStatus.ISSUED
    assert second.convention.signed_at is None
    assert first.document.is_locked
    assert first.document.signatures.count() == 2


def test_only_the_parties_sign_for_their_own_side(people):
    enroll(people, "Léa", "Petit")
    issued = issue(people)

    refused = [
        (people.provider_referent, "buyer"),
        (people.operator_staff, "provider"),
        (people.trainer, "provider"),
        (people.employer_referent, "buyer"),  # the programme funds: the employer is no party
        (people.other_operator_staff, "buyer"),
        (people.beneficiary, "buyer"),
    ]
    for user, party in refused:
        with pytest.raises(ConventionRefused):
            sign(issued.convention, issued.document, party, user)

    assert not DocumentSignature.objects.exists()


def test_the_employer_signs_when_it_pays(people):
    employer_pays(people)
    enroll(people, "Léa", "Petit")
    issued = issue(people, buyer=people.employer)

    sign(issued.convention, issued.document, "buyer", people.employer_manager)
    with pytest.raises(ConventionRefused):
        sign(issued.convention, issued.document, "buyer", people.other_employer_referent)

    assert issued.document.signatures.get().party == "buyer"


def test_a_signature_needs_a_name_and_the_consent(people):
    enroll(people, "Léa", "Petit")
    issued = issue(people)

    with pytest.raises(ConventionRefused, match="consentement"):
        sign(issued.convention, issued.document, "provider", people.provider_referent, consent=False)
    with pytest.raises(ConventionRefused, match="nom"):
        sign(issued.convention, issued.document, "provider", people.provider_referent, name="  ")

    assert not DocumentSignature.objects.exists()


def test_a_document_of_another_convention_is_refused(people):
    enroll(people, "Léa", "Petit")
    issued = issue(people)

    with pytest.raises(ConventionRefused, match="pas une version"):
        convention_sign(
            convention=issued.convention,
            document_id=uuid.uuid4(),
            party="provider",
            actor=people.provider_referent,
            signer_name="Claire Fontaine",
            consent=True,
        )


# --- Signed outside the platform ------------------------------------------------------------------------------


def _pdf(extra: dict | None = None, password: str = "") -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    if extra:
        writer._root_object.update(extra)
    if password:
        writer.encrypt(password)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def test_a_signed_scan_marks_the_convention_signed_offline_and_locks_it(people, django_capture_on_commit_callbacks):
    enroll(people, "Léa", "Petit")
    issued = issue(people)
    content = _pdf()

    with django_capture_on_commit_callbacks(execute=True):
        scan = convention_mark_signed_offline(
            convention=issued.convention,
            actor=people.provider_manager,
            uploaded=SimpleUploadedFile("scan.pdf", content, content_type="application/pdf"),
        )

    issued.convention.refresh_from_db()
    issued.document.refresh_from_db()
    assert issued.convention.status == ConventionStatus.SIGNED_OFFLINE
    assert (scan.kind, scan.origin, scan.content_type) == ("convention_signed_scan", "uploaded", "application/pdf")
    assert scan.subject_id == issued.convention.public_id
    assert scan.sha256 == hashlib.sha256(content).hexdigest()
    assert document_content(scan) == content
    assert scan.is_locked
    assert issued.document.is_locked
    assert scan.data == {"signed_version": 1, "signed_sha256": issued.document.sha256}
    assert emails_to(people.operator_staff.email)
    with pytest.raises(ConventionRefused, match="hors de la plateforme"):
        sign(issued.convention, issued.document, "provider", people.provider_referent)


def test_an_image_scan_is_accepted(people):
    enroll(people, "Léa", "Petit")
    issued = issue(people)

    scan = convention_mark_signed_offline(
        convention=issued.convention,
        actor=people.provider_referent,
        uploaded=SimpleUploadedFile("scan.png", PNG, content_type="image/png"),
    )

    assert scan.content_type == "image/png"
    assert scan.filename.endswith(".png")


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("scan.pdf", PNG, "ne correspond pas"),
        ("scan.png", b"%PDF-1.4 fake", "ne correspond pas"),
        ("scan.exe", b"MZ\x90\x00", "PDF, PNG ou JPEG"),
        ("scan.pdf", b"", "vide"),
        ("scan.pdf", "encrypted", "mot de passe"),
        ("scan.pdf", "script", "scripts"),
        ("scan.pdf", "embedded", "fichiers joints"),
        ("scan.pdf", "too_big", "dépasse"),
    ],
)
def test_forged_or_dangerous_uploads_are_refused_and_nothing_changes(people, settings, name, content, message):
    enroll(people, "Léa", "Petit")
    issued = issue(people)
    if content == "encrypted":
        content = _pdf(password="secret")
    elif content == "script":
        content = _pdf(
            {
                NameObject("/OpenAction"): DictionaryObject(
                    {
                        NameObject("/S"): NameObject("/JavaScript"),
                        NameObject("/JS"): TextStringObject("app.alert(1)"),
                    }
                )
            }
        )
    elif content == "embedded":
        content = _pdf({NameObject("/Names"): DictionaryObject({NameObject("/EmbeddedFiles"): DictionaryObject()})})
    elif content == "too_big":
        settings.PARCOURS_UPLOAD_MAX_BYTES = 1024 * 1024
        content = _pdf() + b"%" + b"0" * (1024 * 1024)

    with pytest.raises(UploadRefused, match=message):
        convention_mark_signed_offline(
            convention=issued.convention,
            actor=people.provider_referent,
            uploaded=SimpleUploadedFile(name, content),
        )

    issued.convention.refresh_from_db()
    assert issued.convention.status == ConventionStatus.ISSUED
    assert not Document.objects.filter(kind="convention_signed_scan").exists()
    assert Document.objects.filter(locked_at__isnull=False).count() == 0


def test_only_the_provider_staff_record_a_scan_and_only_once(people):
    enroll(people, "Léa", "Petit")
    issued = issue(people)

    with pytest.raises(ConventionRefused):
        convention_mark_signed_offline(
            convention=issued.convention,
            actor=people.operator_staff,
            uploaded=SimpleUploadedFile("scan.png", PNG),
        )
    convention_mark_signed_offline(
        convention=issued.convention, actor=people.provider_referent, uploaded=SimpleUploadedFile("scan.png", PNG)
    )
    with pytest.raises(ConventionRefused, match="déjà signée"):
        convention_mark_signed_offline(
            convention=issued.convention, actor=people.provider_referent, uploaded=SimpleUploadedFile("scan.png", PNG)
        )

    assert Document.objects.filter(kind="convention_signed_scan").count() == 1


# --- Who may download -----------------------------------------------------------------------------------------


def test_the_parties_are_the_provider_and_buyer_staff(people):
    enroll(people, "Léa", "Petit")
    convention = issue(people).convention

    parties = {
        role
        for role in (
            "provider_referent",
            "provider_manager",
            "trainer",
            "operator_staff",
            "other_operator_staff",
            "employer_referent",
            "beneficiary",
            "other_provider_referent",
            "outsider",
        )
        if document_party(getattr(people, role), "enrollments.convention", convention.public_id)
    }

    assert parties == {"provider_referent", "provider_manager", "operator_staff"}


def test_the_first_signature_asks_the_other_side_to_sign(people, django_capture_on_commit_callbacks):
    enroll(people, "Léa", "Petit")
    issued = issue(people)

    with django_capture_on_commit_callbacks(execute=True):
        sign(issued.convention, issued.document, "buyer", people.operator_staff, "Sophie Martin")

    subjects = [email.subject for email in emails_to(people.provider_referent.email)]
    assert subjects == ["Une convention de formation attend votre signature"]
    assert emails_to(people.employer_referent.email) == []  # the programme funds: the employer is no party
