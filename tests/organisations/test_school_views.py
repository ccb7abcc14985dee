"""School sign-up pages (seed 002): UAI and search, the sign-up form, check your email, the link's page."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from parcours.accounts.models import Registration, User
from parcours.organisations.directory.schools import schools_import
from parcours.organisations.models import Organisation
from tests.helpers.altcha import altcha_payload
from tests.helpers.outbox import emails_to, first_link, last_email_to
from tests.organisations.conftest import ANNUAIRE_SAMPLE
from tests.organisations.factories import SchoolFactory, member

pytestmark = pytest.mark.django_db

PASSWORD = "cheval-agrafe-pile-correcte-42"


@pytest.fixture(autouse=True)
def directory():
    schools_import(path=ANNUAIRE_SAMPLE)


def signup_data(**changes):
    return {
        "civility": "MME",
        "last_name": "Fontaine",
        "first_name": "Claire",
        "job_title": "Principale adjointe",
        "password1": PASSWORD,
        "password2": PASSWORD,
        "accept": "on",
        "captcha": altcha_payload(),
        **changes,
    }


def link_of(email: str) -> str:
    return first_link(last_email_to(email), contains="/inscription/confirmer/").removeprefix("http://testserver")


def test_the_home_page_link_exists():
    assert reverse("schools:signup") == "/etablissement-scolaire/inscription/"


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("075", "7 chiffres suivis d&#x27;une lettre"),
        ("0932030C", "lettre de contrôle"),
        ("0000001B", "Aucun établissement ne porte le code UAI 0000001B"),
        ("0591905A", "est fermé selon l&#x27;annuaire"),
    ],
)
def test_a_wrong_uai_is_explained_next_to_the_field_and_kept(client, typed, message):
    response = client.get(reverse("schools:signup"), {"uai": typed})

    assert response.status_code == 200
    assert message in response.text
    assert f'value="{typed}"' in response.text
    assert "fr-input-group--error" in response.text


def test_an_unknown_uai_tells_how_to_contact_support(client, settings):
    response = client.get(reverse("schools:signup"), {"uai": "0000001B"})

    assert settings.PARCOURS_CONTACT_EMAIL in response.text


def test_a_known_uai_leads_to_the_school_page(client):
    response = client.get(reverse("schools:signup"), {"uai": " 0932030b "})

    assert response.status_code == 302
    assert response.url == reverse("schools:school", kwargs={"uai": "0932030B"})


def test_a_registered_school_leads_to_identifier_recovery(client):
    SchoolFactory(uai="0932030B")

    response = client.get(reverse("schools:signup"), {"uai": "0932030B"})
    assert response.url == reverse("schools:recovery", kwargs={"uai": "0932030B"})
    assert client.get(reverse("schools:school", kwargs={"uai": "0932030B"})).url == response.url


def test_search_as_you_type_answers_htmx_with_links_in_bounded_queries(client, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        response = client.get(reverse("schools:search"), {"q": "utrillo stains"}, headers={"HX-Request": "true"})

    assert response.status_code == 200
    assert "<html" not in response.text
    assert "Lycée polyvalent Maurice Utrillo" in response.text
    assert reverse("schools:school", kwargs={"uai": "0932030B"}) in response.text


def test_search_needs_three_characters_and_works_without_javascript(client):
    short = client.get(reverse("schools:search"), {"q": "ut"}, headers={"HX-Request": "true"})
    assert "Aucun établissement" in short.text

    page = client.get(reverse("schools:signup"), {"q": "93240"})
    assert "Lycée polyvalent Maurice Utrillo" in page.text
    assert client.get(reverse("schools:search"), {"q": "93240"}).status_code == 302


def test_the_school_page_shows_the_directory_data_and_the_forced_login(client):
    response = client.get(reverse("schools:school", kwargs={"uai": "0932030B"}))

    text = response.text
    assert "Lycée polyvalent Maurice Utrillo" in text
    assert "152 rue Jean Durand" in text
    assert "Créteil" in text
    assert "public" in text
    assert "ce.0932030b@ac-creteil.fr" in text
    assert 'name="official_email"' not in text  # the login is shown, not typed
    assert 'name="job_title"' in text


def test_an_address_to_check_is_typed_and_said_to_be_checked(client):
    response = client.get(reverse("schools:school", kwargs={"uai": "0131906B"}))

    assert 'name="official_email"' in response.text
    assert "vérifieront" in response.text


def test_errors_are_in_french_next_to_the_fields_and_the_input_is_kept(client):
    response = client.post(
        reverse("schools:school", kwargs={"uai": "0932030B"}),
        signup_data(last_name="", password2="autre-chose-encore-123", accept=""),
    )

    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) >= {"last_name", "password2", "accept"}
    assert "Les deux mots de passe ne sont pas identiques." in response.text
    assert 'value="Claire"' in response.text
    assert 'value="Principale adjointe"' in response.text
    assert not Registration.objects.exists()


def test_a_weak_password_is_refused(client):
    response = client.post(
        reverse("schools:school", kwargs={"uai": "0932030B"}), signup_data(password1="azerty", password2="azerty")
    )

    assert "password1" in response.context["form"].errors


def test_the_whole_sign_up_through_the_pages(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("schools:school", kwargs={"uai": "0932030B"}), signup_data())
    assert response.url == reverse("schools:signup_sent")

    sent = client.get(response.url)
    assert "ce.0932030b@ac-creteil.fr" in sent.text
    assert "5 minutes" in sent.text
    assert "Recevoir l’email de confirmation à nouveau" in sent.text

    link = link_of("ce.0932030b@ac-creteil.fr")
    page = client.get(link)  # a mail scanner opening the link activates nothing
    assert page.status_code == 200
    assert "Activer le compte de l’établissement" in page.text
    assert not Organisation.objects.exists()

    done = client.post(link, follow=True)
    assert "est activé" in done.text
    assert Organisation.objects.get(uai="0932030B").is_active
    assert client.login(username="ce.0932030b@ac-creteil.fr", password=PASSWORD)

    again = client.post(link)
    assert again.status_code == 410
    assert "déjà activé" in again.text


def test_resending_from_the_check_your_email_page_has_a_cool_down(
    client, time_machine, django_capture_on_commit_callbacks
):
    time_machine.move_to(timezone.now(), tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("schools:school", kwargs={"uai": "0932030B"}), signup_data())
        too_early = client.post(reverse("schools:signup_sent"), follow=True)
    assert "attendez" in too_early.text
    assert len(emails_to("ce.0932030b@ac-creteil.fr")) == 1

    time_machine.shift(datetime.timedelta(seconds=61))
    with django_capture_on_commit_callbacks(execute=True):
        later = client.post(reverse("schools:signup_sent"), follow=True)
    assert "Un nouveau courriel a été envoyé" in later.text
    assert len(emails_to("ce.0932030b@ac-creteil.fr")) == 2


def test_an_expired_link_offers_a_new_one_in_one_click(client, time_machine, django_capture_on_commit_callbacks):
    time_machine.move_to(timezone.now(), tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("schools:school", kwargs={"uai": "0932030B"}), signup_data())
    link = link_of("ce.0932030b@ac-creteil.fr")
    client.cookies.clear()  # opened from another browser

    time_machine.shift(datetime.timedelta(minutes=6))
    expired = client.get(link)
    assert expired.status_code == 410
    assert "a expiré" in expired.text
    assert 'name="action" value="resend"' in expired.text
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(link, {"action": "resend"})
    assert response.url == reverse("schools:signup_sent")
    assert len(emails_to("ce.0932030b@ac-creteil.fr")) == 2

    client.post(link_of("ce.0932030b@ac-creteil.fr"))
    assert User.objects.filter(email="ce.0932030b@ac-creteil.fr").exists()


def test_a_bad_link_says_so(client):
    response = client.get(reverse("schools:signup_confirm", kwargs={"token": "abc"}))

    assert response.status_code == 410
    assert "n’est pas valide" in response.text


def test_the_check_your_email_page_needs_a_registration_of_this_browser(client):
    assert client.get(reverse("schools:signup_sent")).url == reverse("schools:signup")


def test_forgot_identifier_by_uai_shows_only_the_start_of_the_login(client):
    school = SchoolFactory(uai="0932030B", name="Lycée Utrillo")
    member(school, email="ce.0932030b@ac-creteil.fr")

    response = client.get(reverse("schools:forgot_identifier"), {"uai": "0932030B"}, follow=True)

    assert response.redirect_chain[-1][0] == reverse("schools:recovery", kwargs={"uai": "0932030B"})
    assert "ce....." in response.text
    assert "ce.0932030b" not in response.text
    assert "ac-creteil" not in response.text
    assert 'name="email"' in response.text
    assert "Fonction dans l&#x27;établissement" in response.text


def test_recovery_of_a_school_without_account_offers_to_sign_it_up(client):
    response = client.get(reverse("schools:recovery", kwargs={"uai": "0932030B"}))

    assert response.url == reverse("schools:school", kwargs={"uai": "0932030B"})


def test_a_malformed_uai_in_the_address_goes_back_to_the_form(client):
    response = client.get(reverse("schools:school", kwargs={"uai": "abc"}), follow=True)

    assert "7 chiffres suivis" in response.text
