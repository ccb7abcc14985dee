from django.urls import path

from parcours.backoffice.views import identity, organisations, queue, requests

app_name = "backoffice"

urlpatterns = [
    path("", queue.home, name="home"),
    # Emails to operators link here (organisations.services.requests._decide_url): keep the name and argument.
    path("demandes/<uuid:public_id>/", requests.request_detail, name="request"),
    path("comptes-a-verifier/", identity.identity_reviews, name="identity_reviews"),
    path("comptes-a-verifier/<uuid:public_id>/", identity.identity_review, name="identity_review"),
    path("organisations/", organisations.organisations, name="organisations"),
    path("organisations/<uuid:public_id>/", organisations.organisation_detail, name="organisation"),
]
