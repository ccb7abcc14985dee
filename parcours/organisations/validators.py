"""Identifier checks with French messages, for forms and services (../shared/RULES.md, "Identifiers")."""

from django.core.exceptions import ValidationError

from parcours.organisations.directory.identifiers import compact, siret_is_valid, uai_check_letter, uai_is_valid

# Region codes an NDA may start with: the regions since 2016, the regions before (NDAs are never renumbered)
# and the overseas ones.
NDA_REGION_CODES = frozenset(
    {"11", "24", "27", "28", "32", "44", "52", "53", "75", "76", "84", "93", "94"}  # since 2016
    | {"21", "22", "23", "25", "26", "31", "41", "42", "43", "54", "72", "73", "74", "82", "83", "91"}  # before
    | {"01", "02", "03", "04", "06"}  # overseas
)


def siret_clean(value: str) -> str:
    siret = compact(value or "")
    if not siret:
        raise ValidationError("Saisissez le numéro SIRET (14 chiffres).", code="required")
    if not siret.isdigit() or len(siret) != 14:
        raise ValidationError("Le numéro SIRET compte 14 chiffres, par exemple 552 100 554 00013.", code="format")
    if not siret_is_valid(siret):
        raise ValidationError("Ce numéro SIRET n'existe pas : vérifiez les chiffres saisis.", code="checksum")
    return siret


def uai_clean(value: str) -> str:
    uai = compact(value or "")
    if not uai:
        raise ValidationError("Saisissez le code UAI (ou RNE) de l'établissement.", code="required")
    if len(uai) != 8 or not uai[:7].isdigit() or not uai[7].isalpha():
        raise ValidationError(
            "Le code UAI compte 7 chiffres suivis d'une lettre, par exemple 0750655E.", code="format"
        )
    if not uai_is_valid(uai):
        raise ValidationError(
            f"Ce code UAI n'est pas valide : la lettre de contrôle de {uai[:7]} est {uai_check_letter(uai[:7])}.",
            code="checksum",
        )
    return uai


def nda_clean(value: str) -> str:
    """Optional: empty stays empty (a new provider gets its NDA after its first convention)."""
    nda = compact(value or "")
    if not nda:
        return ""
    if not nda.isdigit() or len(nda) != 11:
        raise ValidationError(
            "Le numéro de déclaration d'activité compte 11 chiffres, par exemple 11 75 12345 75.", code="format"
        )
    if nda[:2] not in NDA_REGION_CODES:
        raise ValidationError(
            "Le numéro de déclaration d'activité commence par le code de la région qui l'a enregistré "
            f"(par exemple 11 pour l'Île-de-France) : « {nda[:2]} » n'en est pas un.",
            code="region",
        )
    return nda


def department_clean(value: str) -> str:
    code = (value or "").strip().upper()
    valid = (
        (len(code) == 2 and code.isdigit() and code not in {"00", "20", "96", "97", "98", "99"})
        or code in {"2A", "2B"}
        or (len(code) == 3 and code.isdigit() and code[:2] in {"97", "98"})
    )
    if not valid:
        raise ValidationError(f"« {value} » n'est pas un code de département (75, 2A, 974…).", code="department")
    return code
