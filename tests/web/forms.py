"""A form with one field of each kind, to test how the theme renders them."""

from django import forms


class SampleForm(forms.Form):
    name = forms.CharField(label="Nom", help_text="Votre nom de famille.", max_length=20)
    email = forms.EmailField(label="Adresse électronique")
    password = forms.CharField(label="Mot de passe", widget=forms.PasswordInput)
    kind = forms.ChoiceField(label="Profil", choices=[("", "Choisir"), ("a", "Stagiaire"), ("b", "Employeur")])
    modality = forms.ChoiceField(
        label="Modalité", choices=[("site", "Sur site"), ("remote", "À distance")], widget=forms.RadioSelect
    )
    days = forms.MultipleChoiceField(
        label="Jours", choices=[("mon", "Lundi"), ("tue", "Mardi")], widget=forms.CheckboxSelectMultiple
    )
    comment = forms.CharField(label="Commentaire", widget=forms.Textarea, required=False)
    start = forms.DateField(label="Date de début", help_text="Format attendu : JJ/MM/AAAA")
    attachment = forms.FileField(label="Pièce jointe", required=False)
    accept = forms.BooleanField(label="J’accepte les conditions")
    token = forms.CharField(widget=forms.HiddenInput, required=False)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("name") == "Doublon":
            raise forms.ValidationError("Une demande identique existe déjà.")
        return cleaned
