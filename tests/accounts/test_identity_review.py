"""Operators close the review of accounts whose civility disagrees with the NIR's sex digit."""

import pytest

from parcours.accounts.enums import Civility, IdentityReview
from parcours.accounts.models import NirRecord
from parcours.accounts.nir_vault import nir_encrypt, nir_lookup_hash
from parcours.accounts.services.identity_review import (
    IdentityDecision,
    IdentityReviewRefused,
    identity_review_decide,
)
from parcours.audit.models import AuditEvent
from tests.accounts.factories import UserFactory
from tests.helpers.outbox import emails_to, last_email_to

pytestmark = pytest.mark.django_db

MALE_NIR_BODY = "1850578006084"


def flagged_user(civility=Civility.MADAME, nir_body=MALE_NIR_BODY, **fields):
    """A person who declared `civility` against a NIR saying otherwise, as sign-up leaves them."""
    user = UserFactory(civility=civility, identity_review=IdentityReview.NIR_SEX_MISMATCH, **fields)
    if nir_body:
        NirRecord.objects.create(user=user, ciphertext=nir_encrypt(nir_body), lookup_hash=nir_lookup_hash(nir_body))
    return user


def test_confirming_keeps_the_declared_civility_and_closes_the_review(sent):
    person = flagged_user()
    operator = UserFactory(first_name="Claire")

    sent(
        identity_review_decide,
        user=person,
        by=operator,
        decision=IdentityDecision.CONFIRM,
        reason="Pièce d'identité vérifiée",
    )

    person.refresh_from_db()
    assert person.civility == Civility.MADAME
    assert person.identity_review == IdentityReview.NONE
    event = AuditEvent.objects.get(event_type="account.identity_reviewed")
    assert event.actor == operator
    assert event.target_id == str(person.public_id)
    assert event.details == {
        "decision": "confirm",
        "review": "nir_sex_mismatch",
        "civility_before": "MME",
        "civility_after": "MME",
        "reason": "Pièce d'identité vérifiée",
    }
    email = last_email_to(person.email)
    assert email.subject == "Votre identité est vérifiée"
    assert "« Madame »" in email.body_text
    assert "Pièce d'identité vérifiée" in email.body_text
    assert MALE_NIR_BODY not in email.body_text


def test_correcting_sets_the_civility_that_the_nir_says(sent):
    person = flagged_user(civility=Civility.MADAME)

    sent(
        identity_review_decide,
        user=person,
        by=UserFactory(),
        decision=IdentityDecision.CORRECT,
        reason="Erreur de saisie confirmée par téléphone",
    )

    person.refresh_from_db()
    assert person.civility == Civility.MONSIEUR
    assert person.identity_review == ""
    event = AuditEvent.objects.get(event_type="account.identity_reviewed")
    assert (event.details["civility_before"], event.details["civility_after"]) == ("MME", "M")
    email = last_email_to(person.email)
    assert email.subject == "La civilité de votre compte a été corrigée"
    assert "« Monsieur »" in email.body_text
    assert "http://testserver/compte/mon-compte/informations/" in email.body_text


def test_a_female_nir_corrects_to_madame(sent):
    person = flagged_user(civility=Civility.MONSIEUR, nir_body="2850578006084")

    sent(identity_review_decide, user=person, by=UserFactory(), decision="correct", reason="Vérifié")

    person.refresh_from_db()
    assert person.civility == Civility.MADAME


@pytest.mark.parametrize("reason", ["", "   "])
def test_a_reason_is_required(reason):
    person = flagged_user()

    with pytest.raises(IdentityReviewRefused, match="motif"):
        identity_review_decide(user=person, by=UserFactory(), decision="confirm", reason=reason)

    person.refresh_from_db()
    assert person.identity_review == IdentityReview.NIR_SEX_MISMATCH
    assert not AuditEvent.objects.filter(event_type="account.identity_reviewed").exists()


def test_a_second_decision_is_refused(sent):
    person = flagged_user()
    sent(identity_review_decide, user=person, by=UserFactory(), decision="confirm", reason="Vérifié")

    with pytest.raises(IdentityReviewRefused, match="déjà été traitée"):
        sent(identity_review_decide, user=person, by=UserFactory(), decision="correct", reason="Autre avis")

    person.refresh_from_db()
    assert person.civility == Civility.MADAME
    assert AuditEvent.objects.filter(event_type="account.identity_reviewed").count() == 1
    assert len(emails_to(person.email)) == 1


def test_an_account_that_was_never_flagged_cannot_be_decided():
    with pytest.raises(IdentityReviewRefused):
        identity_review_decide(user=UserFactory(), by=UserFactory(), decision="confirm", reason="Vérifié")


def test_without_a_nir_the_civility_cannot_be_corrected():
    person = flagged_user(nir_body=None)

    with pytest.raises(IdentityReviewRefused, match="pas de NIR"):
        identity_review_decide(user=person, by=UserFactory(), decision="correct", reason="Vérifié")

    person.refresh_from_db()
    assert person.identity_review == IdentityReview.NIR_SEX_MISMATCH


def test_nobody_reviews_their_own_account():
    person = flagged_user()

    with pytest.raises(IdentityReviewRefused, match="propre compte"):
        identity_review_decide(user=person, by=person, decision="confirm", reason="C'est bien moi")


def test_an_unknown_decision_is_refused():
    with pytest.raises(IdentityReviewRefused, match="décision"):
        identity_review_decide(user=flagged_user(), by=UserFactory(), decision="delete", reason="Vérifié")
