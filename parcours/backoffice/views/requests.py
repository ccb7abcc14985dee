from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from parcours.backoffice.forms import DecisionForm
from parcours.backoffice.selectors import (
    QUEUE_KIND_LABELS,
    change_rows,
    directory_check,
    directory_rows,
    request_for_operator,
)
from parcours.backoffice.views.common import breadcrumb_links, operator_staff_required
from parcours.organisations import permissions
from parcours.organisations.models import Decider, RequestKind
from parcours.organisations.selectors import organisation_has_referent
from parcours.organisations.services.requests import RequestRefused, request_accept, request_refuse


def _directory(org_request) -> dict:
    """What the reference directory says of the identifier the operator is asked to trust."""
    organisation = org_request.organisation
    if org_request.kind == RequestKind.CREATION:
        return directory_check(siret=organisation.siret or "", uai=organisation.uai or "")
    if org_request.kind == RequestKind.CHANGE and org_request.payload.get("siret"):
        return directory_check(siret=org_request.payload["siret"])
    if org_request.kind == RequestKind.ACCESS:
        return directory_check(uai=organisation.uai or "")
    return {}


def _decide(request, org_request, form) -> str:
    """Run the decision; the success message. RequestRefused goes back to the form."""
    data = form.cleaned_data
    reason = data["reason"].strip()
    what = f"{QUEUE_KIND_LABELS[org_request.kind].lower()}, {org_request.organisation.name}"
    if data["decision"] == "accept":
        decided = request_accept(
            org_request=org_request, by=request.user, role=data.get("role", ""), reason=reason, request=request
        )
        role = f" comme {decided.get_role_display().lower()}" if decided.kind == RequestKind.JOIN else ""
        return f"Demande acceptée ({what}{role}). Le demandeur est prévenu."
    request_refuse(org_request=org_request, by=request.user, reason=reason, request=request)
    return f"Demande refusée ({what}). Le motif est envoyé au demandeur."


@require_http_methods(["GET", "POST"])
@operator_staff_required
def request_detail(request, public_id):
    """Everything needed to decide a request of the territory, and the decision form while it is pending."""
    org_request = request_for_operator(public_id=public_id, departments=permissions.operator_departments(request.user))
    if org_request is None:
        raise Http404
    form = None
    if org_request.is_pending:
        form = DecisionForm(request.POST if request.method == "POST" else None, org_request=org_request)
        if request.method == "POST" and form.is_valid():
            try:
                messages.success(request, _decide(request, org_request, form))
                return redirect("backoffice:home")
            except RequestRefused as error:
                form.add_error(None, str(error))
    elif request.method == "POST":
        messages.error(request, "Cette demande a déjà été traitée : la décision ne peut plus changer.")
        return redirect("backoffice:request", public_id=org_request.public_id)
    organisation = org_request.organisation
    directory = _directory(org_request)
    context = {
        "org_request": org_request,
        "organisation": organisation,
        "kind_label": QUEUE_KIND_LABELS[org_request.kind],
        "form": form,
        "directory": directory,
        "directory_rows": directory_rows(
            directory.get("entry"), organisation=organisation, naf_code=org_request.payload.get("naf_code", "")
        )
        if org_request.kind == RequestKind.CREATION
        else [],
        "change_rows": change_rows(org_request) if org_request.kind == RequestKind.CHANGE else [],
        "has_referent": organisation_has_referent(organisation) if org_request.kind == RequestKind.JOIN else None,
        "decided_by_organisation": org_request.decider == Decider.ORGANISATION,
        "breadcrumb_links": breadcrumb_links(),
        "home_url": reverse("backoffice:home"),
    }
    return render(request, "backoffice/request_detail.html", context)
