"""Signed, expiring tokens for links in emails, one salt and lifetime per purpose.

Unlike allauth's confirmation keys, an expired token is told apart from a forged one, so the page
can offer a new link in one click.
"""

import datetime

from django.core import signing


class TokenInvalid(Exception):
    pass


class TokenExpired(Exception):
    def __init__(self, value: str):
        super().__init__("expired")
        self.value = value


def _signer(purpose: str) -> signing.TimestampSigner:
    return signing.TimestampSigner(salt=f"parcours.accounts.{purpose}")


def token_make(*, purpose: str, value: str) -> str:
    return _signer(purpose).sign(value)


def token_read(*, purpose: str, token: str, max_age: datetime.timedelta) -> str:
    signer = _signer(purpose)
    try:
        return signer.unsign(token, max_age=max_age)
    except signing.SignatureExpired:
        # The signature is genuine, only old: the value can be trusted to offer a new link.
        raise TokenExpired(signer.unsign(token)) from None
    except signing.BadSignature:
        raise TokenInvalid from None
