"""The three sign-ups of issue 3, walked from the home page by clicking, with the real emails."""

import re

from playwright.sync_api import Page, expect

from parcours.accounts.models import NirRecord, User
from parcours.accounts.nir_vault import nir_encrypt, nir_lookup_hash
from tests.accounts.factories import DEFAULT_PASSWORD, UserFactory
from tests.e2e.conftest import tick, wait_for_captcha
from tests.helpers.outbox import code_in, first_link, last_email_to

PASSWORD = "cheval-agrafe-pile-correcte"


def test_a_titulaire_registers_in_four_steps_and_logs_in_with_the_nir(page: Page, axe):
    page.goto(page.live_server_url)
    axe()
    page.get_by_role("link", name=re.compile("Titulaire d'un compte formation")).click()

    # Step 1: the CGU.
    expect(page.get_by_text("Étape 1 sur 4")).to_be_visible()
    axe()
    page.get_by_role("button", name="Continuer").click()
    expect(page.get_by_text("Pour continuer, acceptez les conditions générales d'utilisation.")).to_be_visible()
    axe()
    tick(page, "Je déclare avoir lu")
    page.get_by_role("button", name="Continuer").click()

    # Step 2: identity, with a mistake in the NIR first.
    expect(page.get_by_text("Étape 2 sur 4")).to_be_visible()
    axe()
    page.get_by_label("Numéro de sécurité sociale").fill("1 85 05 78 006 084 12")
    tick(page, "Monsieur")
    page.get_by_label("Prénom(s)").fill("Julien")
    page.get_by_label("Nom de naissance", exact=True).fill("Moreau")
    page.get_by_label("Date de naissance").fill("1985-05-14")
    page.get_by_label("Téléphone portable (facultatif)").fill("0692 12 34 56")
    page.get_by_label(re.compile("Adresse électronique")).fill("julien.moreau@example.org")
    page.get_by_label("Confirmation de l'adresse électronique").fill("julien.moreau@example.org")
    wait_for_captcha(page)
    page.get_by_role("button", name="Continuer").click()
    expect(page.get_by_text("La clé de ce numéro de sécurité sociale ne correspond pas")).to_be_visible()
    expect(page.get_by_label("Prénom(s)")).to_have_value("Julien")
    axe()
    page.get_by_label("Numéro de sécurité sociale").fill("1 85 05 78 006 084 91")
    wait_for_captcha(page)
    page.get_by_role("button", name="Continuer").click()

    # Step 3: the password, policy shown before typing; going back keeps the identity.
    expect(page.get_by_text("Étape 3 sur 4")).to_be_visible()
    axe()
    page.get_by_role("link", name="Retour").click()
    expect(page.get_by_label("Numéro de sécurité sociale")).to_have_value("1850578006084")
    expect(page.get_by_label("Nom de naissance", exact=True)).to_have_value("Moreau")
    axe()
    wait_for_captcha(page)
    page.get_by_role("button", name="Continuer").click()
    expect(page.get_by_text("au minimum 12 caractères", exact=False).first).to_be_visible()
    page.get_by_label("Mot de passe", exact=True).fill("azerty")
    expect(page.get_by_text(re.compile("Force du mot de passe : (très faible|faible)"))).to_be_visible()
    page.get_by_label("Mot de passe", exact=True).fill(PASSWORD)
    expect(page.get_by_text(re.compile("Force du mot de passe : (fort|très fort|moyen)"))).to_be_visible()
    page.get_by_label("Confirmation du mot de passe").fill(PASSWORD)
    axe()
    page.get_by_role("button", name="Valider mon inscription").click()

    # Step 4: check your email; the link opens a page whose button activates.
    expect(page.get_by_text("Étape 4 sur 4")).to_be_visible()
    expect(page.get_by_text("julien.moreau@example.org")).to_be_visible()
    axe()
    assert not User.objects.exists()
    page.goto(first_link(last_email_to("julien.moreau@example.org"), contains="/inscription/confirmer/"))
    assert not User.objects.exists()  # opening the link (a mail scanner would) activates nothing
    axe()
    page.get_by_role("button", name="Activer mon compte").click()
    expect(page.get_by_text("Votre compte a bien été activé")).to_be_visible()
    axe()

    page.get_by_label("Adresse électronique ou numéro de sécurité sociale").fill("1 85 05 78 006 084")
    page.get_by_label("Mot de passe", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("banner")).to_contain_text("Julien Moreau")
    user = User.objects.get()
    assert str(user.phone_mobile) == "+262692123456"
    assert NirRecord.objects.filter(user=user).exists()


def test_a_stagiaire_signs_up_with_a_code_received_by_email(page: Page, axe):
    page.goto(page.live_server_url)
    axe()
    page.get_by_role("link", name=re.compile("Stagiaire de la formation professionnelle")).click()
    axe()

    page.get_by_label("Nom", exact=True).fill("Haddad")
    page.get_by_label("Prénom", exact=True).fill("Inès")
    page.get_by_label("Date de naissance").fill("2001-09-03")
    page.get_by_label(re.compile("Adresse électronique")).fill("ines.haddad@example.org")
    page.get_by_label("Confirmation de l'adresse électronique").fill("ines.haddad@example.org")
    wait_for_captcha(page)
    page.get_by_role("button", name="Recevez le code").click()
    expect(page.get_by_text("Saisissez votre numéro de dossier, ou cochez")).to_be_visible()
    expect(page.get_by_label(re.compile("Adresse électronique"))).to_have_value("ines.haddad@example.org")
    axe()
    page.get_by_label("N° de dossier").fill("RS-2026-004512")
    wait_for_captcha(page)
    page.get_by_role("button", name="Recevez le code").click()

    expect(page.get_by_role("heading", name="Saisissez le code reçu")).to_be_visible()
    axe()
    code = code_in(last_email_to("ines.haddad@example.org"))
    page.get_by_label("Code reçu par courriel").fill("000000" if code != "000000" else "111111")
    tick(page, "Je déclare avoir lu")
    page.get_by_role("button", name="Valider").click()
    expect(page.get_by_text("Code incorrect. Il vous reste 4 essais.")).to_be_visible()
    axe()
    expect(page.get_by_label("Je déclare avoir lu")).to_be_checked()  # kept from the first try
    page.get_by_label("Code reçu par courriel").fill(code)
    page.get_by_role("button", name="Valider").click()

    expect(page.get_by_role("heading", name="Choisissez votre mot de passe")).to_be_visible()
    axe()
    page.get_by_label("Mot de passe", exact=True).fill(PASSWORD)
    page.get_by_label("Confirmation du mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Créer mon compte").click()

    expect(page.get_by_text("Votre compte est créé")).to_be_visible()
    expect(page.get_by_role("banner")).to_contain_text("Inès Haddad")
    assert User.objects.get().remuneration_dossier_claim == "RS-2026-004512"


def test_a_professional_signs_up_and_lands_on_the_organisation_step(page: Page, axe):
    page.goto(page.live_server_url)
    axe()
    page.get_by_role("link", name=re.compile("Salarié, employeur ou organisme de formation")).click()
    axe()

    tick(page, "Madame")
    page.get_by_label("Nom", exact=True).fill("Girard")
    page.get_by_label("Prénom", exact=True).fill("Nathalie")
    page.get_by_label(re.compile("Adresse électronique")).fill("nathalie.girard@example.org")
    page.get_by_label("Confirmation de l'adresse électronique").fill("nathalie.girard@example.org")
    page.get_by_label("Téléphone (facultatif)").fill("01 42 68 53 00")
    page.get_by_label("Mot de passe", exact=True).fill("NathalieGirard2026")
    page.get_by_label("Confirmation du mot de passe").fill("NathalieGirard2026")
    tick(page, "Je déclare avoir lu")
    wait_for_captcha(page)
    page.get_by_role("button", name="Créer mon compte").click()
    expect(page.get_by_text("Votre mot de passe ne doit pas reprendre votre nom")).to_be_visible()
    expect(page.get_by_label("Téléphone (facultatif)")).to_have_value("01 42 68 53 00")
    axe()
    page.get_by_label("Mot de passe", exact=True).fill(PASSWORD)
    page.get_by_label("Confirmation du mot de passe").fill(PASSWORD)
    wait_for_captcha(page)
    page.get_by_role("button", name="Créer mon compte").click()

    expect(page.get_by_role("heading", name="Vérifiez votre messagerie")).to_be_visible()
    axe()
    page.get_by_role("button", name="Recevoir à nouveau le courriel").click()
    expect(page.get_by_text("Un nouveau courriel a été envoyé")).to_be_visible()
    axe()
    page.goto(first_link(last_email_to("nathalie.girard@example.org"), contains="/inscription/confirmer/"))
    axe()
    page.get_by_role("button", name="Activer mon compte").click()
    axe()
    page.get_by_label(re.compile("Adresse électronique")).first.fill("nathalie.girard@example.org")
    page.get_by_label("Mot de passe", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()

    expect(page.get_by_role("heading", name="Mes structures", exact=True)).to_be_visible()
    expect(page.get_by_text("Votre compte n’est rattaché à aucune structure pour le moment.")).to_be_visible()
    expect(page.get_by_role("link", name="Rattacher mon compte à une structure")).to_be_visible()


def test_the_lockout_then_a_password_reset_from_the_email(page: Page, axe):
    user = UserFactory(email="julien.moreau@example.org", first_name="Julien", last_name="Moreau")
    NirRecord.objects.create(
        user=user, ciphertext=nir_encrypt("1850578006084"), lookup_hash=nir_lookup_hash("1850578006084")
    )
    page.goto(page.live_server_url)
    axe()
    page.get_by_role("link", name="Se connecter").first.click()
    axe()

    for _ in range(5):
        page.get_by_label(re.compile("Adresse électronique")).first.fill("1850578006084")
        page.get_by_label("Mot de passe", exact=True).fill("pas le bon")
        page.get_by_role("button", name="Se connecter").click()
        axe()
    page.get_by_label(re.compile("Adresse électronique")).first.fill("1850578006084")
    page.get_by_label("Mot de passe", exact=True).fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(
        page.get_by_text(re.compile("Trop de tentatives de connexion. Réessayez dans 1[45] minutes"))
    ).to_be_visible()
    axe()

    page.goto(first_link(last_email_to(user.email), contains="/password/reset/key/"))
    axe()
    page.get_by_label("Nouveau mot de passe", exact=True).fill(PASSWORD)
    page.get_by_label(re.compile("Confirmation")).fill(PASSWORD)
    page.get_by_role("button", name=re.compile("Enregistrer")).click()
    axe()
    page.get_by_role("link", name=re.compile("Se connecter|connexion")).first.click()
    axe()
    page.get_by_label(re.compile("Adresse électronique")).first.fill("1850578006084")
    page.get_by_label("Mot de passe", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("banner")).to_contain_text("Julien Moreau")
