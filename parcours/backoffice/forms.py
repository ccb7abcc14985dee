"""Forms of the operators' back office: queue filters (GET, shareable) and decisions (POST)."""

from django import forms

from parcours.accounts.services.identity_review import REASON_MAX_LENGTH, IdentityDecision
from parcours.backoffice.selectors import QUEUE_KIND_LABELS
from parcours.organisations.models import OrganisationRequest, OrganisationStatus, RequestKind, Role
from parcours.organisations.selectors import organisation_has_referent
from parcours.organisations.services.requests import roles_for

REFUSAL_REASON_REQUIRED = "Indiquez le motif du refus : il est envoyé au demandeur."


class QueueFilterForm(forms.Form):
    """Filters in the URL, so that a filtered queue can be shared; an invalid value is ignored."""

    type = forms.ChoiceField(label="Type de demande", required=False)
    departement = forms.ChoiceField(label="Département", required=False)
    statut = forms.ChoiceField(
        label="Statut",
        required=False,
        choices=[("pending", "En attente"), ("decided", "Traitées ou retirées")],
    )
    tri = forms.ChoiceField(
        label="Ordre",
        required=False,
        choices=[("anciennes", "Les plus anciennes d'abord"), ("recentes", "Les plus récentes d'abord")],
    )

    def __init__(self, *args, departments: set[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["type"].choices = [("", "Tous les types"), *QUEUE_KIND_LABELS.items()]
        territory = [(code, code) for code in sorted(departments)]
        self.fields["departement"].choices = [("", "Tout le territoire"), *territory]

    def filters(self) -> dict[str, str]:
        """The valid filters only: a tampered value must not widen or break the queue."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {
            "kind": data.get("type", ""),
            "department": data.get("departement", ""),
            "status": data.get("statut") or "pending",
            "sort": data.get("tri") or "anciennes",
        }


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label="Décision",
        choices=[("accept", "Accepter la demande"), ("refuse", "Refuser la demande")],
        widget=forms.RadioSelect,
        error_messages={"required": "Choisissez d'accepter ou de refuser la demande."},
    )
    role = forms.ChoiceField(
        label="Rôle attribué",
        required=False,
        help_text="Sans référent, l'organisation a besoin d'un premier référent pour décider des demandes suivantes.",
    )
    reason = forms.CharField(
        label="Motif",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Obligatoire pour un refus ; il est envoyé au demandeur. Facultatif pour une acceptation.",
    )

    def __init__(self, *args, org_request: OrganisationRequest, **kwargs):
        super().__init__(*args, **kwargs)
        self.org_request = org_request
        if org_request.kind == RequestKind.JOIN:
            organisation = org_request.organisation
            self.fields["role"].choices = [(role, Role(role).label) for role in roles_for(organisation)]
            has_referent = organisation_has_referent(organisation)
            self.fields["role"].initial = org_request.role if has_referent else Role.REFERENT
            if has_referent:
                self.fields["role"].help_text = ""
        else:
            del self.fields["role"]

    def clean(self):
        data = super().clean()
        if data.get("decision") == "refuse" and not (data.get("reason") or "").strip():
            self.add_error("reason", REFUSAL_REASON_REQUIRED)
        if data.get("decision") == "accept" and "role" in self.fields and not data.get("role"):
            self.add_error("role", "Choisissez le rôle attribué.")
        return data


class IdentityDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label="Décision",
        widget=forms.RadioSelect,
        error_messages={"required": "Choisissez une décision."},
    )
    reason = forms.CharField(
        label="Motif",
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Envoyé à la personne et conservé dans le journal : indiquez ce qui a été vérifié, sans numéro "
        "ni coordonnées.",
        error_messages={"required": "Indiquez le motif de la décision : il est envoyé à la personne."},
    )

    def __init__(self, *args, civility_from_nir_label: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(IdentityDecision.CONFIRM, "Confirmer l'identité déclarée (la civilité reste celle choisie)")]
        if civility_from_nir_label:
            choices.append((IdentityDecision.CORRECT, f"Corriger la civilité en « {civility_from_nir_label} »"))
        self.fields["decision"].choices = choices


class OrganisationSearchForm(forms.Form):
    q = forms.CharField(
        label="Nom, SIRET ou UAI",
        required=False,
        max_length=100,
        help_text="Exemple : Boulangerie, 732829320, 0750001A",
    )
    statut = forms.ChoiceField(
        label="Statut", required=False, choices=[("", "Tous les statuts"), *OrganisationStatus.choices]
    )

    def filters(self) -> dict[str, str]:
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {"text": data.get("q", ""), "status": data.get("statut", "")}
