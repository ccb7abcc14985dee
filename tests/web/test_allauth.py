from allauth.account.adapter import DefaultAccountAdapter, get_adapter
from django.urls import reverse

from tests.web.conftest import PASSWORD
from tests.web.html import Page, assert_well_formed


def test_login_page_in_french_with_dsfr_fields(client):
    response = client.get(reverse("account_login"))

    assert response.status_code == 200
    page = assert_well_formed(response.content)
    assert page.find("title").all_text() == "Connexion — Parcours"
    assert page.find("h1").all_text() == "Connexion à Parcours"
    assert page.find("div", class_="fr-input-group").children[0].attrs["for"] == "id_login"
    assert page.find("label", for_="id_login").all_text().startswith("Adresse électronique")
    assert "fr-input" in page.find("input", id="id_login").classes
    assert page.find("label", for_="id_password").all_text() == "Mot de passe"
    assert page.find("div", class_="fr-password")
    assert page.find("label", for_="id_remember").all_text().startswith("Maintenir ma connexion")
    assert page.find("a", href=reverse("account_reset_password")).all_text() == "Mot de passe oublié ?"
    assert page.find("button", type="submit", class_="fr-btn").all_text() == "Se connecter"


def test_login_page_has_no_allauth_sign_up_link(client):
    content = client.get(reverse("account_login")).content.decode()

    assert reverse("account_signup") not in content
    # Our own sign-ups instead.
    assert reverse("accounts:signup_titulaire") in content
    assert reverse("accounts:signup_professional") in content


def test_login_with_a_wrong_password_says_so_and_keeps_the_email(client, verified_user):
    response = client.post(reverse("account_login"), {"login": verified_user.email, "password": "wrong password"})

    assert response.status_code == 200
    page = assert_well_formed(response.content)
    alert = page.find("div", class_="fr-alert--error")
    assert "mot de passe" in alert.all_text().lower()
    assert page.find("input", id="id_login").attrs["value"] == verified_user.email
    assert "value" not in page.find("input", id="id_password").attrs


def test_login_without_an_identifier_shows_the_error_next_to_the_field(client, db):
    response = client.post(reverse("account_login"), {"login": "", "password": "x"})

    page = assert_well_formed(response.content)
    assert page.by_id("id_login_error").all_text() == "Ce champ est obligatoire."
    assert "id_login_error" in page.find("input", id="id_login").attrs["aria-describedby"].split()
    assert "fr-input-group--error" in page.find("label", for_="id_login").parent.classes


def test_login_logs_in_and_greets_with_a_message(client, verified_user, monkeypatch):
    # Only allauth's own login stages: the accounts app's (CGU acceptance) are tested there.
    monkeypatch.setattr(type(get_adapter()), "get_login_stages", DefaultAccountAdapter.get_login_stages)
    response = client.post(
        reverse("account_login"),
        {"login": verified_user.email, "password": PASSWORD},
        follow=True,
    )

    page = Page(response.content)
    assert response.redirect_chain[-1][0] == reverse("web:home")
    assert page.find("div", class_="fr-alert--success")
    assert "Camille Martin" in page.find("div", class_="fr-header__tools-links").all_text()


def test_logout_page_asks_to_confirm(client, user):
    client.force_login(user)

    page = assert_well_formed(client.get(reverse("account_logout")).content)

    assert page.find("h1").all_text() == "Se déconnecter"
    main_buttons = [button.all_text() for button in page.find_all("button", class_="fr-btn")]
    assert "Se déconnecter" in main_buttons


def test_password_reset_pages_in_french(client, db):
    page = assert_well_formed(client.get(reverse("account_reset_password")).content)

    assert page.find("h1").all_text() == "Mot de passe oublié"
    assert page.find("label", for_="id_email").all_text().startswith("Adresse électronique")
    assert page.find("button", type="submit").all_text() == "Recevoir le lien"

    response = client.post(reverse("account_reset_password"), {"email": "personne@example.org"}, follow=True)

    assert Page(response.content).find("h1").all_text() == "Consultez votre messagerie"


def test_password_reset_with_a_bad_key_offers_a_new_link(client, db):
    response = client.get(reverse("account_reset_password_from_key", kwargs={"uidb36": "zz", "key": "bad-key"}))

    page = assert_well_formed(response.content)
    assert page.find("h1").all_text() == "Ce lien n’est plus valide"
    assert page.find("a", href=reverse("account_reset_password")).all_text() == "Recevoir un nouveau lien"


def test_password_reset_from_key_form_with_dsfr_fields(client, verified_user):
    from allauth.account.forms import default_token_generator
    from allauth.account.utils import user_pk_to_url_str

    uid = user_pk_to_url_str(verified_user)
    key = default_token_generator.make_token(verified_user)
    response = client.get(reverse("account_reset_password_from_key", kwargs={"uidb36": uid, "key": key}), follow=True)

    page = assert_well_formed(response.content)
    assert page.find("h1").all_text() == "Choisissez un nouveau mot de passe"
    assert page.find("label", for_="id_password1").all_text() == "Nouveau mot de passe"
    assert page.find("label", for_="id_password2").all_text() == "Confirmation du nouveau mot de passe"
    assert page.find("div", id="id_password1_helptext")  # the password rules, outside the label

    response = client.post(response.redirect_chain[-1][0], {"password1": "court", "password2": "court"})

    page = assert_well_formed(response.content)
    assert "fr-input-group--error" in page.find("div", id="id_password1_password").classes


def test_closed_sign_up_points_to_the_home_page(client, db):
    response = client.get(reverse("account_signup"))

    page = Page(response.content)
    assert page.find("h1").all_text() == "Créer un compte"
    assert page.find("a", href="/#creer-un-compte")


def test_inactive_account_page_in_french(client, db):
    page = Page(client.get(reverse("account_inactive")).content)

    assert page.find("h1").all_text() == "Compte désactivé"
