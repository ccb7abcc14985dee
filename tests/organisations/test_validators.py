"""Identifier checks: whatever is typed, a clean identifier or a French ValidationError, never a crash."""

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from parcours.organisations.directory.identifiers import siret_is_valid, uai_check_letter
from parcours.organisations.validators import NDA_REGION_CODES, nda_clean, siret_clean, uai_clean

digits = st.text(alphabet="0123456789", min_size=1, max_size=20)
separators = st.sampled_from(["", " ", ".", "-", "  "])


def _luhn_complete(body: str) -> str:
    for key in "0123456789":
        candidate = body + key
        total = 0
        for index, char in enumerate(reversed(candidate)):
            value = int(char) * (2 if index % 2 else 1)
            total += value - 9 if value > 9 else value
        if total % 10 == 0:
            return candidate
    raise AssertionError


def outcome(clean, value):
    """(cleaned value, None) or (None, the ValidationError): hypothesis checks both branches."""
    try:
        return clean(value), None
    except ValidationError as error:
        return None, error


def spaced(value: str, separator: str) -> str:
    return separator.join(value[i : i + 3] for i in range(0, len(value), 3))


@given(st.text(max_size=40))
def test_siret_clean_returns_a_valid_siret_or_a_french_error(value):
    siret, error = outcome(siret_clean, value)
    if error is not None:
        assert error.messages[0].startswith(("Saisissez", "Le numéro SIRET", "Ce numéro SIRET"))
    else:
        assert len(siret) == 14
        assert siret_is_valid(siret)


@given(
    st.text(alphabet="0123456789", min_size=8, max_size=8).filter(lambda siren: siren != "35600000"),
    st.text(alphabet="0123456789", min_size=4, max_size=4),
    separators,
)
def test_a_luhn_valid_siret_is_accepted_however_it_is_spaced(siren_body, nic_body, separator):
    # Both keys: the SIREN's (its 9th digit) and the SIRET's (its 14th); La Poste has a rule of its own.
    siret = _luhn_complete(_luhn_complete(siren_body) + nic_body)
    assert siret_clean(spaced(siret, separator)) == siret


@given(digits.filter(lambda value: len(value) != 14))
def test_a_siret_of_another_length_is_a_format_error(value):
    with pytest.raises(ValidationError) as error:
        siret_clean(value)
    assert error.value.code == "format"


@given(st.text(alphabet="0123456789", min_size=7, max_size=7), st.booleans())
def test_uai_clean_accepts_the_check_letter_in_any_case(number, lower):
    uai = number + uai_check_letter(number)
    assert uai_clean(uai.lower() if lower else uai) == uai


@given(st.text(alphabet="0123456789", min_size=7, max_size=7), st.sampled_from("ABCDEFGHJKLMNPRSTUVWXYZ"))
def test_a_wrong_uai_letter_names_the_right_one(number, letter):
    if letter == uai_check_letter(number):
        return
    with pytest.raises(ValidationError) as error:
        uai_clean(number + letter)
    assert error.value.code == "checksum"
    assert f"est {uai_check_letter(number)}" in error.value.messages[0]


@given(st.text(max_size=20))
def test_uai_clean_never_crashes(value):
    uai, error = outcome(uai_clean, value)
    if error is not None:
        assert error.code in {"required", "format", "checksum"}
    else:
        assert len(uai) == 8


@given(st.sampled_from(sorted(NDA_REGION_CODES)), st.text(alphabet="0123456789", min_size=9, max_size=9), separators)
def test_an_nda_of_a_region_is_accepted_however_it_is_spaced(region, rest, separator):
    nda = region + rest
    assert nda_clean(spaced(nda, separator)) == nda


@given(st.text(alphabet="0123456789", min_size=11, max_size=11).filter(lambda v: v[:2] not in NDA_REGION_CODES))
def test_an_nda_of_no_region_is_refused(nda):
    with pytest.raises(ValidationError) as error:
        nda_clean(nda)
    assert error.value.code == "region"


@given(st.text(max_size=20))
def test_nda_clean_is_optional_and_never_crashes(value):
    nda, error = outcome(nda_clean, value)
    if error is not None:
        assert error.code in {"format", "region"}
    else:
        assert nda == "" or (len(nda) == 11 and nda.isdigit())
