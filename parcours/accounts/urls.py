from django.urls import path

from parcours.accounts.views import (
    account,
    my_account,
    registration,
    signup_professional,
    signup_stagiaire,
    signup_titulaire,
)

app_name = "accounts"

urlpatterns = [
    path("inscription/titulaire/", signup_titulaire.terms, name="signup_titulaire"),
    path("inscription/titulaire/identite/", signup_titulaire.identity, name="signup_titulaire_identity"),
    path("inscription/titulaire/mot-de-passe/", signup_titulaire.password, name="signup_titulaire_password"),
    path("inscription/titulaire/annuler/", signup_titulaire.cancel, name="signup_titulaire_cancel"),
    path("inscription/stagiaire/", signup_stagiaire.start, name="signup_stagiaire"),
    path("inscription/stagiaire/code/", signup_stagiaire.code, name="signup_stagiaire_code"),
    path("inscription/stagiaire/mot-de-passe/", signup_stagiaire.password, name="signup_stagiaire_password"),
    path("inscription/professionnel/", signup_professional.signup, name="signup_professional"),
    path("inscription/courriel-envoye/", registration.sent, name="registration_sent"),
    path("inscription/confirmer/<str:token>/", registration.confirm, name="registration_confirm"),
    path("conditions-d-utilisation/", account.terms_stage, name="terms_accept"),
    path("identifiant-oublie/", account.forgot_identifier, name="forgot_identifier"),
    path("structure/", account.professional_home, name="professional_home"),
    path("mon-compte/", my_account.overview, name="my_account"),
]
