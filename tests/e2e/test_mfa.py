"""Two-factor authentication in the browser: turning it on from "Mon compte", logging in with a code or a
recovery code, the setup forced on people who must use it, and the pages that confirm one's identity."""

import re
from io import BytesIO

import pyotp
from PIL import Image
from playwright.sync_api import Locator, Page, expect

from parcours.accounts import mfa as mfa_rule
from parcours.accounts.mfa import mfa_requirement_register
from parcours.accounts.services.mfa import totp_activate
from tests.accounts.factories import DEFAULT_PASSWORD, UserFactory
from tests.e2e.journeys import fresh_code

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def log_in(page: Page, axe, user) -> None:
    page.get_by_role("link", name="Se connecter").first.click()
    axe()
    page.get_by_label(re.compile("Adresse électronique")).first.fill(user.email)
    page.get_by_label("Mot de passe", exact=True).fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()


def log_out(page: Page) -> None:
    page.get_by_role("banner").get_by_role("button", name="Se déconnecter").first.click()
    expect(page.get_by_role("link", name="Se connecter").first).to_be_visible()


def assert_qr_code_drawn(qr_code: Locator) -> None:
    """The QR code is on screen as a phone sees it: dark modules on a light square, whatever the theme."""
    expect(qr_code).to_be_visible()
    image = Image.open(BytesIO(qr_code.screenshot())).convert("L")
    histogram = image.histogram()
    total = image.width * image.height
    dark = sum(histogram[:80]) / total
    light = sum(histogram[201:]) / total
    assert 0.2 < dark < 0.7, f"dark share {dark:.2f}"
    assert light > 0.3, f"light share {light:.2f}"
    assert image.getpixel((3, 3)) > 200  # the quiet zone around the code is light


def test_a_person_turns_on_two_factor_authentication_and_logs_in_with_a_code(page: Page, axe, clock):
    user = UserFactory(first_name="Léa", last_name="Garnier")
    page.goto(page.live_server_url)
    axe()
    log_in(page, axe, user)
    expect(page.get_by_role("banner")).to_contain_text("Léa Garnier")
    axe()

    page.get_by_role("link", name="Mon compte").first.click()
    axe()
    page.get_by_role("link", name="Double authentification").click()
    expect(page.get_by_role("heading", name="Double authentification", level=1)).to_be_visible()
    expect(page.get_by_text("Désactivée", exact=True)).to_be_visible()
    axe()
    page.get_by_role("link", name="Activer la double authentification").click()

    # allauth asks the password again before any change to two-factor authentication.
    expect(page.get_by_role("heading", name="Confirmez votre identité")).to_be_visible()
    axe()
    page.get_by_label("Mot de passe", exact=True).fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Confirmer").click()

    expect(page.get_by_role("heading", name="Activer la double authentification")).to_be_visible()
    assert_qr_code_drawn(page.get_by_role("img", name=re.compile("QR code")))
    axe()
    secret = page.get_by_text(re.compile(r"^[A-Z2-7]{4}( [A-Z2-7]{1,4})+$")).inner_text().replace(" ", "")
    page.get_by_label("Code à 6 chiffres").fill("000000" if pyotp.TOTP(secret).now() != "000000" else "111111")
    page.get_by_role("button", name="Activer la double authentification").click()
    expect(page.get_by_text("Code incorrect.")).to_be_visible()
    axe()
    page.get_by_label("Code à 6 chiffres").fill(fresh_code(clock, secret))
    page.get_by_role("button", name="Activer la double authentification").click()

    expect(page.get_by_text("La double authentification est activée")).to_be_visible()
    expect(page.get_by_role("heading", name="Vos codes de secours")).to_be_visible()
    codes = page.get_by_role("list", name="Codes de secours encore utilisables").get_by_role("listitem")
    expect(codes).to_have_count(10)
    recovery_codes = [code.strip() for code in codes.all_inner_texts()]
    axe()
    with page.expect_download() as download:
        page.get_by_role("link", name="Télécharger les codes (fichier texte)").click()
    saved = download.value.path().read_text(encoding="utf-8")
    assert all(code in saved for code in recovery_codes)

    log_out(page)
    axe()
    log_in(page, axe, user)
    expect(page.get_by_role("heading", name="Saisissez votre code de vérification")).to_be_visible()
    expect(page.get_by_role("banner")).not_to_contain_text("Léa Garnier")
    axe()
    page.get_by_label("Code de vérification").fill(fresh_code(clock, secret))
    page.get_by_role("button", name="Valider").click()
    expect(page.get_by_role("banner")).to_contain_text("Léa Garnier")
    axe()


def test_a_person_without_their_phone_logs_in_with_a_recovery_code(page: Page, axe):
    user = UserFactory(first_name="Karim", last_name="Benali")
    recovery_code = totp_activate(user=user, secret=SECRET).recovery_codes[0]
    page.goto(page.live_server_url)
    axe()
    log_in(page, axe, user)
    expect(page.get_by_role("heading", name="Saisissez votre code de vérification")).to_be_visible()
    axe()

    page.get_by_label("Code de vérification").fill(recovery_code)
    page.get_by_role("button", name="Valider").click()

    expect(page.get_by_role("banner")).to_contain_text("Karim Benali")
    axe()
    page.get_by_role("link", name="Mon compte").first.click()
    axe()
    page.get_by_role("link", name="Double authentification").click()
    expect(page.get_by_text("Activée", exact=True)).to_be_visible()
    expect(page.get_by_text("9 codes sur 10 sont encore utilisables.")).to_be_visible()
    axe()


def test_cancelling_at_the_code_step_leaves_the_person_logged_out(page: Page, axe):
    user = UserFactory(first_name="Karim", last_name="Benali")
    totp_activate(user=user, secret=SECRET)
    page.goto(page.live_server_url)
    axe()
    log_in(page, axe, user)
    expect(page.get_by_role("heading", name="Saisissez votre code de vérification")).to_be_visible()
    axe()

    page.get_by_role("button", name="Annuler").click()

    expect(page.get_by_role("heading", name=re.compile("Connexion à"))).to_be_visible()
    expect(page.get_by_role("banner")).not_to_contain_text("Karim Benali")
    axe()


def test_an_operator_who_must_use_it_is_sent_to_set_it_up_at_login(page: Page, axe, clock, monkeypatch):
    # Later issues register "operator staff"; a stand-in rule here. The page is in dark mode: the QR
    # code must stay readable.
    monkeypatch.setattr(mfa_rule, "_requirements", [])
    mfa_requirement_register(lambda user: user.email.endswith("@region.example.org"))
    operator = UserFactory(email="claire.martin@region.example.org", first_name="Claire", last_name="Martin")
    page.emulate_media(color_scheme="dark")
    page.goto(page.live_server_url)
    axe()
    log_in(page, axe, operator)

    expect(page.get_by_role("heading", name="Confirmez votre identité")).to_be_visible()
    axe()
    page.get_by_label("Mot de passe", exact=True).fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Confirmer").click()
    expect(page.get_by_role("heading", name="Activer la double authentification")).to_be_visible()
    assert_qr_code_drawn(page.get_by_role("img", name=re.compile("QR code")))
    axe()
    page.get_by_role("link", name="Mon compte").first.click()
    expect(page.get_by_role("heading", name="Activer la double authentification")).to_be_visible()  # not yet
    axe()
    secret = page.get_by_text(re.compile(r"^[A-Z2-7]{4}( [A-Z2-7]{1,4})+$")).inner_text().replace(" ", "")
    page.get_by_label("Code à 6 chiffres").fill(fresh_code(clock, secret))
    page.get_by_role("button", name="Activer la double authentification").click()
    expect(page.get_by_role("heading", name="Vos codes de secours")).to_be_visible()
    axe()

    page.get_by_role("link", name="Mon compte").first.click()
    expect(page.get_by_role("heading", name="Mon compte", level=1)).to_be_visible()
    axe()


def test_new_codes_and_turning_it_off_after_a_while_ask_to_confirm_with_a_code(page: Page, axe, clock, settings):
    user = UserFactory(first_name="Léa", last_name="Garnier")
    old_codes = totp_activate(user=user, secret=SECRET).recovery_codes
    page.goto(page.live_server_url)
    axe()
    log_in(page, axe, user)
    axe()
    page.get_by_label("Code de vérification").fill(fresh_code(clock, SECRET))
    page.get_by_role("button", name="Valider").click()
    expect(page.get_by_role("banner")).to_contain_text("Léa Garnier")
    axe()
    clock.shift(settings.ACCOUNT_REAUTHENTICATION_TIMEOUT + 1)

    page.get_by_role("link", name="Mon compte").first.click()
    axe()
    page.get_by_role("link", name="Double authentification").click()
    expect(page.get_by_text("Activée", exact=True)).to_be_visible()
    axe()
    page.get_by_role("link", name="Générer de nouveaux codes").click()
    expect(page.get_by_role("heading", name="Confirmez votre identité")).to_be_visible()
    axe()
    page.get_by_role("link", name="Confirmer avec un code de vérification").click()
    expect(page.get_by_label("Code de vérification")).to_be_visible()
    axe()
    page.get_by_label("Code de vérification").fill(fresh_code(clock, SECRET))
    page.get_by_role("button", name="Confirmer").click()

    expect(page.get_by_role("heading", name="Générer de nouveaux codes de secours")).to_be_visible()
    expect(page.get_by_text("Les codes que vous avez aujourd’hui ne fonctionneront plus.")).to_be_visible()
    axe()
    page.get_by_role("button", name="Générer de nouveaux codes").click()
    expect(page.get_by_text("De nouveaux codes de secours ont été générés")).to_be_visible()
    codes = page.get_by_role("list", name="Codes de secours encore utilisables").get_by_role("listitem")
    expect(codes).to_have_count(10)
    assert not set(code.strip() for code in codes.all_inner_texts()) & set(old_codes)
    axe()

    page.get_by_role("link", name="Retour à la double authentification").click()
    axe()
    page.get_by_role("link", name="Désactiver la double authentification").click()
    expect(page.get_by_text("ne sera plus protégé que par votre mot de passe")).to_be_visible()
    axe()
    page.get_by_role("button", name="Désactiver la double authentification").click()
    expect(page.get_by_text("La double authentification est désactivée.")).to_be_visible()
    expect(page.get_by_text("Désactivée", exact=True)).to_be_visible()
    axe()
