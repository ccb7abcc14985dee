"""Keeping an account: personal data, email change, my data (export), deletion and anonymisation."""

import datetime
import json

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.usersessions.models import UserSession
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from parcours.accounts.deletion import anonymise_hooks_run, deletion_requested_run
from parcours.accounts.email_lock import email_lock_reason
from parcours.accounts.enums import IdentityReview
from parcours.accounts.models import EmailChange, NirRecord, Registration, TermsAcceptance, User
from parcours.accounts.nir import Nir, nir_matches_civility
from parcours.accounts.nir_vault import nir_decrypt
from parcours.accounts.tokens import TokenExpired, TokenInvalid, token_make, token_read
from parcours.audit.models import AuditEvent
from parcours.audit.services import audit_pseudonymise, audit_record
from parcours.notifications.models import OutgoingEmail
from parcours.notifications.services import email_send, emails_redact_for
from parcours.utils.ratelimit import once_per

EMAIL_CHANGE_PURPOSE = "email-change"
PROFILE_FIELDS = (
    "civility",
    "first_name",
    "last_name",
    "usage_name",
    "birth_date",
    "phone_landline",
    "phone_mobile",
)
# Once FranceConnect certified the identity, only contact details stay editable here.
CERTIFIED_FIELDS = ("civility", "first_name", "last_name", "usage_name", "birth_date")


class EmailChangeLinkError(Exception):
    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason  # invalid, expired, used, unavailable


def profile_editable_fields(*, user: User) -> tuple[str, ...]:
    if user.identity_certified_at:
        return tuple(field for field in PROFILE_FIELDS if field not in CERTIFIED_FIELDS)
    return PROFILE_FIELDS


@transaction.atomic
def profile_update(*, user: User, data: dict, request: HttpRequest | None = None) -> list[str]:
    """Save what changed among the editable fields; the audit names the fields, never their values."""
    changed = []
    for field in profile_editable_fields(user=user):
        if field in data and getattr(user, field) != data[field]:
            setattr(user, field, data[field])
            changed.append(field)
    # A civility that now disagrees with the NIR goes to an operator, as at sign-up.
    record = NirRecord.objects.filter(user=user).first() if "civility" in changed else None
    if record and user.civility and not nir_matches_civility(Nir(body=nir_decrypt(record.ciphertext)), user.civility):
        user.identity_review = IdentityReview.NIR_SEX_MISMATCH
        changed.append("identity_review")
    if changed:
        user.save(update_fields=changed)
        audit_record(
            event_type="account.profile_updated", actor=user, target=user, request=request, details={"fields": changed}
        )
    return changed


def _email_change_link(change: EmailChange) -> str:
    token = token_make(purpose=EMAIL_CHANGE_PURPOSE, value=str(change.public_id))
    return settings.PARCOURS_BASE_URL + reverse("accounts:email_change_confirm", kwargs={"token": token})


@transaction.atomic
def email_change_request(*, user: User, new_email: str, request: HttpRequest | None = None) -> EmailChange:
    """The new address gets a link; it replaces the old one only once the link is used."""
    new_email = new_email.strip().lower()
    now = timezone.now()
    EmailChange.objects.filter(user=user, confirmed_at=None, cancelled_at=None).update(cancelled_at=now)
    change = EmailChange.objects.create(user=user, new_email=new_email, created_at=now)
    owner = User.objects.filter(email=new_email).exclude(pk=user.pk).first()
    if owner is not None:
        # Same screen for the person; the address's owner is told (at most hourly), and no link exists for it.
        if once_per(scope="email-in-use", key=str(owner.pk), seconds=3600):
            email_send(
                to=owner.email,
                template="accounts/email_in_use",
                context={"name": owner.first_name},
                user=owner,
            )
    else:
        email_send(
            to=new_email,
            template="accounts/email_change_link",
            context={
                "name": user.first_name,
                "link": _email_change_link(change),
                "hours": settings.PARCOURS_EMAIL_CHANGE_LINK_HOURS,
            },
            user=user,
        )
    audit_record(event_type="account.email_change_requested", actor=user, target=user, request=request)
    return change


def email_change_from_token(*, token: str) -> EmailChange:
    lifetime = datetime.timedelta(hours=settings.PARCOURS_EMAIL_CHANGE_LINK_HOURS)
    try:
        public_id = token_read(purpose=EMAIL_CHANGE_PURPOSE, token=token, max_age=lifetime)
    except TokenExpired:
        raise EmailChangeLinkError("expired") from None
    except TokenInvalid:
        raise EmailChangeLinkError("invalid") from None
    change = EmailChange.objects.select_related("user").filter(public_id=public_id).first()
    if change is None:
        raise EmailChangeLinkError("invalid")
    if change.confirmed_at:
        raise EmailChangeLinkError("used")
    if change.cancelled_at:
        raise EmailChangeLinkError("unavailable")
    return change


@transaction.atomic
def email_change_confirm(*, token: str, request: HttpRequest | None = None) -> User:
    change = email_change_from_token(token=token)
    change = EmailChange.objects.select_for_update().select_related("user").get(pk=change.pk)
    if change.confirmed_at or change.cancelled_at:
        raise EmailChangeLinkError("used" if change.confirmed_at else "unavailable")
    user = change.user
    if User.objects.filter(email=change.new_email).exclude(pk=user.pk).exists():
        raise EmailChangeLinkError("unavailable")
    if email_lock_reason(user):  # asked before the address became a school's login
        raise EmailChangeLinkError("unavailable")
    old_email = user.email
    user.email = change.new_email
    try:
        with transaction.atomic():
            user.save(update_fields=["email"])
    except IntegrityError:
        # Another account confirmed this address a moment ago.
        raise EmailChangeLinkError("unavailable") from None
    EmailAddress.objects.filter(user=user).delete()
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    change.confirmed_at = timezone.now()
    change.save(update_fields=["confirmed_at"])
    email_send(
        to=old_email,
        template="accounts/email_changed",
        context={"name": user.first_name, "masked": mask_email(user.email)},
        user=user,
    )
    audit_record(event_type="account.email_changed", actor=user, target=user, request=request)
    return user


def mask_email(email: str) -> str:
    local, _, domain = email.partition("@")
    return f"{local[:2]}{'•' * max(1, len(local) - 2)}@{domain}"


def data_export(*, user: User) -> dict:
    """Everything Parcours holds about the person, readable (the right of access)."""
    record = NirRecord.objects.filter(user=user).first()
    return {
        "exporte_le": timezone.now(),
        "compte": {
            "identifiant_public": user.public_id,
            "adresse_electronique": user.email,
            "civilite": user.get_civility_display(),
            "prenom": user.first_name,
            "nom_de_naissance": user.last_name,
            "nom_d_usage": user.usage_name,
            "date_de_naissance": user.birth_date,
            "telephone_fixe": str(user.phone_landline or ""),
            "telephone_portable": str(user.phone_mobile or ""),
            "numero_de_securite_sociale": nir_decrypt(record.ciphertext) if record else None,
            "type_d_inscription": user.get_registration_kind_display(),
            "contrat_d_apprentissage_declare": user.apprenticeship_contract,
            "numero_de_dossier_declare": user.remuneration_dossier_claim,
            "inscrit_le": user.date_joined,
            "derniere_connexion": user.last_login,
            "repris_d_un_ancien_outil_le": user.imported_at,
            "suppression_prevue_le": user.deletion_due_at,
        },
        "adresses_electroniques": [
            {"adresse": address.email, "verifiee": address.verified, "principale": address.primary}
            for address in EmailAddress.objects.filter(user=user)
        ],
        "conditions_generales_acceptees": [
            {"version": acceptance.version, "le": acceptance.accepted_at}
            for acceptance in TermsAcceptance.objects.filter(user=user).order_by("accepted_at")
        ],
        "double_authentification": [
            {"type": authenticator.get_type_display(), "depuis": authenticator.created_at}
            for authenticator in Authenticator.objects.filter(user=user)
        ],
        "sessions": [
            {"ouverte_le": session.created_at, "adresse_ip": session.ip, "navigateur": session.user_agent}
            for session in UserSession.objects.filter(user=user)
        ],
        "courriels_envoyes": [
            {"objet": email.subject, "le": email.created_at, "etat": email.get_status_display()}
            for email in OutgoingEmail.objects.filter(user=user).order_by("created_at")
        ],
        "historique": [
            {
                "evenement": event.event_type,
                "le": event.occurred_at,
                "adresse_ip": event.ip,
                "navigateur": event.user_agent,
            }
            for event in AuditEvent.objects.filter(actor=user).order_by("occurred_at")
        ],
    }


def data_export_json(*, user: User, request: HttpRequest | None = None) -> str:
    audit_record(event_type="account.data_exported", actor=user, target=user, request=request)
    return json.dumps(data_export(user=user), cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)


@transaction.atomic
def deletion_request(*, user: User, request: HttpRequest | None = None) -> User:
    now = timezone.now()
    user.deletion_requested_at = now
    user.deletion_due_at = now + datetime.timedelta(days=settings.PARCOURS_DELETION_GRACE_DAYS)
    user.save(update_fields=["deletion_requested_at", "deletion_due_at"])
    email_send(
        to=user.email,
        template="accounts/deletion_scheduled",
        context={
            "name": user.first_name,
            "due": timezone.localtime(user.deletion_due_at),
            "login_url": settings.PARCOURS_BASE_URL + reverse("account_login"),
        },
        user=user,
    )
    audit_record(event_type="account.deletion_requested", actor=user, target=user, request=request)
    deletion_requested_run(user)
    return user


@transaction.atomic
def deletion_cancel(*, user: User, request: HttpRequest | None = None) -> bool:
    if user.deletion_due_at is None or user.anonymised_at:
        return False
    user.deletion_requested_at = user.deletion_due_at = None
    user.save(update_fields=["deletion_requested_at", "deletion_due_at"])
    audit_record(event_type="account.deletion_cancelled", actor=user, target=user, request=request)
    return True


@transaction.atomic
def account_anonymise(*, user: User, only_if_due: bool = False) -> bool:
    """RGPD deletion: the NIR and contact data are purged, emails redacted, audit rows pseudonymised.

    The User row stays (audit rows point to it) with nothing left that names the person. With
    `only_if_due`, the row is re-read under its lock: a login that cancelled the request wins.
    """
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.anonymised_at:
        return False
    if only_if_due and (user.deletion_due_at is None or user.deletion_due_at > timezone.now()):
        return False
    # Only addresses that were this person's: a pending change may name someone else's address.
    addresses = {user.email}
    addresses.update(EmailAddress.objects.filter(user=user).values_list("email", flat=True))
    addresses.update(
        EmailChange.objects.filter(user=user, confirmed_at__isnull=False).values_list("new_email", flat=True)
    )
    addresses.update(Registration.objects.filter(user=user).values_list("email", flat=True))
    addresses.update(OutgoingEmail.objects.filter(user=user).values_list("recipient", flat=True))
    nir_hashes = list(NirRecord.objects.filter(user=user).values_list("lookup_hash", flat=True))
    NirRecord.objects.filter(user=user).delete()
    EmailAddress.objects.filter(user=user).delete()
    EmailChange.objects.filter(user=user).delete()
    Registration.objects.filter(user=user).delete()
    Registration.objects.filter(email__in=addresses, user=None).delete()
    Registration.objects.filter(nir_hash__in=nir_hashes).delete()
    Authenticator.objects.filter(user=user).delete()
    for session in UserSession.objects.filter(user=user):
        session.end()
    anonymise_hooks_run(user)
    emails_redact_for(user=user, addresses=sorted(addresses))
    audit_pseudonymise(actor=user)
    for field in ("civility", "first_name", "last_name", "usage_name", "phone_landline", "phone_mobile"):
        setattr(user, field, "")
    for field in ("remuneration_dossier_claim", "legacy_siret_claim", "legacy_uai_claim", "identity_review"):
        setattr(user, field, "")
    user.email = f"anonyme-{user.public_id}@anonyme.invalid"
    user.birth_date = None
    user.is_active = False
    user.set_unusable_password()
    user.anonymised_at = timezone.now()
    user.deletion_due_at = None
    user.save()
    audit_record(event_type="account.anonymised", target=user)
    return True


def deletions_run_due() -> int:
    """The periodic job: anonymise every account whose grace period is over."""
    due = User.objects.filter(deletion_due_at__lte=timezone.now(), anonymised_at=None).values_list("pk", flat=True)
    return sum(account_anonymise(user=User(pk=pk), only_if_due=True) for pk in list(due))
