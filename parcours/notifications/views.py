from uuid import UUID

from csp.constants import NONE, SELF
from csp.decorators import csp
from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_safe

from parcours.notifications.links import text_linkify
from parcours.notifications.models import DevOutboxMessage
from parcours.notifications.selectors import dev_outbox_message_get, dev_outbox_message_list

PAGE_SIZE = 50

# An email's HTML carries inline styles and must run no script; it is only ever framed by the outbox page.
EMAIL_HTML_CSP = {
    "default-src": [NONE],
    "style-src": ["'unsafe-inline'"],
    "img-src": [SELF, "data:"],
    "font-src": [SELF],
    "frame-ancestors": [SELF],
    "base-uri": [NONE],
    "form-action": [NONE],
}


def _require_dev_outbox() -> None:
    if not settings.PARCOURS_DEV_OUTBOX:
        raise Http404


def _get_message(public_id: UUID) -> DevOutboxMessage:
    try:
        return dev_outbox_message_get(public_id=public_id)
    except DevOutboxMessage.DoesNotExist as exc:
        raise Http404 from exc


@login_not_required
@require_safe
def outbox_list(request: HttpRequest) -> HttpResponse:
    _require_dev_outbox()
    page = Paginator(dev_outbox_message_list(), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "notifications/outbox_list.html", {"page_obj": page})


@login_not_required
@require_safe
def outbox_detail(request: HttpRequest, public_id: UUID) -> HttpResponse:
    _require_dev_outbox()
    message = _get_message(public_id)
    return render(
        request,
        "notifications/outbox_detail.html",
        {
            "message": message,
            "body_text_linked": text_linkify(message.body_text),
            "breadcrumb_links": [
                {"label": "Boîte d'envoi de développement", "url": reverse("notifications:outbox_list")}
            ],
        },
    )


@login_not_required
@require_safe
@xframe_options_sameorigin
@csp(EMAIL_HTML_CSP)
def outbox_html(request: HttpRequest, public_id: UUID) -> HttpResponse:
    _require_dev_outbox()
    message = _get_message(public_id)
    if not message.body_html:
        raise Http404
    return HttpResponse(message.body_html, content_type="text/html; charset=utf-8")
