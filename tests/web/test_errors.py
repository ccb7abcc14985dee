import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import Client
from django.urls import reverse
from django.utils.functional import SimpleLazyObject

from parcours.web.views import errors
from tests.web.html import Page, assert_well_formed

pytestmark = pytest.mark.urls("tests.web.urls")


@pytest.fixture
def client():
    client = Client()
    client.raise_request_exception = False
    return client


@pytest.mark.parametrize(
    ("path", "status", "heading"),
    [
        ("/test/400/", 400, "Requête incorrecte"),
        ("/test/403/", 403, "Accès refusé"),
        ("/test/404/", 404, "Page non trouvée"),
        ("/cette-page-n-existe-pas/", 404, "Page non trouvée"),
        ("/test/500/", 500, "Erreur inattendue"),
    ],
)
def test_error_pages_have_their_status_french_text_and_a_link_home(client, path, status, heading):
    response = client.get(path)

    assert response.status_code == status
    page = assert_well_formed(response.content)
    assert page.find("h1").all_text() == heading
    assert page.find("title").all_text() == f"{heading} — Parcours"
    assert f"Erreur {status}" in page.find("main").all_text()
    assert page.find("a", class_="fr-btn", href=reverse("web:home")).all_text() == "Retour à l’accueil"
    assert page.find("header", role="banner")
    assert page.find("footer", role="contentinfo")


def test_404_keeps_the_logged_in_header(client, user):
    client.force_login(user)

    page = Page(client.get("/cette-page-n-existe-pas/").content)

    assert "Camille Martin" in page.find("div", class_="fr-header__tools-links").all_text()
    assert page.find("input", name="csrfmiddlewaretoken")


def test_500_page_keeps_the_csp_nonce_on_its_scripts(client):
    response = client.get("/test/500/")

    nonce = Page(response.content).find("meta", name="csp-nonce").attrs["content"]
    assert nonce
    assert f"'nonce-{nonce}'" in response["Content-Security-Policy"]
    assert all(script.attrs["nonce"] == nonce for script in Page(response.content).find_all("script"))


def test_500_page_renders_when_a_context_processor_fails(client, settings):
    templates = [dict(settings.TEMPLATES[0])]
    templates[0]["OPTIONS"] = {
        **templates[0]["OPTIONS"],
        "context_processors": [
            *templates[0]["OPTIONS"]["context_processors"],
            "tests.web.urls.failing_context_processor",
        ],
    }
    settings.TEMPLATES = templates

    response = client.get("/test/500/")

    assert response.status_code == 500
    assert Page(response.content).find("h1").all_text() == "Erreur inattendue"


def test_500_page_renders_without_the_database_session_or_user(rf):
    """No database access is allowed in this test: reading the session or the user would fail."""

    def unavailable():
        raise RuntimeError("test: the database is down")

    request = rf.get("/")
    request.user = SimpleLazyObject(unavailable)
    request.session = SimpleLazyObject(unavailable)

    response = errors.server_error(request)

    assert response.status_code == 500
    page = Page(response.content)
    assert page.find("h1").all_text() == "Erreur inattendue"
    assert "Se connecter" in page.find("div", class_="fr-header__tools-links").all_text()


def test_500_falls_back_to_plain_html_when_its_template_fails(rf, monkeypatch):
    def broken(name):
        raise RuntimeError("test: templates are broken")

    monkeypatch.setattr(errors.loader, "get_template", broken)

    response = errors.server_error(rf.get("/"))

    assert response.status_code == 500
    assert "Erreur inattendue" in response.content.decode()


def test_csrf_failure_explains_what_to_do(db):
    client = Client(enforce_csrf_checks=True)

    response = client.post(reverse("account_login"), {"login": "camille@example.org", "password": "x"})

    assert response.status_code == 403
    page = assert_well_formed(response.content)
    assert page.find("h1").all_text() == "Votre session a expiré"
    text = page.find("main").all_text()
    assert "Votre session a expiré ou le formulaire a été envoyé deux fois." in text
    assert "rechargez la page" in text


def test_error_handlers_need_no_login(rf):
    request = rf.get("/")
    request.user = AnonymousUser()

    for handler in (errors.bad_request, errors.permission_denied, errors.page_not_found, errors.csrf_failure):
        assert handler.login_required is False
    assert errors.server_error.login_required is False
    assert errors.page_not_found(request, Exception()).status_code == 404
