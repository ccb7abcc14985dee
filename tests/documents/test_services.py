import io
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from pypdf import PdfReader, PdfWriter
from pypdf.generic import DictionaryObject, NameObject, TextStringObject

from parcours.documents.registry import document_parties_register
from parcours.documents.services import DocumentRefused, document_content, document_generate, document_sign
from parcours.documents.uploads import UploadRefused, upload_check
from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db
SUBJECT = uuid.uuid4()


def generate(**data):
    return document_generate(
        kind="test",
        subject_type="tests.subject",
        subject_id=SUBJECT,
        template="documents/test_document.html",
        context={},
        data={"title": "Convention de formation", "body": "Entre les parties.", **data},
        filename="convention.pdf",
    )


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_a_generated_pdf_holds_its_text_and_its_hash():
    document = generate()

    content = document_content(document)
    assert content.startswith(b"%PDF-")
    assert "Convention de formation" in pdf_text(content)
    assert len(PdfReader(io.BytesIO(content)).pages) == 1
    assert document.version == 1
    import hashlib

    assert document.sha256 == hashlib.sha256(content).hexdigest()


def test_the_same_data_keeps_the_version_and_a_change_makes_a_new_one():
    first = generate()

    assert generate().pk == first.pk
    second = generate(body="Entre les parties, modifiée.")

    assert second.version == 2
    assert "modifiée" in pdf_text(document_content(second))
    assert "modifiée" not in pdf_text(document_content(first))  # the old version is kept as it was


def test_a_signature_is_bound_to_the_latest_version_once_per_party():
    first = generate()
    signer = UserFactory()

    signature = document_sign(
        document=first, party="provider", signer=signer, signer_name="Claire Fontaine", consent_text="Je signe."
    )

    assert signature.document_sha256 == first.sha256
    with pytest.raises(DocumentRefused, match="déjà signé"):
        document_sign(document=first, party="provider", signer=signer, signer_name="Claire", consent_text="x")
    generate(body="Autre texte.")
    with pytest.raises(DocumentRefused, match="plus récente"):
        document_sign(document=first, party="buyer", signer=signer, signer_name="Sophie", consent_text="x")


def test_only_parties_download(client):
    document = generate()
    party, outsider = UserFactory(), UserFactory()
    document_parties_register("tests.subject", lambda user, subject_id: user.pk == party.pk)

    client.force_login(outsider)
    assert client.get(f"/documents/{document.public_id}/").status_code == 404
    client.force_login(party)
    response = client.get(f"/documents/{document.public_id}/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert document.downloads.get().user == party


def _pdf(**extra) -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    if extra.get("javascript"):
        action = DictionaryObject(
            {NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): TextStringObject("app.alert('x');")}
        )
        writer._root_object[NameObject("/OpenAction")] = action
    if extra.get("attachment"):
        writer.add_attachment("virus.exe", b"MZ...")
    if extra.get("password"):
        writer.encrypt("secret")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def test_a_clean_pdf_or_image_is_accepted():
    assert upload_check(SimpleUploadedFile("scan.pdf", _pdf())).kind == "pdf"
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 100
    assert upload_check(SimpleUploadedFile("scan.PNG", png)).content_type == "image/png"


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("scan.pdf", b"\x89PNG\r\n\x1a\n" + b"\x00" * 10, "ne correspond pas à son extension"),
        ("scan.exe", b"MZ" + b"\x00" * 10, "PDF, PNG ou JPEG"),
        ("scan.pdf", b"", "vide"),
        ("scan.pdf", _pdf(javascript=True), "scripts ou des fichiers joints"),
        ("scan.pdf", _pdf(attachment=True), "scripts ou des fichiers joints"),
        ("scan.pdf", _pdf(password=True), "protégé par un mot de passe"),
        ("scan.pdf", b"%PDF-1.7 not really a pdf", "illisible"),
    ],
)
def test_forged_uploads_are_refused_with_the_reason(name, content, message):
    with pytest.raises(UploadRefused, match=message):
        upload_check(SimpleUploadedFile(name, content))


def test_an_upload_over_the_limit_is_refused(settings):
    settings.PARCOURS_UPLOAD_MAX_BYTES = 1024

    with pytest.raises(UploadRefused, match="dépasse"):
        upload_check(SimpleUploadedFile("scan.pdf", _pdf() + b"\x00" * 2048))
