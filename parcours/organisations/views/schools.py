"""School pages (seed 002): sign-up by UAI, its link, identifier recovery and access requests.

Public pages opt out of the login requirement; the only page that acts on a school's data (deciding an
access request) checks the request against the person's memberships and answers 404 otherwise.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods

from parcours.accounts.selectors import registration_get
from parcours.accounts.services.registration import SignupRateLimited
from parcours.accounts.views.common import minutes_text, rate_limited_message
from parcours.organisations import permissions
from parcours.organisations.current import organisation_follow
from parcours.organisations.directory.lookup import DirectoryUnavailable, schools_search
from parcours.organisations.forms_schools import (
    AccessDecisionForm,
    AccessRequestForm,
    SchoolSearchForm,
    SchoolSignupForm,
    UaiForm,
)
from parcours.organisations.models import OrganisationRequest, RequestKind
from parcours.organisations.services.access import (
    AccessRateLimited,
    access_request_create,
    access_request_grant,
    access_request_refuse,
)
from parcours.organisations.services.requests import RequestRefused
from parcours.organisations.services.schools import (
    SchoolLinkError,
    SchoolSignupError,
    SchoolState,
    holders_masked_logins,
    school_link_wait_seconds,
    school_registration_confirm,
    school_registration_create,
    school_registration_from_token,
    school_registration_resend,
    school_situation,
    situation_message,
)
from parcours.organisations.validators import uai_clean
from parcours.utils.http import client_ip

SENT_SESSION_KEY = "parcours_school_registration"
SEARCH_LIMIT = 10
DIRECTORY_DOWN = "L'annuaire de l'éducation ne répond pas pour le moment : réessayez dans quelques minutes."


def _search(text: str) -> tuple[list, str]:
    """The schools matching `text` and an error to show instead, if any."""
    try:
        return schools_search(text, limit=SEARCH_LIMIT), ""
    except DirectoryUnavailable:
        return [], DIRECTORY_DOWN


def _uai_form_target(request, *, recovery: bool):
    """Validate ?uai= and send the person to the school's page; the form with its errors otherwise."""
    form = UaiForm(request.GET if "uai" in request.GET else None)
    if not form.is_bound or not form.is_valid():
        return form, None
    uai = form.cleaned_data["uai"]
    try:
        situation = school_situation(uai)
    except DirectoryUnavailable:
        form.add_error("uai", DIRECTORY_DOWN)
        return form, None
    if situation.state in (SchoolState.UNKNOWN, SchoolState.CLOSED):
        form.add_error("uai", situation_message(situation))
        return form, None
    if situation.state == SchoolState.REGISTERED or recovery:
        return form, redirect("schools:recovery", uai=uai)
    return form, redirect("schools:school", uai=uai)


@login_not_required
@require_GET
def signup(request):
    """Seed 002, steps 1–2: type the UAI (or search by name or commune) and go on."""
    form, target = _uai_form_target(request, recovery=False)
    if target is not None:
        return target
    search_form = SchoolSearchForm(request.GET if "q" in request.GET else None)
    results, search_error, query = [], "", ""
    if search_form.is_bound and search_form.is_valid():
        query = search_form.cleaned_data["q"]
        results, search_error = _search(query)
    context = {
        "form": form,
        "search_form": search_form,
        "results": results,
        "search_error": search_error,
        "query": query,
        "contact_email": settings.PARCOURS_CONTACT_EMAIL,
    }
    return render(request, "organisations/schools/signup.html", context)


@login_not_required
@require_GET
def search(request):
    """Search-as-you-type (htmx): the list of matching schools, each a link to its page."""
    form = SchoolSearchForm(request.GET)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    if not request.htmx:
        return redirect(f"{reverse('schools:signup')}?{request.GET.urlencode()}")
    results, error = _search(query)
    context = {"results": results, "search_error": error, "query": query}
    return render(request, "organisations/schools/_search_results.html", context)


def _clean_uai_or_none(uai: str) -> str | None:
    try:
        return uai_clean(uai)
    except ValidationError:
        return None


def _situation_or_redirect(request, uai: str):
    clean = _clean_uai_or_none(uai)
    if clean is None:
        return None, redirect(f"{reverse('schools:signup')}?{urlencode({'uai': uai})}")
    try:
        situation = school_situation(clean)
    except DirectoryUnavailable:
        messages.error(request, DIRECTORY_DOWN)
        return None, redirect("schools:signup")
    if situation.state in (SchoolState.UNKNOWN, SchoolState.CLOSED):
        # The sign-up page says why, next to the field.
        return None, redirect(f"{reverse('schools:signup')}?{urlencode({'uai': clean})}")
    return situation, None


def _situation_page(request, situation):
    context = {"situation": situation, "message": situation_message(situation)}
    return render(request, "organisations/schools/situation.html", context)


@login_not_required
@sensitive_post_parameters("password1", "password2")
@require_http_methods(["GET", "POST"])
def school(request, uai: str):
    """Seed 002, step 3: the school's data from the directory, the forced login, the holder's data."""
    situation, response = _situation_or_redirect(request, uai)
    if response is not None:
        return response
    if situation.state == SchoolState.REGISTERED:
        return redirect("schools:recovery", uai=situation.uai)
    if situation.state != SchoolState.OPEN:
        return _situation_page(request, situation)
    form = SchoolSignupForm(
        request.POST if request.method == "POST" else None, login_email=situation.login_email, request=request
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            registration = school_registration_create(
                uai=situation.uai,
                identity={field: data[field] for field in ("civility", "first_name", "last_name", "job_title")},
                raw_password=data["password1"],
                typed_email=data.get("official_email", ""),
                ip=client_ip(request),
                request=request,
            )
        except SignupRateLimited as error:
            rate_limited_message(form, error)
        except SchoolSignupError as error:
            form.add_error(None, str(error))
        except DirectoryUnavailable:
            form.add_error(None, DIRECTORY_DOWN)
        else:
            request.session[SENT_SESSION_KEY] = str(registration.public_id)
            return redirect("schools:signup_sent")
    context = {
        "situation": situation,
        "school": situation.school,
        "form": form,
        "policy": settings.PARCOURS_PASSWORD_POLICY,
        "contact_email": settings.PARCOURS_CONTACT_EMAIL,
        "breadcrumb_links": [{"label": "Inscrire votre établissement scolaire", "url": reverse("schools:signup")}],
    }
    return render(request, "organisations/schools/school_signup.html", context)


@login_not_required
@require_http_methods(["GET", "POST"])
def sent(request):
    """Seed 002, step 4: check your email, with « Recevoir l'email à nouveau »."""
    registration = registration_get(public_id=request.session.get(SENT_SESSION_KEY), kind="school")
    if registration is None:
        return redirect("schools:signup")
    if request.method == "POST":
        try:
            wait = school_registration_resend(registration=registration, ip=client_ip(request))
        except SignupRateLimited as error:
            messages.error(request, f"Trop de demandes : réessayez dans {minutes_text(error.retry_after_minutes)}.")
        else:
            if wait:
                messages.warning(
                    request,
                    f"Un courriel vient d'être envoyé : attendez {wait} seconde{'s' if wait > 1 else ''} "
                    "avant d'en demander un autre.",
                )
            else:
                messages.success(request, f"Un nouveau courriel a été envoyé à {registration.email}.")
        return redirect("schools:signup_sent")
    context = {
        "registration": registration,
        "school_name": registration.data["school"]["name"],
        "minutes": settings.PARCOURS_SCHOOL_LINK_MINUTES,
        "wait": school_link_wait_seconds(registration),
        "contact_email": settings.PARCOURS_CONTACT_EMAIL,
    }
    return render(request, "organisations/schools/signup_sent.html", context)


def _link_error(request, error: SchoolLinkError):
    context = {"reason": error.reason, "contact_email": settings.PARCOURS_CONTACT_EMAIL}
    return render(request, "organisations/schools/link_error.html", context, status=410)


@login_not_required
@require_http_methods(["GET", "POST"])
def confirm(request, token: str):
    """GET only shows a button: mail scanners that open links must not activate the account."""
    try:
        registration = school_registration_from_token(token=token)
    except SchoolLinkError as error:
        if request.method == "POST" and error.reason == "expired" and request.POST.get("action") == "resend":
            return _resend_expired(request, error.registration)
        return _link_error(request, error)
    if request.method == "POST":
        try:
            confirmed = school_registration_confirm(token=token, request=request)
        except SchoolLinkError as error:
            return _link_error(request, error)
        request.session.pop(SENT_SESSION_KEY, None)
        name = confirmed.organisation.name
        if confirmed.pending_check:
            messages.info(
                request,
                f"Votre adresse est confirmée. Le compte de {name} sera actif dès que nos services auront vérifié "
                "l'adresse de l'établissement : vous recevrez un courriel.",
            )
        elif confirmed.attached:
            messages.success(
                request,
                f"{name} est rattaché au compte existant de {confirmed.user.email}. Connectez-vous avec le mot de "
                "passe de ce compte (celui que vous venez de saisir n'a pas été enregistré).",
            )
        else:
            messages.success(request, f"Le compte de {name} est activé. Vous pouvez vous connecter.")
        return redirect("web:home" if request.user.is_authenticated else "account_login")
    context = {"registration": registration, "school_name": registration.data["school"]["name"]}
    return render(request, "organisations/schools/signup_confirm.html", context)


def _resend_expired(request, registration):
    try:
        wait = school_registration_resend(registration=registration, ip=client_ip(request))
    except SignupRateLimited as error:
        messages.error(request, f"Trop de demandes : réessayez dans {minutes_text(error.retry_after_minutes)}.")
        return redirect("schools:signup")
    if wait:
        messages.info(request, "Un nouveau lien vient déjà d'être envoyé : utilisez le plus récent.")
    request.session[SENT_SESSION_KEY] = str(registration.public_id)
    return redirect("schools:signup_sent")


@login_not_required
@require_GET
def forgot_identifier(request):
    """Seed 002, « Vous ne connaissez pas votre identifiant »: type the UAI."""
    form, target = _uai_form_target(request, recovery=True)
    if target is not None:
        return target
    return render(
        request,
        "organisations/schools/forgot_identifier.html",
        {"form": form, "contact_email": settings.PARCOURS_CONTACT_EMAIL},
    )


@login_not_required
@require_http_methods(["GET", "POST"])
def recovery(request, uai: str):
    """The start of the holders' login (« ce..... ») and the access request form."""
    situation, response = _situation_or_redirect(request, uai)
    if response is not None:
        return response
    if situation.state == SchoolState.OPEN:
        messages.info(request, "Cet établissement n'a pas encore de compte : vous pouvez l'inscrire.")
        return redirect("schools:school", uai=situation.uai)
    if situation.state != SchoolState.REGISTERED:
        return _situation_page(request, situation)
    organisation = situation.organisation
    form = AccessRequestForm(
        request.POST if request.method == "POST" else None, organisation=organisation, request=request
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            access_request_create(
                organisation=organisation,
                email=data["email"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                job_title=data["job_title"],
                ip=client_ip(request),
                request=request,
            )
        except AccessRateLimited as error:
            form.add_error(
                None,
                "Trop de demandes depuis votre connexion ou pour cette adresse. "
                f"Réessayez dans {minutes_text(error.retry_after_minutes)}.",
            )
        except RequestRefused as error:
            form.add_error(None, str(error))
        else:
            return redirect("schools:access_request_sent")
    context = {
        "organisation": organisation,
        "masked_logins": holders_masked_logins(organisation),
        "form": form,
        "hours": settings.PARCOURS_ACCESS_REQUEST_ESCALATION_HOURS,
        "contact_email": settings.PARCOURS_CONTACT_EMAIL,
    }
    return render(request, "organisations/schools/recovery.html", context)


@login_not_required
@require_GET
def access_request_sent(request):
    context = {
        "hours": settings.PARCOURS_ACCESS_REQUEST_ESCALATION_HOURS,
        "contact_email": settings.PARCOURS_CONTACT_EMAIL,
    }
    return render(request, "organisations/schools/access_request_sent.html", context)


@require_http_methods(["GET", "POST"])
def access_request(request, public_id):
    """A holder (or an operator of the territory) grants or refuses; anyone else gets a 404."""
    org_request = get_object_or_404(
        OrganisationRequest.objects.select_related("organisation", "decided_by"),
        public_id=public_id,
        kind=RequestKind.ACCESS,
    )
    can_decide = permissions.can_decide_request(request.user, org_request)
    if not (can_decide or permissions.is_referent(request.user, org_request.organisation)):
        raise Http404
    if request.method == "GET":
        organisation_follow(request, org_request.organisation)
    form = AccessDecisionForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        action = request.POST.get("action")
        if not can_decide or not org_request.is_pending or action not in ("grant", "refuse"):
            messages.error(request, "Cette demande ne peut plus être décidée ici.")
            return redirect("schools:access_request", public_id=org_request.public_id)
        if form.is_valid():
            try:
                if action == "grant":
                    access_request_grant(org_request=org_request, by=request.user, request=request)
                    messages.success(
                        request, f"Accès accordé à {org_request.requester_name} : un courriel l'en informe."
                    )
                else:
                    access_request_refuse(
                        org_request=org_request, by=request.user, reason=form.cleaned_data["reason"], request=request
                    )
                    messages.success(request, "Demande refusée : le demandeur en est informé avec votre motif.")
            except RequestRefused as error:
                form.add_error("reason" if action == "refuse" else None, str(error))
            else:
                return redirect("schools:access_request", public_id=org_request.public_id)
    context = {"org_request": org_request, "form": form, "can_decide": can_decide and org_request.is_pending}
    return render(request, "organisations/schools/access_request.html", context)
