import pytest
from django.core.management import CommandError, call_command
from django.db.models.functions import Lower

from parcours.organisations.directory.schools import schools_import
from parcours.organisations.models import DirectorySchool, SchoolEmailOrigin, SchoolKind
from tests.organisations.conftest import ANNUAIRE_SAMPLE, SHARED_LYCEES, csv_rows, csv_write, needs_shared_lycees

pytestmark = pytest.mark.django_db

SAMPLE_ROWS = 48
SAMPLE_SCHOOLS = 44
# 0570279U three times, 0770930T twice; line 47 has a wrong check letter.
SAMPLE_DUPLICATES = 3
INVALID_LINE = 47


def test_the_sample_loads_with_its_counts_and_lines(capsys):
    call_command("import_uai", str(ANNUAIRE_SAMPLE))

    out = capsys.readouterr().out
    assert f"created={SAMPLE_SCHOOLS} updated=0 skipped={SAMPLE_DUPLICATES} invalid=1" in out
    assert "duplicates=3 emails_derived=2 emails_to_check=2 sirets_dropped=1" in out
    assert f"ligne {INVALID_LINE} ignorée : UAI invalide « 0591904A »" in out
    assert "rows_per_s=" in out
    assert DirectorySchool.objects.count() == SAMPLE_SCHOOLS


def test_a_second_run_changes_nothing(capsys):
    schools_import(path=ANNUAIRE_SAMPLE)
    before = {school.uai: school.updated_at for school in DirectorySchool.objects.all()}

    call_command("import_uai", str(ANNUAIRE_SAMPLE))

    assert f"created=0 updated=0 skipped={SAMPLE_ROWS - 1} invalid=1" in capsys.readouterr().out
    assert {school.uai: school.updated_at for school in DirectorySchool.objects.all()} == before


def test_the_last_row_of_a_duplicated_uai_wins():
    schools_import(path=ANNUAIRE_SAMPLE)

    providence = DirectorySchool.objects.get(uai="0570279U")
    assert providence.name == "Lycée professionnel La Providence"
    assert (providence.postal_code, providence.commune) == ("57260", "Dieuze")
    assert providence.address == "1 rue des Frères Mesguin"


def test_mail_is_lower_cased_and_a_missing_one_derived_from_the_academie():
    schools_import(path=ANNUAIRE_SAMPLE)

    moissan = DirectorySchool.objects.get(uai="0770930T")
    assert (moissan.email, moissan.email_origin) == ("ce.0770930t@ac-creteil.fr", SchoolEmailOrigin.DIRECTORY)
    rikitea = DirectorySchool.objects.get(uai="9840419H")
    assert (rikitea.email, rikitea.email_origin) == ("ce.9840419h@ac-polynesie.pf", SchoolEmailOrigin.DERIVED)
    assert rikitea.email_derived
    assert not rikitea.email_needs_check
    tilleuls = DirectorySchool.objects.get(uai="0941902G")
    assert tilleuls.email == "ce.0941902g@ac-creteil.fr"


def test_an_address_that_names_another_uai_is_kept_as_the_directory_gives_it():
    schools_import(path=ANNUAIRE_SAMPLE)

    assert DirectorySchool.objects.get(uai="0290072W").email == "ce.0290070u@ac-rennes.fr"


def test_an_unknown_academie_or_a_malformed_mail_goes_to_an_operator():
    schools_import(path=ANNUAIRE_SAMPLE)

    unknown = DirectorySchool.objects.get(uai="0131906B")
    assert (unknown.email, unknown.email_origin) == ("", SchoolEmailOrigin.TO_CHECK)
    assert unknown.email_needs_check
    assert unknown.academy_name == "Académie inconnue"
    # "contact@ academie-beaute-coiffure.fr" in the directory.
    assert DirectorySchool.objects.get(uai="0383507F").email_origin == SchoolEmailOrigin.TO_CHECK


def test_school_fields_come_from_their_columns():
    schools_import(path=ANNUAIRE_SAMPLE)

    utrillo = DirectorySchool.objects.get(uai="0932030B")
    assert utrillo.name == "Lycée polyvalent Maurice Utrillo"
    assert (utrillo.kind, utrillo.is_public, utrillo.is_open) == (SchoolKind.LYCEE, True, True)
    assert (utrillo.address, utrillo.postal_code, utrillo.commune) == ("152 rue Jean Durand", "93240", "Stains")
    assert (utrillo.department_code, utrillo.academy_code, utrillo.academy_name) == ("93", "24", "Créteil")
    assert utrillo.siret == "19932030000023"
    assert utrillo.search_text == "0932030B LYCEE POLYVALENT MAURICE UTRILLO STAINS 93240"
    sainte_marie = DirectorySchool.objects.get(uai="0691903U")
    assert (sainte_marie.kind, sainte_marie.is_public) == (SchoolKind.COLLEGE, False)
    assert sainte_marie.email == "secretariat@sainte-marie-lyon.fr"
    assert DirectorySchool.objects.get(uai="0591905A").is_open is False
    # A SIRET that fails its checksum is dropped, the school kept.
    assert DirectorySchool.objects.get(uai="0755278E").siret == ""


def test_a_changed_row_is_updated(tmp_path, capsys):
    schools_import(path=ANNUAIRE_SAMPLE)
    header, rows, delimiter = csv_rows(ANNUAIRE_SAMPLE)
    rows[0]["Nom_etablissement"] = "Lycée Maurice Utrillo"
    rows[0]["Mail"] = ""

    call_command("import_uai", str(csv_write(tmp_path / "annuaire.csv", header, rows, delimiter)))

    assert "created=0 updated=1 " in capsys.readouterr().out
    utrillo = DirectorySchool.objects.get(uai="0932030B")
    assert utrillo.name == "Lycée Maurice Utrillo"
    assert (utrillo.email, utrillo.email_origin) == ("ce.0932030b@ac-creteil.fr", SchoolEmailOrigin.DERIVED)


def test_columns_are_read_by_name_in_any_order_extra_ones_ignored(tmp_path):
    header, rows, _delimiter = csv_rows(ANNUAIRE_SAMPLE)
    shuffled = [*reversed(header), "colonne_ajoutee"]

    report = schools_import(path=csv_write(tmp_path / "annuaire.csv", shuffled, rows, ","))

    assert (report.created, report.invalid) == (SAMPLE_SCHOOLS, 1)
    assert DirectorySchool.objects.get(uai="9840419H").email == "ce.9840419h@ac-polynesie.pf"


def test_a_file_without_a_required_column_is_refused(tmp_path):
    header, rows, delimiter = csv_rows(ANNUAIRE_SAMPLE)
    header.remove("Mail")

    with pytest.raises(CommandError, match="colonnes absentes de l'en-tête : Mail"):
        call_command("import_uai", str(csv_write(tmp_path / "annuaire.csv", header, rows, delimiter)))

    assert not DirectorySchool.objects.exists()


def test_a_file_that_is_not_utf8_is_refused(tmp_path):
    path = tmp_path / "annuaire.csv"
    path.write_bytes(ANNUAIRE_SAMPLE.read_text(encoding="utf-8-sig").encode("latin-1", errors="replace"))

    with pytest.raises(CommandError, match="n'est pas en UTF-8"):
        call_command("import_uai", str(path))


def test_a_missing_file_is_refused(tmp_path):
    with pytest.raises(CommandError, match="Fichier introuvable"):
        call_command("import_uai", str(tmp_path / "absent.csv"))


def test_batches_do_not_change_the_outcome():
    report = schools_import(path=ANNUAIRE_SAMPLE, batch_size=7)

    assert (report.created, report.updated, report.skipped, report.invalid) == (SAMPLE_SCHOOLS, 0, 3, 1)
    assert DirectorySchool.objects.get(uai="0570279U").commune == "Dieuze"


@needs_shared_lycees
def test_the_real_lycees_file_imports_cleanly():
    first = schools_import(path=SHARED_LYCEES)
    second = schools_import(path=SHARED_LYCEES)

    # 5,704 rows, 39 of them repeating a UAI (36 UAIs), 62 without Mail (one of them superseded).
    assert (first.created, first.updated, first.skipped, first.invalid) == (5665, 0, 39, 0)
    assert first.notes == {"duplicates": 39, "emails_derived": 61, "emails_to_check": 3, "sirets_dropped": 7}
    assert (second.created, second.updated, second.skipped, second.invalid) == (0, 0, 5704, 0)
    assert DirectorySchool.objects.count() == 5665
    assert not DirectorySchool.objects.exclude(email=Lower("email")).exists()
