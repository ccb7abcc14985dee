import re

import pytest
from django.urls import reverse

from tests.web.html import Page, assert_well_formed


def nav_links(page: Page) -> list[tuple[str, str | None]]:
    return [(a.all_text(), a.attrs.get("aria-current")) for a in page.find_all("a", class_="fr-nav__link")]


def test_layout_has_the_republique_francaise_block_service_name_and_landmarks(client, settings):
    settings.PARCOURS_SERVICE_NAME = "Parcours Région"
    settings.PARCOURS_SERVICE_TAGLINE = "La formation près de chez vous"

    page = assert_well_formed(client.get("/").content)

    html = page.find("html")
    assert html.attrs["lang"] == "fr"
    assert html.attrs["data-fr-scheme"] == "system"
    assert page.find("title").all_text() == "Accueil — Parcours Région"
    assert page.find("p", class_="fr-logo").all_text() == "République Française"
    assert page.find("p", class_="fr-header__service-title").all_text() == "Parcours Région"
    assert page.find("p", class_="fr-header__service-tagline").all_text() == "La formation près de chez vous"
    assert page.find("header", role="banner")
    assert page.find("main", id="contenu", role="main")
    assert page.find("footer", id="footer", role="contentinfo")
    assert page.find("nav", id="navigation", aria_label="Menu principal")
    assert [a.attrs["href"] for a in page.find_all("a", class_="fr-link") if a.attrs["href"].startswith("#")] == [
        "#contenu",
        "#navigation",
        "#footer",
    ]


def test_anonymous_person_sees_login_home_and_the_catalog(client):
    page = Page(client.get("/").content)

    assert nav_links(page) == [("Accueil", "page"), ("Trouver une formation", None)]
    tools = page.find("div", class_="fr-header__tools-links")
    assert tools.all_text() == "Se connecter"
    assert page.find("a", class_="fr-btn", href=reverse("account_login"))
    assert not page.find("form", action=reverse("account_logout"))


def test_logged_in_person_sees_their_name_their_space_and_logout(client, user):
    client.force_login(user)

    page = assert_well_formed(client.get("/").content)

    assert nav_links(page) == [("Accueil", "page"), ("Trouver une formation", None), ("Mon espace", None)]
    tools = page.find("div", class_="fr-header__tools-links").all_text()
    assert "Camille Martin" in tools
    assert "Mon compte" in tools
    assert page.find("a", class_="fr-btn", href=reverse("accounts:my_account")).all_text() == "Mon compte"
    logout = page.find("form", action=reverse("account_logout"))
    assert logout.attrs["method"] == "post"
    assert page.find("input", name="csrfmiddlewaretoken")
    assert "Se connecter" not in tools


def test_logged_in_person_without_a_name_is_shown_by_email(client, user):
    user.first_name = user.last_name = ""
    user.save(update_fields=["first_name", "last_name"])
    client.force_login(user)

    tools = Page(client.get("/").content).find("div", class_="fr-header__tools-links").all_text()

    assert "camille.martin@example.org" in tools


def test_logout_button_logs_out(client, user):
    client.force_login(user)

    response = client.post(reverse("account_logout"))

    assert response.status_code == 302
    assert nav_links(Page(client.get("/").content)) == [("Accueil", "page"), ("Trouver une formation", None)]


def test_no_navigation_item_is_current_on_a_page_outside_the_navigation(client):
    page = Page(client.get("/mentions-legales/").content)

    assert nav_links(page) == [("Accueil", None), ("Trouver une formation", None)]


@pytest.mark.urls("tests.web.urls")
def test_messages_render_as_alerts_of_their_level(client):
    response = client.get("/test/messages/", follow=True)

    page = Page(response.content)
    alerts = [(alert.classes, alert.all_text()) for alert in page.find_all("div", class_="fr-alert")]
    assert alerts == [
        (["fr-alert", "fr-alert--info", "fr-alert--sm", "fr-mb-2w"], "Pour information."),
        (["fr-alert", "fr-alert--success", "fr-alert--sm", "fr-mb-2w"], "Votre demande a été enregistrée."),
        (["fr-alert", "fr-alert--warning", "fr-alert--sm", "fr-mb-2w"], "Votre session expire bientôt."),
        (["fr-alert", "fr-alert--error", "fr-alert--sm", "fr-mb-2w"], "Votre demande n’a pas pu être enregistrée."),
    ]
    # Shown once.
    assert not Page(client.get("/").content).find_all("div", class_="fr-alert")


def test_csp_header_carries_a_nonce_that_every_script_uses(client):
    response = client.get("/")

    header = response["Content-Security-Policy"]
    assert "'unsafe-inline'" not in header
    nonce = re.search(r"'nonce-([^']+)'", header).group(1)
    assert f"script-src 'self' 'nonce-{nonce}'" in header
    page = Page(response.content)
    scripts = page.find_all("script")
    assert {script.attrs.get("src") for script in scripts} == {
        "/static/dsfr/dist/dsfr.module.min.js",
        "/static/dsfr/dist/dsfr.nomodule.min.js",
        "/static/django_htmx/htmx-2.min.js",
    }
    assert all(script.attrs.get("nonce") == nonce for script in scripts)
    assert page.find("script", type="module")
    assert page.find("script", nomodule=True)
    assert page.find("meta", name="csp-nonce").attrs["content"] == nonce


def test_pages_use_no_inline_style(client):
    content = client.get("/").content.decode()

    assert " style=" not in content
    assert "<style" not in content


def test_stylesheets_and_favicon_come_from_django_dsfr_static(client):
    page = Page(client.get("/").content)

    stylesheets = [link.attrs["href"] for link in page.find_all("link", rel="stylesheet")]
    assert stylesheets == [
        "/static/dsfr/dist/dsfr.min.css",
        "/static/dsfr/dist/utility/icons/icons.min.css",
        "/static/theme/parcours.css",
    ]
    assert page.find("link", rel="icon").attrs["href"] == "/static/dsfr/dist/favicon/favicon.svg"


def test_static_files_of_the_layout_exist():
    from django.contrib.staticfiles import finders

    for path in (
        "dsfr/dist/dsfr.min.css",
        "dsfr/dist/utility/icons/icons.min.css",
        "dsfr/dist/dsfr.module.min.js",
        "dsfr/dist/dsfr.nomodule.min.js",
        "dsfr/dist/favicon/favicon.svg",
        "theme/parcours.css",
    ):
        assert finders.find(path), path


def test_home_page_makes_no_query_for_an_anonymous_person(client, django_assert_max_num_queries, db):
    with django_assert_max_num_queries(0):
        assert client.get("/").status_code == 200


def test_home_page_reads_only_the_session_the_user_and_the_memberships(client, user, django_assert_max_num_queries):
    client.force_login(user)

    # The memberships: one query, shared by the two-factor rule and the navigation; plus the header's
    # unread notifications count (one COUNT, made only when the header is drawn).
    with django_assert_max_num_queries(4):
        assert client.get("/").status_code == 200


def test_site_context_comes_from_settings(rf, settings):
    from parcours.web.context_processors import site

    settings.PARCOURS_OPERATOR_NAME = "Région Exemple"
    settings.PARCOURS_CONTACT_EMAIL = "contact@region.example.org"
    request = rf.get("/")

    context = site(request)

    assert context["service_name"] == settings.PARCOURS_SERVICE_NAME
    assert context["service_tagline"] == settings.PARCOURS_SERVICE_TAGLINE
    assert context["operator_name"] == "Région Exemple"
    assert context["contact_email"] == "contact@region.example.org"
