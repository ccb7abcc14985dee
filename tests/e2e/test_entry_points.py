"""First journeys: the home page, each entry point, the legal pages, login and a password reset by email."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.accounts.factories import DEFAULT_PASSWORD, UserFactory
from tests.helpers.outbox import first_link, last_email_to


def test_home_page_explains_the_service_to_each_kind_of_user(page: Page, axe):
    page.goto(page.live_server_url)

    expect(page).to_have_title(re.compile("Parcours"))
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    for audience in ["Stagiaire", "Employeur", "Organisme de formation", "Établissement scolaire", "Gestionnaire"]:
        expect(page.get_by_role("heading", name=re.compile(audience)).first).to_be_visible()
    expect(page.get_by_role("link", name="Se connecter").first).to_be_visible()


@pytest.mark.parametrize(
    ("link", "heading"),
    [
        ("Mentions légales", "Mentions légales"),
        ("Données personnelles", "Données personnelles"),
        ("Conditions générales d’utilisation", "Conditions générales d’utilisation"),
        ("Accessibilité : non conforme", "Déclaration d’accessibilité"),
    ],
)
def test_legal_pages_are_reached_from_the_footer(page: Page, axe, link, heading):
    page.goto(page.live_server_url)
    axe()

    page.get_by_role("contentinfo").get_by_role("link", name=link).click()

    expect(page.get_by_role("heading", level=1)).to_contain_text(heading)


def test_skip_link_takes_the_keyboard_to_the_content(page: Page, axe):
    page.goto(page.live_server_url)

    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "Contenu"
    page.keyboard.press("Enter")
    assert page.url.endswith("#contenu")


def test_a_person_logs_in_from_the_home_page_and_out_again(page: Page, axe):
    user = UserFactory(first_name="Léa", last_name="Garnier")
    page.goto(page.live_server_url)
    axe()

    page.get_by_role("link", name="Se connecter").first.click()
    axe()
    page.get_by_label("Adresse électronique").fill(user.email)
    page.get_by_label("Mot de passe", exact=True).fill("un mauvais mot de passe")
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_text("Identifiant ou mot de passe incorrect.")).to_be_visible()
    expect(page.get_by_label("Adresse électronique")).to_have_value(user.email)
    axe()
    page.get_by_label("Mot de passe", exact=True).fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()

    expect(page.get_by_role("banner")).to_contain_text("Léa Garnier")
    axe()
    page.get_by_role("button", name="Se déconnecter").first.click()
    expect(page.get_by_role("link", name="Se connecter").first).to_be_visible()


def test_a_forgotten_password_is_reset_through_the_emailed_link(page: Page, axe):
    user = UserFactory()
    page.goto(page.live_server_url)
    axe()
    page.get_by_role("link", name="Se connecter").first.click()
    axe()

    page.get_by_role("link", name=re.compile("Mot de passe oublié")).click()
    axe()
    page.get_by_label("Adresse électronique").fill(user.email)
    page.get_by_role("button", name=re.compile("Réinitialiser|Recevoir|Envoyer")).click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    axe()

    page.goto(first_link(last_email_to(user.email), contains="/password/reset/key/"))
    axe()
    page.get_by_label("Nouveau mot de passe", exact=True).fill("Une-autre-phrase-secrete-2026")
    page.get_by_label(re.compile("Nouveau mot de passe \\(confirmation\\)|Confirmation")).fill(
        "Une-autre-phrase-secrete-2026"
    )
    page.get_by_role("button", name=re.compile("Modifier|Changer|Enregistrer")).click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    axe()

    user.refresh_from_db()
    assert user.check_password("Une-autre-phrase-secrete-2026")


def test_pages_that_need_a_login_send_anonymous_visitors_to_it(page: Page, axe):
    page.goto(page.live_server_url + "/compte/password/change/")

    expect(page).to_have_url(re.compile("/compte/login/"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Connexion")


def test_an_unknown_page_says_so_in_french(page: Page, axe):
    response = page.goto(page.live_server_url + "/cette-page-n-existe-pas/")

    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_contain_text("Page non trouvée")
    expect(page.get_by_role("link", name=re.compile("accueil", re.IGNORECASE)).first).to_be_visible()
