"""One organisation's page and its référents' work: join decisions, members, hand-over, change requests.

Every view loads the organisation by its public id and checks the person's right on it: someone who may
not see it gets a 404 (nothing leaks by id), a member acting beyond their role a 403.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from parcours.organisations import permissions
from parcours.organisations.current import organisation_follow
from parcours.organisations.forms import AcceptForm, ChangeRequestForm, HandoverForm, RefuseForm, RoleForm
from parcours.organisations.models import (
    Membership,
    MembershipStatus,
    Organisation,
    OrganisationRequest,
    QualiopiScope,
    RequestKind,
)
from parcours.organisations.selectors import (
    organisation_members,
    pending_change_requests,
    pending_requests_for_organisation,
)
from parcours.organisations.services.members import (
    LAST_REFERENT_MESSAGE,
    membership_remove,
    membership_role_change,
    referent_handover,
)
from parcours.organisations.services.requests import (
    RequestRefused,
    change_request_create,
    request_accept,
    request_refuse,
)
from parcours.organisations.views.professional import home_crumbs, request_rate_limited

MEMBERS_PER_PAGE = 50
REQUESTS_PER_PAGE = 20


def _organisation(request, public_id) -> Organisation:
    """The organisation if the person may see it (active member, or operator of its territory); else 404."""
    organisation = get_object_or_404(
        Organisation.objects.select_related("employer_profile", "provider_profile", "school_profile"),
        public_id=public_id,
    )
    if organisation.is_operator or not permissions.can_see_organisation(request.user, organisation):
        # Operators have their own pages (backoffice).
        raise Http404
    if request.method == "GET":
        # An email link to another of the person's organisations shows that one from now on (DESIGN.md).
        organisation_follow(request, organisation)
    return organisation


def _crumbs(organisation) -> list[dict]:
    return [*home_crumbs(), {"label": organisation.name, "url": _detail_url(organisation)}]


def _detail_url(organisation) -> str:
    return reverse("organisations:detail", args=[organisation.public_id])


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def _may_manage_members(user, organisation) -> bool:
    return permissions.is_referent(user, organisation) or permissions.operates(user, organisation)


def _member(organisation, membership_id) -> Membership:
    return get_object_or_404(
        Membership.objects.select_related("user", "organisation"),
        public_id=membership_id,
        organisation=organisation,
        status=MembershipStatus.ACTIVE,
    )


@require_http_methods(["GET"])
def detail(request, public_id):
    organisation = _organisation(request, public_id)
    user = request.user
    mine = permissions.membership_of(user, organisation)
    is_referent = permissions.is_referent(user, organisation)
    operates = permissions.operates(user, organisation)
    sees_members = permissions.can_manage(user, organisation) or operates
    context = {
        "crumbs": home_crumbs(),
        "organisation": organisation,
        "mine": mine,
        "is_referent": is_referent,
        "may_manage_members": is_referent or operates,
        "sees_members": sees_members,
        "provider_profile": getattr(organisation, "provider_profile", None) if organisation.is_provider else None,
        "employer_profile": getattr(organisation, "employer_profile", None) if organisation.is_employer else None,
        "school_profile": getattr(organisation, "school_profile", None) if organisation.is_school else None,
    }
    if sees_members:
        page = Paginator(organisation_members(organisation), MEMBERS_PER_PAGE).get_page(request.GET.get("page"))
        role_choices = RoleForm(organisation=organisation).fields["role"].choices
        context.update(
            page=page,
            role_choices=role_choices,
            requests_to_decide=pending_requests_for_organisation(organisation).count(),
            change_requests=with_changes(list(pending_change_requests(organisation))),
        )
    return render(request, "organisations/detail.html", context)


def _requests_page(request, organisation, *, failed: OrganisationRequest | None = None, forms=None):
    page = Paginator(pending_requests_for_organisation(organisation), REQUESTS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    rows = []
    for org_request in page.object_list:
        if failed is not None and org_request.pk == failed.pk:
            accept_form, refuse_form = forms
        else:
            accept_form = AcceptForm(
                organisation=organisation, initial={"role": org_request.role}, prefix=str(org_request.public_id)
            )
            refuse_form = RefuseForm(prefix=str(org_request.public_id))
        rows.append({"org_request": org_request, "accept_form": accept_form, "refuse_form": refuse_form})
    return render(
        request,
        "organisations/requests.html",
        {"organisation": organisation, "page": page, "rows": rows, "crumbs": _crumbs(organisation)},
        status=400 if failed is not None else 200,
    )


@require_http_methods(["GET"])
def requests(request, public_id):
    """The join requests the organisation's référents decide."""
    organisation = _organisation(request, public_id)
    _require(_may_manage_members(request.user, organisation))
    return _requests_page(request, organisation)


@require_POST
def request_decide(request, public_id, request_id):
    organisation = _organisation(request, public_id)
    _require(_may_manage_members(request.user, organisation))
    org_request = get_object_or_404(
        OrganisationRequest.objects.select_related("organisation", "membership", "requester"),
        public_id=request_id,
        organisation=organisation,
        kind=RequestKind.JOIN,
    )
    prefix = str(org_request.public_id)
    accept_form = AcceptForm(
        request.POST if request.POST.get("decision") == "accept" else None,
        organisation=organisation,
        initial={"role": org_request.role},
        prefix=prefix,
    )
    refuse_form = RefuseForm(request.POST if request.POST.get("decision") == "refuse" else None, prefix=prefix)
    name = org_request.requester_name
    try:
        if request.POST.get("decision") == "accept" and accept_form.is_valid():
            request_accept(
                org_request=org_request, by=request.user, role=accept_form.cleaned_data["role"], request=request
            )
            messages.success(request, f"La demande de {name} est acceptée : un courriel l'en informe.")
            return redirect("organisations:requests", public_id=organisation.public_id)
        if request.POST.get("decision") == "refuse" and refuse_form.is_valid():
            request_refuse(
                org_request=org_request, by=request.user, reason=refuse_form.cleaned_data["reason"], request=request
            )
            messages.success(request, f"La demande de {name} est refusée : un courriel lui donne le motif.")
            return redirect("organisations:requests", public_id=organisation.public_id)
    except RequestRefused as error:
        messages.error(request, str(error))
        return redirect("organisations:requests", public_id=organisation.public_id)
    return _requests_page(request, organisation, failed=org_request, forms=(accept_form, refuse_form))


@require_POST
def member_role(request, public_id, membership_id):
    organisation = _organisation(request, public_id)
    _require(_may_manage_members(request.user, organisation))
    membership = _member(organisation, membership_id)
    form = RoleForm(request.POST, organisation=organisation)
    if not form.is_valid():
        messages.error(request, "Choisissez un rôle proposé pour cette structure.")
    else:
        try:
            changed = membership_role_change(
                membership=membership, role=form.cleaned_data["role"], by=request.user, request=request
            )
        except RequestRefused as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request, f"{changed.user.get_full_name()} est désormais {changed.get_role_display().lower()}."
            )
    return redirect("organisations:detail", public_id=organisation.public_id)


@require_http_methods(["GET", "POST"])
def member_remove(request, public_id, membership_id):
    organisation = _organisation(request, public_id)
    _require(_may_manage_members(request.user, organisation))
    membership = _member(organisation, membership_id)
    if membership.user_id == request.user.pk:
        return redirect("organisations:leave", public_id=organisation.public_id)
    error = ""
    if request.method == "POST":
        try:
            membership_remove(membership=membership, by=request.user, request=request)
        except RequestRefused as refused:
            error = str(refused)
        else:
            messages.success(request, f"{membership.user.get_full_name()} ne fait plus partie de la structure.")
            return redirect("organisations:detail", public_id=organisation.public_id)
    return render(
        request,
        "organisations/member_remove.html",
        {"organisation": organisation, "membership": membership, "error": error, "crumbs": _crumbs(organisation)},
        status=400 if error else 200,
    )


@require_http_methods(["GET", "POST"])
def leave(request, public_id):
    organisation = _organisation(request, public_id)
    mine = permissions.membership_of(request.user, organisation)
    if mine is None:  # an operator sees the page but is not a member
        raise PermissionDenied
    error = ""
    if request.method == "POST":
        try:
            membership_remove(membership=mine, by=request.user, request=request)
        except RequestRefused as refused:
            error = str(refused)
        else:
            messages.success(request, f"Vous avez quitté {organisation.name}.")
            return redirect("organisations:home")
    context = {
        "organisation": organisation,
        "mine": mine,
        "error": error,
        "last_referent": error == LAST_REFERENT_MESSAGE,
        "crumbs": _crumbs(organisation),
    }
    return render(request, "organisations/leave.html", context, status=400 if error else 200)


@require_http_methods(["GET", "POST"])
def handover(request, public_id):
    organisation = _organisation(request, public_id)
    _require(permissions.is_referent(request.user, organisation))
    others = [
        member
        for member in organisation_members(organisation).filter(status=MembershipStatus.ACTIVE)
        if member.user_id != request.user.pk
    ]
    form = HandoverForm(request.POST if request.method == "POST" else None, organisation=organisation, members=others)
    if request.method == "POST" and form.is_valid():
        keep = form.cleaned_data["keep_role"]
        target = form.cleaned_data["to"]
        try:
            referent_handover(
                organisation=organisation,
                to=target,
                by=request.user,
                keep_role="" if keep == "leave" else keep,
                request=request,
            )
        except RequestRefused as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"{target.user.get_full_name()} est désormais référent de la structure.")
            if keep == "leave":
                return redirect("organisations:home")
            return redirect("organisations:detail", public_id=organisation.public_id)
    context = {
        "organisation": organisation,
        "form": form,
        "others": others,
        "crumbs": _crumbs(organisation),
        "cancel_url": _detail_url(organisation),
    }
    return render(request, "organisations/handover.html", context)


@require_http_methods(["GET", "POST"])
def change(request, public_id):
    organisation = _organisation(request, public_id)
    _require(permissions.is_referent(request.user, organisation))
    form = ChangeRequestForm(request.POST if request.method == "POST" else None, organisation=organisation)
    if request.method == "POST" and form.is_valid():
        changes = form.changes()
        if not changes:
            form.add_error(None, "Vous n'avez rien modifié : les données saisies sont celles de la structure.")
        else:
            limited = request_rate_limited(request)
            if limited:
                form.add_error(None, limited)
            else:
                try:
                    change_request_create(
                        requester=request.user,
                        organisation=organisation,
                        changes=changes,
                        message=form.cleaned_data["message"],
                        request=request,
                    )
                except RequestRefused as error:
                    form.add_error(None, str(error))
                else:
                    messages.success(
                        request,
                        "Votre demande de modification est envoyée. Un opérateur la vérifie : les données "
                        "changeront une fois la demande validée.",
                    )
                    return redirect("organisations:detail", public_id=organisation.public_id)
    context = {
        "organisation": organisation,
        "form": form,
        "pending": with_changes(list(pending_change_requests(organisation))),
        "crumbs": _crumbs(organisation),
        "cancel_url": _detail_url(organisation),
    }
    return render(request, "organisations/change.html", context)


CHANGE_FIELD_LABELS = {
    "name": "Nom",
    "address": "Adresse",
    "postal_code": "Code postal",
    "city": "Commune",
    "siret": "SIRET",
    "nda": "Numéro de déclaration d'activité",
    "qualiopi_number": "Certificat Qualiopi",
    "qualiopi_certifier": "Certificateur",
    "qualiopi_valid_from": "Valable du",
    "qualiopi_valid_until": "Valable jusqu'au",
    "qualiopi_scope": "Périmètre Qualiopi",
}


def _display(value) -> str:
    if isinstance(value, list):
        return ", ".join(QualiopiScope(item).label for item in value if item in QualiopiScope.values) or "aucun"
    if value is None or value == "":
        return "(effacé)"
    if isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-":
        return f"{value[8:]}/{value[5:7]}/{value[:4]}"
    return str(value)


def with_changes(change_requests: list[OrganisationRequest]) -> list[OrganisationRequest]:
    """Each pending change request with `changes`: (label, new value) pairs to show."""
    for org_request in change_requests:
        org_request.changes = [
            (CHANGE_FIELD_LABELS.get(field, field), _display(value)) for field, value in org_request.payload.items()
        ]
    return change_requests
