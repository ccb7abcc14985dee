import pytest
from django.test import override_settings
from django.urls import reverse

from parcours.web import navigation
from parcours.web.navigation import SignupEntry
from parcours.web.views.pages import cgu_template_name
from tests.web.html import Page, assert_well_formed

LEGAL_PAGES = [
    ("web:legal_notice", "/mentions-legales/", "Mentions légales", "Mentions légales"),
    ("web:privacy", "/donnees-personnelles/", "Données personnelles", "Données personnelles"),
    (
        "web:terms",
        "/conditions-generales-d-utilisation/",
        "Conditions générales d’utilisation",
        "Conditions générales d’utilisation",
    ),
    ("web:accessibility", "/accessibilite/", "Déclaration d’accessibilité", "Accessibilité"),
]
LEGAL_PARAMS = ("url_name", "path", "heading", "crumb")


def test_home_explains_the_service_to_each_kind_of_user(client):
    response = client.get("/")

    assert response.status_code == 200
    page = assert_well_formed(response.content)
    assert page.find("h1").all_text() == "Parcours"
    card_titles = [element.all_text() for element in page.find_all("h3", class_="fr-card__title")]
    assert card_titles == [
        "Stagiaire ou titulaire d’un compte formation",
        "Employeur",
        "Organisme de formation",
        "Établissement scolaire",
        "Gestionnaire",
    ]
    text = response.content.decode()
    for words in (
        "Demandez un devis",
        "Validez les demandes de formation de vos salariés",
        "Publiez vos actions de formation et leurs sessions",
        "Inscrivez vos élèves aux mini-stages",
        "Validez les organisations et les comptes",
    ):
        assert words in text


def test_home_offers_to_log_in_and_create_an_account(client):
    page = Page(client.get("/").content)

    login_links = [a for a in page.find_all("a", href=reverse("account_login")) if a.all_text() == "Se connecter"]
    assert len(login_links) >= 2  # the header's quick access and the home page's button
    assert page.find("h2", id="creer-un-compte").all_text() == "Créer un compte"


def test_home_hides_sign_up_journeys_that_do_not_exist_yet(client, monkeypatch):
    monkeypatch.setattr(navigation, "SIGNUP_ENTRIES", (SignupEntry("École", "Bientôt.", "accounts:not_built_yet"),))

    response = client.get("/")

    assert "La création de compte en ligne ouvrira prochainement" in response.content.decode()
    assert not Page(response.content).find_all("div", class_="fr-tile")
    assert "/compte/signup/" not in response.content.decode()


def test_home_shows_the_sign_up_journeys_whose_url_exists(client, monkeypatch):
    monkeypatch.setattr(
        navigation,
        "SIGNUP_ENTRIES",
        (
            SignupEntry("Titulaire d’un compte formation", "Votre compte personnel.", "account_login"),
            SignupEntry("Établissement scolaire", "Avec votre code UAI.", "accounts:not_built_yet"),
        ),
    )

    page = Page(client.get("/").content)

    tiles = page.find_all("h3", class_="fr-tile__title")
    assert [tile.all_text() for tile in tiles] == ["Titulaire d’un compte formation"]
    assert tiles[0].children[0].attrs["href"] == reverse("account_login")


def test_home_greets_a_logged_in_person_without_the_sign_up_section(client, user):
    client.force_login(user)

    response = client.get("/")

    assert "Bienvenue sur votre espace, Camille." in response.content.decode()
    assert Page(response.content).find("h2", id="creer-un-compte") is None


@pytest.mark.parametrize(LEGAL_PARAMS, LEGAL_PAGES)
def test_legal_pages_are_public_with_a_breadcrumb(client, url_name, path, heading, crumb):
    assert reverse(url_name) == path

    response = client.get(path)

    assert response.status_code == 200
    page = assert_well_formed(response.content)
    assert page.find("h1").all_text() == heading
    assert page.find("title").all_text() == f"{heading} — Parcours"
    crumbs = [a.all_text() for a in page.find_all("a", class_="fr-breadcrumb__link")]
    assert crumbs == ["Accueil", crumb]
    assert page.find("a", class_="fr-breadcrumb__link", aria_current="page").all_text() == crumb


@pytest.mark.parametrize(LEGAL_PARAMS, LEGAL_PAGES)
def test_legal_pages_answer_get_only(client, url_name, path, heading, crumb):
    assert client.post(path).status_code == 405


@pytest.mark.parametrize(LEGAL_PARAMS, LEGAL_PAGES)
def test_footer_links_to_every_legal_page(client, url_name, path, heading, crumb):
    page = Page(client.get("/").content)

    hrefs = [a.attrs.get("href") for a in page.find_all("a", class_="fr-footer__bottom-link")]
    assert path in hrefs


def test_footer_says_accessibility_is_not_compliant_and_carries_the_licence(client):
    text = client.get("/").content.decode()

    assert "Accessibilité : non conforme" in text
    assert "licence etalab-2.0" in text


@override_settings(PARCOURS_PUBLISHER="La Région Exemple", PARCOURS_HOST="OVHcloud, 2 rue Kellermann, 59100 Roubaix")
def test_legal_notice_names_publisher_and_host_from_settings(client):
    text = client.get("/mentions-legales/").content.decode()

    assert "La Région Exemple" in text
    assert "OVHcloud, 2 rue Kellermann, 59100 Roubaix" in text


@override_settings(PARCOURS_CONTACT_EMAIL="dpo@region.example.org")
def test_privacy_page_gives_rights_dpo_and_cnil(client, settings):
    settings.PARCOURS_NIR_LEGAL_BASIS = ""

    text = client.get("/donnees-personnelles/").content.decode()

    assert "dpo@region.example.org" in text
    assert "délégué à la protection des données" in text
    assert "CNIL" in text
    assert "Combien de temps" in text
    assert "Ce service ne collecte pas votre numéro de sécurité sociale (NIR)." in text


def test_privacy_page_names_the_nir_legal_basis_when_the_deployment_has_one(client, settings):
    settings.PARCOURS_NIR_LEGAL_BASIS = "arrêté du 1er janvier 2026 relatif au compte personnel de formation"

    text = client.get("/donnees-personnelles/").content.decode()

    assert "arrêté du 1er janvier 2026 relatif au compte personnel de formation" in text
    assert "décret n° 2019-341" in text
    assert "ne collecte pas votre numéro" not in text


def test_terms_show_the_current_version_and_its_text(client, settings):
    settings.PARCOURS_CGU_VERSION = "2026-11"

    response = client.get("/conditions-generales-d-utilisation/")

    text = response.content.decode()
    assert "Version 2026-11" in text
    assert "1. Objet" in text
    assert "10. Droit applicable" in text


def test_terms_default_to_the_first_version_without_a_setting(client, settings):
    if hasattr(settings, "PARCOURS_CGU_VERSION"):
        del settings.PARCOURS_CGU_VERSION

    assert "Version 2026-11" in client.get("/conditions-generales-d-utilisation/").content.decode()


def test_cgu_template_name_refuses_a_path():
    assert cgu_template_name("2026-11") == "web/cgu/2026-11.html"
    with pytest.raises(ValueError, match="invalid CGU version"):
        cgu_template_name("../../base")


def test_accessibility_statement_is_non_compliant_with_recourse(client):
    text = client.get("/accessibilite/").content.decode()

    assert "non conforme" in text
    assert "aucun audit de conformité n’a encore été réalisé" in text
    assert "Défenseur des droits" in text
    assert "Libre réponse 71120, 75342 Paris CEDEX 07" in text
    assert "formulaire en ligne du Défenseur des droits" in text
