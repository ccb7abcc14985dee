import pytest
from django.urls import reverse

from tests.web.forms import SampleForm
from tests.web.html import Page, assert_well_formed

VALID = {
    "name": "Martin",
    "email": "camille@example.org",
    "password": "secret",
    "kind": "a",
    "modality": "site",
    "days": ["mon"],
    "start": "02/11/2026",
    "accept": "on",
}


def render_form(form) -> Page:
    return assert_well_formed(str(form))


def render(data=None) -> Page:
    form = SampleForm(data)
    if data is not None:
        form.is_valid()
    return render_form(form)


def test_each_field_renders_as_a_dsfr_group_with_its_label_and_hint():
    page = render()

    name_group = page.find("div", class_="fr-input-group")
    assert page.find("label", for_="id_name").all_text() == "Nom Votre nom de famille."
    assert page.find("span", id="id_name_helptext").classes == ["fr-hint-text"]
    assert name_group is not None
    assert page.find("input", id="id_name").attrs["aria-describedby"] == "id_name_helptext"
    assert "fr-input" in page.find("input", id="id_email").classes
    assert "fr-input" in page.find("textarea", id="id_comment").classes
    assert "fr-select" in page.find("select", id="id_kind").classes
    assert page.find("div", class_="fr-select-group")
    assert "fr-upload" in page.find("input", id="id_attachment").classes
    assert page.find("div", class_="fr-upload-group")


def test_password_uses_the_dsfr_password_component():
    page = render()

    assert page.find("div", class_="fr-password")
    assert "fr-password__input" in page.find("input", id="id_password").classes
    assert page.find("label", for_="id_password_show").all_text() == "Afficher"


def test_radios_and_checkboxes_are_fieldsets_with_a_legend():
    page = render()

    modality = page.find("fieldset", id="id_modality_fieldset")
    assert modality.attrs["aria-labelledby"] == "id_modality_legend"
    assert page.find("legend", id="id_modality_legend").all_text() == "Modalité"
    assert [group.all_text() for group in page.find_all("div", class_="fr-radio-group")] == ["Sur site", "À distance"]
    assert page.find("input", type="radio", id="id_modality_0")
    assert page.find("label", for_="id_days_1").all_text() == "Mardi"
    accept = page.find("input", id="id_accept")
    assert accept.attrs["type"] == "checkbox"
    assert page.find("label", for_="id_accept").all_text() == "J’accepte les conditions"


def test_an_error_shows_next_to_its_field_and_keeps_what_was_typed():
    page = render({**VALID, "email": "pas-une-adresse"})

    email = page.find("input", id="id_email")
    assert email.attrs["value"] == "pas-une-adresse"
    assert email.attrs["aria-invalid"] == "true"
    assert email.attrs["aria-describedby"] == "id_email_error"
    assert "fr-input--error" in email.classes
    error = page.by_id("id_email_error")
    assert error.all_text() == "Saisissez une adresse de courriel valide."
    assert error.children[0].classes == ["fr-error-text"]
    groups = [group for group in page.find_all("div", class_="fr-input-group--error")]
    assert len(groups) == 1
    # The other values are kept too.
    assert page.find("input", id="id_name").attrs["value"] == "Martin"
    assert "checked" in page.find("input", id="id_modality_0").attrs


def test_errors_of_fields_with_a_hint_keep_both_descriptions():
    page = render({**VALID, "start": "demain"})

    assert page.find("input", id="id_start").attrs["aria-describedby"] == "id_start_helptext id_start_error"
    assert page.by_id("id_start_error").all_text() == "Saisissez une date valide."


def test_errors_of_choice_fields_are_tied_to_their_fieldset():
    page = render({key: value for key, value in VALID.items() if key not in {"modality", "accept"}})

    fieldset = page.find("fieldset", id="id_modality_fieldset")
    assert "fr-fieldset--error" in fieldset.classes
    assert fieldset.attrs["aria-labelledby"] == "id_modality_legend id_modality_error"
    assert page.by_id("id_modality_error").all_text() == "Ce champ est obligatoire."
    assert page.find("div", class_="fr-checkbox-group--error")
    assert page.by_id("id_accept_error").all_text() == "Ce champ est obligatoire."


def test_non_field_errors_show_as_an_alert_above_the_fields():
    page = render({**VALID, "name": "Doublon"})

    alert = page.find("div", class_="fr-alert--error")
    assert alert.all_text() == "Une demande identique existe déjà."
    assert page.elements.index(alert) < page.elements.index(page.find("input", id="id_name"))


@pytest.mark.urls("tests.web.urls")
def test_a_form_page_shows_errors_in_the_layout(client):
    response = client.post("/test/formulaire/", {**VALID, "name": ""})

    assert response.status_code == 200
    page = assert_well_formed(response.content)
    assert page.by_id("id_name_error").all_text() == "Ce champ est obligatoire."
    assert page.find("button", type="submit").all_text() == "Envoyer"
    assert "novalidate" in page.find("form").attrs


@pytest.mark.urls("tests.web.urls")
def test_a_valid_form_page_redirects_with_a_success_message(client):
    response = client.post("/test/formulaire/", VALID, follow=True)

    assert Page(response.content).find("div", class_="fr-alert--success").all_text() == "Formulaire enregistré."
    assert response.redirect_chain == [(reverse("web:home"), 302)]


def test_a_placeholder_that_repeats_the_label_is_dropped():
    form = SampleForm()
    form.fields["name"].widget.attrs["placeholder"] = "Nom"
    form.fields["email"].widget.attrs["placeholder"] = "nom@domaine.fr"

    page = render_form(form)

    assert "placeholder" not in page.find("input", id="id_name").attrs
    assert page.find("input", id="id_email").attrs["placeholder"] == "nom@domaine.fr"


def test_hints_that_cannot_sit_in_a_label_follow_it():
    form = SampleForm()
    form.fields["comment"].help_text = "<ul><li>Une règle</li><li>Une autre</li></ul>"
    form.fields["password"].help_text = '<a href="/compte/password/reset/">Mot de passe oublié ?</a>'

    page = render_form(form)

    assert page.find("label", for_="id_comment").all_text() == "Commentaire"
    assert page.by_id("id_comment_helptext").tag == "div"
    assert page.find("label", for_="id_password").all_text() == "Mot de passe"
    hint = page.by_id("id_password_helptext")
    assert hint.all_text() == "Mot de passe oublié ?"
    # After the "Afficher" checkbox: below the input, where DSFR puts this link.
    assert page.elements.index(hint) > page.elements.index(page.find("input", id="id_password_show"))


def test_fields_with_several_inputs_are_fieldsets():
    from django import forms

    class DatesForm(forms.Form):
        when = forms.SplitDateTimeField(label="Début de la session")
        birth = forms.DateField(label="Date de naissance", widget=forms.SelectDateWidget(years=[2000, 2001]))

    page = render_form(DatesForm({"when_0": "", "when_1": ""}))

    assert page.find("legend", id="id_when_legend").all_text() == "Début de la session"
    assert page.find("fieldset", id="id_when_fieldset").attrs["aria-labelledby"] == "id_when_legend id_when_error"
    assert "fr-input" in page.find("input", id="id_when_0").classes
    assert "fr-select" in page.find("select", id="id_birth_month").classes
