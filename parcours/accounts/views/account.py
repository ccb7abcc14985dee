from allauth.account.internal import flows as _allauth_flows  # noqa: F401 - loads allauth in the order its stages module needs
from allauth.account.stages import LoginStageController
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from parcours.accounts.forms import ForgotIdentifierForm, TermsForm
from parcours.accounts.services.login import forgot_identifier_request
from parcours.accounts.services.terms import terms_accept
from parcours.accounts.stages import TermsStage
from parcours.accounts.views.common import minutes_text
from parcours.utils.http import client_ip
from parcours.utils.ratelimit import rate_limit_exceeded


@login_not_required
@require_http_methods(["GET", "POST"])
def terms_stage(request):
    """A new CGU version, met at login: the session opens once they are accepted."""
    stage = LoginStageController.enter(request, TermsStage.key)
    if stage is None:
        return redirect("account_login")
    form = TermsForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        terms_accept(user=stage.login.user, request=request)
        return stage.exit()
    first_time = not stage.login.user.terms_acceptances.exists()
    return render(request, "accounts/terms_stage.html", {"form": form, "first_time": first_time})


@login_not_required
@require_http_methods(["GET", "POST"])
def forgot_identifier(request):
    form = ForgotIdentifierForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        retry = rate_limit_exceeded(
            scope="forgot-identifier-ip", key=client_ip(request) or "", limit=20, window_seconds=3600
        )
        if retry:
            form.add_error(None, f"Trop de demandes : réessayez dans {minutes_text(-(-retry // 60))}.")
            return render(request, "accounts/forgot_identifier.html", {"form": form})
        forgot_identifier_request(email=form.cleaned_data["email"])
        messages.success(
            request,
            "Si un compte correspond à cette adresse, un courriel vient d'y être envoyé pour vous indiquer "
            "comment vous connecter.",
        )
        return redirect("account_login")
    return render(request, "accounts/forgot_identifier.html", {"form": form})


@require_http_methods(["GET"])
def professional_home(request):
    # Where professionals land after logging in: their structures (the organisations app's page).
    return redirect("organisations:home")
