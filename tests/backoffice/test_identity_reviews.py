"""Flagged accounts: the list, the page (civility, birth date, the NIR's sex, never the NIR) and the decision."""

import datetime

import pytest
from django.urls import reverse

from parcours.accounts.enums import Civility, IdentityReview
from parcours.accounts.models import NirRecord
from parcours.accounts.nir_vault import nir_encrypt, nir_lookup_hash
from parcours.audit.models import AuditEvent
from tests.accounts.factories import UserFactory
from tests.helpers.outbox import last_email_to

pytestmark = pytest.mark.django_db

MALE_NIR_BODY = "1850578006084"


@pytest.fixture
def logged_in(client, gestionnaire):
    client.force_login(gestionnaire)
    return client


def flagged(civility=Civility.MADAME, nir_body=MALE_NIR_BODY, **fields):
    user = UserFactory(
        civility=civility,
        identity_review=IdentityReview.NIR_SEX_MISMATCH,
        birth_date=datetime.date(1985, 5, 14),
        **fields,
    )
    if nir_body:
        NirRecord.objects.create(user=user, ciphertext=nir_encrypt(nir_body), lookup_hash=nir_lookup_hash(nir_body))
    return user


def page_of(person):
    return reverse("backoffice:identity_review", args=[person.public_id])


def test_the_list_shows_flagged_accounts_only(logged_in, django_assert_max_num_queries):
    for index in range(30):
        flagged(first_name=f"Personne{index:02d}", last_name="Flag", nir_body=None)
    UserFactory(first_name="Sans", last_name="Souci")

    with django_assert_max_num_queries(8):
        response = logged_in.get(reverse("backoffice:identity_reviews"))

    page = response.content.decode()
    assert response.context["page"].paginator.count == 30
    assert len(response.context["page"].object_list) == 25
    assert "Sans Souci" not in page
    assert "Civilité différente du sexe indiqué par le NIR" in page
    assert "?page=2" in page


def test_the_page_shows_the_civility_the_birth_date_and_what_the_nir_says_but_not_the_nir(logged_in):
    person = flagged(civility=Civility.MADAME, first_name="Camille", last_name="Petit")

    response = logged_in.get(page_of(person))

    page = response.content.decode()
    assert "Madame" in page
    assert "14 mai 1985" in page
    assert "Le NIR indique un homme." in page
    assert MALE_NIR_BODY not in page
    assert MALE_NIR_BODY[:7] not in page
    choices = dict(response.context["form"].fields["decision"].choices)
    assert choices == {
        "confirm": "Confirmer l'identité déclarée (la civilité reste celle choisie)",
        "correct": "Corriger la civilité en « Monsieur »",
    }


def test_without_a_nir_only_confirming_is_offered(logged_in):
    response = logged_in.get(page_of(flagged(nir_body=None)))

    assert list(dict(response.context["form"].fields["decision"].choices)) == ["confirm"]
    assert "n’a plus de numéro de sécurité sociale" in response.content.decode()


def test_correcting_the_civility(logged_in, gestionnaire, django_capture_on_commit_callbacks):
    person = flagged(civility=Civility.MADAME)

    with django_capture_on_commit_callbacks(execute=True):
        response = logged_in.post(page_of(person), {"decision": "correct", "reason": "Erreur de saisie confirmée"})

    assert response.status_code == 302
    assert response["Location"] == reverse("backoffice:identity_reviews")
    person.refresh_from_db()
    assert (person.civility, person.identity_review) == (Civility.MONSIEUR, "")
    event = AuditEvent.objects.get(event_type="account.identity_reviewed")
    assert event.actor == gestionnaire
    assert event.details["reason"] == "Erreur de saisie confirmée"
    email = last_email_to(person.email)
    assert email.subject == "La civilité de votre compte a été corrigée"
    assert "Erreur de saisie confirmée" in email.body_text
    # Once decided, the account leaves the list and its page closes.
    assert logged_in.get(page_of(person)).status_code == 404


def test_a_reason_is_required(logged_in):
    person = flagged()

    response = logged_in.post(page_of(person), {"decision": "confirm", "reason": ""})

    assert response.status_code == 200
    assert "Indiquez le motif de la décision" in response.content.decode()
    person.refresh_from_db()
    assert person.identity_review == IdentityReview.NIR_SEX_MISMATCH


def test_a_decision_the_page_does_not_offer_is_refused(logged_in):
    person = flagged(nir_body=None)

    response = logged_in.post(page_of(person), {"decision": "correct", "reason": "Vérifié"})

    assert response.status_code == 200
    assert response.context["form"].errors["decision"]
    person.refresh_from_db()
    assert person.identity_review == IdentityReview.NIR_SEX_MISMATCH


def test_a_gestionnaire_cannot_decide_their_own_account(client, gestionnaire):
    gestionnaire.identity_review = IdentityReview.NIR_SEX_MISMATCH
    gestionnaire.save(update_fields=["identity_review"])
    client.force_login(gestionnaire)

    response = client.post(page_of(gestionnaire), {"decision": "confirm", "reason": "C'est bien moi"})

    assert response.status_code == 200
    assert "Vous ne pouvez pas vérifier votre propre compte." in response.content.decode()
