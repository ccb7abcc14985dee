"""Error pages, in the site's layout and in French.

The 500 page is rendered without the request's context processors, session or user: it must
show even when the database or a context processor is what failed.
"""

import logging
from types import SimpleNamespace

from django.contrib.auth.decorators import login_not_required
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseForbidden,
    HttpResponseNotFound,
    HttpResponseServerError,
)
from django.template import loader
from django.views.decorators.csrf import requires_csrf_token

from parcours.web.context_processors import site_settings
from parcours.web.navigation import main_navigation

logger = logging.getLogger(__name__)

# Shown if even the 500 template fails to render: no template, no setting, no static file.
FALLBACK_500_HTML = """<!DOCTYPE html>
<html lang="fr"><head><meta charset="utf-8"><title>Erreur inattendue</title></head>
<body><main><h1>Erreur inattendue</h1>
<p>Désolé, le service rencontre un problème. Nous travaillons à le résoudre rapidement.
Essayez de rafraîchir la page ou réessayez plus tard.</p>
<p><a href="/">Retour à l’accueil</a></p></main></body></html>"""


@login_not_required
@requires_csrf_token
def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return HttpResponseBadRequest(loader.render_to_string("web/errors/400.html", request=request))


@login_not_required
@requires_csrf_token
def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return HttpResponseForbidden(loader.render_to_string("web/errors/403.html", request=request))


@login_not_required
@requires_csrf_token
def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return HttpResponseNotFound(loader.render_to_string("web/errors/404.html", request=request))


@login_not_required
def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    logger.info("event=csrf_failure path=%s reason=%s", request.path, reason)
    return HttpResponseForbidden(loader.render_to_string("web/errors/403_csrf.html", request=request))


@login_not_required
def server_error(request: HttpRequest) -> HttpResponse:
    try:
        context = {**site_settings(), "navigation": main_navigation(None)}
        # Only the CSP nonce is read from the request, so that the page keeps its scripts.
        context["request"] = SimpleNamespace(csp_nonce=_csp_nonce(request))
        html = loader.get_template("web/errors/500.html").render(context)
    except Exception:
        logger.exception("event=error_page_failed status=500")
        html = FALLBACK_500_HTML
    return HttpResponseServerError(html)


def _csp_nonce(request: HttpRequest) -> str:
    # django-csp's lazy nonce is falsy until read: test for presence, not truth.
    nonce = getattr(request, "csp_nonce", None)
    if nonce is None:
        return ""
    try:
        return str(nonce)
    except Exception:
        return ""
