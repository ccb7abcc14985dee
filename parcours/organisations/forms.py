"""Forms of the professionals' organisation pages: search, join, creation, decisions, members, changes."""

from django import forms
from django.core.exceptions import ValidationError

from parcours.organisations.directory.text import department_from_postal_code
from parcours.organisations.models import Organisation, OrganisationKind, QualiopiScope, Role
from parcours.organisations.selectors import organisation_live_by_siret
from parcours.organisations.services.requests import ALREADY_REGISTERED, join_roles_for, roles_for
from parcours.organisations.validators import nda_clean, siret_clean
from parcours.utils.forms import date_input

# What each role means, next to its label, so a newcomer picks the right one.
ROLE_HINTS = {
    Role.REFERENT: "gère la structure, ses membres et ses données",
    Role.MANAGER: "suit les demandes et les dossiers de la structure",
    Role.EMPLOYEE: "salarié qui demande des formations pour lui-même",
    Role.TRAINER: "anime des sessions et tient les feuilles d'émargement",
}
KIND_CHOICES = [
    (OrganisationKind.EMPLOYER.value, "Employeur"),
    (OrganisationKind.PROVIDER.value, "Organisme de formation"),
]


def role_choices(roles, *, hints: bool = False) -> list[tuple[str, str]]:
    return [(role, f"{Role(role).label} ({ROLE_HINTS[role]})" if hints else Role(role).label) for role in roles]


def _postal_code_clean(value: str) -> str:
    value = "".join((value or "").split())
    if value and (len(value) != 5 or not value.isdigit()):
        raise ValidationError("Le code postal compte 5 chiffres, par exemple 75002.")
    return value


class SearchForm(forms.Form):
    q = forms.CharField(
        label="SIRET, nom ou commune",
        help_text="Par exemple : 552 100 554 00013, Boulangerie du Marché, Nantes",
        max_length=100,
        required=False,
    )


class JoinForm(forms.Form):
    role = forms.ChoiceField(label="Vous êtes", widget=forms.RadioSelect)
    job_title = forms.CharField(label="Votre fonction", help_text="Par exemple : responsable RH", max_length=150)
    message = forms.CharField(
        label="Message pour la personne qui décide (facultatif)",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
        required=False,
    )

    def __init__(self, *args, organisation: Organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = role_choices(join_roles_for(organisation), hints=True)


class CreationForm(forms.Form):
    """A creation request; from the directory the SIRET is fixed and the rest pre-filled, else all typed."""

    kinds = forms.MultipleChoiceField(
        label="Votre structure est",
        help_text="Cochez les deux cases si elle emploie des salariés et propose aussi des formations.",
        choices=KIND_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Cochez au moins une case : employeur ou organisme de formation."},
    )
    name = forms.CharField(label="Nom de la structure", max_length=200)
    siret = forms.CharField(
        label="Numéro SIRET", help_text="14 chiffres, par exemple 552 100 554 00013", max_length=30
    )
    address = forms.CharField(label="Adresse", help_text="Numéro et voie", max_length=250)
    postal_code = forms.CharField(label="Code postal", max_length=10)
    city = forms.CharField(label="Commune", max_length=150)
    nda = forms.CharField(
        label="Numéro de déclaration d'activité (facultatif)",
        help_text="Pour un organisme de formation qui en a déjà un : 11 chiffres.",
        max_length=20,
        required=False,
    )
    job_title = forms.CharField(label="Votre fonction", help_text="Par exemple : gérante", max_length=150)
    message = forms.CharField(
        label="Message pour l'opérateur (facultatif)",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
        required=False,
    )

    def __init__(self, *args, siret_fixed: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        # Set when the SIRET belongs to an organisation already in Parcours: the page offers to join it.
        self.existing_organisation: Organisation | None = None
        if siret_fixed:
            self.fields["siret"].disabled = True
            self.fields["siret"].help_text = "Repris de l'annuaire des entreprises (SIRENE)."

    def clean_siret(self):
        siret = siret_clean(self.cleaned_data.get("siret", ""))
        existing = organisation_live_by_siret(siret)
        if existing is not None:
            self.existing_organisation = existing
            raise ValidationError(ALREADY_REGISTERED)
        return siret

    def clean_postal_code(self):
        postal_code = _postal_code_clean(self.cleaned_data.get("postal_code", ""))
        if not postal_code:
            raise ValidationError("Saisissez le code postal.")
        return postal_code

    def clean_nda(self):
        return nda_clean(self.cleaned_data.get("nda", ""))

    def clean(self):
        cleaned = super().clean()
        if OrganisationKind.PROVIDER not in cleaned.get("kinds", []):
            cleaned["nda"] = ""  # only a provider has one
        return cleaned

    def department_code(self, directory_department: str = "") -> str:
        return directory_department or department_from_postal_code(self.cleaned_data["postal_code"])


class AcceptForm(forms.Form):
    role = forms.ChoiceField(label="Rôle")

    def __init__(self, *args, organisation: Organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = role_choices(roles_for(organisation))


class RefuseForm(forms.Form):
    reason = forms.CharField(
        label="Motif du refus",
        help_text="Il est envoyé au demandeur.",
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=1000,
        error_messages={"required": "Indiquez le motif du refus : il est envoyé au demandeur."},
    )


class RoleForm(forms.Form):
    role = forms.ChoiceField(label="Nouveau rôle")

    def __init__(self, *args, organisation: Organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = role_choices(roles_for(organisation))


LEAVE = "leave"


class HandoverForm(forms.Form):
    to = forms.ChoiceField(label="Nouveau référent", help_text="Un membre actif de la structure.")
    keep_role = forms.ChoiceField(label="Et vous", widget=forms.RadioSelect)

    def __init__(self, *args, organisation: Organisation, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.members = {str(member.public_id): member for member in members}
        self.fields["to"].choices = [("", "Choisir un membre")] + [
            (key, f"{member.user.get_full_name()} ({member.get_role_display()})")
            for key, member in self.members.items()
        ]
        roles = [role for role in roles_for(organisation) if role != Role.REFERENT]
        self.fields["keep_role"].choices = [
            *((role, f"Je reste membre, comme {Role(role).label.lower()}") for role in roles),
            (Role.REFERENT.value, "Je reste aussi référent"),
            (LEAVE, "Je quitte la structure"),
        ]
        self.fields["keep_role"].initial = Role.MANAGER.value

    def clean_to(self):
        key = self.cleaned_data["to"]
        if key not in self.members:
            raise ValidationError("Choisissez un membre actif de la structure.")
        return self.members[key]


class ChangeRequestForm(forms.Form):
    """The organisation's data as it is; what the référent changes becomes the request."""

    name = forms.CharField(label="Nom de la structure", max_length=200)
    address = forms.CharField(label="Adresse", max_length=250, required=False)
    postal_code = forms.CharField(label="Code postal", max_length=10, required=False)
    city = forms.CharField(label="Commune", max_length=150, required=False)
    siret = forms.CharField(label="Numéro SIRET", max_length=30)
    nda = forms.CharField(
        label="Numéro de déclaration d'activité", help_text="11 chiffres", max_length=20, required=False
    )
    qualiopi_number = forms.CharField(label="Numéro du certificat Qualiopi", max_length=60, required=False)
    qualiopi_certifier = forms.CharField(label="Organisme certificateur", max_length=150, required=False)
    qualiopi_valid_from = forms.DateField(
        label="Certificat valable du",
        help_text="Format : jj/mm/aaaa",
        required=False,
        widget=date_input(),
    )
    qualiopi_valid_until = forms.DateField(
        label="Certificat valable jusqu'au",
        help_text="Format : jj/mm/aaaa",
        required=False,
        widget=date_input(),
    )
    qualiopi_scope = forms.MultipleChoiceField(
        label="Périmètre de la certification",
        choices=QualiopiScope.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    message = forms.CharField(
        label="Message pour l'opérateur (facultatif)",
        help_text="Par exemple, la raison du changement.",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
        required=False,
    )

    PROVIDER_ONLY = (
        "nda",
        "qualiopi_number",
        "qualiopi_certifier",
        "qualiopi_valid_from",
        "qualiopi_valid_until",
        "qualiopi_scope",
    )

    def __init__(self, *args, organisation: Organisation, **kwargs):
        self.organisation = organisation
        self.profile = getattr(organisation, "provider_profile", None) if organisation.is_provider else None
        initial = {
            "name": organisation.name,
            "address": organisation.address,
            "postal_code": organisation.postal_code,
            "city": organisation.city,
            "siret": organisation.siret or "",
        }
        if self.profile is not None:
            initial.update({field: getattr(self.profile, field) for field in self.PROVIDER_ONLY})
        super().__init__(*args, initial=initial, **kwargs)
        if not organisation.is_provider:
            for field in self.PROVIDER_ONLY:
                del self.fields[field]

    def clean_siret(self):
        siret = siret_clean(self.cleaned_data.get("siret", ""))
        if siret != self.organisation.siret:
            other = organisation_live_by_siret(siret)
            if other is not None and other.pk != self.organisation.pk:
                raise ValidationError("Une autre structure inscrite porte déjà ce numéro SIRET.")
        return siret

    def clean_postal_code(self):
        return _postal_code_clean(self.cleaned_data.get("postal_code", ""))

    def clean_nda(self):
        return nda_clean(self.cleaned_data.get("nda", ""))

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("qualiopi_valid_from"), cleaned.get("qualiopi_valid_until")
        if start and end and end < start:
            self.add_error("qualiopi_valid_until", "La fin de validité doit suivre le début.")
        return cleaned

    def changes(self) -> dict:
        """Only the fields whose value differs from the organisation's, as JSON values (dates in ISO form)."""
        current = {
            "name": self.organisation.name,
            "address": self.organisation.address,
            "postal_code": self.organisation.postal_code,
            "city": self.organisation.city,
            "siret": self.organisation.siret or "",
        }
        if "nda" in self.fields:
            profile = self.profile
            current.update(
                {
                    "nda": profile.nda if profile else "",
                    "qualiopi_number": profile.qualiopi_number if profile else "",
                    "qualiopi_certifier": profile.qualiopi_certifier if profile else "",
                    "qualiopi_valid_from": profile.qualiopi_valid_from if profile else None,
                    "qualiopi_valid_until": profile.qualiopi_valid_until if profile else None,
                    "qualiopi_scope": sorted(profile.qualiopi_scope) if profile else [],
                }
            )
        changes = {}
        for field, before in current.items():
            after = self.cleaned_data.get(field)
            if field == "qualiopi_scope":
                after = sorted(after or [])
            elif isinstance(after, str):
                after = after.strip()
            if after != before and not (after in ("", None) and before in ("", None)):
                changes[field] = after.isoformat() if hasattr(after, "isoformat") else after
        return changes
