import datetime

from allauth.account.models import EmailAddress
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from parcours.accounts.models import NirRecord, TermsAcceptance, User
from parcours.accounts.nir_vault import nir_encrypt, nir_lookup_hash


@transaction.atomic
def user_create_confirmed(
    *,
    email: str,
    password: str,
    first_name: str,
    last_name: str,
    registration_kind: str = "",
    birth_date: datetime.date | None = None,
    nir_body: str = "",
    **identity,
) -> User:
    """An account whose email is already proven and CGU accepted (demo data, imports)."""
    user = User.objects.create_user(
        email=email,
        password=password,
        first_name=first_name,
        last_name=last_name,
        registration_kind=registration_kind,
        birth_date=birth_date,
        **identity,
    )
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    TermsAcceptance.objects.create(user=user, version=settings.PARCOURS_CGU_VERSION, accepted_at=timezone.now())
    if nir_body:
        NirRecord.objects.create(user=user, ciphertext=nir_encrypt(nir_body), lookup_hash=nir_lookup_hash(nir_body))
    return user


@transaction.atomic
def user_reset_confirmed(*, user: User, password: str, nir_body: str = "", **fields) -> User:
    """Put a known account back as described (the demo's accounts after visitors used them)."""
    for name, value in fields.items():
        setattr(user, name, value)
    user.is_active = True
    user.set_password(password)
    user.save()
    EmailAddress.objects.filter(user=user).exclude(email=user.email).delete()
    EmailAddress.objects.update_or_create(user=user, email=user.email, defaults={"verified": True, "primary": True})
    TermsAcceptance.objects.get_or_create(
        user=user, version=settings.PARCOURS_CGU_VERSION, defaults={"accepted_at": timezone.now()}
    )
    NirRecord.objects.filter(user=user).delete()
    if nir_body:
        NirRecord.objects.create(user=user, ciphertext=nir_encrypt(nir_body), lookup_hash=nir_lookup_hash(nir_body))
    return user
