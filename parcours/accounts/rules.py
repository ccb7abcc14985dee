"""Rules on who may open an account (../shared/RULES.md)."""

import datetime

from django.conf import settings
from django.utils import timezone


def age_on(birth_date: datetime.date, day: datetime.date) -> int:
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def age_error(*, birth_date: datetime.date, apprenticeship_contract: bool) -> str | None:
    today = timezone.localdate()
    if birth_date > today:
        return "La date de naissance ne peut pas être dans le futur."
    if birth_date.year < today.year - 120:
        return "Vérifiez l'année de naissance."
    age = age_on(birth_date, today)
    if age >= settings.PARCOURS_MIN_AGE:
        return None
    if apprenticeship_contract and age >= settings.PARCOURS_MIN_AGE_APPRENTICE:
        return None
    return (
        f"L'inscription est ouverte à partir de {settings.PARCOURS_MIN_AGE} ans, ou de "
        f"{settings.PARCOURS_MIN_AGE_APPRENTICE} ans avec un contrat d'apprentissage."
    )
