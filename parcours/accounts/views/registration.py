"""After a sign-up: "check your email" (with a resend), and the link's page whose button activates."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from parcours.accounts.enums import RegistrationKind
from parcours.accounts.selectors import registration_get
from parcours.accounts.services.registration import (
    RegistrationLinkError,
    SignupRateLimited,
    registration_confirm,
    registration_from_token,
    registration_resend,
)
from parcours.accounts.views.common import minutes_text
from parcours.accounts.views.signup_titulaire import SENT_SESSION_KEY, STEPS
from parcours.utils.http import client_ip


@login_not_required
@require_http_methods(["GET", "POST"])
def sent(request):
    registration = registration_get(public_id=request.session.get(SENT_SESSION_KEY))
    if registration is None:
        return redirect("web:home")
    if request.method == "POST":
        try:
            registration_resend(registration=registration, ip=client_ip(request))
        except SignupRateLimited as error:
            messages.error(request, f"Trop de demandes : réessayez dans {minutes_text(error.retry_after_minutes)}.")
        else:
            messages.success(request, f"Un nouveau courriel a été envoyé à {registration.email}.")
        return redirect("accounts:registration_sent")
    stepper = None
    if registration.kind == RegistrationKind.TITULAIRE:
        stepper = {"number": 4, "count": len(STEPS), "title": STEPS[3], "next": ""}
    context = {"registration": registration, "stepper": stepper, "days": settings.PARCOURS_REGISTRATION_LINK_DAYS}
    return render(request, "accounts/registration_sent.html", context)


@login_not_required
@require_http_methods(["GET", "POST"])
def confirm(request, token: str):
    """GET only shows a button: mail scanners that open links must not activate the account."""
    try:
        registration = registration_from_token(token=token)
    except RegistrationLinkError as error:
        if request.method == "POST" and error.reason == "expired" and request.POST.get("action") == "resend":
            return _resend_expired(request, error.registration)
        return render(request, "accounts/registration_link_error.html", {"reason": error.reason}, status=410)
    if request.method == "POST":
        try:
            registration_confirm(token=token)
        except RegistrationLinkError as error:
            return render(request, "accounts/registration_link_error.html", {"reason": error.reason}, status=410)
        messages.success(request, "Votre compte a bien été activé. Vous pouvez vous connecter.")
        return redirect("account_login")
    return render(request, "accounts/registration_confirm.html", {"registration": registration})


def _resend_expired(request, registration):
    try:
        registration_resend(registration=registration, ip=client_ip(request))
    except SignupRateLimited as error:
        messages.error(request, f"Trop de demandes : réessayez dans {minutes_text(error.retry_after_minutes)}.")
        return redirect("web:home")
    request.session[SENT_SESSION_KEY] = str(registration.public_id)
    return redirect("accounts:registration_sent")
