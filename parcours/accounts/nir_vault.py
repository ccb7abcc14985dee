"""NIR at rest: encrypted with a MultiFernet key list (rotation), looked up by an HMAC of the body."""

import hashlib
import hmac
from functools import cache

from cryptography.fernet import Fernet, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


@cache
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise ImproperlyConfigured("PARCOURS_NIR_KEY est requis dès que le NIR est collecté.")
    return MultiFernet([Fernet(key.encode()) for key in keys])


def nir_enabled() -> bool:
    return bool(settings.PARCOURS_NIR_LEGAL_BASIS)


def nir_encrypt(body: str) -> str:
    return _fernet(tuple(settings.PARCOURS_NIR_KEY)).encrypt(body.encode()).decode()


def nir_decrypt(ciphertext: str) -> str:
    return _fernet(tuple(settings.PARCOURS_NIR_KEY)).decrypt(ciphertext.encode()).decode()


def nir_lookup_hash(body: str) -> str:
    key = settings.PARCOURS_NIR_HASH_KEY
    if not key:
        raise ImproperlyConfigured("PARCOURS_NIR_HASH_KEY est requis dès que le NIR est collecté.")
    return hmac.new(key.encode(), body.encode(), hashlib.sha256).hexdigest()
