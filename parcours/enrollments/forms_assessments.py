"""The assessment form: a result for each objective of the action (in order) and a comment."""

from django import forms

from parcours.enrollments.enums import ObjectiveResultValue

COMMENT_MAX_LENGTH = 3000


class AssessmentForm(forms.Form):
    comment = forms.CharField(
        label="Appréciation",
        help_text="Ce que la personne a acquis, ce qu'il lui reste à travailler : elle figure sur l'attestation.",
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=COMMENT_MAX_LENGTH,
        required=False,
    )

    def __init__(self, *args, objectives: list[str], initial_results: dict[str, str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.objectives = objectives
        # The comment goes last: the objectives first, in the action's order.
        comment = self.fields.pop("comment")
        for index, objective in enumerate(objectives, start=1):
            self.fields[f"objective_{index}"] = forms.ChoiceField(
                label=f"Objectif {index} : {objective}",
                choices=ObjectiveResultValue.choices,
                widget=forms.RadioSelect,
                initial=(initial_results or {}).get(objective),
                error_messages={
                    "required": "Choisissez le résultat de cet objectif.",
                    "invalid_choice": "Choisissez atteint, partiellement atteint ou non atteint.",
                },
            )
        self.fields["comment"] = comment

    def results(self) -> list[str]:
        return [self.cleaned_data[f"objective_{index}"] for index in range(1, len(self.objectives) + 1)]
