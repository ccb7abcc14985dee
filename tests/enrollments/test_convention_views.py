"""The convention pages: every view × every role (404 for who is not a party), issuing from the session page,
signing in the browser (time, IP, user agent, hash), the signed scan form, and refusals that change nothing."""

import io

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from pypdf import PdfReader, PdfWriter

from parcours.catalog.enums import Funding
from parcours.documents.models import Document, DocumentDownload, DocumentSignature
from parcours.documents.services import document_content
from parcours.enrollments import conventions
from parcours.enrollments.conventions import convention_issue
from parcours.enrollments.enums import ConventionStatus, EnrollmentState
from parcours.enrollments.models import Convention
from parcours.organisations.models import Role
from tests.enrollments.factories import EnrollmentFactory, cast
from tests.organisations.factories import EmployerFactory, member

pytestmark = pytest.mark.django_db

ROLES = [
    "provider_referent",
    "provider_manager",
    "trainer",
    "employer_referent",
    "other_employer_referent",
    "operator_staff",
    "other_operator_staff",
    "beneficiary",
    "outsider",
]
PROVIDER_STAFF = {"provider_referent", "provider_manager"}


@pytest.fixture(autouse=True)
def _registered():
    conventions.register()


@pytest.fixture
def people():
    p = cast()
    EnrollmentFactory(
        session=p.session, employer=p.employer, beneficiary=p.beneficiary, state=EnrollmentState.ENROLLED
    )
    return p


@pytest.fixture
def issued(people):
    return convention_issue(
        session=people.session,
        programme=people.programme,
        buyer=people.programme.operator,
        actor=people.provider_referent,
    )


def employer_pays(people):
    people.programme.funding = Funding.EMPLOYER_PAYS
    people.programme.save()


def _as(client, user):
    client.logout()
    if user is not None:
        client.force_login(user)
    return client


def _flash(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def _sign_data(document, party="provider", name="Claire Fontaine", consent=True):
    data = {"party": party, f"{party}-document": str(document.public_id), f"{party}-signer_name": name}
    if consent:
        data[f"{party}-consent"] = "on"
    return data


def _pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


# --- Permissions: every view × role ---------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_the_session_page_is_for_the_provider_staff(client, people, role):
    response = _as(client, getattr(people, role)).get(reverse("conventions:session", args=[people.session.public_id]))

    assert response.status_code == (200 if role in PROVIDER_STAFF else 404)


@pytest.mark.parametrize("role", ROLES)
def test_only_the_provider_staff_issue_from_the_session_page(client, people, role):
    response = _as(client, getattr(people, role)).post(
        reverse("conventions:issue", args=[people.session.public_id]),
        {"programme": people.programme.public_id, "buyer": people.programme.operator.public_id},
    )

    if role in PROVIDER_STAFF:
        convention = Convention.objects.get()
        assert response.status_code == 302
        assert response["Location"] == reverse("conventions:detail", args=[convention.public_id])
    else:
        assert response.status_code == 404
        assert not Convention.objects.exists()


# Who sees an operator-funded convention: the provider's staff and the programme's operator staff.
OPERATOR_FUNDED_PARTIES = PROVIDER_STAFF | {"operator_staff"}


@pytest.mark.parametrize("role", ROLES)
def test_the_convention_page_and_its_files_are_for_the_parties(client, people, issued, role):
    client = _as(client, getattr(people, role))
    page = client.get(reverse("conventions:detail", args=[issued.convention.public_id]))
    download = client.get(reverse("documents:download", args=[issued.document.public_id]))

    expected = 200 if role in OPERATOR_FUNDED_PARTIES else 404
    assert (page.status_code, download.status_code) == (expected, expected)
    if expected == 200:
        assert download["Content-Type"] == "application/pdf"
        assert download.content == document_content(issued.document)
        assert DocumentDownload.objects.filter(document=issued.document, user=getattr(people, role)).count() == 1
    else:
        assert not DocumentDownload.objects.exists()


@pytest.mark.parametrize("role", ROLES)
def test_when_the_employer_pays_its_staff_are_the_buyer(client, people, role):
    employer_pays(people)
    member(people.employer, Role.REFERENT)  # someone else to be told
    issued = convention_issue(
        session=people.session, programme=people.programme, buyer=people.employer, actor=people.provider_referent
    )

    client = _as(client, getattr(people, role))
    page = client.get(reverse("conventions:detail", args=[issued.convention.public_id]))
    download = client.get(reverse("documents:download", args=[issued.document.public_id]))

    parties = PROVIDER_STAFF | {"employer_referent"}
    expected = 200 if role in parties else 404
    assert (page.status_code, download.status_code) == (expected, expected)


@pytest.mark.parametrize("role", ROLES)
def test_signing_is_for_the_parties(client, people, issued, role):
    party = "provider" if role in PROVIDER_STAFF else "buyer"
    response = _as(client, getattr(people, role)).post(
        reverse("conventions:sign", args=[issued.convention.public_id]), _sign_data(issued.document, party=party)
    )

    if role in OPERATOR_FUNDED_PARTIES:
        assert response.status_code == 302
        assert DocumentSignature.objects.get().party == party
    else:
        assert response.status_code == 404
        assert not DocumentSignature.objects.exists()


@pytest.mark.parametrize("role", ROLES)
def test_the_scan_form_is_for_the_provider_staff(client, people, issued, role):
    client = _as(client, getattr(people, role))
    url = reverse("conventions:offline", args=[issued.convention.public_id])

    page = client.get(url)
    post = client.post(url, {"scan": SimpleUploadedFile("scan.pdf", _pdf())})

    if role in PROVIDER_STAFF:
        assert page.status_code == 200
        assert post.status_code == 302
    else:
        expected = 403 if role in OPERATOR_FUNDED_PARTIES else 404  # the buyer sees the convention
        assert (page.status_code, post.status_code) == (expected, expected)
        assert not Document.objects.filter(kind="convention_signed_scan").exists()


@pytest.mark.parametrize(
    "name",
    [
        "conventions:list",
        "conventions:session",
        "conventions:issue",
        "conventions:detail",
        "conventions:sign",
        "conventions:offline",
    ],
)
def test_anonymous_people_are_sent_to_log_in(client, people, issued, name):
    args = {
        "conventions:list": [],
        "conventions:session": [people.session.public_id],
        "conventions:issue": [people.session.public_id],
    }.get(name, [issued.convention.public_id])
    url = reverse(name, args=args)

    response = client.post(url) if name in {"conventions:issue", "conventions:sign"} else client.get(url)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_changes_need_a_post(client, people, issued):
    client = _as(client, people.provider_referent)

    assert client.get(reverse("conventions:issue", args=[people.session.public_id])).status_code == 405
    assert client.get(reverse("conventions:sign", args=[issued.convention.public_id])).status_code == 405


def test_the_list_shows_the_conventions_of_ones_organisations(client, people, issued):
    other = cast()
    EnrollmentFactory(
        session=other.session, employer=other.employer, beneficiary=other.beneficiary, state=EnrollmentState.ENROLLED
    )
    convention_issue(
        session=other.session, programme=other.programme, buyer=other.programme.operator, actor=other.provider_referent
    )

    for role, count in (("provider_referent", 1), ("operator_staff", 1), ("outsider", 0), ("trainer", 0)):
        response = _as(client, getattr(people, role)).get(reverse("conventions:list"))
        assert response.status_code == 200
        assert response.context["page"].paginator.count == count


# --- The session page and issuing -----------------------------------------------------------------------------


def test_the_session_page_lists_each_buyer_with_its_trainees(client, people, django_assert_max_num_queries):
    employer_pays(people)
    other = EmployerFactory(name="Garage Leroy")
    for index in range(5):
        beneficiary = member(other, Role.EMPLOYEE, first_name="Nom", last_name=f"Salarié {index}").user
        EnrollmentFactory(session=people.session, employer=other, beneficiary=beneficiary, state="enrolled")
    client = _as(client, people.provider_referent)
    url = reverse("conventions:session", args=[people.session.public_id])
    client.get(url)

    with django_assert_max_num_queries(12):
        response = client.get(url)

    content = response.content.decode()
    assert "Boulangerie Martin" in content
    assert "Garage Leroy" in content
    assert "Léa Petit" in content
    assert "Nom Salarié 4" in content
    assert content.count("Émettre la convention") == 2


def test_issuing_from_the_page_then_again_without_change(client, people):
    client = _as(client, people.provider_manager)
    url = reverse("conventions:issue", args=[people.session.public_id])
    data = {"programme": people.programme.public_id, "buyer": people.programme.operator.public_id}

    first = client.post(url, data)
    again = client.post(url, data, follow=True)

    assert first.status_code == 302
    assert "déjà à jour (version 1)" in again.content.decode()
    assert Document.objects.filter(kind="convention").count() == 1


def test_a_session_without_trainee_cannot_have_a_convention(client, people):
    people.session.enrollments.update(state=EnrollmentState.CANCELLED)
    client = _as(client, people.provider_referent)

    response = client.post(
        reverse("conventions:issue", args=[people.session.public_id]),
        {"programme": people.programme.public_id, "buyer": people.programme.operator.public_id},
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("conventions:session", args=[people.session.public_id])
    assert any("Aucune personne inscrite" in message for message in _flash(response))
    assert not Convention.objects.exists()
    assert not Document.objects.exists()
    page = client.get(reverse("conventions:session", args=[people.session.public_id])).content.decode()
    assert "Aucune personne inscrite à cette session" in page


# --- Signing in the browser -----------------------------------------------------------------------------------


def test_both_parties_sign_in_the_browser_and_the_version_locks(client, people, issued):
    detail = reverse("conventions:detail", args=[issued.convention.public_id])
    sign = reverse("conventions:sign", args=[issued.convention.public_id])
    client = _as(client, people.provider_referent)
    page = client.get(detail).content.decode()
    assert "Signer pour la partie « Organisme de formation »" in page
    assert "même valeur qu" in page  # the consent text

    response = client.post(
        sign, _sign_data(issued.document), REMOTE_ADDR="203.0.113.7", HTTP_USER_AGENT="Firefox de test"
    )

    assert any("l'autre partie est invitée" in message for message in _flash(response))
    signature = DocumentSignature.objects.get()
    assert (signature.party, signature.signer_name, signature.signer) == (
        "provider",
        "Claire Fontaine",
        people.provider_referent,
    )
    assert (signature.ip, signature.user_agent) == ("203.0.113.7", "Firefox de test")
    assert signature.document_sha256 == issued.document.sha256
    assert signature.signed_at is not None
    assert "Signer pour la partie" not in client.get(detail).content.decode()  # signed: no form any more

    client = _as(client, people.operator_staff)
    response = client.post(sign, _sign_data(issued.document, party="buyer", name="Sophie Martin"))

    assert any("signée par les deux parties" in message for message in _flash(response))
    issued.convention.refresh_from_db()
    issued.document.refresh_from_db()
    assert issued.convention.status == ConventionStatus.SIGNED
    assert issued.document.is_locked
    page = client.get(detail).content.decode()
    assert "Sophie Martin" in page
    assert "Claire Fontaine" in page
    assert issued.document.sha256 in page


def test_a_second_signature_by_the_same_party_is_refused(client, people, issued):
    sign = reverse("conventions:sign", args=[issued.convention.public_id])
    _as(client, people.provider_referent).post(sign, _sign_data(issued.document))

    response = _as(client, people.provider_manager).post(sign, _sign_data(issued.document, name="Jean Autre"))

    assert response.status_code == 302
    assert "Ce document est déjà signé pour votre partie." in _flash(response)
    assert DocumentSignature.objects.count() == 1


def test_signing_a_superseded_version_is_refused(client, people, issued):
    beneficiary = member(people.employer, Role.EMPLOYEE, first_name="Marc", last_name="Dupuis").user
    EnrollmentFactory(session=people.session, employer=people.employer, beneficiary=beneficiary, state="enrolled")
    newer = convention_issue(
        session=people.session,
        programme=people.programme,
        buyer=people.programme.operator,
        actor=people.provider_referent,
    )

    response = _as(client, people.provider_referent).post(
        reverse("conventions:sign", args=[issued.convention.public_id]), _sign_data(issued.document)
    )

    assert newer.document.version == 2
    assert any("version plus récente" in message for message in _flash(response))
    assert not DocumentSignature.objects.exists()
    page = client.get(reverse("conventions:detail", args=[issued.convention.public_id])).content.decode()
    assert "(remplacée)" in page


def test_a_signature_without_consent_or_name_shows_the_errors_next_to_the_fields(client, people, issued):
    client = _as(client, people.provider_referent)
    sign = reverse("conventions:sign", args=[issued.convention.public_id])

    response = client.post(sign, _sign_data(issued.document, name="", consent=False))

    assert response.status_code == 400
    content = response.content.decode()
    assert "Cochez cette case pour signer la convention." in content
    assert "Saisissez votre prénom et votre nom pour signer." in content
    assert not DocumentSignature.objects.exists()


def test_signing_for_the_other_side_is_refused(client, people, issued):
    response = _as(client, people.provider_referent).post(
        reverse("conventions:sign", args=[issued.convention.public_id]), _sign_data(issued.document, party="buyer")
    )

    assert response.status_code == 302
    assert any("pour cette partie" in message for message in _flash(response))
    assert not DocumentSignature.objects.exists()


# --- The signed scan ------------------------------------------------------------------------------------------


def test_the_scan_marks_the_convention_signed_offline(client, people, issued):
    client = _as(client, people.provider_referent)

    response = client.post(
        reverse("conventions:offline", args=[issued.convention.public_id]),
        {"scan": SimpleUploadedFile("convention signée.pdf", _pdf())},
        follow=True,
    )

    issued.convention.refresh_from_db()
    assert issued.convention.status == ConventionStatus.SIGNED_OFFLINE
    scan = Document.objects.get(kind="convention_signed_scan")
    content = response.content.decode()
    assert "Signée hors de la plateforme" in content
    assert reverse("documents:download", args=[scan.public_id]) in content
    download = client.get(reverse("documents:download", args=[scan.public_id]))
    assert PdfReader(io.BytesIO(download.content)).pages  # the stored scan opens
    assert "Marquer comme signée hors de la plateforme" not in content


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("scan.pdf", b"\x89PNG\r\n\x1a\n" + b"\x00" * 32, "ne correspond pas à son extension"),
        ("scan.docx", b"PK\x03\x04", "Déposez un fichier PDF, PNG ou JPEG."),
        ("scan.pdf", "too_big", "Le fichier dépasse 1 Mo"),
    ],
)
def test_a_forged_scan_is_refused_next_to_the_field(client, people, issued, settings, name, content, message):
    if content == "too_big":
        settings.PARCOURS_UPLOAD_MAX_BYTES = 1024 * 1024
        content = _pdf() + b"%" + b"0" * (1024 * 1024)
    client = _as(client, people.provider_referent)

    response = client.post(
        reverse("conventions:offline", args=[issued.convention.public_id]), {"scan": SimpleUploadedFile(name, content)}
    )

    assert response.status_code == 400
    assert message in response.content.decode()
    assert response.context["form"].errors["scan"]
    issued.convention.refresh_from_db()
    assert issued.convention.status == ConventionStatus.ISSUED
    assert not Document.objects.filter(kind="convention_signed_scan").exists()


def test_a_missing_scan_is_asked_for(client, people, issued):
    response = _as(client, people.provider_referent).post(
        reverse("conventions:offline", args=[issued.convention.public_id]), {}
    )

    assert response.status_code == 400
    assert "Choisissez le fichier de la convention signée." in response.content.decode()
