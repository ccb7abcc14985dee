"""The stagiaire's sign-up (seed 000): identity and email, a 6-digit code, the CGU, then the password."""

import datetime

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_not_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from parcours.accounts.enums import RegistrationKind, RegistrationStatus
from parcours.accounts.forms import NewPasswordForm, SignupCodeForm, StagiaireSignupForm
from parcours.accounts.models import User
from parcours.accounts.selectors import registration_get
from parcours.accounts.services.registration import (
    RegistrationLinkError,
    SignupCodeError,
    SignupRateLimited,
    registration_create,
    stagiaire_code_resend,
    stagiaire_code_verify,
    stagiaire_code_wait_seconds,
    stagiaire_registration_complete,
)
from parcours.accounts.views.common import minutes_text, rate_limited_message, restart
from parcours.utils.http import client_ip

SESSION_KEY = "signup_stagiaire"


def _registration(request):
    registration = registration_get(public_id=request.session.get(SESSION_KEY), kind=RegistrationKind.STAGIAIRE)
    if registration is None or registration.status != RegistrationStatus.PENDING or registration.is_expired:
        return None
    return registration


@login_not_required
@require_http_methods(["GET", "POST"])
def start(request):
    form = StagiaireSignupForm(request.POST if request.method == "POST" else None, request=request)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            registration = registration_create(
                kind=RegistrationKind.STAGIAIRE,
                email=data["email"],
                identity={
                    "first_name": data["first_name"],
                    "last_name": data["last_name"],
                    "birth_date": data["birth_date"].isoformat(),
                    "remuneration_dossier_claim": data["dossier_number"],
                },
                ip=client_ip(request),
            )
        except SignupRateLimited as error:
            rate_limited_message(form, error)
        else:
            request.session[SESSION_KEY] = str(registration.public_id)
            return redirect("accounts:signup_stagiaire_code")
    return render(request, "accounts/signup_stagiaire/start.html", {"form": form})


@login_not_required
@require_http_methods(["GET", "POST"])
def code(request):
    registration = _registration(request)
    if registration is None:
        return restart(request, "accounts:signup_stagiaire", "Votre inscription a expiré : recommencez-la.")
    form = SignupCodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and request.POST.get("action") == "resend":
        try:
            wait = stagiaire_code_resend(registration=registration, ip=client_ip(request))
        except SignupRateLimited as error:
            messages.error(request, f"Trop de demandes : réessayez dans {minutes_text(error.retry_after_minutes)}.")
            return redirect("accounts:signup_stagiaire_code")
        if wait:
            messages.warning(
                request, f"Patientez encore {wait} seconde{'s' if wait > 1 else ''} avant de demander un nouveau code."
            )
        else:
            messages.success(request, f"Un nouveau code a été envoyé à {registration.email}. L'ancien ne vaut plus.")
        return redirect("accounts:signup_stagiaire_code")
    if request.method == "POST" and form.is_valid():
        try:
            stagiaire_code_verify(registration=registration, code=form.cleaned_data["code"])
        except SignupCodeError as error:
            form.add_error("code", error.message)
        else:
            request.session[f"{SESSION_KEY}_cgu_at"] = timezone.now().isoformat()
            return redirect("accounts:signup_stagiaire_password")
    context = {
        "form": form,
        "registration": registration,
        "wait_seconds": stagiaire_code_wait_seconds(registration=registration),
        "minutes": settings.PARCOURS_SIGNUP_CODE_MINUTES,
    }
    return render(request, "accounts/signup_stagiaire/code.html", context)


@login_not_required
@sensitive_post_parameters("password1", "password2")
@require_http_methods(["GET", "POST"])
def password(request):
    registration = _registration(request)
    cgu_at = request.session.get(f"{SESSION_KEY}_cgu_at")
    if registration is None or registration.code_verified_at is None or not cgu_at:
        return redirect("accounts:signup_stagiaire_code")
    person = User(
        email=registration.email,
        first_name=registration.data.get("first_name", ""),
        last_name=registration.data.get("last_name", ""),
    )
    form = NewPasswordForm(request.POST if request.method == "POST" else None, user=person)
    if request.method == "POST" and form.is_valid():
        try:
            user = stagiaire_registration_complete(
                registration=registration,
                raw_password=form.cleaned_data["password1"],
                cgu_version=settings.PARCOURS_CGU_VERSION,
                cgu_accepted_at=datetime.datetime.fromisoformat(cgu_at),
            )
        except RegistrationLinkError:
            return restart(
                request, "accounts:signup_stagiaire", "Cette inscription ne peut pas aboutir : recommencez-la."
            )
        for key in (SESSION_KEY, f"{SESSION_KEY}_cgu_at"):
            request.session.pop(key, None)
        # The code proved the address a moment ago: the account opens at once.
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, "Votre compte est créé. Bienvenue !")
        return redirect("web:home")
    context = {"form": form, "policy": settings.PARCOURS_PASSWORD_POLICY}
    return render(request, "accounts/signup_stagiaire/password.html", context)
