"""The titulaire's 4-step registration wizard (seed 004). Going back keeps what was typed; the NIR
is kept in the session only encrypted."""

import datetime

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_http_methods

from parcours.accounts.enums import IdentityReview, RegistrationKind
from parcours.accounts.forms import NewPasswordForm, TermsForm, TitulaireIdentityForm
from parcours.accounts.models import User
from parcours.accounts.nir_vault import nir_decrypt, nir_encrypt
from parcours.accounts.services.registration import SignupRateLimited, registration_create
from parcours.accounts.views.common import no_store, rate_limited_message, restart
from parcours.utils.http import client_ip

SESSION_KEY = "signup_titulaire"
SENT_SESSION_KEY = "signup_sent"
STEPS = ["Conditions générales d'utilisation", "Votre identité", "Votre mot de passe", "Confirmation de l'adresse"]


def _state(request) -> dict:
    return request.session.get(SESSION_KEY, {})


def _save(request, state: dict) -> None:
    request.session[SESSION_KEY] = state


def _stepper(number: int) -> dict:
    return {
        "number": number,
        "count": len(STEPS),
        "title": STEPS[number - 1],
        "next": STEPS[number] if number < len(STEPS) else "",
    }


@login_not_required
@require_http_methods(["GET", "POST"])
def terms(request):
    state = _state(request)
    form = TermsForm(
        request.POST if request.method == "POST" else None, initial={"accept": bool(state.get("cgu_accepted_at"))}
    )
    if request.method == "POST" and form.is_valid():
        state.update(cgu_version=settings.PARCOURS_CGU_VERSION, cgu_accepted_at=timezone.now().isoformat())
        _save(request, state)
        return redirect("accounts:signup_titulaire_identity")
    return render(request, "accounts/signup_titulaire/terms.html", {"form": form, "stepper": _stepper(1)})


@login_not_required
@sensitive_post_parameters("nir")
@sensitive_variables("form", "state", "initial", "data")
@require_http_methods(["GET", "POST"])
def identity(request):
    state = _state(request)
    if not state.get("cgu_accepted_at"):
        return redirect("accounts:signup_titulaire")
    if request.method == "POST":
        form = TitulaireIdentityForm(request.POST, request=request)
        if form.is_valid():
            data = {key: value for key, value in form.cleaned_data.items() if key not in {"nir", "captcha"}}
            data["birth_date"] = data["birth_date"].isoformat()
            if form.civility_mismatch:
                data["identity_review"] = IdentityReview.NIR_SEX_MISMATCH
            state["identity"] = data
            state["nir"] = nir_encrypt(form.cleaned_data["nir"]) if form.cleaned_data.get("nir") else ""
            _save(request, state)
            return redirect("accounts:signup_titulaire_password")
    else:
        initial = dict(state.get("identity", {}))
        if state.get("nir"):
            initial["nir"] = nir_decrypt(state["nir"])
        form = TitulaireIdentityForm(initial=initial, request=request)
    context = {"form": form, "stepper": _stepper(2)}
    return no_store(render(request, "accounts/signup_titulaire/identity.html", context))


@login_not_required
@sensitive_post_parameters("password1", "password2")
@sensitive_variables("state", "form")
@require_http_methods(["GET", "POST"])
def password(request):
    state = _state(request)
    if not state.get("identity"):
        return redirect("accounts:signup_titulaire_identity")
    identity = state["identity"]
    person = User(
        email=identity["email"],
        first_name=identity["first_name"],
        last_name=identity["last_name"],
        usage_name=identity.get("usage_name", ""),
    )
    form = NewPasswordForm(request.POST if request.method == "POST" else None, user=person)
    if request.method == "POST" and form.is_valid():
        try:
            registration = registration_create(
                kind=RegistrationKind.TITULAIRE,
                email=identity["email"],
                identity={
                    k: v for k, v in identity.items() if k not in {"email", "email_confirm", "confirm_civility"}
                },
                nir_body=nir_decrypt(state["nir"]) if state.get("nir") else "",
                raw_password=form.cleaned_data["password1"],
                cgu_version=state["cgu_version"],
                cgu_accepted_at=datetime.datetime.fromisoformat(state["cgu_accepted_at"]),
                ip=client_ip(request),
            )
        except SignupRateLimited as error:
            rate_limited_message(form, error)
        else:
            del request.session[SESSION_KEY]
            request.session[SENT_SESSION_KEY] = str(registration.public_id)
            return redirect("accounts:registration_sent")
    context = {"form": form, "stepper": _stepper(3), "policy": settings.PARCOURS_PASSWORD_POLICY}
    return render(request, "accounts/signup_titulaire/password.html", context)


@login_not_required
@require_http_methods(["POST"])
def cancel(request):
    request.session.pop(SESSION_KEY, None)
    return restart(request, "web:home", "Votre inscription a été annulée ; rien n'a été enregistré.")
