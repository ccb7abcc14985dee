"""The bilan's forms: the provider's texts, the operator's request for changes, the operator's status filter."""

from django import forms

from parcours.enrollments.enums import SessionReportStatus
from parcours.enrollments.reports import OPERATOR_STATUSES, RESULTS_REQUIRED, TEXT_MAX_LENGTH

ACTION_DRAFT = "brouillon"
ACTION_SUBMIT = "transmettre"


def _text(label: str, help_text: str, *, rows: int = 6) -> forms.CharField:
    return forms.CharField(
        label=label,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows}),
        max_length=TEXT_MAX_LENGTH,
        required=False,
        error_messages={"max_length": f"Ce texte est trop long : {TEXT_MAX_LENGTH} caractères au plus."},
    )


class ReportForm(forms.Form):
    results = _text(
        "Résultats obtenus",
        "Ce que les stagiaires ont acquis, les évaluations, les certifications obtenues. "
        "Obligatoire pour transmettre le bilan.",
        rows=8,
    )
    comments = _text("Commentaires", "Facultatif : ce que vous souhaitez porter à la connaissance de l'opérateur.")
    difficulties = _text(
        "Difficultés rencontrées", "Facultatif : absences, abandons, conditions matérielles, contenu à adapter…"
    )

    def __init__(self, *args, submitting: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.submitting = submitting
        if submitting:
            self.fields["results"].widget.attrs["aria-required"] = "true"

    def clean_results(self) -> str:
        results = self.cleaned_data.get("results", "").strip()
        if self.submitting and not results:
            raise forms.ValidationError(RESULTS_REQUIRED)
        return results


class ChangesRequestForm(forms.Form):
    reason = forms.CharField(
        label="Modifications attendues",
        help_text="Elles sont transmises à l'organisme de formation, qui pourra corriger et transmettre de nouveau.",
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=TEXT_MAX_LENGTH,
        error_messages={
            "required": "Indiquez les modifications attendues : elles sont transmises à l'organisme de formation.",
            "max_length": f"Ce texte est trop long : {TEXT_MAX_LENGTH} caractères au plus.",
        },
    )

    def clean_reason(self) -> str:
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError(self.fields["reason"].error_messages["required"])
        return reason


class OperatorFilterForm(forms.Form):
    statut = forms.ChoiceField(
        label="Statut",
        required=False,
        choices=[("", "Tous les bilans transmis"), *[(s, SessionReportStatus(s).label) for s in OPERATOR_STATUSES]],
        error_messages={"invalid_choice": "Choisissez un statut de la liste."},
    )

    def status(self) -> str:
        """The valid filter only: a tampered value must not break the list."""
        return self.cleaned_data.get("statut", "") if self.is_valid() else ""
