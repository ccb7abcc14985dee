"""Forms of "Mon compte" (the sign-up and login forms are in forms.py)."""

from django import forms

from parcours.accounts.enums import Civility
from parcours.accounts.forms import PhoneFieldsMixin, birth_date_field
from parcours.accounts.nir import nir_birth_date_error
from parcours.accounts.rules import age_error


class ProfileForm(PhoneFieldsMixin, forms.Form):
    civility = forms.ChoiceField(label="Civilité", choices=Civility.choices, widget=forms.RadioSelect, required=False)
    first_name = forms.CharField(label="Prénom(s)", max_length=150)
    last_name = forms.CharField(label="Nom de naissance", max_length=150)
    usage_name = forms.CharField(label="Nom d'usage (facultatif)", max_length=150, required=False)
    birth_date = birth_date_field()
    phone_landline = forms.CharField(
        label="Téléphone fixe (facultatif)", help_text="Exemple : 01 22 33 44 55", max_length=25, required=False
    )
    phone_mobile = forms.CharField(
        label="Téléphone portable (facultatif)", help_text="Exemple : 06 12 34 56 78", max_length=25, required=False
    )

    def __init__(self, *args, editable: tuple[str, ...], nir=None, apprenticeship_contract=False, **kwargs):
        super().__init__(*args, **kwargs)
        # The same rules as at sign-up: the NIR's birth year and month, and the minimum age.
        self.nir = nir
        self.apprenticeship_contract = apprenticeship_contract
        self.fields["birth_date"].required = False
        for name, field in self.fields.items():
            if name not in editable:
                field.disabled = True
                field.help_text = "Certifié par FranceConnect : non modifiable ici."

    def clean_birth_date(self):
        birth_date = self.cleaned_data.get("birth_date")
        if birth_date and not self.fields["birth_date"].disabled:
            error = age_error(birth_date=birth_date, apprenticeship_contract=self.apprenticeship_contract)
            if error is None and self.nir is not None:
                error = nir_birth_date_error(self.nir, birth_date)
            if error:
                raise forms.ValidationError(error)
        return birth_date


class EmailChangeForm(forms.Form):
    new_email = forms.EmailField(
        label="Nouvelle adresse électronique",
        help_text="Format attendu : nom@domaine.fr",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    new_email_confirm = forms.EmailField(
        label="Confirmation de la nouvelle adresse", widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )

    def __init__(self, *args, current_email: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.current_email = current_email

    def clean_new_email(self):
        email = self.cleaned_data["new_email"].strip().lower()
        if email == self.current_email:
            raise forms.ValidationError("C'est déjà l'adresse de votre compte.")
        return email

    def clean_new_email_confirm(self):
        email = (self.cleaned_data.get("new_email") or "").strip().lower()
        confirm = self.cleaned_data["new_email_confirm"].strip().lower()
        if email and email != confirm:
            raise forms.ValidationError("Les deux adresses électroniques ne sont pas identiques.")
        return confirm


class DeletionForm(forms.Form):
    confirm = forms.BooleanField(
        label="Je demande la suppression de mon compte et de mes données personnelles",
        error_messages={"required": "Cochez la case pour confirmer votre demande."},
    )

    def __init__(self, *args, blockers: list[str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.blockers = blockers or []
        if self.blockers:
            # The person reads what their leaving changes for others, and hands it to the operators knowingly.
            self.fields["hand_over_to_operators"] = forms.BooleanField(
                label="Je n'ai pas pu confier mon rôle : je transmets la situation aux opérateurs",
                help_text="Les opérateurs désigneront un nouveau référent. "
                "Votre compte sera supprimé à la date prévue.",
                error_messages={
                    "required": "Confiez d'abord votre rôle à un autre membre, ou cochez cette case pour "
                    "transmettre la situation aux opérateurs."
                },
            )
