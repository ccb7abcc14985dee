"""The notification centre: a person's own notifications (the header badge leads here) and email choices.

Every view reads the notifications of request.user only: another person's notification is a 404.
"""

from uuid import UUID

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from parcours.notifications.forms import EmailPreferencesForm
from parcours.notifications.inapp import (
    email_preferences_set,
    notification_categories,
    notification_mark_read,
    notifications_mark_all_read,
)
from parcours.notifications.models import Notification
from parcours.notifications.selectors import (
    email_preferences_for_user,
    notification_get_for_user,
    notifications_for_user,
)

PAGE_SIZE = 20


def _list_url() -> str:
    return reverse("notification_centre:list")


@require_safe
def notification_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(notifications_for_user(user=request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "notifications/centre/list.html", {"page": page})


@require_POST
def notification_open(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """Mark the notification read, then follow its link when it stays on this site."""
    try:
        notification = notification_get_for_user(user=request.user, public_id=public_id)
    except Notification.DoesNotExist as exc:
        raise Http404 from exc
    notification_mark_read(notification=notification)
    url = notification.url
    local = url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}, require_https=request.is_secure())
    if url and local:
        return redirect(url)
    return redirect(_list_url())


@require_POST
def notifications_read_all(request: HttpRequest) -> HttpResponse:
    count = notifications_mark_all_read(user=request.user)
    if count:
        messages.success(request, "Toutes vos notifications sont marquées comme lues.")
    return redirect(_list_url())


@require_http_methods(["GET", "POST"])
def email_preferences(request: HttpRequest) -> HttpResponse:
    categories = notification_categories()
    form = EmailPreferencesForm(
        request.POST if request.method == "POST" else None,
        categories=categories,
        preferences=email_preferences_for_user(user=request.user),
    )
    if request.method == "POST" and form.is_valid():
        email_preferences_set(user=request.user, choices=form.choices())
        messages.success(request, "Vos choix de courriels sont enregistrés.")
        return redirect("notification_centre:preferences")
    return render(
        request,
        "notifications/centre/preferences.html",
        {"form": form, "crumbs": [{"label": "Notifications", "url": _list_url()}]},
    )
