import datetime

import pytest
import time_machine
from django.urls import reverse

from parcours.accounts.enums import IdentityReview
from parcours.accounts.models import Registration
from parcours.accounts.nir_vault import nir_decrypt
from tests.helpers.altcha import altcha_payload

pytestmark = pytest.mark.django_db

NIR = "1850578006084"
IDENTITY = {
    "nir": "1 85 05 78 006 084 91",
    "civility": "M",
    "first_name": "Julien",
    "last_name": "Moreau",
    "birth_date": "1985-05-14",
    "email": "julien.moreau@example.org",
    "email_confirm": "Julien.Moreau@example.org",
}


@pytest.fixture
def accepted(client):
    client.post(reverse("accounts:signup_titulaire"), {"accept": "on"})
    return client


def post_identity(client, **changes):
    data = {**IDENTITY, "captcha": altcha_payload(), **changes}
    return client.post(reverse("accounts:signup_titulaire_identity"), {k: v for k, v in data.items() if v is not None})


def test_the_identity_step_needs_the_cgu_first(client):
    response = client.get(reverse("accounts:signup_titulaire_identity"))

    assert response.url == reverse("accounts:signup_titulaire")


def test_refusing_the_cgu_says_why(client):
    response = client.post(reverse("accounts:signup_titulaire"), {})

    assert "acceptez les conditions générales" in response.text


def test_a_valid_identity_goes_on_with_the_nir_encrypted_in_the_session(accepted):
    response = post_identity(accepted)

    assert response.url == reverse("accounts:signup_titulaire_password")
    state = accepted.session["signup_titulaire"]
    assert NIR not in str(dict(accepted.session))
    assert nir_decrypt(state["nir"]) == NIR


def test_going_back_shows_the_nir_again_and_nothing_caches_it(accepted):
    post_identity(accepted)

    response = accepted.get(reverse("accounts:signup_titulaire_identity"))

    assert f'value="{NIR}"' in response.text
    assert "no-store" in response["Cache-Control"]
    assert 'autocomplete="off"' in response.text


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"nir": "185057800608412"}, "nir", "La clé de ce numéro"),
        ({"nir": "269054958815780"}, "nir", "exemple publié"),
        ({"birth_date": "1986-05-14"}, "birth_date", "L'année de naissance ne correspond pas"),
        ({"birth_date": "1985-06-14"}, "birth_date", "Le mois de naissance ne correspond pas"),
        ({"email_confirm": "autre@example.org"}, "email_confirm", "ne sont pas identiques"),
        ({"phone_mobile": "01 42 68 53 00"}, "phone_mobile", "pas un numéro de téléphone portable"),
        ({"phone_landline": "12"}, "phone_landline", "n'est pas valide"),
        ({"captcha": None}, "captcha", "contrôle de sécurité"),
        ({"first_name": ""}, "first_name", "obligatoire"),
    ],
)
def test_each_mistake_is_told_next_to_its_field_and_the_rest_is_kept(accepted, changes, field, message):
    response = post_identity(accepted, **changes)

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert message in " ".join(errors[field])
    if field != "last_name":
        assert 'value="Moreau"' in response.text


def test_under_sixteen_is_refused_unless_fifteen_with_an_apprenticeship(accepted):
    with time_machine.travel("2026-11-24"):
        young = post_identity(accepted, nir="", birth_date="2011-01-10", civility="M")
        assert "à partir de 16 ans" in " ".join(young.context["form"].errors["birth_date"])

        too_young = post_identity(accepted, nir="", birth_date="2012-01-10", apprenticeship_contract="on")
        assert "birth_date" in too_young.context["form"].errors

    # Without a NIR setting the identity rests on the other data.


def test_fifteen_with_an_apprenticeship_is_accepted(accepted, settings):
    settings.PARCOURS_NIR_LEGAL_BASIS = ""
    with time_machine.travel("2026-11-24"):
        response = post_identity(accepted, nir=None, birth_date="2011-01-10", apprenticeship_contract="on")

    assert response.status_code == 302


def test_a_civility_that_disagrees_with_the_nir_is_shown_then_may_be_confirmed(accepted):
    response = post_identity(accepted, civility="MME")

    assert "ne correspond pas au premier chiffre" in " ".join(response.context["form"].errors["civility"])
    assert "Je confirme ma civilité" in response.text

    confirmed = post_identity(accepted, civility="MME", confirm_civility="on")

    assert confirmed.status_code == 302
    assert accepted.session["signup_titulaire"]["identity"]["identity_review"] == IdentityReview.NIR_SEX_MISMATCH


def test_without_a_legal_basis_no_nir_is_asked(client, settings):
    settings.PARCOURS_NIR_LEGAL_BASIS = ""
    client.post(reverse("accounts:signup_titulaire"), {"accept": "on"})

    page = client.get(reverse("accounts:signup_titulaire_identity"))

    assert "Numéro de sécurité sociale" not in page.text


def test_the_password_step_records_the_registration_and_forgets_the_wizard(
    accepted, django_capture_on_commit_callbacks
):
    post_identity(accepted)

    weak = accepted.post(reverse("accounts:signup_titulaire_password"), {"password1": "azerty", "password2": "azerty"})
    assert "password1" in weak.context["form"].errors
    assert 'value="azerty"' not in weak.text
    with django_capture_on_commit_callbacks(execute=True):
        done = accepted.post(
            reverse("accounts:signup_titulaire_password"),
            {"password1": "cheval-agrafe-pile-correcte", "password2": "cheval-agrafe-pile-correcte"},
        )

    assert done.url == reverse("accounts:registration_sent")
    assert "signup_titulaire" not in accepted.session
    registration = Registration.objects.get()
    assert registration.email == "julien.moreau@example.org"
    assert registration.data["birth_date"] == "1985-05-14"
    assert registration.cgu_version == "2026-11"
    assert registration.expires_at - registration.created_at == datetime.timedelta(days=15)


def test_the_stagiaire_form_needs_a_dossier_number_or_the_box(client):
    data = {
        "last_name": "Haddad",
        "first_name": "Inès",
        "birth_date": "2001-09-03",
        "email": "ines@example.org",
        "email_confirm": "ines@example.org",
        "captcha": altcha_payload(),
    }

    missing = client.post(reverse("accounts:signup_stagiaire"), data)
    too_short = client.post(reverse("accounts:signup_stagiaire"), {**data, "dossier_number": "12"})
    no_dossier = client.post(
        reverse("accounts:signup_stagiaire"), {**data, "no_dossier": "on", "captcha": altcha_payload()}
    )

    assert "ou cochez" in " ".join(missing.context["form"].errors["dossier_number"])
    assert "de 3 à 30 caractères" in " ".join(too_short.context["form"].errors["dossier_number"])
    assert no_dossier.url == reverse("accounts:signup_stagiaire_code")


def test_the_code_page_needs_a_pending_stagiaire_registration(client):
    response = client.get(reverse("accounts:signup_stagiaire_code"), follow=True)

    assert "Votre inscription a expiré" in response.text


def test_a_captcha_answer_cannot_be_replayed(accepted):
    payload = altcha_payload()
    post_identity(accepted, captcha=payload)

    replayed = post_identity(accepted, captcha=payload)

    assert "captcha" in replayed.context["form"].errors


def test_asking_new_codes_too_often_says_so_without_an_error_page(
    client, settings, django_capture_on_commit_callbacks
):
    settings.PARCOURS_SIGNUP_CODE_RESEND_SECONDS = 0
    settings.PARCOURS_SIGNUP_LIMIT_PER_EMAIL = 2
    data = {
        "last_name": "Haddad",
        "first_name": "Inès",
        "birth_date": "2001-09-03",
        "no_dossier": "on",
        "email": "ines@example.org",
        "email_confirm": "ines@example.org",
        "captcha": altcha_payload(),
    }
    client.post(reverse("accounts:signup_stagiaire"), data)

    responses = [
        client.post(reverse("accounts:signup_stagiaire_code"), {"action": "resend"}, follow=True) for _ in range(3)
    ]

    assert [response.status_code for response in responses] == [200, 200, 200]
    assert "Trop de demandes" in responses[-1].text
