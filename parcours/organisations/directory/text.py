"""Text normalisation shared by the importers and the searches, so that both sides match the same words."""

import re
import string
import unicodedata

# Every ASCII character but letters and digits separates words.
_ASCII_SEPARATORS = str.maketrans(
    dict.fromkeys(set(map(chr, range(128))) - set(string.ascii_letters + string.digits), " ")
)
_NOT_WORD = re.compile(r"[^0-9A-Z]+")


def search_words(value: str) -> list[str]:
    """Upper-case words of ASCII letters and digits: « Lycée d'Arsonval » → ["LYCEE", "D", "ARSONVAL"].

    The words are what the search indexes hold (PostgreSQL splits them on spaces alone, as here).
    """
    if value.isascii():
        return value.translate(_ASCII_SEPARATORS).upper().split()
    value = "".join(char for char in unicodedata.normalize("NFKD", value) if not unicodedata.combining(char))
    return _NOT_WORD.sub(" ", value.upper().replace("Œ", "OE").replace("Æ", "AE")).split()


def search_text(*parts: str) -> str:
    return " ".join(search_words(" ".join(parts)))


def department_from_code(code: str) -> str:
    """The annuaire's 3-character department ("093", "02A", "974") in the INSEE form ("93", "2A", "974")."""
    code = code.strip().upper()
    if len(code) == 3 and code.startswith("0"):
        return code[1:]
    return code


def department_from_commune(commune_code: str) -> str:
    """The department of an INSEE commune code: "75056" → "75", "2A004" → "2A", "97411" → "974"."""
    commune_code = commune_code.strip().upper()
    if len(commune_code) != 5:
        return ""
    return commune_code[:3] if commune_code.startswith(("97", "98")) else commune_code[:2]


def department_from_postal_code(postal_code: str) -> str:
    """A best guess when only the postal code is known (the public APIs): Corsica's 20xxx split by range."""
    postal_code = postal_code.strip()
    if len(postal_code) != 5 or not postal_code.isdigit():
        return ""
    if postal_code.startswith(("97", "98")):
        return postal_code[:3]
    if postal_code.startswith("20"):
        return "2A" if postal_code < "20200" else "2B"
    return postal_code[:2]
