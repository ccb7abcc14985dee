"""Mounted at /conventions/: conventions de formation (issue 7)."""

from django.urls import path

from parcours.enrollments.views import conventions

app_name = "conventions"

urlpatterns = [
    path("", conventions.convention_list, name="list"),
    path("session/<uuid:public_id>/", conventions.session, name="session"),
    path("session/<uuid:public_id>/emettre/", conventions.issue, name="issue"),
    path("<uuid:public_id>/", conventions.detail, name="detail"),
    path("<uuid:public_id>/signer/", conventions.sign, name="sign"),
    path("<uuid:public_id>/signee-hors-plateforme/", conventions.offline, name="offline"),
]
