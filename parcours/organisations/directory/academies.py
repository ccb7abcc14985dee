"""The académies and the mail domain most of their schools use (data/academies.csv, derived from the annuaire)."""

import csv
import functools
from dataclasses import dataclass
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from parcours.organisations.models import SchoolEmailOrigin

ACADEMIES_FILE = Path(__file__).resolve().parent.parent / "data" / "academies.csv"


@dataclass(frozen=True, slots=True)
class Academy:
    code: str
    name: str
    email_domain: str


@functools.cache
def academies() -> dict[str, Academy]:
    with ACADEMIES_FILE.open(encoding="utf-8", newline="") as file:
        return {
            row["code_academie"]: Academy(row["code_academie"], row["libelle_academie"], row["main_email_domain"])
            for row in csv.DictReader(file)
        }


def school_email(*, uai: str, mail: str, academy_code: str) -> tuple[str, str]:
    """The school's official address and where it comes from (../shared/data/README.md).

    The directory's Mail, lower-cased; without one, ce.<uai>@<the académie's domain>; with an unknown
    académie, or a Mail that is no address at all ("contact@ exemple.fr"), nothing: an operator checks it.
    """
    mail = mail.strip().lower()
    if mail:
        try:
            validate_email(mail)
        except ValidationError:
            return "", SchoolEmailOrigin.TO_CHECK
        return mail, SchoolEmailOrigin.DIRECTORY
    academy = academies().get(academy_code.strip())
    if academy is None:
        return "", SchoolEmailOrigin.TO_CHECK
    return f"ce.{uai.lower()}@{academy.email_domain}", SchoolEmailOrigin.DERIVED
