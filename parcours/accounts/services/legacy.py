"""Accounts taken over from older tools (seed 001): imported without a password, activated by an email link.

An imported account has `imported_at` set, an unusable password and an unverified address. Its holder
chooses a password through a reset link (sent at the first failed login, services.login); that link
proves the address, which is what `legacy_password_chosen` records.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from allauth.account.models import EmailAddress
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from stdnum.exceptions import ValidationError as StdnumValidationError
from stdnum.fr import siret as stdnum_siret

from parcours.accounts.models import TermsAcceptance, User
from parcours.accounts.phones import PhoneError, phone_parse
from parcours.audit.services import audit_record

UAI_LETTERS = "ABCDEFGHJKLMNPRSTUVWXYZ"
NAME_MAX_LENGTH = User._meta.get_field("last_name").max_length
EMAIL_MAX_LENGTH = User._meta.get_field("email").max_length


class LegacyRowInvalid(ValueError):
    """A row that cannot become an account; the message says why, in French, for the operator."""


class LegacyAccountExists(Exception):
    """The address already has an account: an import never touches it."""


@dataclass(frozen=True)
class LegacyAccount:
    """A row once checked: what the account will hold."""

    email: str
    last_name: str
    first_name: str
    phone_landline: str = ""
    phone_mobile: str = ""
    siret: str = ""
    uai: str = ""


@dataclass(frozen=True)
class LegacyRow:
    """A row as read from the file; `line` is its line number there, for the report."""

    line: int
    email: str = ""
    last_name: str = ""
    first_name: str = ""
    phone: str = ""
    siret: str = ""
    uai: str = ""
    # Set by the reader when the row cannot be read as the header says (too many cells).
    error: str = ""


@dataclass
class LegacyImportReport:
    wet_run: bool
    created: int = 0
    # (line, reason): what the operator reads to fix or understand the file.
    skipped: list[tuple[int, str]] = field(default_factory=list)
    invalid: list[tuple[int, str]] = field(default_factory=list)


def legacy_email_clean(value: str) -> str:
    email = (value or "").strip().lower()
    if not email:
        raise LegacyRowInvalid("adresse électronique absente.")
    if len(email) > EMAIL_MAX_LENGTH:
        raise LegacyRowInvalid("adresse électronique trop longue.")
    try:
        validate_email(email)
    except ValidationError:
        raise LegacyRowInvalid("adresse électronique invalide.") from None
    return email


def _name_clean(value: str, *, label: str) -> str:
    name = " ".join((value or "").split())
    if not name:
        raise LegacyRowInvalid(f"{label} absent.")
    if len(name) > NAME_MAX_LENGTH:
        raise LegacyRowInvalid(f"{label} trop long ({NAME_MAX_LENGTH} caractères au plus).")
    return name


def _phone_clean(value: str) -> tuple[str, str]:
    """(landline, mobile) in E.164: the number goes to the field its type calls for."""
    if not value.strip():
        return "", ""
    try:
        return "", phone_parse(value, mobile=True)
    except PhoneError:
        pass
    try:
        return phone_parse(value, mobile=False), ""
    except PhoneError as error:
        message = str(error)
    if "n'est pas un numéro de téléphone" in message:
        # Valid and French, but neither kind (a premium-rate or shared-cost number).
        message = "Ce numéro n'est ni un téléphone fixe ni un téléphone portable."
    raise LegacyRowInvalid(f"téléphone : {message}")


def _siret_clean(value: str) -> str:
    compact = re.sub(r"[\s.]", "", value or "")
    if not compact:
        return ""
    try:
        return stdnum_siret.validate(compact)
    except StdnumValidationError:
        raise LegacyRowInvalid("SIRET invalide (14 chiffres dont le dernier est une clé de contrôle).") from None


def uai_clean(value: str) -> str:
    """The UAI upper-cased, or LegacyRowInvalid: 7 digits and the check letter they call for."""
    uai = re.sub(r"\s", "", value or "").upper()
    if not uai:
        return ""
    if not re.fullmatch(r"\d{7}[A-Z]", uai):
        raise LegacyRowInvalid("UAI invalide (7 chiffres suivis d'une lettre, par exemple 0750680G).")
    if UAI_LETTERS[int(uai[:7]) % 23] != uai[7]:
        raise LegacyRowInvalid("UAI invalide : la lettre de contrôle ne correspond pas aux chiffres.")
    return uai


def legacy_account_check(
    *, email: str, last_name: str, first_name: str, phone: str = "", siret: str = "", uai: str = ""
) -> LegacyAccount:
    """Check and normalise a row; LegacyRowInvalid names the first problem."""
    email = legacy_email_clean(email)
    last_name = _name_clean(last_name, label="nom")
    first_name = _name_clean(first_name, label="prénom")
    phone_landline, phone_mobile = _phone_clean(phone)
    return LegacyAccount(
        email=email,
        last_name=last_name,
        first_name=first_name,
        phone_landline=phone_landline,
        phone_mobile=phone_mobile,
        siret=_siret_clean(siret),
        uai=uai_clean(uai),
    )


def legacy_account_exists(email: str) -> bool:
    """An account already answers to this address, as its login or as one of its addresses."""
    email = email.strip().lower()
    return User.objects.filter(email=email).exists() or EmailAddress.objects.filter(email__iexact=email).exists()


@transaction.atomic
def legacy_account_import(
    *, email: str, last_name: str, first_name: str, phone: str = "", siret: str = "", uai: str = ""
) -> User:
    """Create the account of a row: no usable password, an unverified primary address, the claims kept.

    Raises LegacyRowInvalid for a row that cannot be imported, LegacyAccountExists when the address has
    an account already (so running an import twice creates nothing twice).
    """
    account = legacy_account_check(
        email=email, last_name=last_name, first_name=first_name, phone=phone, siret=siret, uai=uai
    )
    if legacy_account_exists(account.email):
        raise LegacyAccountExists(account.email)
    user = User(
        email=account.email,
        last_name=account.last_name,
        first_name=account.first_name,
        phone_landline=account.phone_landline,
        phone_mobile=account.phone_mobile,
        legacy_siret_claim=account.siret,
        legacy_uai_claim=account.uai,
        imported_at=timezone.now(),
    )
    user.set_unusable_password()
    try:
        # A savepoint: another import of the same address may have committed since the check above.
        with transaction.atomic():
            user.save()
    except IntegrityError:
        raise LegacyAccountExists(account.email) from None
    EmailAddress.objects.create(user=user, email=user.email, verified=False, primary=True)
    audit_record(event_type="account.imported", target=user)
    return user


def legacy_accounts_import(*, rows: Iterable[LegacyRow], wet_run: bool) -> LegacyImportReport:
    """Import rows one transaction each; a dry run checks the same things and reports the same, writing nothing."""
    report = LegacyImportReport(wet_run=wet_run)
    first_line_of: dict[str, int] = {}
    for row in rows:
        if row.error:
            report.invalid.append((row.line, row.error))
            continue
        try:
            email = legacy_email_clean(row.email)
        except LegacyRowInvalid as error:
            report.invalid.append((row.line, str(error)))
            continue
        if email in first_line_of:
            report.skipped.append((row.line, f"adresse déjà présente dans le fichier (ligne {first_line_of[email]})."))
            continue
        first_line_of[email] = row.line
        values = {
            "email": email,
            "last_name": row.last_name,
            "first_name": row.first_name,
            "phone": row.phone,
            "siret": row.siret,
            "uai": row.uai,
        }
        try:
            if wet_run:
                legacy_account_import(**values)
            else:
                legacy_account_check(**values)
                if legacy_account_exists(email):
                    raise LegacyAccountExists(email)
        except LegacyRowInvalid as error:
            report.invalid.append((row.line, str(error)))
        except LegacyAccountExists:
            report.skipped.append((row.line, "un compte existe déjà pour cette adresse."))
        else:
            report.created += 1
    return report


@transaction.atomic
def legacy_password_chosen(*, user: User, request: HttpRequest | None = None) -> bool:
    """Verify the address of an imported account whose holder just chose a password; True if it did.

    Call it whenever a password is set (the adapter's set_password). An imported account that never
    logged in could only set one through a reset link sent to its address, and that link proves the
    address; once the account has logged in (a later way in, such as FranceConnect), it proves nothing.
    """
    if user.imported_at is None or user.last_login is not None:
        return False
    address = (
        EmailAddress.objects.select_for_update().filter(user=user, email__iexact=user.email, verified=False).first()
    )
    if address is None:
        return False
    address.verified = True
    address.save(update_fields=["verified"])
    audit_record(
        event_type="account.legacy_email_verified",
        actor=user,
        target=user,
        request=request,
        details={"proof": "password_reset_link"},
    )
    return True


@transaction.atomic
def legacy_account_reset(**row) -> bool:
    """Put a taken-over account back as it was imported (the demo's); True when it was created."""
    email = legacy_email_clean(row["email"])
    user = User.objects.filter(email=email).first()
    if user is None:
        legacy_account_import(**row)
        return True
    user.set_unusable_password()
    user.last_login = None
    user.save(update_fields=["password", "last_login"])
    EmailAddress.objects.filter(user=user).update(verified=False)
    TermsAcceptance.objects.filter(user=user).delete()
    return False
