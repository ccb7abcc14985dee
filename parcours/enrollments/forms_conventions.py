"""Forms of the convention pages: issuing for a buyer, signing in the browser, the signed scan."""

from django import forms

from parcours.enrollments.conventions import CONSENT_TEXT


class IssueForm(forms.Form):
    """Which buyer's convention to issue (the ids come from the session page's buttons)."""

    programme = forms.UUIDField(widget=forms.HiddenInput)
    buyer = forms.UUIDField(widget=forms.HiddenInput)


class SignForm(forms.Form):
    """A signature: the version read (hidden), the typed name and the consent; prefixed with the side signed for
    (the page may hold one form per side)."""

    document = forms.UUIDField(widget=forms.HiddenInput)
    signer_name = forms.CharField(
        label="Votre prénom et votre nom",
        help_text="Saisissez-les tels qu'ils doivent figurer sur la convention.",
        max_length=200,
        error_messages={"required": "Saisissez votre prénom et votre nom pour signer."},
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    consent = forms.BooleanField(
        label=CONSENT_TEXT,
        error_messages={"required": "Cochez cette case pour signer la convention."},
    )

    def clean_signer_name(self):
        name = " ".join(self.cleaned_data["signer_name"].split())
        if len(name) < 3:
            raise forms.ValidationError("Saisissez votre prénom et votre nom pour signer.")
        return name


class OfflineForm(forms.Form):
    scan = forms.FileField(
        label="Convention signée (scan)",
        help_text="Fichier PDF, PNG ou JPEG de la convention signée par les deux parties, 10 Mo au plus.",
        error_messages={"required": "Choisissez le fichier de la convention signée."},
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.png,.jpg,.jpeg"}),
    )

    def __init__(self, *args, max_megabytes: int = 10, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields[
            "scan"
        ].help_text = (
            f"Fichier PDF, PNG ou JPEG de la convention signée par les deux parties, {max_megabytes} Mo au plus."
        )
