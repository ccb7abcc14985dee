"""My account: personal data, email, password, two-factor authentication, sessions, history, my data."""

from allauth.account.decorators import reauthentication_required
from allauth.account.internal import flows
from allauth.account.internal.flows.reauthentication import did_recently_reauthenticate
from allauth.usersessions.internal.flows.sessions import end_other_sessions
from allauth.usersessions.models import UserSession
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from parcours.accounts.account_forms import DeletionForm, EmailChangeForm, ProfileForm
from parcours.accounts.deletion import deletion_blockers
from parcours.accounts.email_lock import email_lock_reason
from parcours.accounts.mfa import mfa_enabled
from parcours.accounts.models import NirRecord
from parcours.accounts.phones import phone_display
from parcours.accounts.selectors import history_page, user_nir
from parcours.accounts.services.account import (
    EmailChangeLinkError,
    data_export_json,
    deletion_request,
    email_change_confirm,
    email_change_from_token,
    email_change_request,
    profile_editable_fields,
    profile_update,
)
from parcours.audit.services import audit_record
from parcours.utils.useragent import describe_user_agent


@require_http_methods(["GET"])
def overview(request):
    user = request.user
    context = {
        "mfa_enabled": mfa_enabled(user),
        "has_nir": NirRecord.objects.filter(user=user).exists(),
        "phones": [phone_display(str(number)) for number in (user.phone_landline, user.phone_mobile) if number],
    }
    return render(request, "accounts/my_account/overview.html", context)


@require_http_methods(["GET", "POST"])
def profile(request):
    user = request.user
    editable = profile_editable_fields(user=user)
    initial = {
        "civility": user.civility,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "usage_name": user.usage_name,
        "birth_date": user.birth_date,
        "phone_landline": phone_display(str(user.phone_landline or "")),
        "phone_mobile": phone_display(str(user.phone_mobile or "")),
    }
    form = ProfileForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        editable=editable,
        nir=user_nir(user=user),
        apprenticeship_contract=user.apprenticeship_contract,
    )
    if request.method == "POST" and form.is_valid():
        changed = profile_update(user=user, data=form.cleaned_data, request=request)
        messages.success(request, "Vos informations ont été enregistrées." if changed else "Aucune modification.")
        return redirect("accounts:my_account")
    return render(request, "accounts/my_account/profile.html", {"form": form})


@reauthentication_required
@require_http_methods(["GET", "POST"])
def email_change(request):
    if locked := email_lock_reason(request.user):
        return render(request, "accounts/my_account/email_change.html", {"locked": locked})
    form = EmailChangeForm(request.POST if request.method == "POST" else None, current_email=request.user.email)
    if request.method == "POST" and form.is_valid():
        email_change_request(user=request.user, new_email=form.cleaned_data["new_email"], request=request)
        messages.success(
            request,
            f"Un lien de confirmation a été envoyé à {form.cleaned_data['new_email']}. Votre adresse actuelle reste "
            f"celle de votre compte tant que ce lien n'est pas utilisé (il est valable "
            f"{settings.PARCOURS_EMAIL_CHANGE_LINK_HOURS} heures).",
        )
        return redirect("accounts:my_account")
    return render(request, "accounts/my_account/email_change.html", {"form": form})


@login_not_required
@require_http_methods(["GET", "POST"])
def email_change_confirm_view(request, token: str):
    """GET shows a button (mail scanners open links); POST replaces the address."""
    try:
        change = email_change_from_token(token=token)
        if request.method == "POST":
            email_change_confirm(token=token, request=request)
            messages.success(request, "Votre nouvelle adresse électronique est confirmée.")
            return redirect("accounts:my_account" if request.user.is_authenticated else "account_login")
    except EmailChangeLinkError as error:
        return render(request, "accounts/my_account/email_change_error.html", {"reason": error.reason}, status=410)
    return render(request, "accounts/my_account/email_change_confirm.html", {"change": change})


@require_http_methods(["GET", "POST"])
def sessions(request):
    if request.method == "POST":
        end_other_sessions(request, request.user)
        audit_record(event_type="account.sessions_ended", actor=request.user, target=request.user, request=request)
        messages.success(request, "Vos autres sessions sont fermées.")
        return redirect("accounts:sessions")
    rows = []
    for session in UserSession.objects.purge_and_list(request.user):
        rows.append(
            {
                "created_at": session.created_at,
                "ip": session.ip,
                "device": describe_user_agent(session.user_agent),
                "current": session.is_current(),
            }
        )
    return render(request, "accounts/my_account/sessions.html", {"sessions": rows})


@require_http_methods(["GET"])
def history(request):
    page = history_page(user=request.user, page_number=request.GET.get("page"))
    return render(request, "accounts/my_account/history.html", {"page": page})


@reauthentication_required
@require_http_methods(["GET"])
def my_data(request):
    return render(
        request,
        "accounts/my_account/my_data.html",
        {
            "grace_days": settings.PARCOURS_DELETION_GRACE_DAYS,
            "form": DeletionForm(blockers=deletion_blockers(request.user)),
        },
    )


@reauthentication_required
@require_http_methods(["GET"])
def my_data_download(request):
    content = data_export_json(user=request.user, request=request)
    response = HttpResponse(content, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="mes-donnees-{timezone.localdate():%Y-%m-%d}.json"'
    response["Cache-Control"] = "no-store"
    return response


@require_http_methods(["POST"])
def deletion(request):
    # A POST cannot survive the reauthentication redirect: the page that shows this form asked for it.
    if not did_recently_reauthenticate(request):
        messages.info(request, "Par sécurité, confirmez d'abord votre identité.")
        return redirect("accounts:my_data")
    form = DeletionForm(request.POST, blockers=deletion_blockers(request.user))
    if not form.is_valid():
        context = {"grace_days": settings.PARCOURS_DELETION_GRACE_DAYS, "form": form}
        return render(request, "accounts/my_account/my_data.html", context, status=400)
    user = deletion_request(user=request.user, request=request)
    # Out now: the next login is what cancels the request.
    flows.logout.logout(request)
    messages.warning(
        request,
        f"Votre compte sera supprimé le {timezone.localtime(user.deletion_due_at):%d/%m/%Y à %H:%M}. "
        "Un courriel vous le confirme. Pour annuler, il suffit de vous reconnecter avant cette date.",
    )
    return redirect("web:home")
