"""Professionals' sign-up (seed 001 "Créez un compte"): employer, provider and school staff, salariés."""

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from parcours.accounts.enums import RegistrationKind
from parcours.accounts.forms import ProfessionalSignupForm
from parcours.accounts.services.registration import SignupRateLimited, registration_create
from parcours.accounts.views.common import rate_limited_message
from parcours.accounts.views.signup_titulaire import SENT_SESSION_KEY
from parcours.utils.http import client_ip


@login_not_required
@sensitive_post_parameters("password1", "password2")
@require_http_methods(["GET", "POST"])
def signup(request):
    form = ProfessionalSignupForm(request.POST if request.method == "POST" else None, request=request)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            registration = registration_create(
                kind=RegistrationKind.PROFESSIONNEL,
                email=data["email"],
                identity={
                    "civility": data["civility"],
                    "first_name": data["first_name"],
                    "last_name": data["last_name"],
                    form.phone_field: data["phone"],
                },
                raw_password=data["password1"],
                cgu_version=settings.PARCOURS_CGU_VERSION,
                cgu_accepted_at=timezone.now(),
                ip=client_ip(request),
            )
        except SignupRateLimited as error:
            rate_limited_message(form, error)
        else:
            request.session[SENT_SESSION_KEY] = str(registration.public_id)
            return redirect("accounts:registration_sent")
    return render(
        request, "accounts/signup_professional.html", {"form": form, "policy": settings.PARCOURS_PASSWORD_POLICY}
    )
