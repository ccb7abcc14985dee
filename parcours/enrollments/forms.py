"""Forms of the enrollment pages: the request, the direct enrollment, decisions, messages."""

from django import forms

from parcours.catalog.models import Programme
from parcours.enrollments.services import MESSAGE_MAX_LENGTH
from parcours.organisations.models import Membership, MembershipStatus, Organisation, Role

EXPECTATIONS_HELP = (
    "Ce que vous attendez de la formation, votre projet : votre employeur et l'organisme de formation le liront."
)


class _OrganisationChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class _ProgrammeChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name


def _programme_field(programmes) -> forms.ModelChoiceField:
    return _ProgrammeChoice(
        label="Programme",
        help_text="Le programme qui finance la formation.",
        queryset=Programme.objects.filter(pk__in=[p.pk for p in programmes]).order_by("name"),
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={"required": "Choisissez le programme.", "invalid_choice": "Choisissez un programme proposé."},
    )


class RequestForm(forms.Form):
    """The bénéficiaire's request; the employer and programme fields only when there is a choice."""

    expectations = forms.CharField(
        label="Vos attentes",
        help_text=EXPECTATIONS_HELP,
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=3000,
        error_messages={"required": "Décrivez vos attentes en quelques lignes."},
    )

    def __init__(self, *args, employers, programmes, **kwargs):
        super().__init__(*args, **kwargs)
        self.single_employer = employers[0] if len(employers) == 1 else None
        self.single_programme = programmes[0] if len(programmes) == 1 else None
        if self.single_employer is None:
            self.fields["employer"] = _OrganisationChoice(
                label="Votre employeur",
                help_text="Celui qui donne son accord à votre demande.",
                queryset=Organisation.objects.filter(pk__in=[e.pk for e in employers]).order_by("name"),
                widget=forms.RadioSelect,
                empty_label=None,
                error_messages={
                    "required": "Choisissez l'employeur qui donne son accord.",
                    "invalid_choice": "Choisissez un de vos employeurs.",
                },
            )
            self.order_fields(["employer", "expectations"])
        if self.single_programme is None:
            self.fields["programme"] = _programme_field(programmes)

    def employer(self):
        return self.single_employer or self.cleaned_data["employer"]

    def programme(self):
        return self.single_programme or self.cleaned_data["programme"]


class EnrollEmployeeForm(forms.Form):
    """An employer's référent or manager enrolls one of the employees of an organisation they manage."""

    employee = forms.ModelChoiceField(
        label="Salarié",
        help_text="Les salariés rattachés à votre structure dans Parcours.",
        queryset=Membership.objects.none(),
        empty_label="Choisissez un salarié",
        error_messages={"required": "Choisissez le salarié à inscrire.", "invalid_choice": "Choisissez un salarié."},
    )
    expectations = forms.CharField(
        label="Objectifs de la formation pour ce salarié (facultatif)",
        help_text="L'organisme de formation et le salarié le liront.",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=3000,
        required=False,
    )

    def __init__(self, *args, employers, programmes, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["employee"]
        field.queryset = (
            Membership.objects.filter(
                organisation__in=[e.pk for e in employers], role=Role.EMPLOYEE, status=MembershipStatus.ACTIVE
            )
            .select_related("user", "organisation")
            .order_by("user__last_name", "user__first_name", "pk")
        )
        several = len(employers) > 1
        field.label_from_instance = lambda m: (
            f"{m.user.get_full_name()} ({m.user.email})" + (f" — {m.organisation.name}" if several else "")
        )
        self.single_programme = programmes[0] if len(programmes) == 1 else None
        if self.single_programme is None:
            self.fields["programme"] = _programme_field(programmes)

    def programme(self):
        return self.single_programme or self.cleaned_data["programme"]


class DecisionForm(forms.Form):
    reason = forms.CharField(
        label="Motif",
        help_text="Il est transmis aux personnes concernées.",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        required=False,
    )

    def __init__(self, *args, reason_required: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if reason_required:
            self.fields["reason"].required = True
            self.fields["reason"].label = "Motif (obligatoire)"
            self.fields["reason"].error_messages["required"] = (
                "Indiquez le motif : il est transmis aux personnes concernées."
            )
        else:
            self.fields["reason"].label = "Commentaire (facultatif)"


class MessageForm(forms.Form):
    body = forms.CharField(
        label="Votre message",
        help_text="Le bénéficiaire, l'employeur et l'organisme de formation le liront ; ils sont prévenus.",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=MESSAGE_MAX_LENGTH,
        error_messages={"required": "Écrivez votre message avant de l'envoyer."},
    )
