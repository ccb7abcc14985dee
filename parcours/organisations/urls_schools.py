from django.urls import path

from parcours.organisations.views import schools as views

app_name = "schools"

urlpatterns = [
    path("inscription/", views.signup, name="signup"),
    path("inscription/recherche/", views.search, name="search"),
    path("inscription/courriel-envoye/", views.sent, name="signup_sent"),
    path("inscription/confirmer/<str:token>/", views.confirm, name="signup_confirm"),
    path("inscription/<str:uai>/", views.school, name="school"),
    path("identifiant-oublie/", views.forgot_identifier, name="forgot_identifier"),
    path("identifiant-oublie/<str:uai>/", views.recovery, name="recovery"),
    path("demande-d-acces/envoyee/", views.access_request_sent, name="access_request_sent"),
    path("demandes-d-acces/<uuid:public_id>/", views.access_request, name="access_request"),
]
