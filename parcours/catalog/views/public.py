"""The public catalog: the search at /formations/ and an action's page, open to everyone."""

import re

from django import forms
from django.contrib.auth.decorators import login_not_required
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_safe

from parcours.catalog import selectors
from parcours.catalog.enums import Modality
from parcours.catalog.selectors import CatalogQuery, Certification, Sort
from parcours.utils.forms import date_input

DEPARTMENT = re.compile(r"^(0[1-9]|[1-8]\d|9[0-5]|2A|2B|97[1-6])$")
CERTIFICATION_CODE = re.compile(r"^(RNCP|RS)?\s*(\d{1,10})$")


class CatalogSearchForm(forms.Form):
    """The search's GET parameters, named in French: they make the shareable URL."""

    q = forms.CharField(
        label="Mots-clés",
        required=False,
        max_length=100,
        help_text="Par exemple : soudure, habilitation électrique, anglais professionnel",
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    programme = forms.ChoiceField(label="Programme", required=False)
    departement = forms.CharField(
        label="Département", required=False, max_length=3, help_text="Son numéro, par exemple 69 ou 2A"
    )
    du = forms.DateField(
        label="Sessions commençant à partir du",
        required=False,
        help_text="Format attendu : JJ/MM/AAAA",
        widget=date_input(),
    )
    au = forms.DateField(
        label="et jusqu’au",
        required=False,
        help_text="Format attendu : JJ/MM/AAAA",
        widget=date_input(),
    )
    modalite = forms.ChoiceField(label="Modalité", required=False, choices=[("", "Toutes"), *Modality.choices])
    certification = forms.ChoiceField(label="Certification", required=False, choices=Certification.CHOICES)
    code = forms.CharField(
        label="Code RNCP ou RS", required=False, max_length=20, help_text="Par exemple : RNCP35830 ou RS5642"
    )
    organisme = forms.CharField(
        label="Organisme de formation", required=False, max_length=100, help_text="Son nom ou son SIRET"
    )
    tri = forms.ChoiceField(label="Trier par", required=False, choices=Sort.CHOICES)

    def __init__(self, *args, programmes, **kwargs):
        super().__init__(*args, **kwargs)
        self.programmes = {str(programme.public_id): programme for programme in programmes}
        self.fields["programme"].choices = [("", "Tous les programmes")] + [
            (public_id, programme.name) for public_id, programme in self.programmes.items()
        ]

    def clean_departement(self) -> str:
        department = self.cleaned_data["departement"].strip().upper()
        if department and not DEPARTMENT.match(department):
            raise forms.ValidationError("Saisissez le numéro d’un département, par exemple 69, 2A ou 974.")
        return department

    def clean_code(self) -> str:
        code = self.cleaned_data["code"].strip().upper()
        if not code:
            return ""
        match = CERTIFICATION_CODE.match(code)
        if match is None:
            raise forms.ValidationError("Saisissez un code de la forme RNCP35830 ou RS5642.")
        return match.group(2)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("du") and cleaned.get("au") and cleaned["au"] < cleaned["du"]:
            self.add_error("au", "Cette date doit suivre la date de début.")
        return cleaned

    def catalog_query(self) -> CatalogQuery:
        """The valid criteria (an invalid one is shown with its error and left out of the search)."""
        data = self.cleaned_data if self.is_bound else {}
        return CatalogQuery(
            text=data.get("q", "").strip(),
            programme=self.programmes.get(data.get("programme", "")),
            department=data.get("departement", ""),
            starts_from=data.get("du"),
            starts_until=data.get("au") if "au" not in self.errors else None,
            modality=data.get("modalite", ""),
            certification=data.get("certification", ""),
            certification_code=data.get("code", ""),
            provider=data.get("organisme", "").strip(),
            sort=data.get("tri", ""),
        )


def _page_number(request) -> int:
    value = request.GET.get("page", "1")
    return int(value) if value.isdigit() and len(value) < 6 else 1


def _crumbs() -> list[dict]:
    return [{"label": "Catalogue des formations", "url": reverse("catalog:search")}]


@login_not_required
@require_safe
def search(request):
    form = CatalogSearchForm(request.GET or None, programmes=selectors.active_programmes())
    if form.is_bound:
        form.is_valid()
    page = selectors.catalog_search(form.catalog_query(), page=_page_number(request))
    context = {"form": form, "page": page}
    # A filter changed: only the results (and the count, out of band); a history restore needs the whole page.
    if request.htmx and not request.htmx.history_restore_request:
        return render(request, "catalog/public/includes/results_response.html", context)
    return render(request, "catalog/public/search.html", context)


@login_not_required
@require_safe
def action(request, public_id):
    training_action = selectors.public_action(public_id)
    if training_action is None:
        raise Http404
    context = {
        "action": training_action,
        "programmes": selectors.action_public_programmes(training_action),
        "sessions": selectors.action_open_sessions(training_action),
        "crumbs": _crumbs(),
    }
    return render(request, "catalog/public/action.html", context)
