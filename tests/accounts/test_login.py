from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

from parcours.accounts.models import NirRecord, TermsAcceptance
from parcours.accounts.nir_vault import nir_encrypt, nir_lookup_hash
from parcours.audit.models import AuditEvent
from tests.accounts.factories import DEFAULT_PASSWORD, UserFactory
from tests.helpers.outbox import emails_to, first_link, last_email_to

pytestmark = pytest.mark.django_db

NIR = "1850578006084"


@pytest.fixture
def titulaire():
    user = UserFactory(email="julien.moreau@example.org", first_name="Julien")
    NirRecord.objects.create(user=user, ciphertext=nir_encrypt(NIR), lookup_hash=nir_lookup_hash(NIR))
    return user


def login(client, identifier, password=DEFAULT_PASSWORD, **extra):
    return client.post(reverse("account_login"), {"login": identifier, "password": password, **extra})


def test_login_with_the_email(client, titulaire):
    response = login(client, "Julien.Moreau@example.org")

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(titulaire.pk)


@pytest.mark.parametrize("typed", ["1850578006084", "1 85 05 78 006 084 91", "185057800608491"])
def test_login_with_the_nir_with_or_without_spaces_or_key(client, titulaire, typed):
    response = login(client, typed)

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(titulaire.pk)


@pytest.mark.parametrize("identifier", ["julien.moreau@example.org", "nobody@example.org", "2850578006084"])
def test_one_neutral_message_for_unknown_identifiers_and_wrong_passwords(client, titulaire, identifier):
    response = login(client, identifier, password="pas le bon")

    assert response.status_code == 200
    assert "Identifiant ou mot de passe incorrect." in response.text
    assert identifier in response.text  # what was typed is kept
    assert NIR not in response.text or identifier == NIR


def test_without_remember_me_the_session_ends_with_the_browser(client, titulaire):
    login(client, titulaire.email)

    assert client.session.get_expire_at_browser_close()


def test_remember_me_keeps_a_long_session(client, titulaire, settings):
    login(client, titulaire.email, remember="on")

    assert not client.session.get_expire_at_browser_close()
    assert client.session.get_expiry_age() == settings.SESSION_COOKIE_AGE


@pytest.fixture
def minute_start(time_machine):
    """The lockout counts per-minute buckets: a test crossing a minute would read 14 minutes left."""
    time_machine.move_to(timezone.now().replace(second=1, microsecond=0) + timedelta(minutes=1))


def test_five_failures_lock_the_identifier_and_the_holder_gets_a_reset_link(
    client, titulaire, django_capture_on_commit_callbacks, minute_start
):
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(6):
            login(client, NIR, password="pas le bon")

    locked = login(client, NIR)

    assert "Trop de tentatives de connexion. Réessayez dans 15 minutes" in locked.text
    assert "_auth_user_id" not in client.session
    message = last_email_to(titulaire.email)
    assert "bloquée" in message.subject
    assert NIR not in message.body_text
    assert len(emails_to(titulaire.email)) == 1


def test_the_refusal_is_the_same_for_an_unknown_identifier(client, minute_start):
    for _ in range(5):
        login(client, "nobody@example.org", password="x")

    response = login(client, "nobody@example.org", password="x")

    assert "Trop de tentatives de connexion. Réessayez dans 15 minutes" in response.text


def test_the_email_stays_an_identifier_while_the_nir_is_locked(client, titulaire):
    for _ in range(5):
        login(client, NIR, password="pas le bon")

    assert login(client, titulaire.email).status_code == 302


def test_resetting_the_password_lifts_the_lock(client, titulaire, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(5):
            login(client, NIR, password="x")
    link = first_link(last_email_to(titulaire.email), contains="/password/reset/key/")

    response = client.get(link)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            response.url,
            {"password1": "Une-autre-phrase-secrete-2026", "password2": "Une-autre-phrase-secrete-2026"},
        )

    assert login(client, NIR, password="Une-autre-phrase-secrete-2026").status_code == 302
    assert AuditEvent.objects.filter(event_type="account.password_changed", actor=titulaire).exists()


def test_logout_ends_the_session_on_the_server(client, titulaire):
    login(client, titulaire.email)
    session_key = client.session.session_key

    client.post(reverse("account_logout"))

    assert not Session.objects.filter(session_key=session_key).exists()


def test_a_new_cgu_version_is_accepted_at_the_next_login(client, titulaire, settings):
    settings.PARCOURS_CGU_VERSION = "2027-01"

    response = login(client, titulaire.email)

    assert response.url == reverse("accounts:terms_accept")
    page = client.get(response.url)
    assert page.status_code == 200
    assert "_auth_user_id" not in client.session
    accepted = client.post(response.url, {"accept": "on"})
    assert accepted.status_code == 302
    assert client.session["_auth_user_id"] == str(titulaire.pk)
    assert TermsAcceptance.objects.filter(user=titulaire, version="2027-01").exists()


def test_forgot_identifier_emails_the_account_without_the_nir(client, titulaire, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:forgot_identifier"), {"email": titulaire.email}, follow=True)
        unknown = client.post(reverse("accounts:forgot_identifier"), {"email": "nobody@example.org"}, follow=True)

    message = last_email_to(titulaire.email)
    assert titulaire.email in message.body_text
    assert NIR not in message.body_text
    assert emails_to("nobody@example.org") == []
    assert "Si un compte correspond à cette adresse" in response.text
    assert "Si un compte correspond à cette adresse" in unknown.text


def test_forgot_password_gives_the_same_answer_for_any_address(client, titulaire, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        known = client.post(reverse("account_reset_password"), {"email": titulaire.email}, follow=True)
        unknown = client.post(reverse("account_reset_password"), {"email": "nobody@example.org"}, follow=True)

    assert known.redirect_chain == unknown.redirect_chain
    assert known.context["view"].__class__ is unknown.context["view"].__class__
    assert emails_to("nobody@example.org") == []
    assert "/password/reset/key/" in last_email_to(titulaire.email).body_text


def test_a_reset_link_serves_once(client, titulaire, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("account_reset_password"), {"email": titulaire.email})
    link = first_link(last_email_to(titulaire.email), contains="/password/reset/key/")
    form_url = client.get(link).url
    client.post(form_url, {"password1": "Une-autre-phrase-secrete-2026", "password2": "Une-autre-phrase-secrete-2026"})

    again = client.get(link, follow=True)

    assert "Ce lien n’est plus valide" in again.text
