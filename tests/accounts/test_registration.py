import datetime

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.urls import reverse
from django.utils import timezone

from parcours.accounts.enums import IdentityReview, RegistrationKind, RegistrationStatus
from parcours.accounts.models import NirRecord, Registration, TermsAcceptance, User
from parcours.accounts.nir_vault import nir_decrypt, nir_lookup_hash
from parcours.accounts.services.registration import (
    RegistrationLinkError,
    SignupCodeError,
    SignupRateLimited,
    registration_confirm,
    registration_create,
    registration_resend,
    registrations_purge,
    stagiaire_code_resend,
    stagiaire_code_verify,
    stagiaire_registration_complete,
)
from parcours.audit.models import AuditEvent
from tests.accounts.factories import UserFactory
from tests.helpers.outbox import code_in, emails_to, first_link, last_email_to

pytestmark = pytest.mark.django_db

NIR = "1850578006084"


def titulaire(sent, *, email="julien.moreau@example.org", nir=NIR, **identity):
    return sent(
        registration_create,
        kind=RegistrationKind.TITULAIRE,
        email=email,
        identity={"first_name": "Julien", "last_name": "Moreau", "birth_date": "1985-05-14", "civility": "M"}
        | identity,
        nir_body=nir,
        raw_password="cheval-agrafe-pile-correcte",
        cgu_version="2026-11",
        cgu_accepted_at=timezone.now(),
        ip="192.0.2.1",
    )


def token_of(email: str) -> str:
    link = first_link(last_email_to(email), contains="/inscription/confirmer/")
    return link.rstrip("/").rsplit("/", 1)[-1]


def test_a_titulaire_registration_keeps_the_nir_encrypted_and_emails_a_link(sent):
    registration = titulaire(sent)

    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.PENDING
    assert NIR not in registration.nir_ciphertext
    assert nir_decrypt(registration.nir_ciphertext) == NIR
    assert registration.nir_hash == nir_lookup_hash(NIR)
    assert "nir" not in registration.data
    message = last_email_to("julien.moreau@example.org")
    assert "15 jours" in message.body_text
    assert NIR not in message.body_text
    assert not User.objects.exists()


def test_confirming_creates_the_account_with_everything_in_one_go(sent):
    registration = titulaire(sent)

    user = registration_confirm(token=token_of("julien.moreau@example.org"))

    assert user.email == "julien.moreau@example.org"
    assert user.check_password("cheval-agrafe-pile-correcte")
    assert user.birth_date == datetime.date(1985, 5, 14)
    assert user.registration_kind == RegistrationKind.TITULAIRE
    assert EmailAddress.objects.get(user=user).verified
    assert nir_decrypt(NirRecord.objects.get(user=user).ciphertext) == NIR
    assert TermsAcceptance.objects.get(user=user).version == "2026-11"
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.CONFIRMED
    assert registration.password_hash == registration.nir_ciphertext == ""
    assert AuditEvent.objects.filter(event_type="account.created", actor=user).exists()


def test_a_used_link_says_so(sent):
    titulaire(sent)
    token = token_of("julien.moreau@example.org")
    registration_confirm(token=token)

    with pytest.raises(RegistrationLinkError) as error:
        registration_confirm(token=token)

    assert error.value.reason == "used"


def test_a_forged_link_is_invalid(sent):
    titulaire(sent)

    with pytest.raises(RegistrationLinkError) as error:
        registration_confirm(token=token_of("julien.moreau@example.org") + "x")

    assert error.value.reason == "invalid"


def test_an_expired_link_offers_a_new_one_that_works(sent):
    with time_machine.travel("2026-11-01 10:00"):
        registration = titulaire(sent)
        old_token = token_of("julien.moreau@example.org")

    with time_machine.travel("2026-11-17 10:00"):
        with pytest.raises(RegistrationLinkError) as error:
            registration_confirm(token=old_token)
        assert error.value.reason == "expired"
        sent(registration_resend, registration=error.value.registration, ip="192.0.2.1")

        user = registration_confirm(token=token_of("julien.moreau@example.org"))

    assert user.email == registration.email


def test_a_new_signup_with_the_same_email_replaces_the_pending_one(sent):
    titulaire(sent)
    first_token = token_of("julien.moreau@example.org")
    titulaire(sent)

    with pytest.raises(RegistrationLinkError) as error:
        registration_confirm(token=first_token)

    assert error.value.reason == "unavailable"
    assert registration_confirm(token=token_of("julien.moreau@example.org"))


def test_the_email_of_an_existing_account_gets_a_notice_not_a_link(sent):
    UserFactory(email="julien.moreau@example.org")

    titulaire(sent)

    message = last_email_to("julien.moreau@example.org")
    assert "déjà un compte" in message.body_text
    assert "/inscription/confirmer/" not in message.body_text
    assert User.objects.count() == 1


def test_the_nir_of_an_existing_account_alerts_its_holder_and_nobody_else(sent):
    holder = UserFactory(email="holder@example.org")
    NirRecord.objects.create(user=holder, ciphertext="x", lookup_hash=nir_lookup_hash(NIR))

    titulaire(sent, email="someone.else@example.org")

    assert "numéro de sécurité sociale" in last_email_to("holder@example.org").body_text
    assert emails_to("someone.else@example.org") == []


def test_two_pending_registrations_with_one_nir_the_first_to_confirm_wins(sent):
    titulaire(sent, email="first@example.org")
    titulaire(sent, email="second@example.org")
    second_token = token_of("second@example.org")

    registration_confirm(token=token_of("first@example.org"))

    with pytest.raises(RegistrationLinkError) as error:
        registration_confirm(token=second_token)
    assert error.value.reason == "unavailable"
    assert User.objects.get().email == "first@example.org"


def test_a_confirmed_civility_mismatch_flags_the_account_for_review(sent):
    titulaire(sent, civility="MME", identity_review=IdentityReview.NIR_SEX_MISMATCH)

    user = registration_confirm(token=token_of("julien.moreau@example.org"))

    assert user.identity_review == IdentityReview.NIR_SEX_MISMATCH


def test_signups_are_rate_limited_per_email(sent, settings):
    settings.PARCOURS_SIGNUP_LIMIT_PER_EMAIL = 2
    titulaire(sent)
    titulaire(sent)

    with pytest.raises(SignupRateLimited):
        titulaire(sent)


def stagiaire(sent, email="ines.haddad@example.org"):
    return sent(
        registration_create,
        kind=RegistrationKind.STAGIAIRE,
        email=email,
        identity={
            "first_name": "Inès",
            "last_name": "Haddad",
            "birth_date": "2001-09-03",
            "remuneration_dossier_claim": "RS-2026-004512",
        },
        ip="192.0.2.1",
    )


def test_a_stagiaire_proves_the_email_with_a_code_then_chooses_a_password(sent):
    registration = stagiaire(sent)
    code = code_in(last_email_to("ines.haddad@example.org"))

    stagiaire_code_verify(registration=registration, code=code)
    user = stagiaire_registration_complete(
        registration=registration,
        raw_password="cheval-agrafe-pile-correcte",
        cgu_version="2026-11",
        cgu_accepted_at=timezone.now(),
    )

    assert user.remuneration_dossier_claim == "RS-2026-004512"
    assert user.registration_kind == RegistrationKind.STAGIAIRE
    assert TermsAcceptance.objects.filter(user=user, version="2026-11").exists()


def test_a_wrong_code_counts_and_five_cancel_it(sent):
    registration = stagiaire(sent)
    code = code_in(last_email_to("ines.haddad@example.org"))
    wrong = "000000" if code != "000000" else "111111"

    for left in (4, 3, 2, 1):
        with pytest.raises(SignupCodeError, match=f"Il vous reste {left} essai"):
            stagiaire_code_verify(registration=registration, code=wrong)
    with pytest.raises(SignupCodeError) as error:
        stagiaire_code_verify(registration=registration, code=wrong)
    assert not error.value.can_retry

    with pytest.raises(SignupCodeError):
        stagiaire_code_verify(registration=registration, code=code)


def test_the_code_expires_and_a_new_one_cancels_the_old(sent):
    with time_machine.travel("2026-11-24 10:00", tick=False) as clock:
        registration = stagiaire(sent)
        old_code = code_in(last_email_to("ines.haddad@example.org"))

        assert stagiaire_code_resend(registration=registration, ip="192.0.2.1") > 0  # too early
        clock.shift(16 * 60)
        with pytest.raises(SignupCodeError, match="expiré"):
            stagiaire_code_verify(registration=registration, code=old_code)

        assert sent(stagiaire_code_resend, registration=registration, ip="192.0.2.1") == 0
        new_code = code_in(last_email_to("ines.haddad@example.org"))
        if new_code != old_code:
            with pytest.raises(SignupCodeError):
                stagiaire_code_verify(registration=registration, code=old_code)
        stagiaire_code_verify(registration=registration, code=new_code)


def test_completing_without_a_verified_code_is_refused(sent):
    registration = stagiaire(sent)

    with pytest.raises(RegistrationLinkError):
        stagiaire_registration_complete(
            registration=registration,
            raw_password="cheval-agrafe-pile-correcte",
            cgu_version="2026-11",
            cgu_accepted_at=timezone.now(),
        )


def test_expired_registrations_are_kept_thirty_days_then_purged(sent):
    with time_machine.travel("2026-10-01 10:00"):
        old = titulaire(sent, email="old@example.org")
    with time_machine.travel("2026-11-20 10:00"):
        recent = titulaire(sent, email="recent@example.org")

    with time_machine.travel("2026-11-24 10:00"):
        assert registrations_purge() == 1

    assert not Registration.objects.filter(pk=old.pk).exists()
    assert Registration.objects.filter(pk=recent.pk).exists()


def test_the_confirmation_url_is_public_and_shows_a_button(sent, client):
    titulaire(sent)
    token = token_of("julien.moreau@example.org")

    response = client.get(reverse("accounts:registration_confirm", kwargs={"token": token}))

    assert response.status_code == 200
    assert "Activer mon compte" in response.text
    assert not User.objects.exists()


def test_a_stagiaire_signup_with_a_taken_email_behaves_like_any_other(sent):
    UserFactory(email="ines.haddad@example.org")
    registration = stagiaire(sent)

    registration.refresh_from_db()
    assert registration.code_sent_at is not None  # same cool-down and attempts as a new address
    with pytest.raises(SignupCodeError, match="Il vous reste 4 essais"):
        stagiaire_code_verify(registration=registration, code="000000")
    assert "registration_code" not in {m.subject for m in emails_to("ines.haddad@example.org")}


def test_notices_to_an_account_holder_are_sent_at_most_hourly(sent):
    UserFactory(email="julien.moreau@example.org")

    for _ in range(3):
        titulaire(sent)

    assert len(emails_to("julien.moreau@example.org")) == 1
