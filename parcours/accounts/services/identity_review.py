"""Operators decide on accounts flagged at sign-up or on a profile change (civility that disagrees with the NIR).

The person confirmed their civility against the NIR's sex digit (a trans person, a NIR typed for someone
else, a typing error): an operator either confirms the declared identity or corrects the civility to the
NIR's. Accounts never imports organisations: the caller (the back office) checks who may decide.
"""

from django.db import models, transaction
from django.http import HttpRequest
from django.urls import reverse

from parcours.accounts.enums import Civility, IdentityReview
from parcours.accounts.models import NirRecord, User
from parcours.accounts.nir import Nir
from parcours.accounts.nir_vault import nir_decrypt
from parcours.audit.services import audit_record
from parcours.notifications.services import email_send

REASON_MAX_LENGTH = 500


class IdentityDecision(models.TextChoices):
    CONFIRM = "confirm", "Confirmer l'identité déclarée"
    CORRECT = "correct", "Corriger la civilité"


EMAIL_TEMPLATES = {
    IdentityDecision.CONFIRM: "accounts/identity_review_confirmed",
    IdentityDecision.CORRECT: "accounts/identity_review_corrected",
}


class IdentityReviewRefused(Exception):
    """A decision the rules forbid; the message is for the operator, in French."""


def nir_civility(nir: Nir) -> str:
    """The civility that the NIR's sex digit points to."""
    return Civility.MONSIEUR if nir.sex == "M" else Civility.MADAME


def identity_review_decide(
    *, user: User, by: User, decision: str, reason: str, request: HttpRequest | None = None
) -> User:
    """Close the review of a flagged account: keep or correct the civility, tell the person, audit who and why."""
    reason = (reason or "").strip()
    if not reason:
        raise IdentityReviewRefused("Indiquez le motif de la décision : il est envoyé à la personne.")
    if len(reason) > REASON_MAX_LENGTH:
        raise IdentityReviewRefused(f"Le motif compte au plus {REASON_MAX_LENGTH} caractères.")
    if decision not in IdentityDecision.values:
        raise IdentityReviewRefused("Choisissez une décision.")
    if by.pk == user.pk:
        raise IdentityReviewRefused("Vous ne pouvez pas vérifier votre propre compte.")
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        if not locked.identity_review or not locked.is_active:
            raise IdentityReviewRefused("La vérification de ce compte a déjà été traitée.")
        review = locked.identity_review
        civility_before = locked.civility
        fields = ["identity_review"]
        if decision == IdentityDecision.CORRECT:
            record = NirRecord.objects.filter(user=locked).first()
            if record is None:
                raise IdentityReviewRefused("Ce compte n'a pas de NIR : la civilité ne peut pas en être déduite.")
            locked.civility = nir_civility(Nir(body=nir_decrypt(record.ciphertext)))
            fields.append("civility")
        locked.identity_review = IdentityReview.NONE
        locked.save(update_fields=fields)
        # The reason is the operator's justification, not the person's data: the form asks for no contact data.
        audit_record(
            event_type="account.identity_reviewed",
            actor=by,
            target=locked,
            request=request,
            details={
                "decision": decision,
                "review": review,
                "civility_before": civility_before,
                "civility_after": locked.civility,
                "reason": reason,
            },
        )
        email_send(
            to=locked.email,
            template=EMAIL_TEMPLATES[decision],
            context={
                "name": locked.first_name,
                "civility": locked.get_civility_display(),
                "reason": reason,
                "url": reverse("accounts:profile"),
            },
            user=locked,
        )
    user.civility = locked.civility
    user.identity_review = locked.identity_review
    return locked
