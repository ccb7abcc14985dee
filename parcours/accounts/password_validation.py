"""Password policies (PARCOURS_PASSWORD_POLICY): the seed's rule, or the stronger default (CNIL guidance).

Both are Django validators, so allauth's reset and change forms apply them too.
"""

import re
import unicodedata
from functools import cache
from pathlib import Path

from django.core.exceptions import ValidationError
from zxcvbn import zxcvbn

FRENCH_COMMON_PASSWORDS = Path(__file__).resolve().parent / "data" / "common-passwords-fr.txt"


@cache
def french_common_words() -> tuple[str, ...]:
    return tuple(line.strip() for line in FRENCH_COMMON_PASSWORDS.read_text().splitlines() if line.strip())


def _letters(value: str) -> str:
    """Lower-case letters only, accents removed: how a name hides in a password."""
    decomposed = unicodedata.normalize("NFKD", value.lower())
    return re.sub(r"[^a-z]", "", decomposed.encode("ascii", "ignore").decode())


def _personal_words(user) -> list[str]:
    words = []
    for field in ("email", "first_name", "last_name", "usage_name"):
        value = str(getattr(user, field, "") or "")
        words.extend(_letters(part) for part in re.split(r"[\s.@_\-']+", value) if len(_letters(part)) >= 3)
    return words


class SeedPolicyValidator:
    """Mon Compte Formation's rule: at least 5 letters and 3 digits, and 3 of the 4 character classes."""

    def validate(self, password: str, user=None) -> None:
        letters = sum(c.isalpha() for c in password)
        digits = sum(c.isdigit() for c in password)
        classes = sum(
            [
                any(c.islower() for c in password),
                any(c.isupper() for c in password),
                digits > 0,
                any(not c.isalnum() for c in password),
            ]
        )
        errors = []
        if letters < 5:
            errors.append("au moins 5 lettres")
        if digits < 3:
            errors.append("au moins 3 chiffres")
        if classes < 3:
            errors.append("3 catégories de caractères parmi majuscules, minuscules, chiffres et caractères spéciaux")
        if errors:
            raise ValidationError(
                "Votre mot de passe doit comporter " + ", ".join(errors) + ".", code="password_seed_policy"
            )

    def get_help_text(self) -> str:
        return (
            "Au moins 5 lettres et 3 chiffres, et 3 catégories de caractères parmi : majuscules, minuscules, "
            "chiffres, caractères spéciaux."
        )


class ZxcvbnValidator:
    """An estimate of how long the password resists guessing, with the person's own data as known words."""

    def __init__(self, min_score: int = 3):
        self.min_score = min_score

    def validate(self, password: str, user=None) -> None:
        # zxcvbn's dictionaries are English: the French list and the person's own words are added to them.
        inputs = [*_personal_words(user), *french_common_words()]
        result = zxcvbn(password[:100], user_inputs=inputs)
        if result["score"] < self.min_score:
            raise ValidationError(
                "Ce mot de passe est trop facile à deviner : allongez-le, par exemple avec plusieurs mots "
                "sans lien entre eux.",
                code="password_too_guessable",
            )

    def get_help_text(self) -> str:
        return "Il ne doit pas être facile à deviner : une phrase de plusieurs mots sans lien entre eux convient bien."


class PersonalDataValidator:
    """Refuse a password that is only the person's names or email with digits and symbols around them."""

    def validate(self, password: str, user=None) -> None:
        rest = _letters(password)
        for word in sorted(_personal_words(user), key=len, reverse=True):
            rest = rest.replace(word, "")
        if len(rest) < 4 and _letters(password) != rest:
            raise ValidationError(
                "Votre mot de passe ne doit pas reprendre votre nom, votre prénom ou votre adresse électronique.",
                code="password_personal_data",
            )

    def get_help_text(self) -> str:
        return "Il ne doit pas reprendre votre nom, votre prénom ni votre adresse électronique."


PASSWORD_POLICIES = {
    "seed": [
        {"NAME": "parcours.accounts.password_validation.SeedPolicyValidator"},
        {"NAME": "parcours.accounts.password_validation.PersonalDataValidator"},
        {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
        {
            "NAME": "django.contrib.auth.password_validation.CommonPasswordValidator",
            "OPTIONS": {"password_list_path": FRENCH_COMMON_PASSWORDS},
        },
    ],
    "strong": [
        {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
        {"NAME": "parcours.accounts.password_validation.ZxcvbnValidator", "OPTIONS": {"min_score": 3}},
        {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
        {
            "NAME": "django.contrib.auth.password_validation.CommonPasswordValidator",
            "OPTIONS": {"password_list_path": FRENCH_COMMON_PASSWORDS},
        },
        {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
        {"NAME": "parcours.accounts.password_validation.PersonalDataValidator"},
    ],
}
