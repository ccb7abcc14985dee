"""The forms of the satisfaction questionnaire: a programme's question (operators) and the answers (trainees)."""

from django import forms

from parcours.enrollments.enums import SCALE_MAX, SCALE_MIN, QuestionKind
from parcours.enrollments.satisfaction import (
    SCALE_WORDS,
    TEXT_MAX_LENGTH,
    SurveyRefused,
    question_options_clean,
)


class QuestionForm(forms.Form):
    label = forms.CharField(
        label="Question",
        max_length=300,
        error_messages={"required": "Écrivez la question."},
    )
    kind = forms.ChoiceField(
        label="Type de réponse",
        choices=QuestionKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choisissez le type de réponse.", "invalid_choice": "Choisissez un type proposé."},
    )
    choices = forms.CharField(
        label="Réponses proposées (questions à choix seulement)",
        help_text="Une réponse par ligne, au moins deux réponses différentes. Laissez vide pour les autres types.",
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
    )
    required = forms.BooleanField(label="Réponse obligatoire", required=False, initial=True)

    def __init__(self, *args, question=None, **kwargs):
        if question is not None:
            kwargs.setdefault(
                "initial",
                {
                    "label": question.label,
                    "kind": question.kind,
                    "choices": "\n".join(question.choices or []),
                    "required": question.required,
                },
            )
        super().__init__(*args, **kwargs)

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("kind")
        if kind:
            try:
                cleaned["options"] = question_options_clean(kind, (cleaned.get("choices") or "").splitlines())
            except SurveyRefused as error:
                self.add_error("choices", str(error))
        return cleaned


SCALE_HELP = f"De {SCALE_MIN} ({SCALE_WORDS[SCALE_MIN]}) à {SCALE_MAX} ({SCALE_WORDS[SCALE_MAX]})."


def _scale_choices() -> list[tuple[int, str]]:
    choices = []
    for value in range(SCALE_MIN, SCALE_MAX + 1):
        words = SCALE_WORDS.get(value)
        choices.append((value, f"{value} – {words}" if words else str(value)))
    return choices


class SurveyAnswerForm(forms.Form):
    """One field per question of the survey's snapshot, named by its key."""

    def __init__(self, *args, questions: list[dict], **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = questions
        for question in questions:
            required = bool(question.get("required"))
            label = question["label"] if required else f"{question['label']} (facultatif)"
            errors = {"required": "Répondez à cette question."}
            kind = question["kind"]
            if kind == QuestionKind.SCALE:
                field = forms.TypedChoiceField(
                    label=label,
                    help_text=SCALE_HELP,
                    choices=_scale_choices(),
                    coerce=int,
                    empty_value=None,
                    widget=forms.RadioSelect,
                    required=required,
                    error_messages={**errors, "invalid_choice": f"Choisissez une note de {SCALE_MIN} à {SCALE_MAX}."},
                )
            elif kind == QuestionKind.CHOICE:
                field = forms.ChoiceField(
                    label=label,
                    choices=[(option, option) for option in question.get("choices") or []],
                    widget=forms.RadioSelect,
                    required=required,
                    error_messages={**errors, "invalid_choice": "Choisissez une des réponses proposées."},
                )
            else:
                field = forms.CharField(
                    label=label,
                    help_text=f"{TEXT_MAX_LENGTH} caractères au plus.",
                    widget=forms.Textarea(attrs={"rows": 4}),
                    max_length=TEXT_MAX_LENGTH,
                    required=required,
                    error_messages={
                        **errors,
                        "max_length": f"Votre réponse dépasse {TEXT_MAX_LENGTH} caractères : raccourcissez-la.",
                    },
                )
            self.fields[question["key"]] = field

    def answers(self) -> dict:
        return {
            question["key"]: self.cleaned_data.get(question["key"])
            for question in self.questions
            if self.cleaned_data.get(question["key"]) not in (None, "")
        }
