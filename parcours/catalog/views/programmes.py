"""Operators' pages on programmes: list, create, edit, and the actions offered in one (to take one off the catalog).

For operator staff (gestionnaires): a programme of another operator is a 404, anyone who is no operator staff
gets a 403.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from parcours.catalog import services
from parcours.catalog.enums import ActionStatus
from parcours.catalog.forms import ProgrammeForm, ReasonForm
from parcours.catalog.models import Programme
from parcours.catalog.permissions import can_manage_programme, staff_operators
from parcours.catalog.services import CatalogRefused
from parcours.workflows.engine import TransitionRefused

PROGRAMMES_PER_PAGE = 20
ACTIONS_PER_PAGE = 20


def _operators(request) -> list:
    operators = staff_operators(request.user)
    if not operators:
        raise PermissionDenied
    return operators


def _programme(request, public_id) -> Programme:
    _operators(request)
    programme = get_object_or_404(Programme.objects.select_related("operator"), public_id=public_id)
    if not can_manage_programme(request.user, programme):
        raise Http404
    return programme


def _crumbs() -> list[dict]:
    return [{"label": "Programmes", "url": reverse("catalog_manage:programmes")}]


@require_http_methods(["GET"])
def programmes(request):
    operators = _operators(request)
    queryset = (
        Programme.objects.filter(operator__in=operators)
        .select_related("operator")
        .annotate(published_count=Count("actions", filter=Q(actions__status=ActionStatus.PUBLISHED)))
        .order_by("-is_active", "-starts_on", "name", "pk")
    )
    page = Paginator(queryset, PROGRAMMES_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "catalog/programmes/list.html",
        {"page": page, "several_operators": len(operators) > 1},
    )


@require_http_methods(["GET", "POST"])
def programme_create(request):
    operators = _operators(request)
    form = ProgrammeForm(request.POST or None, operators=operators)
    if request.method == "POST" and form.is_valid():
        operator = form.cleaned_data.get("operator") or operators[0]
        try:
            programme = services.programme_create(
                operator=operator, actor=request.user, data=form.cleaned_data, request=request
            )
        except CatalogRefused as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"Le programme « {programme.name} » est créé.")
            return redirect("catalog_manage:programmes")
    return render(
        request,
        "catalog/programmes/form.html",
        {"form": form, "crumbs": _crumbs(), "title": "Nouveau programme"},
        status=400 if form.is_bound else 200,
    )


@require_http_methods(["GET", "POST"])
def programme_edit(request, public_id):
    programme = _programme(request, public_id)
    name = programme.name
    form = ProgrammeForm(request.POST or None, instance=programme, operators=[programme.operator])
    if request.method == "POST" and form.is_valid():
        try:
            services.programme_update(programme=programme, actor=request.user, data=form.cleaned_data, request=request)
        except CatalogRefused as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Les modifications du programme sont enregistrées.")
            return redirect("catalog_manage:programmes")
    return render(
        request,
        "catalog/programmes/form.html",
        {"form": form, "programme": programme, "crumbs": _crumbs(), "title": f"Modifier « {name} »"},
        status=400 if form.is_bound else 200,
    )


def _unpublish_form(prefix: str, data=None) -> ReasonForm:
    return ReasonForm(
        data,
        prefix=prefix,
        label="Motif du retrait",
        help_text="Il est envoyé aux référents et gestionnaires de l'organisme de formation.",
    )


def _actions_page(request, programme, *, failed=None, failed_form=None):
    queryset = (
        programme.actions.filter(status=ActionStatus.PUBLISHED).select_related("provider").order_by("title", "pk")
    )
    page = Paginator(queryset, ACTIONS_PER_PAGE).get_page(request.GET.get("page"))
    rows = [
        {
            "action": action,
            "form": failed_form
            if failed is not None and action.pk == failed.pk
            else _unpublish_form(str(action.public_id)),
        }
        for action in page.object_list
    ]
    return render(
        request,
        "catalog/programmes/actions.html",
        {"programme": programme, "page": page, "rows": rows, "crumbs": _crumbs()},
        status=400 if failed is not None else 200,
    )


@require_http_methods(["GET"])
def programme_actions(request, public_id):
    return _actions_page(request, _programme(request, public_id))


@require_POST
def action_unpublish(request, public_id, action_id):
    programme = _programme(request, public_id)
    action = get_object_or_404(programme.actions.select_related("provider"), public_id=action_id)
    form = _unpublish_form(str(action.public_id), request.POST)
    if form.is_valid():
        try:
            services.action_unpublish(
                action=action, actor=request.user, reason=form.cleaned_data["reason"], request=request
            )
        except TransitionRefused as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                f"« {action.title} » est retirée du catalogue : {action.provider.name} en est informé par courriel.",
            )
        return redirect("catalog_manage:programme_actions", public_id=programme.public_id)
    return _actions_page(request, programme, failed=action, failed_form=form)
