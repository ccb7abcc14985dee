"""Forms of the attendance pages: a trainee signing on the trainer's device or with the sheet's code, the trainer
closing the sheet. The services check everything again (parcours.enrollments.attendance)."""

from django import forms
from django.core.validators import RegexValidator

from parcours.enrollments.attendance import CODE_DIGITS, TRAINEE_CONSENT, TRAINER_CONSENT
from parcours.enrollments.enums import AttendanceStatus

STATUS_CHOICES = [choice for choice in AttendanceStatus.choices if choice[0]]


class StatusForm(forms.Form):
    status = forms.ChoiceField(
        label="Présence",
        choices=STATUS_CHOICES,
        error_messages={
            "required": "Choisissez présent, absent ou absent excusé.",
            "invalid_choice": "Choisissez présent, absent ou absent excusé.",
        },
    )


class SignHereForm(forms.Form):
    """On the trainer's device: the trainee types their name and certifies their presence."""

    signer_name = forms.CharField(
        label="Nom et prénom du stagiaire",
        help_text="Le stagiaire saisit lui-même son nom : c'est sa signature.",
        max_length=200,
        error_messages={"required": "Saisissez le nom et le prénom de la personne qui signe."},
    )
    consent = forms.BooleanField(
        label=TRAINEE_CONSENT,
        error_messages={"required": "Cochez la case pour certifier la présence."},
    )


class CodeSignForm(forms.Form):
    """On the trainee's own device: the code the trainer's screen shows."""

    code = forms.CharField(
        label="Code de signature",
        help_text=f"Les {CODE_DIGITS} chiffres affichés par le formateur.",
        max_length=12,
        validators=[RegexValidator(rf"^\s*(\d\s*){{{CODE_DIGITS}}}$", f"Le code compte {CODE_DIGITS} chiffres.")],
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
        error_messages={"required": "Saisissez le code affiché par le formateur."},
    )
    consent = forms.BooleanField(
        label=TRAINEE_CONSENT,
        error_messages={"required": "Cochez la case pour certifier votre présence."},
    )


class CloseForm(forms.Form):
    """The trainer signs the sheet and closes it."""

    trainer_name = forms.CharField(
        label="Votre nom et votre prénom",
        help_text="Votre signature de formateur. Une fois close, la feuille ne peut plus être modifiée.",
        max_length=200,
        error_messages={"required": "Saisissez votre nom et votre prénom pour signer la feuille."},
    )
    consent = forms.BooleanField(
        label=TRAINER_CONSENT,
        error_messages={"required": "Cochez la case pour certifier l'exactitude de la feuille."},
    )
