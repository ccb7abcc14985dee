import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum.fr import nir as stdnum_nir

from parcours.accounts.nir import NirError, nir_birth_date_error, nir_key, nir_matches_civility, nir_parse

bodies = st.builds(
    lambda sex, year, month, dept, commune, order: f"{sex}{year:02d}{month:02d}{dept}{commune:03d}{order:03d}",
    sex=st.sampled_from("123478"),
    year=st.integers(0, 99),
    month=st.one_of(st.integers(1, 12), st.integers(20, 42), st.integers(50, 99)),
    dept=st.one_of(st.integers(1, 99).map(lambda d: f"{d:02d}"), st.sampled_from(["2A", "2B"])),
    commune=st.integers(1, 999),
    order=st.integers(1, 999),
)


@given(bodies)
def test_key_agrees_with_python_stdnum(body):
    full = body + nir_key(body)

    assert stdnum_nir.is_valid(full)
    assert nir_parse(full).body == body
    assert nir_parse(body).full == full


@given(bodies, st.integers(0, 96))
def test_any_wrong_key_is_refused(body, wrong):
    key = f"{wrong:02d}"
    if key == nir_key(body):
        key = f"{(wrong + 1) % 97:02d}"

    with pytest.raises(NirError, match="clé"):
        nir_parse(body + key)


def test_spaces_and_dots_are_ignored():
    assert nir_parse("2 76 10 99 350 001 ").body == "2761099350001"
    assert nir_parse("1.85.05.78.006.084.91").full == "185057800608491"


@pytest.mark.parametrize("month", ["00", "13", "19", "43", "49"])
def test_months_that_do_not_exist_are_refused(month):
    body = f"185{month}78006084"

    with pytest.raises(NirError, match="mois"):
        nir_parse(body)


@pytest.mark.parametrize("month", ["20", "42", "50", "99"])
def test_unknown_months_are_accepted_and_not_compared(month):
    nir = nir_parse(f"185{month}78006084")

    assert nir.birth_month is None
    assert nir_birth_date_error(nir, datetime.date(1985, 7, 1)) is None


def test_corsica_departments_use_the_official_substitution():
    assert nir_parse("253072B07300470").body == "253072B073004"
    assert nir_parse("253072A07300443").body == "253072A073004"
    with pytest.raises(NirError):
        nir_parse("253072C07300443")


@pytest.mark.parametrize("value", ["269054958815780", "2690549588157"])
def test_the_public_sample_is_refused(value):
    with pytest.raises(NirError, match="exemple"):
        nir_parse(value)


@pytest.mark.parametrize("value", ["", "12345", "585057800608436", "1850578006084361", "18505780060843X"])
def test_malformed_numbers_are_refused(value):
    with pytest.raises(NirError):
        nir_parse(value)


def test_birth_year_and_month_must_match_the_birth_date():
    nir = nir_parse("1850578006084")

    assert nir_birth_date_error(nir, datetime.date(1985, 5, 17)) is None
    assert "année" in nir_birth_date_error(nir, datetime.date(1986, 5, 17))
    assert "mois" in nir_birth_date_error(nir, datetime.date(1985, 6, 17))


@pytest.mark.parametrize(
    ("first", "civility", "matches"),
    [("1", "M", True), ("2", "M", False), ("2", "MME", True), ("7", "MME", False), ("8", "MME", True)],
)
def test_sex_digit_against_civility(first, civility, matches):
    nir = nir_parse(f"{first}850578006084")

    assert nir_matches_civility(nir, civility) is matches
