"""My account: personal data, email, password, two-factor authentication, sessions, history, my data."""

from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from parcours.accounts.mfa import mfa_enabled


@require_http_methods(["GET"])
def overview(request):
    context = {"mfa_enabled": mfa_enabled(request.user)}
    return render(request, "accounts/my_account/overview.html", context)
