"""Forms of the offer's management: programmes (operator staff), actions, sessions and half-days (providers).

Forms parse and check what was typed; the services check again and write.
"""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone

from parcours.accounts.models import User
from parcours.catalog.enums import CertificationRegistry, HalfDay, Modality, Sanction
from parcours.catalog.models import Programme, Session, TrainingAction
from parcours.catalog.permissions import TRAINER_ROLES
from parcours.organisations.models import MembershipStatus, Organisation
from parcours.utils.forms import date_input

_CERTIFICATION = re.compile(r"^(RNCP|RS)\s*(\d{1,7})$")
_DEPARTMENT = re.compile(r"^(\d{2}|2A|2B|97\d|98\d)$")


def _time_widget():
    return forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


def _text(rows: int = 4):
    return forms.Textarea(attrs={"rows": rows})


def department_clean(value: str) -> str:
    value = (value or "").strip().upper()
    if value and not _DEPARTMENT.match(value):
        raise ValidationError("Indiquez un numéro de département : 2 chiffres (75), 2A, 2B ou 3 chiffres outre-mer.")
    return value


class ProgrammeForm(forms.ModelForm):
    operator = forms.ModelChoiceField(
        label="Opérateur",
        queryset=Organisation.objects.none(),
        empty_label=None,
        help_text="L'opérateur qui porte le programme.",
    )

    class Meta:
        model = Programme
        fields = [
            "name",
            "description",
            "starts_on",
            "ends_on",
            "who_asks",
            "employer_approval",
            "provider_validation",
            "funding",
            "is_active",
            "survey_is_anonymous",
        ]
        labels = {
            "name": "Nom du programme",
            "description": "Présentation (facultatif)",
            "starts_on": "Début de la période",
            "ends_on": "Fin de la période",
            "who_asks": "Qui demande l'inscription",
            "employer_approval": "L'employeur doit donner son accord",
            "provider_validation": "L'organisme de formation valide l'inscription",
            "funding": "Financement",
            "is_active": "Programme ouvert aux demandes",
            "survey_is_anonymous": "Questionnaire de satisfaction anonyme pour l'organisme",
        }
        help_texts = {
            "name": "Par exemple : Offre de professionnalisation 2026",
            "description": "Ce que le programme finance et pour qui ; visible dans le catalogue.",
            "starts_on": "Au format jj/mm/aaaa.",
            "ends_on": "Au format jj/mm/aaaa ; le même jour que le début ou après.",
            "is_active": "Décochez pour ne plus accepter de nouvelles demandes.",
            "survey_is_anonymous": (
                "Les réponses ne sont alors reliées à personne : ni l'organisme ni l'opérateur ne peuvent savoir "
                "qui a répondu quoi."
            ),
        }
        widgets = {
            "description": _text(4),
            "starts_on": date_input(),
            "ends_on": date_input(),
            "who_asks": forms.RadioSelect,
            "funding": forms.RadioSelect,
        }

    def __init__(self, *args, operators: list[Organisation], **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk or len(operators) <= 1:
            del self.fields["operator"]
        else:
            self.fields["operator"].queryset = Organisation.objects.filter(pk__in=[o.pk for o in operators]).order_by(
                "name"
            )

    def clean(self):
        cleaned = super().clean()
        starts_on, ends_on = cleaned.get("starts_on"), cleaned.get("ends_on")
        if starts_on and ends_on and ends_on < starts_on:
            self.add_error("ends_on", "La fin de la période ne peut pas précéder son début.")
        return cleaned

    def validate_constraints(self):
        # clean() says it in French next to the field, instead of the constraint's generic message.
        pass


class ActionForm(forms.ModelForm):
    # Localized: French people type "10,5".
    duration_hours = forms.DecimalField(
        label="Durée en heures",
        help_text="Par exemple : 14 ou 10,5",
        max_digits=6,
        decimal_places=1,
        localize=True,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    price = forms.DecimalField(
        label="Prix en euros TTC",
        help_text="Par exemple : 1200 ou 850,50",
        max_digits=9,
        decimal_places=2,
        min_value=0,
        localize=True,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    certification = forms.CharField(
        label="Code de la certification (facultatif)",
        help_text="RNCP ou RS suivi de chiffres, par exemple RNCP34567 ou RS5678. "
        "Obligatoire quand l'action prépare à une certification.",
        max_length=20,
        required=False,
    )
    programmes = forms.ModelMultipleChoiceField(
        label="Programmes dans lesquels l'action est proposée",
        help_text="Au moins un programme ouvert pour publier l'action.",
        queryset=Programme.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = TrainingAction
        fields = [
            "title",
            "summary",
            "objectives",
            "audience",
            "prerequisites",
            "nature",
            "duration_hours",
            "price",
            "payment_terms",
            "cancellation_terms",
            "modality",
            "place",
            "department_code",
            "accessibility",
            "what_to_bring",
            "assessment",
            "sanction",
            "certification",
            "programmes",
            "contact_name",
            "contact_email",
            "contact_phone",
        ]
        labels = {
            "title": "Intitulé de l'action",
            "summary": "Résumé",
            "objectives": "Objectifs pédagogiques",
            "audience": "Public visé",
            "prerequisites": "Prérequis (facultatif)",
            "nature": "Nature de l'action (article L6313-1 du Code du travail)",
            "payment_terms": "Modalités de paiement (facultatif)",
            "cancellation_terms": "Conditions d'annulation (facultatif)",
            "modality": "Modalité",
            "place": "Lieu habituel",
            "department_code": "Département (facultatif)",
            "accessibility": "Accessibilité aux personnes en situation de handicap",
            "what_to_bring": "Matériel à apporter (facultatif)",
            "assessment": "Modalités d'évaluation des acquis",
            "sanction": "À l'issue de l'action",
            "contact_name": "Nom du contact (facultatif)",
            "contact_email": "Adresse électronique du contact (facultatif)",
            "contact_phone": "Téléphone du contact (facultatif)",
        }
        help_texts = {
            "title": "Par exemple : Réaliser des soudures à l'arc",
            "summary": "Quelques lignes affichées dans les résultats de recherche.",
            "objectives": "Ce que la personne saura faire à la fin de l'action.",
            "audience": "Par exemple : salariés du secteur du bâtiment.",
            "prerequisites": "Connaissances ou expérience demandées avant l'entrée en formation.",
            "place": "Adresse complète avec le code postal, par exemple : 12 rue de la Paix, 75002 Paris. "
            "Obligatoire pour une action en présentiel ou mixte.",
            "department_code": "Déduit du code postal du lieu si vous le laissez vide. Par exemple : 75, 2A, 971",
            "accessibility": "Locaux accessibles, adaptations possibles, référent handicap à contacter.",
            "what_to_bring": "Par exemple : chaussures de sécurité, ordinateur portable.",
            "assessment": "Par exemple : mises en situation, questionnaire final.",
            "contact_phone": "Par exemple : 01 23 45 67 89",
        }
        widgets = {
            "summary": _text(3),
            "objectives": _text(4),
            "audience": _text(2),
            "prerequisites": _text(2),
            "payment_terms": _text(2),
            "cancellation_terms": _text(2),
            "accessibility": _text(3),
            "what_to_bring": _text(2),
            "assessment": _text(3),
            "nature": forms.RadioSelect,
            "modality": forms.RadioSelect,
            "sanction": forms.RadioSelect,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Open programmes, and those the action is already offered in (a closed one is not silently dropped).
        offered = Q(is_active=True)
        if self.instance.pk:
            offered |= Q(actions=self.instance)
            self.initial.setdefault("certification", self.instance.certification)
        self.fields["programmes"].queryset = (
            Programme.objects.filter(offered).select_related("operator").distinct().order_by("name")
        )
        self.fields["programmes"].label_from_instance = lambda programme: (
            f"{programme.name} ({programme.operator.name})" + ("" if programme.is_active else " — fermé")
        )
        self.fields["place"].required = False
        # Radio buttons need no "---------" choice: nothing ticked already says "not chosen".
        for name in ("nature", "modality", "sanction"):
            self.fields[name].choices = [choice for choice in self.fields[name].choices if choice[0] != ""]

    def clean_certification(self):
        value = "".join((self.cleaned_data.get("certification") or "").split()).upper()
        if not value:
            return ("", "")
        match = _CERTIFICATION.match(value)
        if not match:
            raise ValidationError("Écrivez RNCP ou RS suivi de chiffres, par exemple RNCP34567 ou RS5678.")
        return (CertificationRegistry(match.group(1)).value, match.group(2))

    def clean_department_code(self):
        return department_clean(self.cleaned_data.get("department_code"))

    def clean_duration_hours(self):
        value = self.cleaned_data.get("duration_hours")
        if value is not None and value <= 0:
            raise ValidationError("Indiquez une durée supérieure à zéro.")
        return value

    def clean(self):
        cleaned = super().clean()
        modality = cleaned.get("modality")
        if modality in (Modality.ON_SITE, Modality.MIXED) and not (cleaned.get("place") or "").strip():
            self.add_error("place", "Indiquez le lieu : l'action a lieu au moins en partie en présentiel.")
        code = (cleaned.get("certification") or ("", ""))[1]
        if cleaned.get("sanction") == Sanction.CERTIFICATE and not code and "certification" not in self.errors:
            self.add_error("certification", "Indiquez le code RNCP ou RS de la certification préparée.")
        return cleaned

    def service_data(self) -> dict:
        """What action_create/action_update take."""
        data = {name: value for name, value in self.cleaned_data.items() if name != "certification"}
        data["certification_registry"], data["certification_code"] = self.cleaned_data["certification"]
        data["programmes"] = list(self.cleaned_data["programmes"])
        return data


class TrainerChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, user):
        return user.get_full_name() or user.email


class SessionForm(forms.ModelForm):
    capacity = forms.IntegerField(
        label="Nombre de places",
        help_text="Le nombre de personnes que la session peut accueillir.",
        min_value=1,
        max_value=10000,
    )
    trainers = TrainerChoiceField(
        label="Formateurs (facultatif)",
        help_text="Les formateurs, gestionnaires et référents actifs de votre structure.",
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = Session
        fields = ["starts_on", "ends_on", "place", "department_code", "capacity", "registration_deadline", "trainers"]
        labels = {
            "starts_on": "Premier jour",
            "ends_on": "Dernier jour",
            "place": "Lieu",
            "department_code": "Département (facultatif)",
            "registration_deadline": "Date limite d'inscription",
        }
        help_texts = {
            "starts_on": "Au format jj/mm/aaaa.",
            "ends_on": "Le même jour que le premier jour pour une session d'une journée.",
            "place": "Adresse complète avec le code postal, par exemple : 12 rue de la Paix, 75002 Paris.",
            "department_code": "Déduit du code postal du lieu si vous le laissez vide. Par exemple : 75, 2A, 971",
            "registration_deadline": "Au plus tard le premier jour de la session.",
        }
        widgets = {
            "starts_on": date_input(),
            "ends_on": date_input(),
            "registration_deadline": date_input(),
        }

    def __init__(self, *args, action: TrainingAction, **kwargs):
        super().__init__(*args, **kwargs)
        self.action = action
        self.fields["trainers"].queryset = (
            User.objects.filter(
                memberships__organisation=action.provider,
                memberships__status=MembershipStatus.ACTIVE,
                memberships__role__in=TRAINER_ROLES,
                is_active=True,
            )
            .distinct()
            .order_by("last_name", "first_name", "pk")
        )
        self.fields["place"].required = False
        if action.modality == Modality.REMOTE:
            self.fields["place"].label = "Lieu (facultatif)"
            self.fields["place"].help_text = "Pour une session à distance, laissez vide ou indiquez l'outil utilisé."
        elif not self.instance.pk:
            self.initial.setdefault("place", action.place)
            self.initial.setdefault("department_code", action.department_code)

    def clean_department_code(self):
        return department_clean(self.cleaned_data.get("department_code"))

    def clean(self):
        cleaned = super().clean()
        starts_on, ends_on = cleaned.get("starts_on"), cleaned.get("ends_on")
        deadline = cleaned.get("registration_deadline")
        if starts_on and ends_on and ends_on < starts_on:
            self.add_error("ends_on", "Le dernier jour ne peut pas précéder le premier.")
        if starts_on and deadline and deadline > starts_on:
            self.add_error(
                "registration_deadline", "La date limite d'inscription doit être au plus tard le premier jour."
            )
        if starts_on and starts_on < timezone.localdate() and starts_on != self.instance.starts_on:
            self.add_error("starts_on", "La session ne peut pas commencer dans le passé.")
        if self.action.modality != Modality.REMOTE and not (cleaned.get("place") or "").strip():
            self.add_error("place", "Indiquez le lieu : l'action a lieu au moins en partie en présentiel.")
        return cleaned

    def validate_constraints(self):
        # clean() says it in French next to the fields.
        pass

    def service_data(self) -> dict:
        data = dict(self.cleaned_data)
        data["trainers"] = list(self.cleaned_data["trainers"])
        return data


class SlotForm(forms.Form):
    date = forms.DateField(label="Date", widget=date_input())
    half_day = forms.ChoiceField(label="Demi-journée", choices=HalfDay.choices, widget=forms.RadioSelect)
    starts_at = forms.TimeField(label="Heure de début", help_text="Par exemple : 09:00", widget=_time_widget())
    ends_at = forms.TimeField(label="Heure de fin", help_text="Par exemple : 12:30", widget=_time_widget())

    def __init__(self, *args, session: Session, **kwargs):
        super().__init__(*args, **kwargs)
        self.session = session
        self.fields[
            "date"
        ].help_text = f"Entre le {session.starts_on:%d/%m/%Y} et le {session.ends_on:%d/%m/%Y}, au format jj/mm/aaaa."
        self.fields["date"].widget.attrs.update(
            {"min": session.starts_on.isoformat(), "max": session.ends_on.isoformat()}
        )

    def clean(self):
        cleaned = super().clean()
        date, starts_at, ends_at = cleaned.get("date"), cleaned.get("starts_at"), cleaned.get("ends_at")
        if date and not self.session.starts_on <= date <= self.session.ends_on:
            self.add_error("date", "Choisissez une date comprise dans la session.")
        if starts_at and ends_at and ends_at <= starts_at:
            self.add_error("ends_at", "L'heure de fin doit suivre l'heure de début.")
        return cleaned


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label="Motif",
        widget=_text(3),
        max_length=2000,
        error_messages={"required": "Indiquez le motif : il est transmis aux personnes concernées."},
    )

    def __init__(self, *args, label: str = "", help_text: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        if label:
            self.fields["reason"].label = label
        if help_text:
            self.fields["reason"].help_text = help_text
