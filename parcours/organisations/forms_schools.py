"""Forms of the school pages (seed 002): UAI, search, the founding account, access requests and decisions."""

from django import forms

from parcours.accounts.enums import Civility
from parcours.accounts.forms import CaptchaRequestMixin, NewPasswordForm, TermsForm, captcha_field
from parcours.accounts.models import User
from parcours.organisations.services.access import access_email_error
from parcours.organisations.validators import uai_clean

UAI_HELP = "7 chiffres suivis d'une lettre, par exemple 0750655E. Il figure sur les documents officiels."


def uai_field(**kwargs) -> forms.CharField:
    return forms.CharField(
        label="Code UAI (ou RNE) de l'établissement",
        help_text=UAI_HELP,
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "characters"}),
        **kwargs,
    )


def name_fields() -> tuple[forms.CharField, forms.CharField, forms.CharField]:
    return (
        forms.CharField(label="Nom", max_length=150, widget=forms.TextInput(attrs={"autocomplete": "family-name"})),
        forms.CharField(label="Prénom", max_length=150, widget=forms.TextInput(attrs={"autocomplete": "given-name"})),
        forms.CharField(
            label="Fonction dans l'établissement",
            help_text="Par exemple : principal adjoint, secrétaire de direction, professeur principal",
            max_length=150,
            widget=forms.TextInput(attrs={"autocomplete": "organization-title"}),
        ),
    )


class UaiForm(forms.Form):
    uai = uai_field()

    def clean_uai(self):
        return uai_clean(self.cleaned_data["uai"])


class SchoolSearchForm(forms.Form):
    q = forms.CharField(
        label="Rechercher votre établissement",
        help_text="Son nom, sa commune, son code postal ou son code UAI (3 caractères au moins)",
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )


class SchoolSignupForm(CaptchaRequestMixin, NewPasswordForm):
    """The founding account: its login is forced (shown, not typed) unless an operator must check it."""

    civility = forms.ChoiceField(label="Civilité", choices=Civility.choices, widget=forms.RadioSelect)
    last_name, first_name, job_title = name_fields()
    official_email = forms.EmailField(
        label="Adresse électronique officielle de l'établissement",
        help_text=(
            "L'annuaire de l'éducation n'en donne pas d'utilisable : elle deviendra l'identifiant du compte, "
            "après vérification par nos services. Format attendu : nom@domaine.fr"
        ),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    accept = TermsForm.base_fields["accept"]
    captcha = captcha_field()

    field_order = [
        "civility",
        "last_name",
        "first_name",
        "job_title",
        "official_email",
        "password1",
        "password2",
        "accept",
        "captcha",
    ]

    def __init__(self, *args, login_email: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.login_email = login_email
        if login_email:
            del self.fields["official_email"]

    def clean_official_email(self):
        return self.cleaned_data["official_email"].strip().lower()

    def clean(self):
        # The policy compares the password with the names and the login of this same form.
        self.user = User(
            email=self.login_email or self.cleaned_data.get("official_email", ""),
            first_name=self.cleaned_data.get("first_name", ""),
            last_name=self.cleaned_data.get("last_name", ""),
        )
        return super().clean()


class AccessRequestForm(CaptchaRequestMixin, forms.Form):
    """Seed 002's "demande de création de compte": the UAI is the page's, shown and not editable."""

    uai = uai_field(disabled=True, required=False)
    last_name, first_name, job_title = name_fields()
    email = forms.EmailField(
        label="Votre adresse électronique académique",
        help_text="Celle de l'académie de l'établissement. Format attendu : prenom.nom@ac-academie.fr",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    captcha = captcha_field()

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        self.fields["uai"].initial = organisation.uai

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        if error := access_email_error(self.organisation, email):
            raise forms.ValidationError(error)
        return email


class AccessDecisionForm(forms.Form):
    reason = forms.CharField(
        label="Motif du refus",
        help_text="Il est envoyé au demandeur. Obligatoire pour refuser.",
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
