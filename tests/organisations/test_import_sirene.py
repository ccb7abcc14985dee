import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from parcours.organisations.directory.establishments import establishments_import
from parcours.organisations.models import DirectoryEstablishment
from tests.organisations.conftest import ESTABLISHMENTS_SAMPLE, LEGAL_UNITS_SAMPLE, csv_rows, csv_write

pytestmark = pytest.mark.django_db

COMPANY_HEAD_OFFICE = "81234567600017"
COMPANY_CAMPUS = "81234567600025"
COMPANY_CLOSED = "81234567600033"
SOLE_TRADER = "42198765200011"
NON_DIFFUSIBLE = "89012345800014"
LA_POSTE = "35600000000100"
NO_LEGAL_UNIT = "50311122100019"
CORSICA = "44455566800011"
REUNION = "39988877500018"


def sirene_import(establishments=ESTABLISHMENTS_SAMPLE, legal_units=LEGAL_UNITS_SAMPLE, **options):
    return establishments_import(establishments_path=establishments, legal_units_path=legal_units, **options)


def test_the_samples_load_with_their_counts_and_lines(capsys):
    call_command("import_sirene", "--establishments", ESTABLISHMENTS_SAMPLE, "--legal-units", LEGAL_UNITS_SAMPLE)

    out = capsys.readouterr().out
    assert "created=9 updated=0 skipped=0 invalid=2 " in out
    assert "legal_units=6 legal_units_invalid=1 legal_units_missing=1 non_diffusible=1" in out
    assert "ligne 8 ignorée : unités légales : SIREN invalide « 123456789 »" in out
    assert "ligne 11 ignorée : SIRET invalide « 81234567600018 »" in out
    assert DirectoryEstablishment.objects.count() == 9


def test_a_second_run_changes_nothing(capsys):
    sirene_import()
    before = dict(DirectoryEstablishment.objects.values_list("siret", "updated_at"))

    call_command("import_sirene", "--establishments", ESTABLISHMENTS_SAMPLE, "--legal-units", LEGAL_UNITS_SAMPLE)

    assert "created=0 updated=0 skipped=9 invalid=2 " in capsys.readouterr().out
    assert dict(DirectoryEstablishment.objects.values_list("siret", "updated_at")) == before


def test_establishments_are_named_after_their_legal_unit_then_their_sign():
    sirene_import()

    names = dict(DirectoryEstablishment.objects.values_list("siret", "name"))
    assert names[COMPANY_HEAD_OFFICE] == "ATELIERS NUMERIQUES DE LA LOIRE"
    assert names[COMPANY_CAMPUS] == "ATELIERS NUMERIQUES DE LA LOIRE (CAMPUS NUMERIQUE D'ANJOU)"
    # A sole trader: usual first name and name; then the denominationUsuelleEtablissement.
    assert names[SOLE_TRADER] == "MARIE DURAND (BOULANGERIE DU MARCHÉ)"
    assert names[LA_POSTE] == "LA POSTE (BUREAU DE POSTE PARIS LOUVRE)"
    # No legal unit in the file: the sign alone.
    assert names[NO_LEGAL_UNIT] == "MAISON DES ASSOCIATIONS"


def test_addresses_places_and_flags_come_from_their_columns():
    sirene_import()

    campus = DirectoryEstablishment.objects.get(siret=COMPANY_CAMPUS)
    assert campus.address == "BATIMENT C, 3 B RUE DES ARTS ET METIERS"
    assert (campus.postal_code, campus.commune, campus.department_code) == ("49100", "ANGERS", "49")
    assert (campus.siren, campus.naf_code) == ("812345676", "85.59A")
    assert (campus.is_active, campus.is_diffusible, campus.is_head_office) == (True, True, False)
    assert campus.search_text == "ATELIERS NUMERIQUES DE LA LOIRE CAMPUS NUMERIQUE D ANJOU ANGERS 49100"
    assert DirectoryEstablishment.objects.get(siret=COMPANY_HEAD_OFFICE).is_head_office
    assert DirectoryEstablishment.objects.get(siret=CORSICA).address == "2 CRS NAPOLEON, BP 12"
    assert DirectoryEstablishment.objects.get(siret=CORSICA).department_code == "2A"
    assert DirectoryEstablishment.objects.get(siret=REUNION).department_code == "974"


def test_a_closed_establishment_is_kept_but_not_searchable():
    sirene_import()

    closed = DirectoryEstablishment.objects.get(siret=COMPANY_CLOSED)
    assert (closed.is_active, closed.name, closed.search_text) == (False, "ATELIERS NUMERIQUES DE LA LOIRE", "")


def test_a_non_diffusible_establishment_is_stored_without_name_nor_address():
    sirene_import()

    hidden = DirectoryEstablishment.objects.get(siret=NON_DIFFUSIBLE)
    assert (hidden.name, hidden.address, hidden.postal_code, hidden.commune, hidden.search_text) == ("",) * 5
    assert (hidden.is_diffusible, hidden.is_active, hidden.department_code) == (False, True, "33")


def test_an_establishment_of_a_non_diffusible_legal_unit_is_non_diffusible_too(tmp_path):
    header, units, delimiter = csv_rows(LEGAL_UNITS_SAMPLE)
    for unit in units:
        if unit["siren"] == SOLE_TRADER[:9]:
            unit["statutDiffusionUniteLegale"] = "P"

    sirene_import(legal_units=csv_write(tmp_path / "unites.csv", header, units, delimiter))

    trader = DirectoryEstablishment.objects.get(siret=SOLE_TRADER)
    assert (trader.is_diffusible, trader.name, trader.address) == (False, "", "")


def test_a_change_of_legal_unit_name_updates_its_establishments(tmp_path):
    sirene_import()
    header, units, delimiter = csv_rows(LEGAL_UNITS_SAMPLE)
    for unit in units:
        if unit["siren"] == COMPANY_HEAD_OFFICE[:9]:
            unit["denominationUniteLegale"] = "ATELIERS NUMERIQUES DE L'OUEST"

    report = sirene_import(legal_units=csv_write(tmp_path / "unites.csv", header, units, delimiter))

    assert (report.created, report.updated, report.skipped) == (0, 3, 6)
    assert DirectoryEstablishment.objects.get(siret=COMPANY_CLOSED).name == "ATELIERS NUMERIQUES DE L'OUEST"


def test_columns_are_read_by_name_in_any_order_extra_ones_ignored(tmp_path):
    header, rows, delimiter = csv_rows(ESTABLISHMENTS_SAMPLE)
    unit_header, units, _ = csv_rows(LEGAL_UNITS_SAMPLE)
    establishments = csv_write(tmp_path / "etab.csv", [*reversed(header), "nouvelleColonne"], rows, delimiter)
    legal_units = csv_write(tmp_path / "unites.csv", [*unit_header[::2], *unit_header[1::2]], units, delimiter)

    report = sirene_import(establishments=establishments, legal_units=legal_units)

    assert (report.created, report.invalid) == (9, 2)
    assert DirectoryEstablishment.objects.get(siret=SOLE_TRADER).name == "MARIE DURAND (BOULANGERIE DU MARCHÉ)"


def test_a_repeated_siret_keeps_its_last_row(tmp_path):
    header, rows, delimiter = csv_rows(ESTABLISHMENTS_SAMPLE)
    repeated = {**rows[0], "libelleVoieEtablissement": "DE LA FOSSE PROLONGEE"}

    report = sirene_import(establishments=csv_write(tmp_path / "etab.csv", header, [*rows, repeated], delimiter))

    assert (report.created, report.skipped) == (9, 1)
    assert DirectoryEstablishment.objects.get(siret=COMPANY_HEAD_OFFICE).address == "12 QUAI DE LA FOSSE PROLONGEE"


def test_batches_do_not_change_the_outcome():
    report = sirene_import(batch_size=2)

    assert (report.created, report.invalid, report.notes["legal_units"]) == (9, 2, 6)
    assert DirectoryEstablishment.objects.get(siret=SOLE_TRADER).name == "MARIE DURAND (BOULANGERIE DU MARCHÉ)"


def test_a_file_without_a_required_column_is_refused(tmp_path):
    header, rows, delimiter = csv_rows(ESTABLISHMENTS_SAMPLE)
    header.remove("etatAdministratifEtablissement")
    establishments = csv_write(tmp_path / "etab.csv", header, rows, delimiter)

    with pytest.raises(CommandError, match="colonnes absentes de l'en-tête : etatAdministratifEtablissement"):
        call_command("import_sirene", "--establishments", establishments, "--legal-units", LEGAL_UNITS_SAMPLE)

    assert not DirectoryEstablishment.objects.exists()


def test_a_broken_file_stops_the_import_with_its_line(tmp_path):
    path = tmp_path / "etab.csv"
    path.write_bytes(ESTABLISHMENTS_SAMPLE.read_bytes() + b'81234567600041,"unclosed\n')

    with pytest.raises(CommandError, match=r"etab\.csv, ligne 12 illisible"):
        call_command("import_sirene", "--establishments", path, "--legal-units", LEGAL_UNITS_SAMPLE)


def test_a_missing_file_is_refused(tmp_path):
    with pytest.raises(CommandError, match="Fichier introuvable"):
        call_command("import_sirene", "--establishments", tmp_path / "absent.csv", "--legal-units", LEGAL_UNITS_SAMPLE)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the first-load path and its indexes are PostgreSQL's")
def test_a_first_load_builds_the_indexes_again():
    sirene_import()

    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'organisations_directoryestablishment'")
        indexes = {name for (name,) in cursor.fetchall()}
    assert {"organisations_establishment_search", "organisations_siren_idx"} <= indexes
