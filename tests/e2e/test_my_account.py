"""Keeping an account, in the browser: personal data, a new email confirmed from the outbox, my data."""

import json
import re
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.accounts.factories import DEFAULT_PASSWORD, UserFactory
from tests.helpers.outbox import first_link, last_email_to


def log_in(page: Page, axe, email: str) -> None:
    page.goto(page.live_server_url)
    axe()
    page.get_by_role("link", name="Se connecter").first.click()
    axe()
    page.get_by_label(re.compile("Adresse électronique")).first.fill(email)
    page.get_by_label("Mot de passe", exact=True).fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("button", name="Se déconnecter")).to_be_visible()
    axe()


def reauthenticate(page: Page, axe) -> None:
    """Sensitive pages ask for the password again (allauth's reauthentication)."""
    expect(page).to_have_url(re.compile("/reauthenticate/"))
    axe()
    page.get_by_label("Mot de passe", exact=True).fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name=re.compile("Confirmer|Valider|Continuer")).click()


def test_a_person_edits_their_data_and_changes_their_email(page: Page, axe):
    UserFactory(email="lea.garnier@example.org", first_name="Léa", last_name="Garnier")
    log_in(page, axe, "lea.garnier@example.org")

    page.get_by_role("banner").get_by_role("link", name="Mon compte").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mon compte")
    axe()
    page.get_by_role("link", name="Modifier mes informations").click()
    axe()
    page.get_by_label("Nom d'usage (facultatif)").fill("Martin")
    page.get_by_label("Téléphone portable (facultatif)").fill("06 00")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_text("Ce numéro de téléphone n'est pas valide")).to_be_visible()
    expect(page.get_by_label("Nom d'usage (facultatif)")).to_have_value("Martin")
    axe()
    page.get_by_label("Téléphone portable (facultatif)").fill("06 12 34 56 78")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_text("Vos informations ont été enregistrées.")).to_be_visible()
    expect(page.get_by_role("banner")).to_contain_text("Léa Martin")
    axe()

    page.get_by_role("link", name="Changer d’adresse électronique").click()
    reauthenticate(page, axe)
    expect(page.get_by_role("heading", level=1)).to_have_text("Changer d’adresse électronique")
    axe()
    page.get_by_label(re.compile("Nouvelle adresse électronique")).fill("lea.martin@example.net")
    page.get_by_label("Confirmation de la nouvelle adresse").fill("lea.martin@example.net")
    page.get_by_role("button", name="Recevoir le lien de confirmation").click()
    expect(page.get_by_text("Un lien de confirmation a été envoyé à lea.martin@example.net")).to_be_visible()
    expect(page.get_by_text("lea.garnier@example.org")).to_be_visible()  # still the account's address
    axe()

    page.goto(first_link(last_email_to("lea.martin@example.net"), contains="/confirmer/"))
    axe()
    page.get_by_role("button", name="Confirmer ma nouvelle adresse").click()
    expect(page.get_by_text("Votre nouvelle adresse électronique est confirmée.")).to_be_visible()
    expect(page.get_by_text("lea.martin@example.net")).to_be_visible()
    axe()
    assert "lea.martin@example.net" not in last_email_to("lea.garnier@example.org").body_text

    page.get_by_role("link", name="Historique de mon compte").click()
    expect(page.get_by_role("cell", name="Changement d'adresse électronique", exact=True)).to_be_visible()
    expect(page.get_by_role("cell", name="Modification des informations personnelles", exact=True)).to_be_visible()
    axe()


def test_a_person_downloads_their_data_and_sees_their_sessions(page: Page, axe):
    UserFactory(email="paul.henry@example.org", first_name="Paul", last_name="Henry")
    log_in(page, axe, "paul.henry@example.org")
    page.get_by_role("banner").get_by_role("link", name="Mon compte").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mon compte")
    axe()

    page.get_by_role("link", name="Mes sessions ouvertes").click()
    expect(page.get_by_text("celle-ci")).to_be_visible()
    axe()
    page.go_back()
    axe()
    page.get_by_role("link", name=re.compile("Télécharger mes données")).click()
    reauthenticate(page, axe)
    expect(page.get_by_role("heading", level=1)).to_have_text("Mes données")
    axe()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Télécharger mes données").click()
    download = download_info.value

    assert download.suggested_filename.startswith("mes-donnees-")
    data = json.loads(Path(download.path()).read_text(encoding="utf-8"))
    assert data["compte"]["adresse_electronique"] == "paul.henry@example.org"
    assert any(event["evenement"] == "account.login" for event in data["historique"])


def test_a_person_asks_for_deletion_and_cancels_it_by_logging_in(page: Page, axe):
    UserFactory(email="anne.roux@example.org", first_name="Anne", last_name="Roux")
    log_in(page, axe, "anne.roux@example.org")
    page.get_by_role("banner").get_by_role("link", name="Mon compte").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mon compte")
    axe()
    page.get_by_role("link", name=re.compile("supprimer mon compte")).click()
    reauthenticate(page, axe)
    expect(page.get_by_role("heading", level=1)).to_have_text("Mes données")
    axe()

    page.get_by_role("button", name="Demander la suppression de mon compte").click()
    expect(page.get_by_text("Cochez la case pour confirmer votre demande.")).to_be_visible()
    axe()
    page.locator("label", has_text="Je demande la suppression").click()
    page.get_by_role("button", name="Demander la suppression de mon compte").click()
    expect(page.get_by_text(re.compile("Votre compte sera supprimé le"))).to_be_visible()
    assert "suppression" in last_email_to("anne.roux@example.org").subject
    axe()

    log_in(page, axe, "anne.roux@example.org")
    expect(page.get_by_text("la suppression de votre compte est annulée")).to_be_visible()
