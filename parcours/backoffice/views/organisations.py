from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from parcours.backoffice.forms import OrganisationSearchForm
from parcours.backoffice.selectors import (
    PER_PAGE,
    organisation_for_operator,
    organisation_requests,
    territory_organisations,
)
from parcours.backoffice.views.common import breadcrumb_links, operator_staff_required
from parcours.organisations import permissions
from parcours.organisations.selectors import organisation_members


@require_GET
@operator_staff_required
def organisations(request):
    departments = permissions.operator_departments(request.user)
    form = OrganisationSearchForm(request.GET or None)
    found = territory_organisations(departments=departments, **form.filters())
    page = Paginator(found, PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "departments": sorted(departments),
        "breadcrumb_links": breadcrumb_links(),
    }
    return render(request, "backoffice/organisations.html", context)


@require_GET
@operator_staff_required
def organisation_detail(request, public_id):
    """Read-only: the data, profiles, members and requests of an organisation of the territory."""
    organisation = organisation_for_operator(
        public_id=public_id, departments=permissions.operator_departments(request.user)
    )
    if organisation is None:
        raise Http404
    members = Paginator(organisation_members(organisation), 50).get_page(request.GET.get("membres"))
    requests = Paginator(organisation_requests(organisation), PER_PAGE).get_page(request.GET.get("demandes"))
    context = {
        "organisation": organisation,
        "employer_profile": getattr(organisation, "employer_profile", None) if organisation.is_employer else None,
        "provider_profile": getattr(organisation, "provider_profile", None) if organisation.is_provider else None,
        "school_profile": getattr(organisation, "school_profile", None) if organisation.is_school else None,
        "operator_profile": getattr(organisation, "operator_profile", None) if organisation.is_operator else None,
        "members": members,
        "requests": requests,
        "breadcrumb_links": breadcrumb_links(("Organisations du territoire", reverse("backoffice:organisations"))),
    }
    return render(request, "backoffice/organisation_detail.html", context)
