import csv

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum import luhn
from stdnum.fr import siren as stdnum_siren
from stdnum.fr import siret as stdnum_siret

from parcours.organisations.directory.identifiers import (
    UAI_LETTERS,
    compact,
    siren_checksum_ok,
    siret_checksum_ok,
    siret_is_valid,
    uai_check_letter,
    uai_is_valid,
)
from tests.organisations.conftest import SHARED_LYCEES, needs_shared_lycees

digits = st.text(alphabet="0123456789", min_size=7, max_size=7)


def luhn_completed(body: str) -> str:
    return next(body + digit for digit in "0123456789" if luhn.is_valid(body + digit))


valid_sirens = st.text(alphabet="0123456789", min_size=8, max_size=8).map(luhn_completed)
valid_sirets = st.builds(
    lambda siren, nic: luhn_completed(siren + nic),
    valid_sirens,
    st.text(alphabet="0123456789", min_size=4, max_size=4),
)
la_poste_sirets = st.text(alphabet="0123456789", min_size=5, max_size=5).map(lambda nic: "356000000" + nic)
# Anything an importer may meet in a SIRET cell, already compact (no spaces or dots: what stdnum would remove).
cells = st.text(alphabet=st.characters(blacklist_characters=" .", blacklist_categories=("Cs",)), max_size=16)


@given(digits)
def test_the_check_letter_is_the_rule_of_rules_md(body):
    letter = "ABCDEFGHJKLMNPRSTUVWXYZ"[int(body) % 23]

    assert uai_check_letter(body) == letter
    assert uai_is_valid(body + letter)
    assert letter not in "IOQ"


@given(digits, st.sampled_from(UAI_LETTERS + "IOQ"))
def test_any_other_letter_is_refused(body, letter):
    if letter == uai_check_letter(body):
        return

    assert not uai_is_valid(body + letter)


@pytest.mark.parametrize("value", ["", "0932030", "0932030BB", "093203OB", "0932030b", "٠٩٣٢٠٣٠B"])
def test_malformed_uais_are_refused(value):
    assert not uai_is_valid(value)


def test_people_may_type_a_uai_with_spaces_and_in_lower_case():
    assert uai_is_valid(compact(" 0932030b "))


@needs_shared_lycees
def test_every_uai_of_the_real_lycees_file_passes():
    with SHARED_LYCEES.open(encoding="utf-8-sig", newline="") as file:
        uais = [row["Identifiant_de_l_etablissement"] for row in csv.DictReader(file, delimiter=";")]

    assert len(uais) == 5704
    assert all(uai_is_valid(uai) for uai in uais)


@given(valid_sirets)
def test_valid_sirets_agree_with_stdnum(siret):
    assert siret_checksum_ok(siret) == stdnum_siret.is_valid(siret)


@given(st.one_of(st.text(alphabet="0123456789", min_size=14, max_size=14), la_poste_sirets, cells))
def test_any_cell_gets_the_answer_of_stdnum(value):
    assert siret_checksum_ok(value) == stdnum_siret.is_valid(value)


@given(valid_sirets, st.integers(0, 13), st.integers(1, 9))
def test_one_wrong_digit_is_refused_like_stdnum_does(siret, position, shift):
    changed = siret[:position] + str((int(siret[position]) + shift) % 10) + siret[position + 1 :]

    assert siret_checksum_ok(changed) == stdnum_siret.is_valid(changed)


@given(st.one_of(valid_sirens, st.text(alphabet="0123456789", min_size=9, max_size=9), cells))
def test_sirens_agree_with_stdnum(value):
    assert siren_checksum_ok(value) == stdnum_siren.is_valid(value)


def test_la_poste_numbers_its_establishments_its_own_way():
    # Sum of the digits a multiple of 5, Luhn failing: refused by Luhn alone, accepted for La Poste.
    la_poste = "35600000000100"

    assert not luhn.is_valid(la_poste)
    assert siret_checksum_ok(la_poste)
    assert siret_is_valid(la_poste)
    assert siret_checksum_ok("35600000000048")
    assert not siret_checksum_ok("35600000000101")
