"""The NIR (numéro de sécurité sociale): parsing and the checks python-stdnum does not make.

stdnum checks length, Corsica and the key; the month, the sex digit, the department, the order
number and the public sample are our rules (../shared/RULES.md).
"""

import datetime
import re
from dataclasses import dataclass

# The specimen printed on public documents: never a real person's number.
PUBLIC_SAMPLE_BODY = "2690549588157"

_FORMAT = re.compile(r"^[1234789]\d{4}(?:\d{2}|2A|2B)\d{6}$")
MALE_DIGITS = {"1", "3", "7"}
FEMALE_DIGITS = {"2", "4", "8"}


class NirError(ValueError):
    """A NIR that cannot be right; the message is shown to the person as it is."""


@dataclass(frozen=True)
class Nir:
    body: str  # the 13 characters without the key: what is stored (encrypted)

    @property
    def key(self) -> str:
        return nir_key(self.body)

    @property
    def full(self) -> str:
        return self.body + self.key

    @property
    def sex(self) -> str:
        return "M" if self.body[0] in MALE_DIGITS else "F"

    @property
    def birth_year_2(self) -> int:
        return int(self.body[1:3])

    @property
    def birth_month(self) -> int | None:
        """None when the month was unknown at registration (20-42, 50-99)."""
        month = int(self.body[3:5])
        return month if 1 <= month <= 12 else None


def nir_key(body: str) -> str:
    number = int(body.replace("2A", "19").replace("2B", "18"))
    return f"{97 - number % 97:02d}"


def _compact(value: str) -> str:
    return re.sub(r"[\s.\-]", "", value or "").upper()


def nir_parse(value: str) -> Nir:
    """Accept the 15-character NIR (key checked) or the 13-character body (key derived)."""
    number = _compact(value)
    if len(number) not in (13, 15):
        raise NirError("Le numéro de sécurité sociale compte 13 caractères, ou 15 avec la clé.")
    body, key = number[:13], number[13:]
    if not _FORMAT.match(body) or (key and not key.isdigit()):
        raise NirError("Ce numéro de sécurité sociale n'a pas un format valide.")
    month = int(body[3:5])
    if month == 0 or 13 <= month <= 19 or 43 <= month <= 49:
        raise NirError("Le mois de naissance de ce numéro de sécurité sociale n'existe pas.")
    if body[5:7] == "00" or body[10:13] == "000":
        raise NirError("Ce numéro de sécurité sociale n'a pas un format valide.")
    if key and key != nir_key(body):
        raise NirError("La clé de ce numéro de sécurité sociale ne correspond pas : vérifiez chaque chiffre.")
    if body == PUBLIC_SAMPLE_BODY:
        raise NirError("Ce numéro est l'exemple publié sur les documents officiels : saisissez le vôtre.")
    return Nir(body=body)


def nir_birth_date_error(nir: Nir, birth_date: datetime.date) -> str | None:
    """The NIR carries the birth year and, when known, the month: they must agree with the birth date."""
    if nir.birth_year_2 != birth_date.year % 100:
        return "L'année de naissance ne correspond pas à votre numéro de sécurité sociale."
    if nir.birth_month is not None and nir.birth_month != birth_date.month:
        return "Le mois de naissance ne correspond pas à votre numéro de sécurité sociale."
    return None


def nir_matches_civility(nir: Nir, civility: str) -> bool:
    """civility is "M" (Monsieur) or "MME" (Madame); a mismatch is confirmed by the person, then reviewed."""
    return (nir.sex == "M") == (civility == "M")
