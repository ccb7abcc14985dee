"""The project's URLs plus views that fail or show messages, for the layout and error tests
(``@pytest.mark.urls("tests.web.urls")``)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template import engines
from django.urls import path

from config.urls import urlpatterns as project_urlpatterns
from tests.web.forms import SampleForm

handler400 = "parcours.web.views.errors.bad_request"
handler403 = "parcours.web.views.errors.permission_denied"
handler404 = "parcours.web.views.errors.page_not_found"
handler500 = "parcours.web.views.errors.server_error"


FORM_PAGE = engines["django"].from_string(
    '{% extends "base.html" %}{% block title %}Formulaire{% endblock %}'
    '{% block content %}<h1>Formulaire</h1>{% include "theme/form.html" with form=form submit_label="Envoyer" %}'
    "{% endblock %}"
)


@login_not_required
def sample_form(request):
    form = SampleForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        messages.success(request, "Formulaire enregistré.")
        return redirect("web:home")
    return HttpResponse(FORM_PAGE.render({"form": form}, request))


@login_not_required
def with_messages(request):
    messages.debug(request, "Message de mise au point.")
    messages.info(request, "Pour information.")
    messages.success(request, "Votre demande a été enregistrée.")
    messages.warning(request, "Votre session expire bientôt.")
    messages.error(request, "Votre demande n’a pas pu être enregistrée.")
    return redirect("web:home")


@login_not_required
def raise_bad_request(request):
    raise SuspiciousOperation("test: bad request")


@login_not_required
def raise_permission_denied(request):
    raise PermissionDenied


@login_not_required
def raise_not_found(request):
    raise Http404


@login_not_required
def raise_error(request):
    raise RuntimeError("test: unexpected error")


urlpatterns = [
    path("test/formulaire/", sample_form),
    path("test/messages/", with_messages),
    path("test/400/", raise_bad_request),
    path("test/403/", raise_permission_denied),
    path("test/404/", raise_not_found),
    path("test/500/", raise_error),
    *project_urlpatterns,
]


def failing_context_processor(request):
    raise RuntimeError("test: a context processor fails")
