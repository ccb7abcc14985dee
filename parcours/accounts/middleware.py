from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse

from parcours.accounts.mfa import mfa_enabled, mfa_required


class MfaRequiredMiddleware:
    """A person who must use two-factor authentication and has not set it up is sent to do so."""

    ALLOWED_PREFIXES = ("/static/", "/dev/outbox/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not request.path.startswith(self.ALLOWED_PREFIXES):
            allowed = {
                reverse("mfa_activate_totp"),
                reverse("account_logout"),
                reverse("account_reauthenticate"),
                reverse("mfa_view_recovery_codes"),
            }
            if request.path not in allowed and mfa_required(user) and not mfa_enabled(user):
                messages.info(
                    request,
                    "Votre compte doit être protégé par la double authentification : activez-la pour continuer.",
                )
                return redirect("mfa_activate_totp")
        return self.get_response(request)
