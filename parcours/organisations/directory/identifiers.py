"""UAI and SIRET/SIREN checks (../shared/RULES.md, "Identifiers")."""

from stdnum.fr import siret as stdnum_siret

UAI_LETTERS = "ABCDEFGHJKLMNPRSTUVWXYZ"
LA_POSTE_SIREN = "356000000"
LA_POSTE_HEAD_OFFICE = "35600000000048"
# Luhn: each digit of a doubled position replaced by the sum of the digits of its double.
_DOUBLED = str.maketrans("0123456789", "0246813579")


def compact(value: str) -> str:
    """What people type around identifiers (spaces, dots, dashes) removed, letters upper-cased."""
    return "".join(value.split()).replace(".", "").replace("-", "").upper()


def uai_check_letter(digits: str) -> str:
    return UAI_LETTERS[int(digits) % 23]


def uai_is_valid(value: str) -> bool:
    """Seven digits and the check letter of their number modulo 23 (no I, O, Q); `value` already compact."""
    return len(value) == 8 and value[:7].isdigit() and value[:7].isascii() and value[7] == uai_check_letter(value[:7])


def siret_is_valid(value: str) -> bool:
    """The reference check for what people type, La Poste's establishments included."""
    return stdnum_siret.is_valid(value)


def _luhn_ok(digits: str) -> bool:
    """Luhn on ASCII digits; summing the bytes (ASCII codes) is the fastest way in pure Python."""
    return (
        sum(digits[-1::-2].encode()) + sum(digits[-2::-2].translate(_DOUBLED).encode()) - 48 * len(digits)
    ) % 10 == 0


def siren_checksum_ok(value: str) -> bool:
    return len(value) == 9 and value.isascii() and value.isdigit() and _luhn_ok(value)


def siret_checksum_ok(value: str) -> bool:
    """Same answers as stdnum.fr.siret.is_valid on compact input (property-tested), seven times faster.

    The importers call it once per row of a stock file of tens of millions of rows.
    """
    if len(value) != 14 or not value.isascii() or not value.isdigit() or not _luhn_ok(value[:9]):
        return False
    # La Poste numbers its establishments with a sum of digits that is a multiple of 5, not Luhn.
    if value.startswith(LA_POSTE_SIREN) and value != LA_POSTE_HEAD_OFFICE:
        return (sum(value.encode()) - 48 * 14) % 5 == 0
    return _luhn_ok(value)
