"""Accounts taken over from older tools (issue 4, point 5): the CSV import, then the first login."""

from io import StringIO
from pathlib import Path

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from parcours.accounts.models import User
from parcours.accounts.services.legacy import legacy_account_import, legacy_password_chosen
from parcours.audit.models import AuditEvent
from tests.accounts.factories import DEFAULT_PASSWORD, UserFactory
from tests.helpers.outbox import emails_to, first_link, last_email_to

pytestmark = pytest.mark.django_db

HEADER = "email;nom;prenom;telephone;siret;uai"
FIXED_LINE = "Compte repris d'un ancien outil ? Consultez votre messagerie."
NEUTRAL = "Identifiant ou mot de passe incorrect."
NEW_PASSWORD = "Une-phrase-secrete-choisie-2026"
WRONG_PASSWORD = "pas le bon"
SAMPLE = Path(__file__).resolve().parents[2] / "docs" / "samples" / "legacy-accounts.csv"
# The adapter's set_password is not ours to change: until it calls legacy_password_chosen (see the
# report of issue 4, point 5), a password chosen through the link leaves the address unverified.


def csv_file(tmp_path, *lines, header=HEADER, encoding="utf-8") -> Path:
    path = tmp_path / "comptes.csv"
    path.write_text("\n".join([header, *lines]) + "\n", encoding=encoding)
    return path


def run(path, *args) -> str:
    out = StringIO()
    call_command("import_legacy_accounts", str(path), *args, stdout=out)
    return out.getvalue()


def login(client, identifier, password=WRONG_PASSWORD):
    return client.post(reverse("account_login"), {"login": identifier, "password": password})


@pytest.fixture
def imported():
    return legacy_account_import(email="Claire.Dupuis@example.org", last_name="Dupuis", first_name="Claire")


# The import


def test_a_wet_run_creates_accounts_without_a_password_and_keeps_the_claims(tmp_path):
    path = csv_file(
        tmp_path,
        "Claire.Dupuis@Example.org;Dupuis;Claire;01 99 00 12 34;732 829 320 00074;",
        "marc.lebreton@example.org;Le Breton;Marc;0692 12 34 56;;0870015u",
    )

    out = run(path, "--wet-run")

    assert "legacy accounts created=2 skipped=0 invalid=0 wet_run=true" in out
    claire = User.objects.get(email="claire.dupuis@example.org")
    assert (claire.last_name, claire.first_name) == ("Dupuis", "Claire")
    assert str(claire.phone_landline) == "+33199001234"
    assert not claire.phone_mobile
    assert claire.legacy_siret_claim == "73282932000074"
    assert claire.imported_at is not None
    assert not claire.has_usable_password()
    address = EmailAddress.objects.get(user=claire)
    assert (address.email, address.verified, address.primary) == ("claire.dupuis@example.org", False, True)
    marc = User.objects.get(email="marc.lebreton@example.org")
    assert str(marc.phone_mobile) == "+262692123456"
    assert not marc.phone_landline
    assert marc.legacy_uai_claim == "0870015U"
    assert AuditEvent.objects.filter(event_type="account.imported").count() == 2


def test_a_dry_run_reports_what_the_wet_run_does_and_writes_nothing(tmp_path):
    UserFactory(email="deja.inscrite@example.org")
    path = csv_file(
        tmp_path,
        "claire.dupuis@example.org;Dupuis;Claire;;;",
        "deja.inscrite@example.org;Inscrite;Déjà;;;",
        "pas-une-adresse;Sans;Adresse;;;",
    )
    users, addresses, events = User.objects.count(), EmailAddress.objects.count(), AuditEvent.objects.count()

    dry = run(path)

    assert "Essai à blanc : rien n'a été enregistré" in dry
    assert "legacy accounts created=1 skipped=1 invalid=1 wet_run=false" in dry
    assert (User.objects.count(), EmailAddress.objects.count(), AuditEvent.objects.count()) == (
        users,
        addresses,
        events,
    )
    wet = run(path, "--wet-run")
    assert "legacy accounts created=1 skipped=1 invalid=1 wet_run=true" in wet
    assert [line for line in dry.splitlines() if line.startswith("ligne")] == [
        line for line in wet.splitlines() if line.startswith("ligne")
    ]


def test_running_twice_creates_nothing_twice(tmp_path):
    path = csv_file(
        tmp_path, "claire.dupuis@example.org;Dupuis;Claire;;;", "marc.lebreton@example.org;Le Breton;Marc;;;"
    )
    run(path, "--wet-run")

    out = run(path, "--wet-run")

    assert "created=0 skipped=2 invalid=0" in out
    assert "ligne 2 : ignorée — un compte existe déjà pour cette adresse." in out
    assert "ligne 3 : ignorée — un compte existe déjà pour cette adresse." in out
    assert User.objects.count() == 2
    assert EmailAddress.objects.count() == 2


def test_an_existing_account_is_left_as_it_is(tmp_path):
    user = UserFactory(email="claire.dupuis@example.org", first_name="Claire", last_name="Martin")
    path = csv_file(tmp_path, "CLAIRE.DUPUIS@example.org;Dupuis;Claire;;73282932000074;")

    out = run(path, "--wet-run")

    assert "created=0 skipped=1 invalid=0" in out
    user.refresh_from_db()
    assert (user.last_name, user.legacy_siret_claim, user.imported_at) == ("Martin", "", None)
    assert user.check_password(DEFAULT_PASSWORD)


def test_an_address_twice_in_the_file_is_imported_once(tmp_path):
    path = csv_file(
        tmp_path,
        "claire.dupuis@example.org;Dupuis;Claire;;;",
        "marc.lebreton@example.org;Le Breton;Marc;;;",
        "Claire.Dupuis@example.org;Dupuis;Claire-Marie;;;",
    )

    out = run(path, "--wet-run")

    assert "created=2 skipped=1 invalid=0" in out
    assert "ligne 4 : ignorée — adresse déjà présente dans le fichier (ligne 2)." in out
    assert User.objects.get(email="claire.dupuis@example.org").first_name == "Claire"


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        ("claire.dupuis@;Dupuis;Claire;;;", "adresse électronique invalide."),
        (";Dupuis;Claire;;;", "adresse électronique absente."),
        ("claire.dupuis@example.org;;Claire;;;", "nom absent."),
        ("claire.dupuis@example.org;Dupuis; ;;;", "prénom absent."),
        ("claire.dupuis@example.org;Dupuis;Claire;12;;", "téléphone : Ce numéro de téléphone n'est pas valide."),
        (
            "claire.dupuis@example.org;Dupuis;Claire;0899 12 34 56;;",
            "téléphone : Ce numéro n'est ni un téléphone fixe ni",
        ),
        ("claire.dupuis@example.org;Dupuis;Claire;;73282932000075;", "SIRET invalide"),
        ("claire.dupuis@example.org;Dupuis;Claire;;7328293200007;", "SIRET invalide"),
        ("claire.dupuis@example.org;Dupuis;Claire;;;0870015A", "UAI invalide : la lettre de contrôle ne correspond"),
        ("claire.dupuis@example.org;Dupuis;Claire;;;087001U", "UAI invalide (7 chiffres suivis d'une lettre"),
        ("claire.dupuis@example.org;Dupuis;Claire;;;;en trop", "la ligne a plus de cellules que l'en-tête."),
    ],
)
def test_an_invalid_row_creates_nothing_and_says_why(tmp_path, row, reason):
    path = csv_file(tmp_path, "marc.lebreton@example.org;Le Breton;Marc;;;", row)

    out = run(path, "--wet-run")

    assert "created=1 skipped=0 invalid=1" in out
    assert f"ligne 3 : invalide — {reason}" in out
    assert list(User.objects.values_list("email", flat=True)) == ["marc.lebreton@example.org"]
    assert EmailAddress.objects.count() == 1


def test_the_columns_are_read_by_name_and_the_optional_ones_may_be_left_out(tmp_path):
    path = csv_file(tmp_path, "Claire;claire.dupuis@example.org;Dupuis;x", header="Prenom ; EMAIL;nom;remarque")

    out = run(path, "--wet-run")

    assert "Colonnes ignorées : remarque" in out
    assert "created=1 skipped=0 invalid=0" in out
    user = User.objects.get()
    assert (user.email, user.last_name, user.first_name) == ("claire.dupuis@example.org", "Dupuis", "Claire")


def test_a_byte_order_mark_is_tolerated(tmp_path):
    path = csv_file(tmp_path, "claire.dupuis@example.org;Dupuis;Claire;;;", encoding="utf-8-sig")
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")

    out = run(path, "--wet-run")

    assert "created=1 skipped=0 invalid=0" in out


def test_a_missing_required_column_stops_with_an_error_and_a_failing_exit_code(tmp_path):
    path = csv_file(tmp_path, "claire.dupuis@example.org;Dupuis;;;", header="email;nom;telephone;siret;uai")

    with pytest.raises(CommandError, match="Colonne obligatoire absente : prenom") as error:
        run(path, "--wet-run")

    # run_from_argv turns a CommandError into this exit code (it also closes the test's connection).
    assert error.value.returncode == 1
    assert "email;nom;prenom;telephone;siret;uai" in str(error.value)
    assert not User.objects.exists()


def test_a_file_not_in_utf8_is_refused(tmp_path):
    path = csv_file(tmp_path, "agnes.fontaine@example.org;Fontaine;Agnès;;;", encoding="latin-1")

    with pytest.raises(CommandError, match="UTF-8"):
        run(path, "--wet-run")

    assert not User.objects.exists()


def test_the_sample_file_imports_cleanly(tmp_path):
    out = run(SAMPLE)

    assert "created=5 skipped=0 invalid=0" in out


# The first login of an imported account


@pytest.mark.parametrize("identifier", ["claire.dupuis@example.org", "personne.inconnue@example.org", "1850578006084"])
def test_every_failed_login_shows_the_neutral_message_and_the_fixed_line(client, imported, identifier):
    response = login(client, identifier)

    assert response.status_code == 200
    assert NEUTRAL in response.text
    assert FIXED_LINE in response.text


def test_a_wrong_password_on_an_ordinary_account_shows_the_same_page(client):
    user = UserFactory()

    response = login(client, user.email)

    assert NEUTRAL in response.text
    assert FIXED_LINE in response.text


def test_the_login_page_has_no_fixed_line_before_a_failure(client):
    assert FIXED_LINE not in client.get(reverse("account_login")).text


def test_an_imported_account_that_tries_to_log_in_gets_a_link_never_a_password(
    client, imported, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        login(client, "CLAIRE.DUPUIS@example.org", password="mon-ancien-mot-de-passe")

    message = last_email_to(imported.email)
    assert message.subject == "Choisissez le mot de passe de votre compte repris"
    assert "/password/reset/key/" in first_link(message, contains="/password/reset/key/")
    assert "valable 1 heure" in message.body_text
    assert "mon-ancien-mot-de-passe" not in message.body_text
    assert "mot de passe :" not in message.body_text.lower()


def test_at_most_one_link_an_hour_per_account(client, imported, django_capture_on_commit_callbacks):
    with time_machine.travel("2026-11-24 10:00", tick=False) as clock:
        with django_capture_on_commit_callbacks(execute=True):
            login(client, imported.email)
            clock.shift(20 * 60)
            login(client, imported.email)
            clock.shift(39 * 60)
            login(client, imported.email)
        assert len(emails_to(imported.email)) == 1

        clock.shift(2 * 60)
        with django_capture_on_commit_callbacks(execute=True):
            login(client, imported.email)

    assert len(emails_to(imported.email)) == 2


def test_no_link_for_an_account_that_was_not_imported(client, django_capture_on_commit_callbacks):
    user = UserFactory()
    user.set_unusable_password()
    user.save()

    with django_capture_on_commit_callbacks(execute=True):
        login(client, user.email)

    assert emails_to(user.email) == []


def test_no_link_for_an_imported_account_that_has_its_password(client, imported, django_capture_on_commit_callbacks):
    imported.set_password(NEW_PASSWORD)
    imported.save()

    with django_capture_on_commit_callbacks(execute=True):
        response = login(client, imported.email)

    assert FIXED_LINE in response.text
    assert emails_to(imported.email) == []


def test_no_link_for_an_unknown_address(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        login(client, "personne.inconnue@example.org")

    assert emails_to("personne.inconnue@example.org") == []


def _choose_password_from_the_email(client, user, django_capture_on_commit_callbacks) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        login(client, user.email)
    link = first_link(last_email_to(user.email), contains="/password/reset/key/")
    form_url = client.get(link).url
    with django_capture_on_commit_callbacks(execute=True):
        client.post(form_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)


def test_legacy_password_chosen_verifies_the_address_once(client, imported):
    imported.set_password(NEW_PASSWORD)
    imported.save()

    assert legacy_password_chosen(user=imported) is True
    assert legacy_password_chosen(user=imported) is False

    assert EmailAddress.objects.get(user=imported).verified
    assert AuditEvent.objects.filter(event_type="account.legacy_email_verified", actor=imported).count() == 1
    # The address is proven: the login goes on to the CGU, which an imported account has never accepted.
    response = login(client, imported.email, password=NEW_PASSWORD)
    assert response.url == reverse("accounts:terms_accept")


def test_legacy_password_chosen_leaves_other_accounts_alone(imported):
    ordinary = UserFactory(verified_email=False)
    EmailAddress.objects.create(user=ordinary, email=ordinary.email, verified=False, primary=True)
    imported.last_login = imported.imported_at  # logged in some other way: the link proved nothing
    imported.save(update_fields=["last_login"])

    assert legacy_password_chosen(user=ordinary) is False
    assert legacy_password_chosen(user=imported) is False

    assert not EmailAddress.objects.filter(verified=True).exists()


def test_choosing_the_password_through_the_link_lets_the_person_log_in(
    client, imported, django_capture_on_commit_callbacks
):
    _choose_password_from_the_email(client, imported, django_capture_on_commit_callbacks)

    assert EmailAddress.objects.get(user=imported).verified
    response = login(client, imported.email, password=NEW_PASSWORD)
    assert response.url == reverse("accounts:terms_accept")
