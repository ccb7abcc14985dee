"""Employers' and providers' journeys: my structures, search, join and creation requests (seed 001)."""

from django.conf import settings
from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_http_methods, require_POST

from parcours.organisations import permissions
from parcours.organisations.directory import lookup
from parcours.organisations.directory.identifiers import compact
from parcours.organisations.forms import CreationForm, JoinForm, SearchForm
from parcours.organisations.models import (
    Decider,
    MembershipStatus,
    Organisation,
    OrganisationKind,
    OrganisationRequest,
    OrganisationStatus,
    RequestKind,
    Role,
)
from parcours.organisations.selectors import (
    DIRECTORY_UNAVAILABLE,
    join_requests_to_decide_counts,
    organisation_live_by_siret,
    pending_requests_of,
    structure_search,
)
from parcours.organisations.services.requests import (
    NewOrganisation,
    RequestRefused,
    join_request_create,
    organisation_create_request,
    request_cancel,
)
from parcours.utils.http import client_ip
from parcours.utils.ratelimit import rate_limit_exceeded

SEARCH_LIMIT_PER_MINUTE = 60


def _minutes(seconds: int) -> str:
    minutes = max(1, -(-seconds // 60))
    return f"{minutes} minute{'s' if minutes > 1 else ''}"


def request_rate_limited(request) -> str:
    """Counts one creation, join or change request of the person; the French message once past the limit."""
    retry = rate_limit_exceeded(
        scope="organisation-request",
        key=str(request.user.pk),
        limit=settings.PARCOURS_ORGANISATION_REQUEST_LIMIT_PER_HOUR,
        window_seconds=3600,
    )
    if retry:
        return (
            "Vous avez déposé beaucoup de demandes en peu de temps. Vos informations sont conservées ci-dessous : "
            f"réessayez dans {_minutes(retry)}."
        )
    return ""


def home_crumbs() -> list[dict]:
    return [{"label": "Mes structures", "url": reverse("organisations:home")}]


def _school_signup_url() -> str:
    try:
        return reverse("schools:signup")
    except NoReverseMatch:
        return ""


@require_http_methods(["GET"])
def home(request):
    user = request.user
    memberships = permissions.active_memberships(user)
    referent_of = [m.organisation for m in memberships if m.role == Role.REFERENT]
    to_decide = join_requests_to_decide_counts(referent_of)
    structures = [
        {
            "membership": membership,
            "organisation": membership.organisation,
            "to_decide": to_decide.get(membership.organisation_id, 0),
        }
        for membership in memberships
        if not membership.organisation.is_operator
    ]
    pending = list(pending_requests_of(user))
    context = {
        "structures": structures,
        "pending_requests": pending,
        "legacy_siret": user.legacy_siret_claim,
        "legacy_uai": user.legacy_uai_claim,
        "school_signup_url": _school_signup_url(),
    }
    return render(request, "organisations/home.html", context)


@require_http_methods(["GET"])
def search(request):
    form = SearchForm(request.GET or None)
    result = None
    rate_error = ""
    if form.is_valid() and form.cleaned_data["q"].strip():
        retry = rate_limit_exceeded(
            scope="organisation-search", key=client_ip(request) or "", limit=SEARCH_LIMIT_PER_MINUTE, window_seconds=60
        )
        if retry:
            rate_error = f"Trop de recherches depuis votre connexion : réessayez dans {retry} secondes."
        else:
            result = structure_search(form.cleaned_data["q"])
    context = {"form": form, "result": result, "rate_error": rate_error, "crumbs": home_crumbs()}
    if request.htmx:
        return render(request, "organisations/includes/search_results.html", context)
    return render(request, "organisations/search.html", context)


def _joinable(public_id) -> Organisation:
    """An employer or provider one may ask to join (pending or active); anything else is not found."""
    organisation = get_object_or_404(
        Organisation.objects.exclude(status=OrganisationStatus.CLOSED).exclude(is_operator=True),
        public_id=public_id,
    )
    if not (organisation.is_employer or organisation.is_provider):
        raise Http404
    return organisation


@require_http_methods(["GET", "POST"])
def join(request, public_id):
    organisation = _joinable(public_id)
    current = organisation.memberships.filter(user=request.user).exclude(status=MembershipStatus.REVOKED).first()
    if current is not None:
        if current.status == MembershipStatus.ACTIVE:
            messages.info(request, f"Vous êtes déjà membre de {organisation.name}.")
            return redirect("organisations:detail", public_id=organisation.public_id)
        messages.info(request, f"Votre demande pour rejoindre {organisation.name} est déjà en cours.")
        return redirect("organisations:home")
    form = JoinForm(request.POST if request.method == "POST" else None, organisation=organisation)
    if request.method == "POST" and form.is_valid():
        limited = request_rate_limited(request)
        if limited:
            form.add_error(None, limited)
        else:
            try:
                org_request = join_request_create(
                    requester=request.user,
                    organisation=organisation,
                    role=form.cleaned_data["role"],
                    job_title=form.cleaned_data["job_title"],
                    message=form.cleaned_data["message"],
                    request=request,
                )
            except RequestRefused as error:
                form.add_error(None, str(error))
            else:
                return redirect("organisations:request_sent", request_id=org_request.public_id)
    context = {
        "organisation": organisation,
        "form": form,
        "crumbs": home_crumbs(),
        "cancel_url": reverse("organisations:search"),
    }
    return render(request, "organisations/join.html", context)


def _directory_establishment(siret: str):
    """The directory's establishment for a SIRET given in the URL; (None, message) when it cannot be used."""
    siret = compact(siret or "")
    if not siret:
        return None, ""
    try:
        establishment = lookup.establishment_by_siret(siret)
    except lookup.DirectoryUnavailable:
        return None, DIRECTORY_UNAVAILABLE
    if establishment is None or not establishment.is_active:
        return None, ""
    return establishment, ""


@require_http_methods(["GET", "POST"])
def create(request):
    siret_param = compact(request.GET.get("siret", ""))[:14]
    establishment, directory_error = _directory_establishment(siret_param)
    existing = organisation_live_by_siret(siret_param) if siret_param else None
    if existing is not None and request.method == "GET":
        messages.info(request, "Cette structure est déjà inscrite : demandez à la rejoindre.")
        return redirect("organisations:join", public_id=existing.public_id)
    initial = {"siret": siret_param}
    if establishment is not None:
        initial["siret"] = establishment.siret
        if establishment.is_diffusible:
            initial.update(
                name=(establishment.name or "")[:200],
                address=(establishment.address or "")[:250],
                postal_code=establishment.postal_code or "",
                city=(establishment.commune or "").title(),
            )
    form = CreationForm(
        request.POST if request.method == "POST" else None, initial=initial, siret_fixed=establishment is not None
    )
    if request.method == "POST" and form.is_valid():
        limited = request_rate_limited(request)
        if limited:
            form.add_error(None, limited)
        else:
            data = form.cleaned_data
            new = NewOrganisation(
                name=data["name"].strip(),
                siret=data["siret"],
                address=data["address"].strip(),
                postal_code=data["postal_code"],
                city=data["city"].strip(),
                department_code=form.department_code(establishment.department_code if establishment else ""),
                naf_code=(establishment.naf_code if establishment else "").replace(".", "")[:6],
                nda=data["nda"],
                is_employer=OrganisationKind.EMPLOYER in data["kinds"],
                is_provider=OrganisationKind.PROVIDER in data["kinds"],
                from_directory=establishment is not None,
            )
            try:
                org_request = organisation_create_request(
                    requester=request.user,
                    data=new,
                    job_title=data["job_title"],
                    message=data["message"],
                    request=request,
                )
            except RequestRefused as error:
                form.add_error(None, str(error))
            else:
                return redirect("organisations:request_sent", request_id=org_request.public_id)
    context = {
        "form": form,
        "establishment": establishment,
        "directory_error": directory_error,
        "siret_param": siret_param,
        "crumbs": home_crumbs(),
        "cancel_url": reverse("organisations:search"),
    }
    return render(request, "organisations/create.html", context)


def _my_request(request, request_id) -> OrganisationRequest:
    """The person's own request; someone else's is not found."""
    return get_object_or_404(
        OrganisationRequest.objects.select_related("organisation").exclude(kind=RequestKind.ACCESS),
        public_id=request_id,
        requester=request.user,
    )


@require_http_methods(["GET"])
def request_sent(request, request_id):
    org_request = _my_request(request, request_id)
    context = {
        "org_request": org_request,
        "by_operator": org_request.decider == Decider.OPERATOR,
        "crumbs": home_crumbs(),
    }
    return render(request, "organisations/request_sent.html", context)


@require_POST
def request_withdraw(request, request_id):
    org_request = _my_request(request, request_id)
    try:
        request_cancel(org_request=org_request, by=request.user, request=request)
    except RequestRefused as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"Votre demande pour {org_request.organisation.name} est retirée.")
    return redirect("organisations:home")
