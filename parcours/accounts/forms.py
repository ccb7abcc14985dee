from allauth.account.forms import LoginForm as AllauthLoginForm
from allauth.core import context
from allauth.mfa.base.forms import AuthenticateForm as AllauthMfaAuthenticateForm
from allauth.mfa.base.forms import ReauthenticateForm as AllauthMfaReauthenticateForm
from altcha_django import AltchaField
from django import forms
from django.contrib.auth.password_validation import password_validators_help_texts, validate_password
from django.urls import reverse_lazy
from django.utils.html import format_html

from parcours.accounts.enums import Civility
from parcours.accounts.models import User
from parcours.accounts.nir import NirError, nir_birth_date_error, nir_matches_civility, nir_parse
from parcours.accounts.nir_vault import nir_enabled
from parcours.accounts.phones import PhoneError, phone_parse
from parcours.accounts.rules import age_error
from parcours.accounts.services.login import (
    LoginLocked,
    login_attempt_check,
    login_failure_record,
    login_identifier_resolve,
)
from parcours.accounts.services.mfa import mfa_code_attempt_check, mfa_code_failure_record

CAPTCHA_ERRORS = {
    "required": "Attendez la fin du contrôle de sécurité, puis validez à nouveau.",
    "malformed": "Le contrôle de sécurité n'a pas abouti : rechargez la page et réessayez.",
    "invalid_signature": "Le contrôle de sécurité n'a pas abouti : réessayez.",
    "invalid_solution": "Le contrôle de sécurité n'a pas abouti : réessayez.",
    "expired": "Le contrôle de sécurité a expiré : réessayez.",
    "replayed": "Ce contrôle de sécurité a déjà servi : réessayez.",
    "unverified": "Le contrôle de sécurité n'a pas abouti : réessayez.",
    "backend_error": "Le contrôle de sécurité est momentanément indisponible : réessayez dans un instant.",
    "misconfigured": "Le contrôle de sécurité est mal configuré : contactez-nous.",
}


def captcha_field() -> AltchaField:
    return AltchaField(label="Contrôle de sécurité", error_messages=CAPTCHA_ERRORS, language="fr")


def birth_date_field() -> forms.DateField:
    return forms.DateField(
        label="Date de naissance",
        help_text="Format attendu : JJ/MM/AAAA",
        widget=forms.DateInput(attrs={"type": "date", "autocomplete": "bday"}, format="%Y-%m-%d"),
        error_messages={"invalid": "Saisissez une date valide, par exemple 14/07/1990."},
    )


def email_fields() -> tuple[forms.EmailField, forms.EmailField]:
    return (
        forms.EmailField(
            label="Adresse électronique",
            help_text="Format attendu : nom@domaine.fr",
            widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        ),
        forms.EmailField(
            label="Confirmation de l'adresse électronique",
            widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        ),
    )


class CaptchaRequestMixin:
    """ALTCHA verifies against the request (client IP, replay cache)."""

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, **kwargs)
        if "captcha" in self.fields:
            self.fields["captcha"].bind_context(request=request, form=self)


class EmailConfirmationMixin:
    def clean_email_confirm(self):
        email = (self.cleaned_data.get("email") or "").strip().lower()
        confirm = (self.cleaned_data.get("email_confirm") or "").strip().lower()
        if email and confirm and email != confirm:
            raise forms.ValidationError("Les deux adresses électroniques ne sont pas identiques.")
        return confirm

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()


class TermsForm(forms.Form):
    accept = forms.BooleanField(
        label="Je déclare avoir lu, compris et accepté les conditions générales d'utilisation",
        error_messages={"required": "Pour continuer, acceptez les conditions générales d'utilisation."},
    )


class PhoneFieldsMixin:
    """Landline and mobile fields: French numbers, overseas included, stored in E.164."""

    def _clean_phone(self, name: str, *, mobile: bool) -> str:
        value = (self.cleaned_data.get(name) or "").strip()
        if not value:
            return ""
        try:
            return phone_parse(value, mobile=mobile)
        except PhoneError as error:
            raise forms.ValidationError(str(error)) from None

    def clean_phone_landline(self):
        return self._clean_phone("phone_landline", mobile=False)

    def clean_phone_mobile(self):
        return self._clean_phone("phone_mobile", mobile=True)


class TitulaireIdentityForm(CaptchaRequestMixin, EmailConfirmationMixin, PhoneFieldsMixin, forms.Form):
    nir = forms.CharField(
        label="Numéro de sécurité sociale",
        help_text=(
            "13 chiffres, ou 15 avec la clé, tels qu'ils figurent sur votre carte Vitale. Exemple : 2 76 10 99 350 001"
        ),
        max_length=25,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    civility = forms.ChoiceField(label="Civilité", choices=Civility.choices, widget=forms.RadioSelect)
    first_name = forms.CharField(
        label="Prénom(s)", max_length=150, widget=forms.TextInput(attrs={"autocomplete": "given-name"})
    )
    last_name = forms.CharField(
        label="Nom de naissance", max_length=150, widget=forms.TextInput(attrs={"autocomplete": "family-name"})
    )
    usage_name = forms.CharField(
        label="Nom d'usage (facultatif)",
        help_text="Par exemple le nom d'époux ou d'épouse, s'il est différent du nom de naissance",
        max_length=150,
        required=False,
    )
    birth_date = birth_date_field()
    apprenticeship_contract = forms.BooleanField(
        label="J'ai 15 ans et j'ai signé un contrat d'apprentissage", required=False
    )
    phone_landline = forms.CharField(
        label="Téléphone fixe (facultatif)",
        help_text="Il aide l'organisme qui valide votre formation à vous joindre. Exemple : 01 22 33 44 55",
        max_length=25,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "type": "tel"}),
    )
    phone_mobile = forms.CharField(
        label="Téléphone portable (facultatif)",
        help_text="Exemple : 06 12 34 56 78",
        max_length=25,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "type": "tel"}),
    )
    email, email_confirm = email_fields()
    confirm_civility = forms.BooleanField(
        label="Je confirme ma civilité : mon compte sera vérifié par un gestionnaire",
        required=False,
    )
    captcha = captcha_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not nir_enabled():
            del self.fields["nir"]
        self.nir = None
        self.civility_mismatch = False

    def clean_nir(self):
        try:
            self.nir = nir_parse(self.cleaned_data["nir"])
        except NirError as error:
            raise forms.ValidationError(str(error)) from None
        return self.nir.body

    def clean(self):
        cleaned = super().clean()
        birth_date = cleaned.get("birth_date")
        if birth_date:
            error = age_error(birth_date=birth_date, apprenticeship_contract=cleaned.get("apprenticeship_contract"))
            if error is None and self.nir is not None:
                error = nir_birth_date_error(self.nir, birth_date)
            if error:
                self.add_error("birth_date", error)
        civility = cleaned.get("civility")
        if self.nir is not None and civility and not nir_matches_civility(self.nir, civility):
            self.civility_mismatch = True
            if not cleaned.get("confirm_civility"):
                self.add_error(
                    "civility",
                    "Votre civilité ne correspond pas au premier chiffre de votre numéro de sécurité sociale. "
                    "Vérifiez-les ; si elles sont exactes, cochez la case de confirmation ci-dessous.",
                )
        return cleaned


def password_help() -> str:
    # Two common-password lists (Django's and ours) give the same sentence twice.
    return " ".join(dict.fromkeys(password_validators_help_texts()))


class NewPasswordForm(forms.Form):
    """The person's data (names, email) feeds the policy: a password may not be made of them."""

    password1 = forms.CharField(
        label="Mot de passe",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password", "data-parcours-strength": "true"}),
    )
    password2 = forms.CharField(
        label="Confirmation du mot de passe",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        # The policy is shown above the field (before typing), not in its label; the field points to it.
        self.policy_help = password_help()
        self.fields["password1"].widget.attrs["aria-describedby"] = "password-policy"

    def clean_password2(self):
        password1, password2 = self.cleaned_data.get("password1"), self.cleaned_data.get("password2")
        if password1 and password2 and password1 != password2:
            raise forms.ValidationError("Les deux mots de passe ne sont pas identiques.")
        return password2

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("password1") and not self.has_error("password2"):
            try:
                validate_password(cleaned["password1"], user=self.user)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class StagiaireSignupForm(CaptchaRequestMixin, EmailConfirmationMixin, forms.Form):
    last_name = forms.CharField(
        label="Nom", max_length=150, widget=forms.TextInput(attrs={"autocomplete": "family-name"})
    )
    first_name = forms.CharField(
        label="Prénom", max_length=150, widget=forms.TextInput(attrs={"autocomplete": "given-name"})
    )
    birth_date = birth_date_field()
    no_dossier = forms.BooleanField(label="Je ne possède pas encore de dossier", required=False)
    dossier_number = forms.CharField(
        label="N° de dossier",
        help_text="Indiqué sur votre décision de prise en charge",
        max_length=30,
        required=False,
    )
    email, email_confirm = email_fields()
    captcha = captcha_field()

    def clean_dossier_number(self):
        return self.cleaned_data["dossier_number"].strip()

    def clean(self):
        cleaned = super().clean()
        number = cleaned.get("dossier_number", "")
        if cleaned.get("no_dossier"):
            cleaned["dossier_number"] = ""
        elif not number:
            self.add_error(
                "dossier_number",
                "Saisissez votre numéro de dossier, ou cochez « Je ne possède pas encore de dossier ».",
            )
        elif not 3 <= len(number) <= 30:
            self.add_error("dossier_number", "Le numéro de dossier compte de 3 à 30 caractères.")
        birth_date = cleaned.get("birth_date")
        if birth_date and (error := age_error(birth_date=birth_date, apprenticeship_contract=False)):
            self.add_error("birth_date", error)
        return cleaned


class SignupCodeForm(forms.Form):
    code = forms.CharField(
        label="Code reçu par courriel",
        help_text="6 chiffres",
        max_length=6,
        min_length=6,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
        error_messages={"min_length": "Le code compte 6 chiffres.", "max_length": "Le code compte 6 chiffres."},
    )
    accept = TermsForm.base_fields["accept"]

    def clean_code(self):
        code = self.cleaned_data["code"].strip()
        if not code.isdigit():
            raise forms.ValidationError("Le code compte 6 chiffres.")
        return code


class ProfessionalSignupForm(CaptchaRequestMixin, EmailConfirmationMixin, NewPasswordForm):
    civility = forms.ChoiceField(label="Civilité", choices=Civility.choices, widget=forms.RadioSelect)
    last_name = forms.CharField(
        label="Nom", max_length=150, widget=forms.TextInput(attrs={"autocomplete": "family-name"})
    )
    first_name = forms.CharField(
        label="Prénom", max_length=150, widget=forms.TextInput(attrs={"autocomplete": "given-name"})
    )
    email, email_confirm = email_fields()
    phone = forms.CharField(
        label="Téléphone (facultatif)",
        help_text="Exemple : 01 22 33 44 55",
        max_length=25,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "type": "tel"}),
    )
    accept = TermsForm.base_fields["accept"]
    captcha = captcha_field()

    field_order = [
        "civility",
        "last_name",
        "first_name",
        "email",
        "email_confirm",
        "phone",
        "password1",
        "password2",
        "accept",
        "captcha",
    ]

    phone_field = "phone_landline"

    def clean_phone(self):
        value = self.cleaned_data["phone"].strip()
        if not value:
            return ""
        try:
            number = phone_parse(value, mobile=True)
            self.phone_field = "phone_mobile"
        except PhoneError:
            try:
                number = phone_parse(value, mobile=False)
                self.phone_field = "phone_landline"
            except PhoneError as error:
                raise forms.ValidationError(str(error)) from None
        return number

    def clean(self):
        # The policy compares the password with the names and email typed in this same form.
        self.user = User(
            email=self.cleaned_data.get("email", ""),
            first_name=self.cleaned_data.get("first_name", ""),
            last_name=self.cleaned_data.get("last_name", ""),
        )
        return super().clean()


class LoginForm(AllauthLoginForm):
    """Email or NIR + password; lockout and the NIR lookup are in the login service."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Any refused attempt, whoever it names: the page then shows the fixed line for imported accounts,
        # the same for everyone so that it tells nothing about the identifier.
        self.login_failed = False
        if nir_enabled():
            self.fields["login"] = forms.CharField(
                label="Adresse électronique ou numéro de sécurité sociale",
                help_text="Le numéro de sécurité sociale s'écrit avec ou sans espaces",
                max_length=254,
                widget=forms.TextInput(attrs={"autocomplete": "username", "spellcheck": "false"}),
            )
        else:
            self.fields["login"].label = "Adresse électronique"
            self.fields["login"].widget = forms.EmailInput(attrs={"autocomplete": "username"})
        self.order_fields(["login", "password", "remember"])
        self.fields["password"].label = "Mot de passe"
        self.fields["password"].help_text = format_html(
            '<a href="{}">Mot de passe oublié ?</a>', reverse_lazy("account_reset_password")
        )
        if "remember" in self.fields:
            self.fields["remember"].label = "Maintenir ma connexion"
            self.fields["remember"].help_text = "Sur un ordinateur partagé, ne cochez pas cette case."

    def clean(self):
        identifier = self.data.get(self.add_prefix("login"), "")
        try:
            login_attempt_check(identifier=identifier, request=self.request)
        except LoginLocked as locked:
            self.login_failed = True
            raise forms.ValidationError(
                f"Trop de tentatives de connexion. Réessayez dans {locked.retry_after_minutes} minute"
                f"{'s' if locked.retry_after_minutes > 1 else ''}, ou choisissez un nouveau mot de passe "
                "avec « Mot de passe oublié ? »."
            ) from None
        self.cleaned_data["login"] = login_identifier_resolve(self.cleaned_data.get("login", ""))
        try:
            return super().clean()
        except forms.ValidationError:
            self.login_failed = True
            login_failure_record(identifier=identifier, request=self.request)
            raise forms.ValidationError("Identifiant ou mot de passe incorrect.") from None


class ForgotIdentifierForm(forms.Form):
    email = forms.EmailField(label="Adresse électronique", help_text="Celle que vous avez donnée à l'inscription")


class MfaCodeLockoutMixin:
    """allauth's limit on codes is off with ACCOUNT_RATE_LIMITS["login_failed"]: our lockout counts wrong codes."""

    def clean_code(self):
        try:
            mfa_code_attempt_check(user=self.user, request=context.request)
        except LoginLocked as locked:
            minutes = locked.retry_after_minutes
            raise forms.ValidationError(
                f"Trop de codes incorrects. Réessayez dans {minutes} minute{'s' if minutes > 1 else ''}."
            ) from None
        try:
            return super().clean_code()
        except forms.ValidationError:
            mfa_code_failure_record(user=self.user, request=context.request)
            raise


class MfaAuthenticateForm(MfaCodeLockoutMixin, AllauthMfaAuthenticateForm):
    pass


class MfaReauthenticateForm(MfaCodeLockoutMixin, AllauthMfaReauthenticateForm):
    pass
